SET lock_timeout = '2s';
-- now() is stable: PostgreSQL stores the value once in the catalog, no rewrite.
ALTER TABLE orders ADD COLUMN imported_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE orders ADD COLUMN source text DEFAULT 'web';
