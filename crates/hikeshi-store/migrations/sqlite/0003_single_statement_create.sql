-- SQLite: creating an incident is ONE statement. sqlx's SQLite driver hands every statement
-- to a worker thread and back; seven statements per create cost more than the work itself.
-- Inserting into this view runs the trigger below in one implicit transaction: the per-year
-- reference, the record, its search document and its audit entry. The store's PostgreSQL
-- path does the same steps as separate statements in one transaction (see incidents.rs).
CREATE VIEW incident_create AS SELECT
  id,
  title,
  description,
  rsit_class,
  rsit_type,
  jpcert_category,
  severity,
  impact,
  urgency,
  priority,
  tlp,
  pap,
  constituency_id,
  owner_id,
  status,
  resolution,
  apt,
  due_at,
  parent_id,
  merged_into,
  tags,
  named_users,
  created_by,
  created_at,
  updated_at,
  version,
  NULL AS ref_year,
  NULL AS audit_id,
  NULL AS audit_at,
  NULL AS audit_actor,
  NULL AS audit_action,
  NULL AS audit_after
FROM incidents WHERE 0;

CREATE TRIGGER incident_create_insert INSTEAD OF INSERT ON incident_create BEGIN
  INSERT OR IGNORE INTO ref_counters (scope, next) VALUES ('incident:' || NEW.ref_year, 0);
  UPDATE ref_counters SET next = next + 1 WHERE scope = 'incident:' || NEW.ref_year;
  INSERT INTO incidents (id, ref, title, description, rsit_class, rsit_type, jpcert_category, severity, impact, urgency, priority, tlp, pap, constituency_id, owner_id, status, resolution, apt, due_at, parent_id, merged_into, tags, named_users, created_by, created_at, updated_at, version)
    VALUES (NEW.id, NEW.ref_year || '-' || printf('%04d', (SELECT next FROM ref_counters WHERE scope = 'incident:' || NEW.ref_year)), NEW.title, NEW.description, NEW.rsit_class, NEW.rsit_type, NEW.jpcert_category, NEW.severity, NEW.impact, NEW.urgency, NEW.priority, NEW.tlp, NEW.pap, NEW.constituency_id, NEW.owner_id, NEW.status, NEW.resolution, NEW.apt, NEW.due_at, NEW.parent_id, NEW.merged_into, NEW.tags, NEW.named_users, NEW.created_by, NEW.created_at, NEW.updated_at, NEW.version);
  -- Same text as incidents.rs `doc()`: ref, title, description, tags, one per line.
  INSERT INTO incident_fts (doc_id, body)
    SELECT id, ref || char(10) || title || char(10) || description || char(10)
      || COALESCE((SELECT group_concat(value, ' ') FROM json_each(NEW.tags)), '')
    FROM incidents WHERE id = NEW.id;
  INSERT INTO incident_fts_map (doc_id, fts_rowid) VALUES (NEW.id, last_insert_rowid());
  INSERT INTO audit_log (id, seq, at, actor, action, target_kind, target_id, before_json, after_json, hash)
    SELECT NEW.audit_id, NULL, NEW.audit_at, NEW.audit_actor, NEW.audit_action, 'incident', NEW.id, NULL,
      json_set(NEW.audit_after, '$.ref', ref), NULL
    FROM incidents WHERE id = NEW.id;
END;
