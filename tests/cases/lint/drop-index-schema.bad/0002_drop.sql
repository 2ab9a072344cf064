SET lock_timeout = '2s';
-- Unqualified, ui is looked up on the search_path (public), not in s.
DROP INDEX ui;
DROP INDEX s.ui;
