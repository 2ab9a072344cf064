-- no-transaction
BEGIN;
SET LOCAL lock_timeout = '1min';
ALTER TABLE orders ADD COLUMN note5 text;
COMMIT;
