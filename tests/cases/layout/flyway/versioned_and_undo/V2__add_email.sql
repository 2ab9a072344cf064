-- written by ${flyway:filename} into ${flyway:table}
ALTER TABLE users ADD COLUMN email text;
