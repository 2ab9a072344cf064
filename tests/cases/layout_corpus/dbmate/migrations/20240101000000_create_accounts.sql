-- migrate:up
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL
);

-- migrate:down
DROP TABLE accounts;
