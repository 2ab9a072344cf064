-- no-transaction
CREATE TABLE order_stats (day date PRIMARY KEY, total bigint);
CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);
SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT orders_customer_positive CHECK (customer_id > 0) NOT VALID;
