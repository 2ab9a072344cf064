UPDATE focus_sessions SET status = 'completed'
