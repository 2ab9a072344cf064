COMMENT ON TABLE accounts IS 'kept in ${flyway:table}';
