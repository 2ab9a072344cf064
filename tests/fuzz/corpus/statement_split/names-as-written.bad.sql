SET lock_timeout = '2s';
-- Messages name objects as the migration wrote them.
CREATE INDEX idx_orders_a ON public.orders (a);
DROP TABLE public.old_orders;
