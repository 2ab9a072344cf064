-- +goose Up
-- +goose ENVSUB ON
CREATE SCHEMA ${GOOSE_TEST_SCHEMA};
CREATE TABLE ${GOOSE_TEST_SCHEMA}.events (id bigint);
-- +goose ENVSUB OFF

-- +goose Down
DROP TABLE app.events;
DROP SCHEMA app;
