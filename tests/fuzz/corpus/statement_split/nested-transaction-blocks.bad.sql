-- no-transaction
SAVEPOINT before_backfill;
BEGIN;
UPDATE settings SET value = 'on' WHERE key = 'feature_x';
BEGIN;
COMMIT;
