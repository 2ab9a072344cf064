CREATE TABLE t5 (x int);
