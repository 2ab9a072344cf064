CREATE TABLE audit.events (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    payload     JSONB,
    tags        varchar(20)[],
    CONSTRAINT events_kind_check CHECK (kind <> ''),
    CONSTRAINT events_kind_unique UNIQUE (kind, payload)
);

CREATE UNIQUE INDEX CONCURRENTLY events_kind_idx ON audit.events (kind NULLS FIRST, id DESC NULLS LAST);
CREATE INDEX ON audit.events (lower(kind));

ALTER TABLE focus_sessions
  ADD COLUMN paused_at timestamptz,
  ADD COLUMN pause_count integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT focus_sessions_mode_fk FOREIGN KEY (mode) REFERENCES focus_modes (code) ON DELETE SET NULL;

COMMENT ON TABLE audit.events IS 'ignored';
DROP INDEX IF EXISTS old_index;
