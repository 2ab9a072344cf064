-- Flyway orders 1 < 1.1 < 1_2 (= 1.2) < 1.10 < 2: the parts are numbers.
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL
);
