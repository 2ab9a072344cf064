-- no-transaction
SET lock_timeout = '2s';
VACUUM (FULL, ANALYZE) orders;
