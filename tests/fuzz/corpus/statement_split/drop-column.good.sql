CREATE TABLE staging (id bigint, tmp text);
ALTER TABLE staging DROP COLUMN tmp;
