SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE orders ADD COLUMN jitter float8 DEFAULT random() * 10;
ALTER TABLE orders ADD COLUMN seq bigserial;
