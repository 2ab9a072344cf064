SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN customer_id int REFERENCES customers (id);
