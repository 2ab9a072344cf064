SET lock_timeout = '2s';
-- The index was built by an earlier -- no-transaction migration with CREATE UNIQUE INDEX CONCURRENTLY.
ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE USING INDEX customers_email_idx;
