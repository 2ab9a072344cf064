-- MID-003 Phase 3: batch query optimizations (as written in the deployment checklist).

-- 1. CASCADE foreign key: deleting a library deletes its tracks atomically.
ALTER TABLE focus_library_tracks
  DROP CONSTRAINT focus_library_tracks_library_id_fk;

ALTER TABLE focus_library_tracks
  ADD CONSTRAINT focus_library_tracks_library_id_fk
  FOREIGN KEY (library_id)
  REFERENCES focus_libraries(id)
  ON DELETE CASCADE;

-- 2. Composite index for the active-session lookup and paginated session lists.
CREATE INDEX idx_focus_sessions_user_active
  ON focus_sessions (user_id, status, started_at DESC);

-- 3. Pagination counts use the planner's estimate instead of count(*):
--    SELECT reltuples::bigint FROM pg_class WHERE oid = 'focus_sessions'::regclass;
COMMENT ON INDEX idx_focus_sessions_user_active IS
  'MID-003: get active session, list sessions (user_id, status, started_at DESC)';
