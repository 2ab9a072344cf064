SET lock_timeout = '2s';
CREATE INDEX a ON t (k); -- preflight:ignore create-index-not-concurrently
CREATE INDEX b ON t (k);
CREATE INDEX c ON t (k);
-- preflight:ignore create-index-not-concurrently
CREATE INDEX d ON t (k);
CREATE INDEX e ON t (k); /* trailing */ -- preflight:ignore create-index-not-concurrently
