//! Application-level export and import (JSON lines, every table, either backend to either
//! backend) — the supported way to move from SQLite to PostgreSQL — and online backup.
//!
//! Export reads inside one transaction (a consistent snapshot while the server writes).
//! Import requires an empty, migrated database, inserts every row as it was (audit sequence
//! and hashes included, so `audit verify` still holds), then rebuilds the search index.

use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::{Sql, Val};
use base64::Engine;
use futures_util::TryStreamExt;
use hikeshi_core::{Error, Result};
use serde_json::{Map, Value, json};
use sqlx::Row;
use std::io::{BufRead, Write};

/// Column kinds: integer, text, bytes.
#[derive(Clone, Copy)]
enum K {
    I,
    T,
    B,
}

/// Every table that holds data, in an order that satisfies references on import.
pub const TABLES: &[&str] = &[
    "settings",
    "constituencies",
    "constituency_netblocks",
    "constituency_domains",
    "users",
    "api_tokens",
    "sessions",
    "ref_counters",
    "incidents",
    "reports",
    "report_incidents",
    "investigations",
    "countermeasures",
    "entries",
    "blobs",
    "attachments",
    "audit_log",
    "audit_checkpoint",
    "raw_messages",
    "mail_meta",
    "saved_searches",
    "playbooks",
    "incident_tasks",
    "response_plans",
    "verifications",
    "incident_reviews",
    "approvals",
    "delegations",
    "notifications",
    "webhooks",
    "webhook_outbox",
    "pgp_keys",
    "pgp_team_key",
    "mail_pgp",
    "triage_config",
    "report_triage",
    "sla_clocks",
    "deadlines",
    "deadline_presets",
    "notification_requests",
    "obs_records",
    "obs_values",
    "obs_links",
    "report_details",
    "alert_series",
    "alert_open",
    "form_rejections",
    "jobs",
    "outbound_mail",
    "mail_positions",
    "imap_seen",
];

