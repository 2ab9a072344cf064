-- The deployment checklist's rollback plan.

-- Rollback CASCADE constraint
ALTER TABLE focus_library_tracks
  DROP CONSTRAINT focus_library_tracks_library_id_fk;

ALTER TABLE focus_library_tracks
  ADD CONSTRAINT focus_library_tracks_library_id_fk
  FOREIGN KEY (library_id)
  REFERENCES focus_libraries(id);
  -- Note: No ON DELETE CASCADE

-- Rollback index
DROP INDEX IF EXISTS idx_focus_sessions_user_active;
