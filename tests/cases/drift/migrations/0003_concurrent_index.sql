-- no-transaction
CREATE INDEX CONCURRENTLY sessions_status_idx ON app.sessions (status);
