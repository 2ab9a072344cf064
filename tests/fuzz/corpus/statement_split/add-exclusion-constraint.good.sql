SET lock_timeout = '2s';
CREATE TABLE rooms (room int, during tstzrange);
-- A new, empty table: nobody else can be blocked by it yet.
ALTER TABLE rooms ADD CONSTRAINT rooms_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);
