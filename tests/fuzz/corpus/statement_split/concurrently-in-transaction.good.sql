-- no-transaction
CREATE INDEX CONCURRENTLY idx_orders_placed ON orders (placed_at);
DROP INDEX CONCURRENTLY idx_orders_old;
