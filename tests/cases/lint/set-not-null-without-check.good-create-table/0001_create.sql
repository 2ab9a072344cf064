-- CHECK (col IS NOT NULL) written in CREATE TABLE: table-level (named) and column-level (unnamed).
CREATE TABLE t (a int, b int CHECK (b IS NOT NULL), CONSTRAINT cc CHECK (a IS NOT NULL));
