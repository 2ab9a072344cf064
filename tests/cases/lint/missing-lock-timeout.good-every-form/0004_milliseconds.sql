SET lock_timeout TO 3000;
ALTER TABLE orders ADD COLUMN note4 text;
