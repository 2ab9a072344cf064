CREATE TABLE staging (id bigint, tmp text);
ALTER TABLE staging RENAME COLUMN tmp TO payload;
