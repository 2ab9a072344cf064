SET lock_timeout = '2s';
ALTER TABLE customers RENAME COLUMN fax TO fax_number;
