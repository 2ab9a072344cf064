-- no-transaction
-- The rollback of the CONCURRENTLY variant: the same foreign key swap, the index dropped without
-- blocking writes.

BEGIN;

ALTER TABLE focus_library_tracks
  DROP CONSTRAINT focus_library_tracks_library_id_fk;

ALTER TABLE focus_library_tracks
  ADD CONSTRAINT focus_library_tracks_library_id_fk
  FOREIGN KEY (library_id)
  REFERENCES focus_libraries(id);

COMMIT;

DROP INDEX CONCURRENTLY IF EXISTS idx_focus_sessions_user_active;
