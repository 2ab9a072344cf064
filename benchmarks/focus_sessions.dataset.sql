-- Dataset for benchmarks/focus_sessions.toml. {scale} = 1: 10,000 users, 1,000,000 focus
-- sessions (about 2 % active), 30,000 libraries with 300,000 tracks. setseed() makes random()
-- repeat the same sequence, so every run loads the same rows.
SELECT setseed(0.42);

INSERT INTO users (id, email, display_name, created_at)
SELECT g, 'user' || g || '@example.com', 'User ' || g, now() - interval '400 days'
  FROM generate_series(1, greatest(1, (10000 * {scale})::int)) AS g;
SELECT setval('users_id_seq', (SELECT max(id) FROM users));

INSERT INTO focus_sessions (user_id, mode, status, duration_seconds, started_at, completed_at, created_at, xp_awarded)
SELECT s.user_id, s.mode, s.status, s.duration_seconds, s.started_at,
       CASE WHEN s.status = 'completed' THEN s.started_at + make_interval(secs => s.duration_seconds) END,
       s.started_at,
       CASE WHEN s.status = 'completed' THEN s.duration_seconds / 60 ELSE 0 END
  FROM (
    SELECT 1 + floor(random() * (SELECT count(*) FROM users))::bigint AS user_id,
           (ARRAY['pomodoro', 'short_break', 'long_break', 'deep_work'])[1 + floor(random() * 4)::int] AS mode,
           CASE WHEN r < 0.02 THEN 'active' WHEN r < 0.03 THEN 'paused'
                WHEN r < 0.08 THEN 'abandoned' ELSE 'completed' END AS status,
           300 + floor(random() * 5100)::int AS duration_seconds,
           now() - random() * interval '365 days' AS started_at
      FROM (SELECT random() AS r FROM generate_series(1, greatest(1, (1000000 * {scale})::int))) AS g
  ) AS s;

INSERT INTO focus_libraries (user_id, name)
SELECT u.id, 'Library ' || l FROM users u CROSS JOIN generate_series(1, 3) AS l;

INSERT INTO focus_library_tracks (library_id, title, url, duration_seconds, position)
SELECT f.id, 'Track ' || t, 'https://music.example.com/' || f.id || '/' || t, 120 + t * 17, t
  FROM focus_libraries f CROSS JOIN generate_series(1, 10) AS t;
