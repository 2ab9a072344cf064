-- Runs after 1.2 although "1.10" < "1.2" as text.
COMMENT ON INDEX accounts_email IS 'added by 1.2, commented by 1.10';
