-- preflight:ignore-file missing-lock-timeout
-- The table is tiny and written once a day; the plain build is fine.
-- preflight:ignore create-index-not-concurrently
CREATE INDEX idx_settings_key ON settings (key);

-- preflight:ignore drop-column, rename-column
ALTER TABLE settings DROP COLUMN legacy;
