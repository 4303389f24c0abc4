-- Migration number: 0003 	 2025-03-18T11:15:00.000Z
-- runbook 004 §7.2 step 4: transitions of trip_participants.payment_status.
ALTER TABLE trip_participants ADD COLUMN payment_status TEXT NOT NULL DEFAULT 'unpaid';
CREATE TABLE processed_webhook_events (
  event_id TEXT PRIMARY KEY,
  processed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
