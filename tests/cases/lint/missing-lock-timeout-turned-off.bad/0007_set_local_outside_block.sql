-- no-transaction
-- SET LOCAL outside a transaction block has no effect.
SET LOCAL lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN note7 text;
