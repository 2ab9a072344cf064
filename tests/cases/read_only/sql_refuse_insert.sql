INSERT INTO logs (level) VALUES ('ERROR')
