SET lock_timeout = '2s';
-- A column's own UNIQUE / PRIMARY KEY builds an index like ADD CONSTRAINT does.
ALTER TABLE orders ADD COLUMN code int UNIQUE;
ALTER TABLE orders ADD COLUMN id2 int PRIMARY KEY;
