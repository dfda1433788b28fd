-- Mail intake: every inbound message is stored raw before it is parsed (status received →
-- processed | failed), and the mail facts of the report or entry it became.
CREATE TABLE raw_messages (id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size BIGINT NOT NULL, channel TEXT NOT NULL,
  received_at BIGINT NOT NULL, status TEXT NOT NULL, record_id TEXT, error TEXT, data BYTEA NOT NULL);
CREATE INDEX raw_messages_status ON raw_messages (status, received_at);
CREATE TABLE mail_meta (record_id TEXT PRIMARY KEY, raw_id TEXT NOT NULL, message_id TEXT, from_addr TEXT, to_addrs TEXT NOT NULL,
  auto_generated BIGINT NOT NULL, auto_reason TEXT, signature TEXT NOT NULL, language TEXT NOT NULL, malformed TEXT NOT NULL,
  headers TEXT NOT NULL);
CREATE INDEX mail_meta_message_id ON mail_meta (message_id);
