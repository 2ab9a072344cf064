SELECT * FROM focus_sessions WHERE id = 1 FOR UPDATE
