//! Triage: versioned configuration documents, the report insert that carries triage's
//! decisions (one transaction), triage records and notification requests.

use crate::audit::write;
use crate::codec::{R, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::sql::{Sql, Val, insert};
use hikeshi_core::ids::{IncidentId, ReportId, UserId};
use hikeshi_core::model::*;
use hikeshi_core::triage::{ConfigVersion, NotificationRequest, TriageRecord, TriageWrite};
use hikeshi_core::{Error, Result};
use sqlx::{Any, Transaction};

fn config_row(row: &sqlx::any::AnyRow) -> Result<ConfigVersion> {
    let r = R(row);
    Ok(ConfigVersion {
        kind: r.s("kind")?,
        version: r.i("version")?,
        body: r.json("body")?,
        created_by: r.s("created_by")?,
        created_at: r.t("created_at")?,
    })
}

pub(crate) const NOTE_COLS: &[&str] = &[
    "id",
    "dedup_key",
    "kind",
    "target_kind",
    "target_id",
    "recipient",
    "payload",
    "created_at",
    "status",
];

/// Inserts notification requests, skipping those whose `dedup_key` exists; returns how many
/// were new.
pub(crate) async fn put_notes(
    tx: &mut Transaction<'static, Any>,
    notes: &[NotificationRequest],
) -> Result<i64> {
    put_notes_on(tx, notes, None).await
}

/// Rows per statement when the placeholders are anonymous on SQLite (`Sql::query_on`):
/// 9 columns × 100 rows stays far below both backends' parameter limits.
const NOTES_PER_BULK_INSERT: usize = 100;

/// [`put_notes`] in statements of many rows, for the sweep: on SQLite with anonymous
/// placeholders (no quadratic name lookup while preparing), so fewer round trips.
pub(crate) async fn put_notes_on(
    tx: &mut Transaction<'static, Any>,
    notes: &[NotificationRequest],
    backend: Option<crate::Backend>,
) -> Result<i64> {
    let mut n = 0;
    let per = match backend {
        Some(_) => NOTES_PER_BULK_INSERT,
        None => crate::clocks::ROWS_PER_INSERT * 2,
    };
    for chunk in notes.chunks(per) {
        let mut s = Sql::new(&format!(
            "INSERT INTO notification_requests ({}) VALUES ",
            NOTE_COLS.join(", ")
        ));
        for (i, x) in chunk.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            let vals: Vec<Val> = vec![
                x.id.clone().into(),
                x.dedup_key.clone().into(),
                x.kind.clone().into(),
                x.target_kind.as_str().into(),
                x.target_id.clone().into(),
                x.recipient.map(|u| u.to_string()).into(),
                to_json(&x.payload).into(),
                us(x.created_at).into(),
                x.status.clone().into(),
            ];
            s.push("(");
            for (j, v) in vals.into_iter().enumerate() {
                if j > 0 {
                    s.push(", ");
                }
                s.bind(v);
            }
            s.push(")");
        }
        s.push(" ON CONFLICT (dedup_key) DO NOTHING");
        let q = match backend {
            Some(b) => s.query_on(b),
            None => s.query(),
        };
        let res = q.execute(&mut **tx).await.map_err(db_err)?;
        n += res.rows_affected() as i64;
    }
    Ok(n)
}

pub(crate) fn note_row(row: &sqlx::any::AnyRow) -> Result<NotificationRequest> {
    let r = R(row);
    Ok(NotificationRequest {
        id: r.s("id")?,
        dedup_key: r.s("dedup_key")?,
        kind: r.s("kind")?,
        target_kind: r.e("target_kind", crate::codec::target_kind)?,
        target_id: r.s("target_id")?,
        recipient: r.oid("recipient", UserId::parse)?,
        payload: r.json("payload")?,
        created_at: r.t("created_at")?,
        status: r.s("status")?,
    })
}

impl SqlStore {
    pub(crate) async fn save_config_impl(
        &self,
        c: &ConfigVersion,
        expected: Option<i64>,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let row =
            Sql::new("SELECT COALESCE(MAX(version), 0) AS v FROM triage_config WHERE kind = ")
                .bind(c.kind.clone())
                .query()
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        let current = R(&row).i("v")?;
        if let Some(e) = expected
            && e != current
        {
            return Err(Error::Conflict { current });
        }
        let version = current + 1;
        insert(
            "triage_config",
            &["kind", "version", "body", "created_by", "created_at"],
            vec![
                c.kind.clone().into(),
                version.into(),
                to_json(&c.body).into(),
                c.created_by.clone().into(),
                us(c.created_at).into(),
            ],
        )
        .query()
        .execute(&mut *tx)
        .await
        .map_err(|e| match db_err(e) {
            // Two writers raced for the same version number.
            Error::Duplicate { .. } => Error::Conflict { current },
            other => other,
        })?;
        let mut a = audit.clone();
        if let Some(after) = a.after.as_mut().and_then(|v| v.as_object_mut()) {
            after.insert("version".into(), version.into());
        }
        write(&mut tx, &a).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(version)
    }

