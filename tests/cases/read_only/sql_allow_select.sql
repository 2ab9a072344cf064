SELECT count(*) FROM focus_sessions WHERE status = 'active'
