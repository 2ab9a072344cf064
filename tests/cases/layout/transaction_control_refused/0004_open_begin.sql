-- no-transaction
BEGIN;
CREATE TABLE nt (x int);
