-- Outbound mail and background jobs (issue #4): the job queue (claimed with a lease,
-- retried with backoff, dead after max_attempts; dedupe_key makes enqueueing idempotent),
-- messages we send (Message-ID unique: replies quoting it are routed back to the record),
-- resumable import positions, and IMAP messages claimed once across nodes.
CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, dedupe_key TEXT UNIQUE,
  status TEXT NOT NULL, attempts BIGINT NOT NULL, max_attempts BIGINT NOT NULL, run_at BIGINT NOT NULL,
  locked_until BIGINT, last_error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE TABLE outbound_mail (id TEXT PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, purpose TEXT NOT NULL,
  target_kind TEXT NOT NULL, target_id TEXT NOT NULL, entry_id TEXT, mail_from TEXT NOT NULL, rcpt TEXT NOT NULL,
  first_rcpt TEXT NOT NULL, cc TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, in_reply_to TEXT,
  refs TEXT NOT NULL, tlp TEXT NOT NULL, lang TEXT NOT NULL, protection TEXT NOT NULL, status TEXT NOT NULL,
  raw BYTEA, created_at BIGINT NOT NULL, sent_at BIGINT);
CREATE INDEX outbound_mail_target ON outbound_mail (target_id, created_at);
CREATE INDEX outbound_mail_rate ON outbound_mail (purpose, first_rcpt, created_at);
CREATE TABLE mail_positions (source TEXT PRIMARY KEY, position TEXT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE imap_seen (mailbox TEXT NOT NULL, uidvalidity BIGINT NOT NULL, uid BIGINT NOT NULL,
  seen_at BIGINT NOT NULL, PRIMARY KEY (mailbox, uidvalidity, uid));
CREATE INDEX raw_messages_sha256 ON raw_messages (sha256);
