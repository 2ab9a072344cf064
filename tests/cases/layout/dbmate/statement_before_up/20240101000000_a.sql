CREATE TABLE x (id int);
-- migrate:up
SELECT 1;
-- migrate:down
SELECT 1;
