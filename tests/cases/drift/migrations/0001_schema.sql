-- The fixture schema of the drift cases: one object of each kind `migrate diff` compares.
CREATE EXTENSION IF NOT EXISTS pg_trgm VERSION '1.5';

CREATE SCHEMA app;

CREATE TYPE app.session_status AS ENUM ('planned', 'active', 'done');
CREATE TYPE app.priority AS ENUM ('low', 'high');

CREATE TABLE app.users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name varchar(80) COLLATE "C",
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app.sessions (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  status app.session_status NOT NULL DEFAULT 'planned',
  minutes integer NOT NULL DEFAULT 25 CHECK (minutes > 0),
  note text,
  minutes_x2 integer GENERATED ALWAYS AS (minutes * 2) STORED
);

CREATE INDEX sessions_user_idx ON app.sessions (user_id);
CREATE INDEX sessions_active_idx ON app.sessions (user_id) WHERE status = 'active';

CREATE SEQUENCE app.ticket_seq INCREMENT BY 10 START WITH 100;

COMMENT ON TABLE app.users IS 'people who plan sessions';
