-- migrate:up
CREATE TABLE users (id int, name text);

-- migrate:down
DROP TABLE users;
