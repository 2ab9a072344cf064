EXPLAIN (FORMAT JSON) SELECT * FROM focus_sessions WHERE user_id = 1