fn columns(table: &str) -> &'static [(&'static str, K)] {
    use K::*;
    match table {
        "settings" => &[("key", T), ("value", T)],
        "constituencies" => &[
            ("id", T),
            ("slug", T),
            ("name", T),
            ("parent_id", T),
            ("default_lang", T),
            ("contacts", T),
            ("netblocks", T),
            ("domains", T),
            ("email_domains", T),
            ("created_at", I),
            ("updated_at", I),
            ("version", I),
        ],
        "constituency_netblocks" => &[("constituency_id", T), ("cidr", T)],
        "constituency_domains" => &[("constituency_id", T), ("kind", T), ("domain", T)],
        "users" => &[
            ("id", T),
            ("username", T),
            ("display_name", T),
            ("email", T),
            ("role", T),
            ("global", I),
            ("constituencies", T),
            ("password_hash", T),
            ("disabled", I),
            ("created_at", I),
            ("version", I),
        ],
        "api_tokens" => &[
            ("id", T),
            ("user_id", T),
            ("name", T),
            ("digest", T),
            ("scopes", T),
            ("created_at", I),
            ("revoked", I),
        ],
        "sessions" => &[
            ("digest", T),
            ("user_id", T),
            ("csrf", T),
            ("expires_at", I),
        ],
        "ref_counters" => &[("scope", T), ("next", I)],
        "incidents" => &[
            ("id", T),
            ("ref", T),
            ("title", T),
            ("description", T),
            ("rsit_class", T),
            ("rsit_type", T),
            ("jpcert_category", T),
            ("severity", T),
            ("impact", T),
            ("urgency", T),
            ("priority", I),
            ("tlp", T),
            ("pap", T),
            ("constituency_id", T),
            ("owner_id", T),
            ("status", T),
            ("resolution", T),
            ("apt", I),
            ("due_at", I),
            ("parent_id", T),
            ("merged_into", T),
            ("tags", T),
            ("named_users", T),
            ("created_by", T),
            ("created_at", I),
            ("updated_at", I),
            ("version", I),
        ],
        "reports" => &[
            ("id", T),
            ("ref", T),
            ("channel", T),
            ("reporter", T),
            ("reporter_type", T),
            ("received_at", I),
            ("subject", T),
            ("content", T),
            ("status", T),
            ("reject_reason", T),
            ("constituency_id", T),
            ("owner_id", T),
            ("tlp", T),
            ("tags", T),
            ("named_users", T),
            ("created_by", T),
            ("created_at", I),
            ("updated_at", I),
            ("version", I),
        ],
        "report_incidents" => &[("report_id", T), ("incident_id", T)],
        "investigations" => &[
            ("id", T),
            ("incident_id", T),
            ("title", T),
            ("correspondents", T),
            ("status", T),
            ("created_by", T),
            ("created_at", I),
            ("updated_at", I),
            ("version", I),
        ],
        "countermeasures" => &[
            ("id", T),
            ("incident_id", T),
            ("kind", T),
            ("what", T),
            ("location", T),
            ("status", T),
            ("created_by", T),
            ("created_at", I),
            ("updated_at", I),
            ("version", I),
        ],
        "entries" => &[
            ("id", T),
            ("target_kind", T),
            ("target_id", T),
            ("kind", T),
            ("direction", T),
            ("author_id", T),
            ("from_addr", T),
            ("to_addrs", T),
            ("subject", T),
            ("body", T),
            ("created_at", I),
        ],
        "blobs" => &[("sha256", T), ("size", I), ("data", B)],
        "attachments" => &[
            ("id", T),
            ("target_kind", T),
            ("target_id", T),
            ("name", T),
            ("content_type", T),
            ("sha256", T),
            ("size", I),
            ("created_by", T),
            ("created_at", I),
        ],
        "audit_log" => &[
            ("id", T),
            ("seq", I),
            ("at", I),
            ("actor", T),
            ("action", T),
            ("target_kind", T),
            ("target_id", T),
            ("before_json", T),
            ("after_json", T),
            ("hash", T),
        ],
        "audit_checkpoint" => &[("id", I), ("seq", I), ("hash", T)],
        "raw_messages" => &[
            ("id", T),
            ("sha256", T),
            ("size", I),
            ("channel", T),
            ("received_at", I),
            ("status", T),
            ("record_id", T),
            ("error", T),
            ("data", B),
        ],
        "mail_meta" => &[
            ("record_id", T),
            ("raw_id", T),
            ("message_id", T),
            ("from_addr", T),
            ("to_addrs", T),
            ("auto_generated", I),
            ("auto_reason", T),
            ("signature", T),
            ("language", T),
            ("malformed", T),
            ("headers", T),
        ],
        "pgp_keys" => &[
            ("fingerprint", T),
            ("user_ids", T),
            ("emails", T),
            ("created_at", I),
            ("expires_at", I),
            ("armored", T),
            ("added_by", T),
            ("added_at", I),
        ],
        "pgp_team_key" => &[
            ("id", T),
            ("fingerprint", T),
            ("user_ids", T),
            ("emails", T),
            ("created_at", I),
            ("expires_at", I),
            ("armored", T),
            ("sealed_secret", B),
            ("added_by", T),
            ("added_at", I),
        ],
        "mail_pgp" => &[
            ("raw_id", T),
            ("encrypted", I),
            ("decrypted", B),
            ("decrypt_error", T),
            ("signature", T),
            ("signer", T),
        ],
        "saved_searches" => &[
            ("id", T),
            ("user_id", T),
            ("name", T),
            ("path", T),
            ("created_at", I),
        ],
        "playbooks" => &[
            ("id", T),
            ("slug", T),
            ("version", I),
            ("title_ja", T),
            ("title_en", T),
            ("classifications", T),
            ("tasks", T),
            ("reason", T),
            ("created_by", T),
            ("created_at", I),
        ],
        "incident_tasks" => &[
            ("id", T),
            ("incident_id", T),
            ("playbook_id", T),
            ("playbook_slug", T),
            ("playbook_version", I),
            ("position", I),
            ("title_ja", T),
            ("title_en", T),
            ("description", T),
            ("checklist", T),
            ("owner_id", T),
            ("due_at", I),
            ("status", T),
            ("notes", T),
            ("evidence", T),
            ("created_at", I),
            ("updated_at", I),
            ("version", I),
        ],
        "response_plans" => &[
            ("id", T),
            ("incident_id", T),
            ("iteration", I),
            ("objectives", T),
            ("strategy", T),
            ("risk", T),
            ("risk_tolerance", T),
            ("decided_by", T),
            ("created_at", I),
        ],
        "verifications" => &[
            ("id", T),
            ("incident_id", T),
            ("iteration", I),
            ("outcome", T),
            ("notes", T),
            ("verified_by", T),
            ("created_at", I),
        ],
        "incident_reviews" => &[
            ("id", T),
            ("incident_id", T),
            ("root_cause", T),
            ("why", T),
            ("changes", T),
            ("reviewed_by", T),
            ("created_at", I),
        ],
        "approvals" => &[
            ("id", T),
            ("incident_id", T),
            ("action_kind", T),
            ("action_id", T),
            ("required_role", T),
            ("post_hoc", I),
            ("reason", T),
            ("status", T),
            ("requested_by", T),
            ("requested_at", I),
            ("decided_by", T),
            ("on_behalf_of", T),
            ("decided_at", I),
            ("comment", T),
            ("version", I),
        ],
        "delegations" => &[
            ("id", T),
            ("delegator", T),
            ("delegate", T),
            ("starts_at", I),
            ("ends_at", I),
            ("reason", T),
            ("created_at", I),
        ],
        "notifications" => &[
            ("id", T),
            ("user_id", T),
            ("event", T),
            ("reference", T),
            ("link", T),
            ("text", T),
            ("created_at", I),
            ("read_at", I),
        ],
        "webhooks" => &[
            ("id", T),
            ("constituency_id", T),
            ("name", T),
            ("url", T),
            ("format", T),
            ("events", T),
            ("active", I),
            ("created_by", T),
            ("created_at", I),
            ("updated_at", I),
            ("version", I),
        ],
        "webhook_outbox" => &[
            ("id", T),
            ("webhook_id", T),
            ("event", T),
            ("url", T),
            ("content_type", T),
            ("body", T),
            ("status", T),
            ("attempts", I),
            ("next_at", I),
            ("last_error", T),
            ("created_at", I),
            ("sent_at", I),
        ],
        "triage_config" => &[
            ("kind", T),
            ("version", I),
            ("body", T),
            ("created_by", T),
            ("created_at", I),
        ],
        "report_triage" => &[
            ("report_id", T),
            ("rules_version", I),
            ("outcome", T),
            ("linked_incident", T),
            ("created_at", I),
        ],
        "sla_clocks" => &[
            ("id", T),
            ("target_kind", T),
            ("target_id", T),
            ("constituency_id", T),
            ("kind", T),
            ("priority", I),
            ("calendar", T),
            ("budget_secs", I),
            ("started_at", I),
            ("elapsed_secs", I),
            ("running_since", I),
            ("state", T),
            ("stopped_at", I),
            ("warn_at", I),
            ("breach_at", I),
            ("next_event_at", I),
            ("warned", I),
            ("breached", I),
            ("escalate_to", T),
        ],
        "deadlines" => &[
            ("id", T),
            ("incident_id", T),
            ("preset_id", T),
            ("regime", T),
            ("deadline_id", T),
            ("stage", T),
            ("recipient", T),
            ("clock_start", T),
            ("clock_start_at", I),
            ("due_at", I),
            ("due_display", T),
            ("hard", I),
            ("unverified", I),
            ("status", T),
            ("submitted_at", I),
            ("attachment_id", T),
            ("warn_at", I),
            ("next_event_at", I),
            ("warned", I),
            ("breached", I),
            ("created_by", T),
            ("created_at", I),
            ("version", I),
        ],
        "deadline_presets" => &[("id", T), ("body", T), ("created_by", T), ("created_at", I)],
        "notification_requests" => &[
            ("id", T),
            ("dedup_key", T),
            ("kind", T),
            ("target_kind", T),
            ("target_id", T),
            ("recipient", T),
            ("payload", T),
            ("created_at", I),
            ("status", T),
        ],
        "obs_records" => &[("no", I), ("record_id", T), ("kind", T)],
        "obs_values" => &[
            ("id", I),
            ("kind", I),
            ("value", T),
            ("prefix", I),
            ("records", I),
            ("common", I),
        ],
        "obs_links" => &[
            ("value_id", I),
            ("record_no", I),
            ("first_seen", I),
            ("last_seen", I),
            ("sightings", I),
            ("tlp", T),
            ("ioc", I),
            ("tags", T),
        ],
        "report_details" => &[
            ("report_id", T),
            ("format", T),
            ("observables", T),
            ("details", T),
        ],
        "alert_series" => &[
            ("report_id", T),
            ("source", T),
            ("dedup_key", T),
            ("count", I),
            ("first_seen", I),
            ("last_seen", I),
        ],
        "alert_open" => &[
            ("source", T),
            ("dedup_key", T),
            ("report_id", T),
            ("opened_at", I),
        ],
        "form_rejections" => &[
            ("id", T),
            ("at", I),
            ("reason", T),
            ("client", T),
            ("data", T),
        ],
        "jobs" => &[
            ("id", T),
            ("kind", T),
            ("payload", T),
            ("dedupe_key", T),
            ("status", T),
            ("attempts", I),
            ("max_attempts", I),
            ("run_at", I),
            ("locked_until", I),
            ("last_error", T),
            ("created_at", I),
            ("updated_at", I),
        ],
        "outbound_mail" => &[
            ("id", T),
            ("message_id", T),
            ("purpose", T),
            ("target_kind", T),
            ("target_id", T),
            ("entry_id", T),
            ("mail_from", T),
            ("rcpt", T),
            ("first_rcpt", T),
            ("cc", T),
            ("subject", T),
            ("body", T),
            ("in_reply_to", T),
            ("refs", T),
            ("tlp", T),
            ("lang", T),
            ("protection", T),
            ("status", T),
            ("raw", B),
            ("created_at", I),
            ("sent_at", I),
        ],
        "mail_positions" => &[("source", T), ("position", T), ("updated_at", I)],
        "imap_seen" => &[
            ("mailbox", T),
            ("uidvalidity", I),
            ("uid", I),
            ("seen_at", I),
        ],
        _ => &[],
    }
}

