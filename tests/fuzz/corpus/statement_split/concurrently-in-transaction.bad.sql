-- Runs in preflight's transaction: PostgreSQL refuses CONCURRENTLY there.
CREATE INDEX CONCURRENTLY idx_orders_placed ON orders (placed_at);
