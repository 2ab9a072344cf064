-- The repeatable view reads accounts.name: drop it first, as Flyway users must.
DROP VIEW IF EXISTS named_accounts;
ALTER TABLE accounts DROP COLUMN name;
