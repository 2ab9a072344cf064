-- no-transaction
SET lock_timeout = '2s';
-- FULL false / off / 0 is a plain VACUUM.
VACUUM (FULL false) orders;
VACUUM (FULL off, ANALYZE) orders;
VACUUM (FULL 0) orders;
-- A table created earlier in the file, as CLUSTER treats it.
CREATE TABLE scratch (a int);
VACUUM FULL scratch;
CLUSTER scratch USING scratch_pkey;
