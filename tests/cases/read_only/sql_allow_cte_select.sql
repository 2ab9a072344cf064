WITH recent AS (SELECT * FROM focus_sessions WHERE started_at > now() - interval '1 hour') SELECT count(*) FROM recent
