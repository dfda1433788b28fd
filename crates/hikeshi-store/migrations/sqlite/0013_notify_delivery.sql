-- Notification delivery: the courier reads pending requests oldest first; a partial index
-- keeps that a short range scan however many delivered requests accumulate.
CREATE INDEX notification_requests_pending ON notification_requests (created_at, id) WHERE status = 'pending';
