SET lock_timeout = '2s';
REINDEX INDEX idx_orders_customer;