/// Counts per table.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ExportSummary {
    pub rows: Vec<(String, u64)>,
}

impl ExportSummary {
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

fn io(e: std::io::Error) -> Error {
    Error::Internal(format!("i/o: {e}"))
}

fn bad(line: usize, msg: impl std::fmt::Display) -> Error {
    Error::validation("file", format!("line {line}: {msg}"))
}

impl SqlStore {
    /// Writes every table as JSON lines, from one consistent snapshot.
    pub async fn export(&self, out: &mut (dyn Write + Send)) -> Result<ExportSummary> {
        let mut tx = self.read.begin().await.map_err(db_err)?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        let header = json!({"format": "hikeshi-export", "version": 1, "schema_version": crate::SCHEMA_VERSION});
        writeln!(out, "{header}").map_err(io)?;
        let mut summary = ExportSummary::default();
        for table in TABLES {
            let cols = columns(table);
            let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
            let sql = format!("SELECT {} FROM {table}", names.join(", "));
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
            let mut n = 0u64;
            while let Some(row) = rows.try_next().await.map_err(db_err)? {
                let mut obj = Map::new();
                for (name, kind) in cols {
                    let v = match kind {
                        K::I => row
                            .try_get::<Option<i64>, _>(*name)
                            .map_err(db_err)?
                            .map(Value::from),
                        K::T => row
                            .try_get::<Option<String>, _>(*name)
                            .map_err(db_err)?
                            .map(Value::from),
                        K::B => row
                            .try_get::<Option<Vec<u8>>, _>(*name)
                            .map_err(db_err)?
                            .map(|b| {
                                Value::from(base64::engine::general_purpose::STANDARD.encode(b))
                            }),
                    };
                    obj.insert(name.to_string(), v.unwrap_or(Value::Null));
                }
                writeln!(out, "{}", json!({"table": table, "row": obj})).map_err(io)?;
                n += 1;
            }
            drop(rows);
            summary.rows.push((table.to_string(), n));
        }
        tx.commit().await.map_err(db_err)?;
        out.flush().map_err(io)?;
        Ok(summary)
    }

