-- A user's saved searches (a list page and its query string), and an index for "due next".
CREATE TABLE saved_searches (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE INDEX saved_searches_user ON saved_searches (user_id, name);
CREATE INDEX incidents_due ON incidents (due_at) WHERE due_at IS NOT NULL;
