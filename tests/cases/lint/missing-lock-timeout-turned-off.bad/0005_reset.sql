SET lock_timeout = '5s';
RESET lock_timeout;
ALTER TABLE orders ADD COLUMN note5 text;