    /// Loads an export into this (empty, migrated) database.
    pub async fn import(&self, input: &mut (dyn BufRead + Send)) -> Result<ExportSummary> {
        let row = sqlx::query("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM incidents) + (SELECT COUNT(*) FROM reports) AS n")
            .fetch_one(&self.read)
            .await
            .map_err(db_err)?;
        if row.try_get::<i64, _>("n").map_err(db_err)? > 0 {
            return Err(Error::validation(
                "database",
                "the target database is not empty; import needs a fresh one",
            ));
        }
        let mut lines = input.lines();
        let header: Value = match lines.next() {
            Some(l) => serde_json::from_str(&l.map_err(io)?).map_err(|e| bad(1, e))?,
            None => return Err(bad(1, "empty file")),
        };
        if header.get("format").and_then(Value::as_str) != Some("hikeshi-export") {
            return Err(bad(1, "not a hikeshi export"));
        }
        let sv = header
            .get("schema_version")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if sv > crate::SCHEMA_VERSION {
            return Err(bad(
                1,
                format!(
                    "export has schema version {sv}, newer than this binary ({})",
                    crate::SCHEMA_VERSION
                ),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_err)?;
        // The fresh database already has an installation key; the export's replaces it.
        sqlx::query("DELETE FROM settings")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let mut counts: Vec<(String, u64)> = Vec::new();
        for (i, line) in lines.enumerate() {
            let lineno = i + 2;
            let line = line.map_err(io)?;
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(&line).map_err(|e| bad(lineno, e))?;
            let table = v
                .get("table")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(lineno, "no table"))?;
            let Some(table) = TABLES.iter().find(|t| **t == table) else {
                return Err(bad(lineno, format!("unknown table {table:?}")));
            };
            let obj = v
                .get("row")
                .and_then(Value::as_object)
                .ok_or_else(|| bad(lineno, "no row"))?;
            let cols = columns(table);
            let mut s = Sql::new(&format!(
                "INSERT INTO {table} ({}) VALUES (",
                cols.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ));
            for (k, (name, kind)) in cols.iter().enumerate() {
                if k > 0 {
                    s.push(", ");
                }
                let f = obj.get(*name).unwrap_or(&Value::Null);
                let val = match (kind, f) {
                    (K::I, Value::Null) => Val::OI(None),
                    (K::I, Value::Number(n)) => {
                        Val::OI(Some(n.as_i64().ok_or_else(|| {
                            bad(lineno, format!("{name}: not an integer"))
                        })?))
                    }
                    (K::T, Value::Null) => Val::OS(None),
                    (K::T, Value::String(x)) => Val::OS(Some(x.clone())),
                    (K::B, Value::String(x)) => Val::B(
                        base64::engine::general_purpose::STANDARD
                            .decode(x)
                            .map_err(|e| bad(lineno, format!("{name}: {e}")))?,
                    ),
                    _ => return Err(bad(lineno, format!("{name}: wrong type"))),
                };
                s.bind(val);
            }
            s.push(")");
            s.query().execute(&mut *tx).await.map_err(db_err)?;
            match counts.last_mut() {
                Some((t, n)) if t == table => *n += 1,
                _ => counts.push((table.to_string(), 1)),
            }
        }
        if self.backend == Backend::Postgres {
            // Rows came with their numbers: move the identity sequences past them.
            for (table, col) in [("obs_records", "no"), ("obs_values", "id")] {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{col}'), COALESCE((SELECT MAX({col}) FROM {table}), 0) + 1, false)"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            }
        }
        tx.commit().await.map_err(db_err)?;
        self.rebuild_search().await?;
        Ok(ExportSummary { rows: counts })
    }

    /// An online, consistent backup: SQLite gets `VACUUM INTO` (a ready-to-open database
    /// file); PostgreSQL gets an export from one snapshot.
    pub async fn backup(&self, to: &std::path::Path) -> Result<String> {
        if to.exists() {
            return Err(Error::validation(
                "to",
                format!("{} already exists", to.display()),
            ));
        }
        match self.backend {
            Backend::Sqlite => {
                let path = to
                    .to_str()
                    .ok_or_else(|| Error::validation("to", "path is not UTF-8"))?;
                Sql::new("VACUUM INTO ")
                    .bind(path)
                    .query()
                    .execute(&self.read)
                    .await
                    .map_err(db_err)?;
                Ok("sqlite database file".into())
            }
            Backend::Postgres => {
                let f = std::fs::File::create(to).map_err(io)?;
                let mut w = std::io::BufWriter::new(f);
                self.export(&mut w).await?;
                Ok("hikeshi export (restore with `hikeshi db import`)".into())
            }
        }
    }
}
