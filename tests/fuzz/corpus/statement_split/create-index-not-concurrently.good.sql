-- A new, empty table may be indexed freely in the same migration.
SET lock_timeout = '2s';

CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
CREATE INDEX idx_invoices_customer ON invoices (customer_id);
