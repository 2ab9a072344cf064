-- no-transaction
BEGIN;
SET LOCAL lock_timeout = '5s';
COMMIT;
-- the block's SET LOCAL ended with it
ALTER TABLE orders ADD COLUMN note8 text;
