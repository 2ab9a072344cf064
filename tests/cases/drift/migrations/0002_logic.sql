CREATE VIEW app.active_sessions AS
  SELECT s.id, s.user_id FROM app.sessions s WHERE s.status = 'active';

CREATE MATERIALIZED VIEW app.minutes_per_user AS
  SELECT user_id, sum(minutes) AS minutes FROM app.sessions GROUP BY user_id;

CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.note := coalesce(NEW.note, '');
  RETURN NEW;
END
$$;

CREATE TRIGGER sessions_touch BEFORE INSERT ON app.sessions
  FOR EACH ROW EXECUTE FUNCTION app.touch();

CREATE FUNCTION app.double(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;

CREATE PROCEDURE app.close_all() LANGUAGE sql AS $$ UPDATE app.sessions SET status = 'done' $$;

CREATE INDEX users_email_trgm ON app.users USING gin (email gin_trgm_ops);
