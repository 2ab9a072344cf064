SET lock_timeout = '2s';
-- preflight:ignore create-index-not-concurrently
CREATE INDEX idx_a ON orders (a);
CREATE INDEX idx_b ON orders (b);
