COMMENT ON INDEX accounts_email IS NULL;
