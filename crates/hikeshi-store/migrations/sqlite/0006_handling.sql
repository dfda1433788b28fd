-- Handling: playbooks and their tasks, response plans, verify steps, post-incident reviews,
-- approvals and delegations, in-app notifications, webhooks and their delivery outbox.
CREATE TABLE playbooks (id TEXT PRIMARY KEY, slug TEXT NOT NULL, version BIGINT NOT NULL,
  title_ja TEXT NOT NULL, title_en TEXT NOT NULL, classifications TEXT NOT NULL, tasks TEXT NOT NULL,
  reason TEXT, created_by TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE UNIQUE INDEX playbooks_slug_version ON playbooks (slug, version);
CREATE TABLE incident_tasks (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, playbook_id TEXT,
  playbook_slug TEXT, playbook_version BIGINT, position BIGINT NOT NULL, title_ja TEXT NOT NULL,
  title_en TEXT NOT NULL, description TEXT NOT NULL, checklist TEXT NOT NULL, owner_id TEXT,
  due_at BIGINT, status TEXT NOT NULL, notes TEXT NOT NULL, evidence TEXT NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE INDEX incident_tasks_incident ON incident_tasks (incident_id, position);
CREATE TABLE response_plans (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, iteration BIGINT NOT NULL,
  objectives TEXT NOT NULL, strategy TEXT, risk TEXT NOT NULL, risk_tolerance TEXT NOT NULL,
  decided_by TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX response_plans_incident ON response_plans (incident_id, created_at);
CREATE TABLE verifications (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, iteration BIGINT NOT NULL,
  outcome TEXT NOT NULL, notes TEXT NOT NULL, verified_by TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX verifications_incident ON verifications (incident_id, created_at);
CREATE TABLE incident_reviews (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, root_cause TEXT NOT NULL,
  why TEXT NOT NULL, changes TEXT NOT NULL, reviewed_by TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX incident_reviews_incident ON incident_reviews (incident_id, created_at);
CREATE TABLE approvals (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, action_kind TEXT NOT NULL,
  action_id TEXT NOT NULL, required_role TEXT NOT NULL, post_hoc BIGINT NOT NULL, reason TEXT NOT NULL,
  status TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at BIGINT NOT NULL, decided_by TEXT,
  on_behalf_of TEXT, decided_at BIGINT, comment TEXT, version BIGINT NOT NULL);
CREATE INDEX approvals_status ON approvals (status, requested_at);
CREATE INDEX approvals_action ON approvals (action_id);
CREATE TABLE delegations (id TEXT PRIMARY KEY, delegator TEXT NOT NULL, delegate TEXT NOT NULL,
  starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, reason TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX delegations_delegate ON delegations (delegate, ends_at);
CREATE TABLE notifications (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, event TEXT NOT NULL,
  reference TEXT NOT NULL, link TEXT NOT NULL, text TEXT NOT NULL, created_at BIGINT NOT NULL, read_at BIGINT);
CREATE INDEX notifications_user ON notifications (user_id, created_at);
CREATE TABLE webhooks (id TEXT PRIMARY KEY, constituency_id TEXT, name TEXT NOT NULL, url TEXT NOT NULL,
  format TEXT NOT NULL, events TEXT NOT NULL, active BIGINT NOT NULL, created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL);
CREATE TABLE webhook_outbox (id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL, event TEXT NOT NULL,
  url TEXT NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
  attempts BIGINT NOT NULL, next_at BIGINT NOT NULL, last_error TEXT, created_at BIGINT NOT NULL, sent_at BIGINT);
CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_at);
