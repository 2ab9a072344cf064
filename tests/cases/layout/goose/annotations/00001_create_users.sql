-- +goose Up
CREATE TABLE users (id int, name text);
-- +goose StatementBegin
CREATE FUNCTION one() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN 1;
END;
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION one();
DROP TABLE users;
