-- Triage rules and SLA policies (versioned documents), the triage record of each report,
-- SLA clocks and deadline clocks with precomputed event times (the sweep is a range scan on
-- next_event_at), custom deadline presets, and notification requests (idempotent by dedup_key).
CREATE TABLE triage_config (kind TEXT NOT NULL, version BIGINT NOT NULL, body TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL, PRIMARY KEY (kind, version));
CREATE TABLE report_triage (report_id TEXT PRIMARY KEY, rules_version BIGINT NOT NULL, outcome TEXT NOT NULL,
  linked_incident TEXT, created_at BIGINT NOT NULL);
CREATE TABLE sla_clocks (id TEXT PRIMARY KEY, target_kind TEXT NOT NULL, target_id TEXT NOT NULL, constituency_id TEXT,
  kind TEXT NOT NULL, priority BIGINT NOT NULL, calendar TEXT NOT NULL, budget_secs BIGINT NOT NULL, started_at BIGINT NOT NULL,
  elapsed_secs BIGINT NOT NULL, running_since BIGINT, state TEXT NOT NULL, stopped_at BIGINT, warn_at BIGINT, breach_at BIGINT,
  next_event_at BIGINT, warned BIGINT NOT NULL, breached BIGINT NOT NULL, escalate_to TEXT);
CREATE INDEX sla_clocks_target ON sla_clocks (target_id);
CREATE INDEX sla_clocks_next ON sla_clocks (next_event_at) WHERE next_event_at IS NOT NULL;
CREATE INDEX sla_clocks_warn ON sla_clocks (warn_at) WHERE warn_at IS NOT NULL;
CREATE TABLE deadlines (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, preset_id TEXT NOT NULL, regime TEXT NOT NULL,
  deadline_id TEXT NOT NULL, stage TEXT NOT NULL, recipient TEXT NOT NULL, clock_start TEXT NOT NULL, clock_start_at BIGINT NOT NULL,
  due_at BIGINT, due_display TEXT NOT NULL, hard BIGINT NOT NULL, unverified BIGINT NOT NULL, status TEXT NOT NULL,
  submitted_at BIGINT, attachment_id TEXT, warn_at BIGINT, next_event_at BIGINT, warned BIGINT NOT NULL, breached BIGINT NOT NULL,
  created_by TEXT NOT NULL, created_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX deadlines_incident ON deadlines (incident_id);
CREATE INDEX deadlines_due ON deadlines (due_at) WHERE status = 'draft' AND due_at IS NOT NULL;
CREATE INDEX deadlines_next ON deadlines (next_event_at) WHERE next_event_at IS NOT NULL;
CREATE TABLE deadline_presets (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE notification_requests (id TEXT PRIMARY KEY, dedup_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  target_kind TEXT NOT NULL, target_id TEXT NOT NULL, recipient TEXT, payload TEXT NOT NULL, created_at BIGINT NOT NULL,
  status TEXT NOT NULL);
