SET lock_timeout = '0.2ms';
ALTER TABLE orders ADD COLUMN note9 text;
