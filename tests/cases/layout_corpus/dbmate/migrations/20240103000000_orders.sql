-- migrate:up
CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));
CREATE VIEW order_count AS SELECT account_id, count(*) FROM orders GROUP BY account_id;

-- migrate:down
DROP VIEW order_count;
DROP TABLE orders;
