-- no-transaction
VACUUM (ANALYZE) orders;
