CREATE TYPE plan AS ENUM ('free', 'paid');
ALTER TABLE accounts ADD COLUMN plan plan NOT NULL DEFAULT 'free';
