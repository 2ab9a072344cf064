-- +goose Up
-- +goose ENVSUB ON
CREATE SCHEMA ${GOOSE_TEST_SCHEMA};
-- +goose ENVSUB OFF

-- +goose Down
DROP SCHEMA app;
