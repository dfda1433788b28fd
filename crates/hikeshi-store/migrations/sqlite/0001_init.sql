-- Hikeshi schema v1 (SQLite). Keep in step with ../postgres/0001_init.sql: a test checks the file names match.

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE constituencies (id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, parent_id TEXT,
  default_lang TEXT NOT NULL, contacts TEXT NOT NULL,
  netblocks TEXT NOT NULL, domains TEXT NOT NULL, email_domains TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE TABLE constituency_netblocks (constituency_id TEXT NOT NULL, cidr TEXT NOT NULL, PRIMARY KEY (constituency_id, cidr));
CREATE TABLE constituency_domains (constituency_id TEXT NOT NULL, kind TEXT NOT NULL, domain TEXT NOT NULL, PRIMARY KEY (constituency_id, kind, domain));
CREATE INDEX constituency_domains_domain ON constituency_domains (domain);
CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, email TEXT, role TEXT NOT NULL,
  global BIGINT NOT NULL, constituencies TEXT NOT NULL, password_hash TEXT, disabled BIGINT NOT NULL, created_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE TABLE api_tokens (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL, revoked BIGINT NOT NULL);
CREATE TABLE sessions (digest TEXT PRIMARY KEY, user_id TEXT NOT NULL, csrf TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE ref_counters (scope TEXT PRIMARY KEY, next BIGINT NOT NULL);
CREATE TABLE incidents (id TEXT PRIMARY KEY, ref TEXT NOT NULL UNIQUE, title TEXT NOT NULL, description TEXT NOT NULL,
  rsit_class TEXT, rsit_type TEXT, jpcert_category TEXT, severity TEXT NOT NULL, impact TEXT NOT NULL, urgency TEXT NOT NULL,
  priority BIGINT NOT NULL, tlp TEXT NOT NULL, pap TEXT NOT NULL, constituency_id TEXT, owner_id TEXT, status TEXT NOT NULL,
  resolution TEXT, apt BIGINT NOT NULL, due_at BIGINT, parent_id TEXT, merged_into TEXT, tags TEXT NOT NULL,
  named_users TEXT NOT NULL,
  created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX incidents_created ON incidents (created_at, id);
CREATE INDEX incidents_updated ON incidents (updated_at, id);
CREATE INDEX incidents_constituency ON incidents (constituency_id, created_at);
CREATE INDEX incidents_owner ON incidents (owner_id, status);
CREATE INDEX incidents_status ON incidents (status, created_at);
CREATE INDEX incidents_parent ON incidents (parent_id);
CREATE TABLE reports (id TEXT PRIMARY KEY, ref TEXT NOT NULL UNIQUE, channel TEXT NOT NULL, reporter TEXT NOT NULL,
  reporter_type TEXT NOT NULL, received_at BIGINT NOT NULL, subject TEXT NOT NULL, content TEXT NOT NULL, status TEXT NOT NULL,
  reject_reason TEXT, constituency_id TEXT, owner_id TEXT, tlp TEXT NOT NULL, tags TEXT NOT NULL, named_users TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX reports_created ON reports (created_at, id);
CREATE INDEX reports_updated ON reports (updated_at, id);
CREATE INDEX reports_constituency ON reports (constituency_id, created_at);
CREATE INDEX reports_status ON reports (status, created_at);
CREATE INDEX reports_created_by ON reports (created_by);
CREATE TABLE report_incidents (report_id TEXT NOT NULL, incident_id TEXT NOT NULL, PRIMARY KEY (report_id, incident_id));
CREATE INDEX report_incidents_incident ON report_incidents (incident_id);
CREATE TABLE investigations (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, title TEXT NOT NULL, correspondents TEXT NOT NULL,
  status TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX investigations_incident ON investigations (incident_id);
CREATE TABLE countermeasures (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, kind TEXT NOT NULL, what TEXT NOT NULL,
  location TEXT NOT NULL, status TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL);
CREATE INDEX countermeasures_incident ON countermeasures (incident_id);
CREATE TABLE entries (id TEXT PRIMARY KEY, target_kind TEXT NOT NULL, target_id TEXT NOT NULL, kind TEXT NOT NULL, direction TEXT,
  author_id TEXT, from_addr TEXT, to_addrs TEXT NOT NULL, subject TEXT, body TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX entries_target ON entries (target_id, created_at);
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, data BLOB NOT NULL);
CREATE TABLE attachments (id TEXT PRIMARY KEY, target_kind TEXT NOT NULL, target_id TEXT NOT NULL, name TEXT NOT NULL,
  content_type TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX attachments_target ON attachments (target_id);
CREATE TABLE audit_log (id TEXT PRIMARY KEY, seq BIGINT UNIQUE, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target_kind TEXT NOT NULL, target_id TEXT NOT NULL, before_json TEXT, after_json TEXT, hash TEXT);
CREATE INDEX audit_log_target ON audit_log (target_id, at);
CREATE INDEX audit_log_unsealed ON audit_log (at, id) WHERE seq IS NULL;
CREATE TABLE audit_checkpoint (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);

-- Full-text search: one trigram FTS5 table per record kind (3+ characters via MATCH, 1-2 via
-- LIKE on the same table). FTS rowids follow creation order, so a search page walks the
-- index newest-first and stops at the page size.
CREATE VIRTUAL TABLE incident_fts USING fts5(doc_id UNINDEXED, body, tokenize = 'trigram case_sensitive 0');
CREATE VIRTUAL TABLE report_fts USING fts5(doc_id UNINDEXED, body, tokenize = 'trigram case_sensitive 0');
-- doc_id -> FTS rowid, so an update touches one FTS row instead of scanning for doc_id.
CREATE TABLE incident_fts_map (doc_id TEXT PRIMARY KEY, fts_rowid BIGINT NOT NULL);
CREATE TABLE report_fts_map (doc_id TEXT PRIMARY KEY, fts_rowid BIGINT NOT NULL);
