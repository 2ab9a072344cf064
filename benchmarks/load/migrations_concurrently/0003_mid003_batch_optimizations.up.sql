-- no-transaction
-- MID-003 Phase 3, the variant that keeps the application running: the composite index is built
-- with CREATE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE: reads and writes continue), which
-- cannot run inside a transaction block, hence the no-transaction marker above. The foreign key
-- swap stays one short transaction, so no moment is left without a constraint.

BEGIN;

ALTER TABLE focus_library_tracks
  DROP CONSTRAINT focus_library_tracks_library_id_fk;

ALTER TABLE focus_library_tracks
  ADD CONSTRAINT focus_library_tracks_library_id_fk
  FOREIGN KEY (library_id)
  REFERENCES focus_libraries(id)
  ON DELETE CASCADE;

COMMIT;

CREATE INDEX CONCURRENTLY idx_focus_sessions_user_active
  ON focus_sessions (user_id, status, started_at DESC);

COMMENT ON INDEX idx_focus_sessions_user_active IS
  'MID-003: get active session, list sessions (user_id, status, started_at DESC)';
