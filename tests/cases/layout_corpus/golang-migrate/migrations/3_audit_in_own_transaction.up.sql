BEGIN;
CREATE TABLE audit (id bigint, at timestamptz DEFAULT now());
INSERT INTO audit (id) VALUES (1);
COMMIT;
