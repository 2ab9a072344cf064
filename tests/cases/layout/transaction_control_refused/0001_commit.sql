COMMIT;
CREATE TABLE leaked (x int);
