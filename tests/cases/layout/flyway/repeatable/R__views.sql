-- ${flyway:filename}: views, re-created whenever this file changes
CREATE OR REPLACE VIEW v AS SELECT 1;
