-- migrate:up
CREATE TABLE t4 (x int);
-- migrate:down
DROP TABLE t4 t4;
