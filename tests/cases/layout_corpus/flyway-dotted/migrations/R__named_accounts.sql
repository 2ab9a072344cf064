-- Re-created by Flyway whenever this file changes (a repeatable migration).
CREATE OR REPLACE VIEW named_accounts AS
  SELECT id, email, name FROM accounts WHERE name IS NOT NULL;
