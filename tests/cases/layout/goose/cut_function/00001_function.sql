-- +goose Up
CREATE FUNCTION one() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN 1;
END;
$$;
