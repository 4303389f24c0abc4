-- Migration number: 0002 	 2025-02-10T14:30:00.000Z
CREATE TABLE trips (
  id TEXT PRIMARY KEY,
  organizer_id TEXT NOT NULL REFERENCES users(id),
  departs_at TEXT NOT NULL
);
CREATE TABLE trip_participants (
  trip_id TEXT NOT NULL REFERENCES trips(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  PRIMARY KEY (trip_id, user_id)
);
