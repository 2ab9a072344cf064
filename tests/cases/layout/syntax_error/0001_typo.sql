CREATE TABLE t (id int);

CREAT INDEX i ON t (id);
