-- no-transaction
BEGIN;
DROP INDEX CONCURRENTLY idx_orders_placed;
COMMIT;
