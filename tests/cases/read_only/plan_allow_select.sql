SELECT id FROM focus_sessions WHERE user_id = $1 AND status = 'active' ORDER BY started_at DESC LIMIT 1
