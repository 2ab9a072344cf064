-- Focus-session application schema (from the deployment checklist's app).
-- focus_library_tracks.library_id references focus_libraries WITHOUT ON DELETE CASCADE:
-- migration 0003 replaces that foreign key.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE oauth_accounts (
    id                BIGSERIAL PRIMARY KEY,
    user_id           BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider          TEXT NOT NULL CHECK (provider IN ('google', 'azure')),
    provider_user_id  TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_user_id)
);

CREATE TABLE focus_modes (
    code                      TEXT PRIMARY KEY,
    label                     TEXT NOT NULL,
    default_duration_seconds  INTEGER NOT NULL CHECK (default_duration_seconds > 0)
);

CREATE TABLE focus_sessions (
    id                BIGSERIAL PRIMARY KEY,
    user_id           BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mode              TEXT NOT NULL REFERENCES focus_modes(code),
    status            TEXT NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'paused', 'completed', 'abandoned')),
    duration_seconds  INTEGER NOT NULL CHECK (duration_seconds > 0),
    started_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at      TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    xp_awarded        INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX idx_focus_sessions_user_id ON focus_sessions (user_id);

CREATE TABLE focus_libraries (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_focus_libraries_user_id ON focus_libraries (user_id);

CREATE TABLE focus_library_tracks (
    id                BIGSERIAL PRIMARY KEY,
    library_id        BIGINT NOT NULL,
    title             TEXT NOT NULL,
    url               TEXT NOT NULL,
    duration_seconds  INTEGER,
    position          INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT focus_library_tracks_library_id_fk
        FOREIGN KEY (library_id) REFERENCES focus_libraries(id)
);

CREATE INDEX idx_focus_library_tracks_library_id ON focus_library_tracks (library_id);

-- Gamification balances; SEC-002/SEC-003: rewards are bounded.
CREATE TABLE gamification_settings (
    key    TEXT PRIMARY KEY,
    value  INTEGER NOT NULL CHECK (value >= 0)
);

CREATE TABLE user_balances (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    xp          BIGINT NOT NULL DEFAULT 0 CHECK (xp >= 0),
    coins       BIGINT NOT NULL DEFAULT 0 CHECK (coins >= 0),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE reward_awards (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id  BIGINT REFERENCES focus_sessions(id) ON DELETE SET NULL,
    xp          INTEGER NOT NULL CHECK (xp BETWEEN 0 AND 500),
    coins       INTEGER NOT NULL CHECK (coins BETWEEN 0 AND 100),
    awarded_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
