-- An index on a table that already exists blocks writes for the whole build.
SET lock_timeout = '2s';

CREATE INDEX idx_orders_customer ON orders (customer_id);
