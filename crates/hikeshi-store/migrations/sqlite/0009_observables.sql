-- Observables (issue #5): a dictionary of distinct values and one link row per (value, record),
-- so correlation is an index lookup and storage grows linearly with observables.
-- Records get a small integer number (obs_records) so links hold two integers, not two UUIDs.
CREATE TABLE obs_records (no INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL);
-- kind: index into the extraction vocabulary (0 = ipv4 … 11 = asn); value: normalised, the key;
-- prefix: the /24 (IPv4) or /48 (IPv6) network as an integer, else NULL;
-- records: how many records link the value; common: on the warning list.
CREATE TABLE obs_values (id INTEGER PRIMARY KEY, kind BIGINT NOT NULL, value TEXT NOT NULL, prefix BIGINT,
  records BIGINT NOT NULL, common BIGINT NOT NULL);
CREATE UNIQUE INDEX obs_values_key ON obs_values (kind, value);
CREATE INDEX obs_values_prefix ON obs_values (prefix, id) WHERE prefix IS NOT NULL;
CREATE TABLE obs_links (value_id BIGINT NOT NULL, record_no BIGINT NOT NULL, first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL, sightings BIGINT NOT NULL, tlp TEXT NOT NULL, ioc BIGINT NOT NULL, tags TEXT,
  PRIMARY KEY (value_id, record_no)) WITHOUT ROWID;
CREATE INDEX obs_links_record ON obs_links (record_no, value_id);
