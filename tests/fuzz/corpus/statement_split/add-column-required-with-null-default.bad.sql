SET lock_timeout = '2s';
-- DEFAULT NULL is no default: existing rows would be NULL.
ALTER TABLE orders ADD COLUMN a int NOT NULL DEFAULT NULL;
ALTER TABLE orders ADD COLUMN b int NOT NULL DEFAULT NULL::int;
