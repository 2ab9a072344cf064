-- no-transaction
SET lock_timeout = '2s';
ALTER TABLE orders DROP CONSTRAINT orders_customer_positive;
DROP INDEX CONCURRENTLY idx_orders_customer;
DROP TABLE order_stats;
