-- migrate:up
CREATE INDEX CONCURRENTLY users_name ON users (name);
-- migrate:down
DROP INDEX users_name;
