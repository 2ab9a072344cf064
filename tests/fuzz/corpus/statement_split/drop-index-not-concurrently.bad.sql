SET lock_timeout = '2s';
DROP INDEX idx_orders_customer;
