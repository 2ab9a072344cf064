-- Reference data: focus modes and the gamification bounds (SEC-002, SEC-003).
INSERT INTO focus_modes (code, label, default_duration_seconds) VALUES
    ('pomodoro',    'Pomodoro',     1500),
    ('short_break', 'Short break',   300),
    ('long_break',  'Long break',    900),
    ('deep_work',   'Deep work',    5400);

INSERT INTO gamification_settings (key, value) VALUES
    ('max_xp_per_award',     500),
    ('max_coins_per_award',  100),
    ('max_awards_per_day',    50);
