SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;
-- In a later migration:
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;
