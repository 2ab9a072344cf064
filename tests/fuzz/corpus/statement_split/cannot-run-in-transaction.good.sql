-- no-transaction
SET lock_timeout = '2s';
VACUUM orders;
CREATE DATABASE reports;
ALTER SYSTEM SET work_mem = '8MB';
VACUUM (FULL false) orders;
