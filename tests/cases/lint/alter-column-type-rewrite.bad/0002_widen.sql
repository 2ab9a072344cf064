SET lock_timeout = '2s';
ALTER TABLE accounts ALTER COLUMN id TYPE bigint;
ALTER TABLE accounts ALTER COLUMN code TYPE varchar(10);
ALTER TABLE accounts ALTER COLUMN label TYPE int USING label::int;
ALTER TABLE unknown_table ALTER COLUMN x TYPE text;