    pub(crate) async fn config_impl(
        &self,
        kind: &str,
        version: Option<i64>,
    ) -> Result<Option<ConfigVersion>> {
        let mut s = Sql::new(
            "SELECT kind, version, body, created_by, created_at FROM triage_config WHERE kind = ",
        );
        s.bind(kind);
        if let Some(v) = version {
            s.push(" AND version = ").bind(v);
        }
        s.push(" ORDER BY version DESC LIMIT 1");
        let row = s.query().fetch_optional(&self.read).await.map_err(db_err)?;
        row.as_ref().map(config_row).transpose()
    }

    pub(crate) async fn config_versions_impl(&self, kind: &str) -> Result<Vec<ConfigVersion>> {
        let rows = Sql::new(
            "SELECT kind, version, body, created_by, created_at FROM triage_config WHERE kind = ",
        )
        .bind(kind)
        .push(" ORDER BY version DESC")
        .query()
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.iter().map(config_row).collect()
    }

    pub(crate) async fn insert_report_triaged_impl(
        &self,
        r: &Report,
        mail: hikeshi_core::ports::MailParts<'_>,
        t: &TriageWrite,
        audit: &AuditEntry,
    ) -> Result<Report> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let stored = write_report_triaged_tx(&mut tx, self.backend, r, mail, t, audit).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(stored)
    }
}

/// A new report with everything that arrives with it, inside the caller's transaction: its
/// mail facts and attachments, observables, triage outcome and link, notification requests,
/// SLA and deadline clocks, queued jobs (the acknowledgement) and its audit entry.
pub(crate) async fn write_report_triaged_tx(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: crate::Backend,
    r: &Report,
    mail: hikeshi_core::ports::MailParts<'_>,
    t: &TriageWrite,
    audit: &AuditEntry,
) -> Result<Report> {
    let mut stored = crate::reports::insert_report_tx(tx, backend, r).await?;
    if let Some((meta, files)) = mail {
        crate::mail::put_meta(tx, &stored.id.to_string(), meta).await?;
        crate::mail::put_files(tx, files).await?;
    }
    crate::mail::put_files(tx, &t.files).await?;
    if let Some(d) = &t.structured {
        crate::intake::put_details(tx, &stored.id.to_string(), d).await?;
    }
    if !t.observed.is_empty() {
        let rec = hikeshi_core::observables::RecordRef {
            kind: hikeshi_core::model::TargetKind::Report,
            id: stored.id.to_string(),
        };
        let mut batch = vec![(rec, t.observed.clone())];
        // A report linked by a rule brings its observables to the incident.
        if let Some(i) = t.link {
            let inc = hikeshi_core::observables::RecordRef {
                kind: hikeshi_core::model::TargetKind::Incident,
                id: i.to_string(),
            };
            batch.push((inc, t.observed.clone()));
        }
        crate::observables::add_tx(tx, backend, &batch).await?;
    }
    if let Some(i) = t.link {
        Sql::new("INSERT INTO report_incidents (report_id, incident_id) VALUES (")
            .bind(stored.id.to_string())
            .push(", ")
            .bind(i.to_string())
            .push(")")
            .query()
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        stored.incidents = vec![i];
    }
    if let Some(rec) = &t.record {
        insert(
            "report_triage",
            &[
                "report_id",
                "rules_version",
                "outcome",
                "linked_incident",
                "created_at",
            ],
            vec![
                rec.report.to_string().into(),
                rec.rules_version.into(),
                to_json(&rec.outcome).into(),
                rec.linked.map(|i| i.to_string()).into(),
                us(rec.at).into(),
            ],
        )
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    put_notes(tx, &t.notifications).await?;
    crate::clocks::put_clocks_tx(tx, &t.clocks).await?;
    crate::clocks::insert_deadlines_tx(tx, &t.deadlines).await?;
    crate::mailout::insert_jobs_tx(tx, &t.jobs).await?;
    write(tx, &crate::incidents::with_ref(audit, &stored.reference)).await?;
    Ok(stored)
}

impl SqlStore {
    pub(crate) async fn triage_of_impl(&self, report: ReportId) -> Result<Option<TriageRecord>> {
        let row = Sql::new(
            "SELECT report_id, rules_version, outcome, linked_incident, created_at FROM report_triage WHERE report_id = ",
        )
        .bind(report.to_string())
        .query()
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(|row| {
            let r = R(&row);
            Ok(TriageRecord {
                report: r.id("report_id", ReportId::parse)?,
                rules_version: r.i("rules_version")?,
                outcome: r.json("outcome")?,
                linked: r.oid("linked_incident", IncidentId::parse)?,
                at: r.t("created_at")?,
            })
        })
        .transpose()
    }

    pub(crate) async fn notification_requests_impl(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<NotificationRequest>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM notification_requests WHERE 1 = 1",
            NOTE_COLS.join(", ")
        ));
        if let Some(a) = after {
            s.push(" AND id > ").bind(a);
        }
        s.push(" ORDER BY id LIMIT ").bind(limit.clamp(1, 1000));
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(note_row).collect()
    }
}
