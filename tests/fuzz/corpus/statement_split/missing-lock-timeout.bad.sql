-- The trigger takes SHARE ROW EXCLUSIVE on orders; waiting for it queues every query.
CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();
