-- A table created and dropped in the same migration was never used by running code.
CREATE TABLE import_scratch (id bigint);
DROP TABLE import_scratch;
