SELECT pg_catalog.set_config('LOCK_TIMEOUT', '5s', false);
ALTER TABLE orders ADD COLUMN note2 text;
