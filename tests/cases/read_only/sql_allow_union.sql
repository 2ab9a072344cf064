SELECT 1 UNION ALL SELECT idx_scan FROM pg_stat_user_indexes
