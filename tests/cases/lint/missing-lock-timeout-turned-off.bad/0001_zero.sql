-- 0 means no timeout: the wait is unbounded.
SET lock_timeout = 0;
ALTER TABLE orders ADD COLUMN note1 text;
