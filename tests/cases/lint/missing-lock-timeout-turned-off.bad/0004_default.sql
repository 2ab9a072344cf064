SET lock_timeout = DEFAULT;
ALTER TABLE orders ADD COLUMN note4 text;
