SET lock_timeout = '2s';
ALTER TABLE accounts ALTER COLUMN code TYPE varchar(64);
ALTER TABLE accounts ALTER COLUMN label TYPE text;
ALTER TABLE accounts ALTER COLUMN amount TYPE numeric(12,2);
