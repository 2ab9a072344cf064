SET lock_timeout = '2s';
CLUSTER orders USING idx_orders_customer;
