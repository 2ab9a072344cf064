SET LOCAL lock_timeout TO '0ms';
ALTER TABLE orders ADD COLUMN note3 text;
