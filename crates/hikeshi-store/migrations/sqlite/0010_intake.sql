-- Other intake channels. report_details: the structured side of a report (alert, X-ARF, ARF,
-- IODEF, web form) with its typed observables as JSON [{type, value}].
CREATE TABLE report_details (report_id TEXT PRIMARY KEY, format TEXT NOT NULL, observables TEXT NOT NULL,
  details TEXT NOT NULL);
-- Alert deduplication: one series per alert report (count, first and last seen) and one open
-- series per (source, key). The primary key of alert_open is what makes concurrent posts with
-- one key land on one report (claimed by INSERT … ON CONFLICT DO UPDATE).
CREATE TABLE alert_series (report_id TEXT PRIMARY KEY, source TEXT NOT NULL, dedup_key TEXT NOT NULL,
  count BIGINT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL);
CREATE TABLE alert_open (source TEXT NOT NULL, dedup_key TEXT NOT NULL, report_id TEXT NOT NULL,
  opened_at BIGINT NOT NULL, PRIMARY KEY (source, dedup_key));
-- Public web form submissions that did not become reports (honeypot filled).
CREATE TABLE form_rejections (id TEXT PRIMARY KEY, at BIGINT NOT NULL, reason TEXT NOT NULL, client TEXT NOT NULL,
  data TEXT NOT NULL);
