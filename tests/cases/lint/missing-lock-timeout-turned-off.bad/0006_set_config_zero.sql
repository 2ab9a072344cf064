SELECT set_config('lock_timeout', '0', false);
ALTER TABLE orders ADD COLUMN note6 text;
