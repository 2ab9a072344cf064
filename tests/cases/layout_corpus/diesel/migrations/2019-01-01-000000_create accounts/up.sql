CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT diesel_manage_updated_at('accounts');
