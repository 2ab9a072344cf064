SET lock_timeout = '0';
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN note6 text;
