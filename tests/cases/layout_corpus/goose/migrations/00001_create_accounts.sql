-- +goose Up
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL
);

-- +goose Down
DROP TABLE accounts;
