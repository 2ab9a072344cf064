COMMENT ON TABLE accounts IS 'set by ${flyway:filename}';
