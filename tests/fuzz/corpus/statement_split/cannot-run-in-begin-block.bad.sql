-- no-transaction
SET lock_timeout = '2s';
BEGIN;
VACUUM orders;
COMMIT;
