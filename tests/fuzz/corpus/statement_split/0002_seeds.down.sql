DELETE FROM gamification_settings
 WHERE key IN ('max_xp_per_award', 'max_coins_per_award', 'max_awards_per_day');
DELETE FROM focus_modes
 WHERE code IN ('pomodoro', 'short_break', 'long_break', 'deep_work');
