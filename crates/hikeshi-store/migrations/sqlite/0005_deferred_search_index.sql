-- SQLite: the search document of a new incident is no longer written by the create itself.
-- FTS5 flushes a segment per commit and merges segments as they pile up, so indexing a few
-- rows per transaction costs about twice what indexing hundreds at once does. A create now
-- queues its id here (same transaction); the store's indexer (indexer.rs) writes queued
-- documents in bulk, and every full-text search indexes whatever is still queued first,
-- so a search always sees every committed record.
CREATE TABLE search_pending (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, doc_id TEXT NOT NULL);

DROP TRIGGER incident_create_insert;

CREATE TRIGGER incident_create_insert INSTEAD OF INSERT ON incident_create BEGIN
  INSERT OR IGNORE INTO ref_counters (scope, next) VALUES ('incident:' || NEW.ref_year, 0);
  UPDATE ref_counters SET next = next + 1 WHERE scope = 'incident:' || NEW.ref_year;
  INSERT INTO incidents (id, ref, title, description, rsit_class, rsit_type, jpcert_category, severity, impact, urgency, priority, tlp, pap, constituency_id, owner_id, status, resolution, apt, due_at, parent_id, merged_into, tags, named_users, created_by, created_at, updated_at, version)
    VALUES (NEW.id, NEW.ref_year || '-' || printf('%04d', (SELECT next FROM ref_counters WHERE scope = 'incident:' || NEW.ref_year)), NEW.title, NEW.description, NEW.rsit_class, NEW.rsit_type, NEW.jpcert_category, NEW.severity, NEW.impact, NEW.urgency, NEW.priority, NEW.tlp, NEW.pap, NEW.constituency_id, NEW.owner_id, NEW.status, NEW.resolution, NEW.apt, NEW.due_at, NEW.parent_id, NEW.merged_into, NEW.tags, NEW.named_users, NEW.created_by, NEW.created_at, NEW.updated_at, NEW.version);
  -- The search document is written later, many at a time (indexer.rs).
  INSERT INTO search_pending (kind, doc_id) VALUES ('incident', NEW.id);
  INSERT INTO audit_log (id, seq, at, actor, action, target_kind, target_id, before_json, after_json, hash)
    SELECT NEW.audit_id, NULL, NEW.audit_at, NEW.audit_actor, NEW.audit_action, 'incident', NEW.id, NULL,
      json_set(NEW.audit_after, '$.ref', ref), NULL
    FROM incidents WHERE id = NEW.id;
END;
