SET lock_timeout = '2s';
-- Relations created earlier in the same file are new: indexing them blocks nobody.
CREATE TABLE totals AS SELECT customer_id, sum(amount) AS amount FROM orders GROUP BY 1;
CREATE INDEX totals_customer ON totals (customer_id);
SELECT * INTO public.archive FROM orders WHERE false;
CREATE INDEX archive_id ON archive (id);
CREATE MATERIALIZED VIEW daily AS SELECT 1 AS day;
CREATE INDEX daily_day ON public.daily (day);
