CREATE TABLE staging (id bigint);
ALTER TABLE staging RENAME TO staging_v2;
