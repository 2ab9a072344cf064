CREATE TABLE old (x int);
