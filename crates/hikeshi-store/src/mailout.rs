//! The job queue, outbound mail, import positions and IMAP claims (issue #4).
//!
//! Jobs are inserted inside the caller's transaction (`insert_report_triaged` with
//! `TriageWrite::jobs`, `insert_outbound`). Claiming leases due rows: on PostgreSQL the candidate rows are
//! locked with `FOR UPDATE SKIP LOCKED`, so several nodes never claim the same job; SQLite
//! has one writer connection, so the UPDATE … RETURNING is already exclusive.

use crate::audit::write;
use crate::codec::{R, target_kind, to_json, us};
use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::{Sql, Val, insert};
use hikeshi_core::model::*;
use hikeshi_core::outbound::{Job, OutboundMail};
use hikeshi_core::ports::MailWrite;
use hikeshi_core::{Error, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

const JOB_COLS: &[&str] = &[
    "id",
    "kind",
    "payload",
    "dedupe_key",
    "status",
    "attempts",
    "max_attempts",
    "run_at",
    "locked_until",
    "last_error",
    "created_at",
    "updated_at",
];

const OUT_COLS: &[&str] = &[
    "id",
    "message_id",
    "purpose",
    "target_kind",
    "target_id",
    "entry_id",
    "mail_from",
    "rcpt",
    "first_rcpt",
    "cc",
    "subject",
    "body",
    "in_reply_to",
    "refs",
    "tlp",
    "lang",
    "protection",
    "status",
    "created_at",
    "sent_at",
];

fn job(row: &AnyRow) -> Result<Job> {
    let r = R(row);
    Ok(Job {
        id: r.s("id")?,
        kind: r.s("kind")?,
        payload: r.json("payload")?,
        dedupe_key: r.os("dedupe_key")?,
        status: r.s("status")?,
        attempts: r.i("attempts")?,
        max_attempts: r.i("max_attempts")?,
        run_at: r.t("run_at")?,
        last_error: r.os("last_error")?,
        created_at: r.t("created_at")?,
    })
}

fn outbound(row: &AnyRow) -> Result<OutboundMail> {
    let r = R(row);
    Ok(OutboundMail {
        id: r.s("id")?,
        message_id: r.s("message_id")?,
        purpose: r.s("purpose")?,
        target_kind: r.e("target_kind", target_kind)?,
        target_id: r.s("target_id")?,
        entry_id: r.os("entry_id")?,
        from: r.s("mail_from")?,
        to: r.json("rcpt")?,
        cc: r.json("cc")?,
        subject: r.s("subject")?,
        body: r.s("body")?,
        in_reply_to: r.os("in_reply_to")?,
        references: r.json("refs")?,
        tlp: r.e("tlp", Tlp::parse_field)?,
        lang: r.e("lang", Lang::parse_field)?,
        protection: r.json("protection")?,
        status: r.s("status")?,
        created_at: r.t("created_at")?,
        sent_at: r.ot("sent_at")?,
    })
}

/// Inserts jobs; a job whose dedupe key is already stored is skipped.
/// One outbound message row (no entry, no jobs), in the caller's transaction.
pub(crate) async fn insert_outbound_tx(
    tx: &mut Transaction<'static, Any>,
    m: &OutboundMail,
) -> Result<()> {
    let first =
        m.to.first()
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default();
    let vals: Vec<Val> = vec![
        m.id.clone().into(),
        m.message_id.clone().into(),
        m.purpose.clone().into(),
        m.target_kind.as_str().into(),
        m.target_id.clone().into(),
        m.entry_id.clone().into(),
        m.from.clone().into(),
        to_json(&m.to).into(),
        first.into(),
        to_json(&m.cc).into(),
        m.subject.clone().into(),
        m.body.clone().into(),
        m.in_reply_to.clone().into(),
        to_json(&m.references).into(),
        m.tlp.as_str().into(),
        m.lang.as_str().into(),
        to_json(&m.protection).into(),
        m.status.clone().into(),
        us(m.created_at).into(),
        m.sent_at.map(us).into(),
    ];
    insert("outbound_mail", OUT_COLS, vals)
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn insert_jobs_tx(tx: &mut Transaction<'static, Any>, jobs: &[Job]) -> Result<()> {
    for j in jobs {
        let vals: Vec<Val> = vec![
            j.id.clone().into(),
            j.kind.clone().into(),
            to_json(&j.payload).into(),
            j.dedupe_key.clone().into(),
            j.status.clone().into(),
            j.attempts.into(),
            j.max_attempts.into(),
            us(j.run_at).into(),
            None::<i64>.into(),
            j.last_error.clone().into(),
            us(j.created_at).into(),
            us(j.created_at).into(),
        ];
        let mut s = insert("jobs", JOB_COLS, vals);
        s.push(" ON CONFLICT (dedupe_key) DO NOTHING");
        s.query().execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

impl SqlStore {
    pub(crate) async fn insert_raw_messages_impl(
        &self,
        msgs: &[(RawMessage, Vec<u8>)],
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        for (m, bytes) in msgs {
            crate::mail::insert_raw_tx(&mut tx, m, bytes).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn write_mail_batch_impl(
        &self,
        items: &[MailWrite],
    ) -> Result<Vec<Option<String>>> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let mut refs = Vec::with_capacity(items.len());
        for w in items {
            let (raw_id, record) = match w {
                MailWrite::Report {
                    report,
                    meta,
                    files,
                    audit,
                    triage,
                } => {
                    let stored = crate::triage::write_report_triaged_tx(
                        &mut tx,
                        self.backend,
                        report,
                        Some((meta, files.as_slice())),
                        triage,
                        audit,
                    )
                    .await?;
                    refs.push(Some(stored.reference));
                    (meta.raw_id.clone(), report.id.to_string())
                }
                MailWrite::Entry {
                    entry,
                    meta,
                    files,
                    audit,
                } => {
                    crate::work::insert_entry_tx(&mut tx, entry).await?;
                    crate::mail::put_meta(&mut tx, &entry.id.to_string(), meta).await?;
                    crate::mail::put_files(&mut tx, files).await?;
                    write(&mut tx, audit).await?;
                    refs.push(None);
                    (meta.raw_id.clone(), entry.target_id.clone())
                }
            };
            Sql::new("UPDATE raw_messages SET status = 'processed', record_id = ")
                .bind(record)
                .push(" WHERE id = ")
                .bind(raw_id)
                .query()
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(refs)
    }

    pub(crate) async fn enqueue_jobs_impl(&self, jobs: &[Job]) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert_jobs_tx(&mut tx, jobs).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn claim_jobs_impl(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let mut s = Sql::new(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = ",
        );
        s.bind(us(lease_until))
            .push(", updated_at = ")
            .bind(us(now))
            .push(" WHERE id IN (SELECT id FROM jobs WHERE (status = 'pending' AND run_at <= ")
            .bind(us(now))
            .push(") OR (status = 'running' AND locked_until < ")
            .bind(us(now))
            .push(") ORDER BY run_at LIMIT ")
            .bind(limit.clamp(1, 1000));
        if self.backend == Backend::Postgres {
            s.push(" FOR UPDATE SKIP LOCKED");
        }
        s.push(&format!(") RETURNING {}", JOB_COLS.join(", ")));
        let rows = s.query().fetch_all(&self.write).await.map_err(db_err)?;
        let mut jobs = rows.iter().map(job).collect::<Result<Vec<_>>>()?;
        jobs.sort_by_key(|j| j.run_at);
        Ok(jobs)
    }

    pub(crate) async fn complete_job_impl(&self, id: &str, now: Timestamp) -> Result<()> {
        Sql::new("UPDATE jobs SET status = 'done', locked_until = NULL, last_error = NULL, updated_at = ")
            .bind(us(now))
            .push(" WHERE id = ")
            .bind(id)
            .query()
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn fail_job_impl(
        &self,
        id: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<()> {
        let error: String = error.chars().take(2000).collect();
        let mut s = Sql::new("UPDATE jobs SET status = ");
        s.bind(if retry_at.is_some() {
            "pending"
        } else {
            "dead"
        })
        .push(", locked_until = NULL, last_error = ")
        .bind(error)
        .push(", updated_at = ")
        .bind(us(now));
        if let Some(t) = retry_at {
            s.push(", run_at = ").bind(us(t));
        }
        s.push(" WHERE id = ").bind(id);
        s.query().execute(&self.write).await.map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn list_jobs_impl(
        &self,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let mut s = Sql::new(&format!("SELECT {} FROM jobs", JOB_COLS.join(", ")));
        if let Some(st) = status {
            s.push(" WHERE status = ").bind(st);
        }
        s.push(" ORDER BY created_at, id LIMIT ")
            .bind(limit.clamp(1, 10_000));
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(job).collect()
    }

    pub(crate) async fn insert_outbound_impl(
        &self,
        m: &OutboundMail,
        entry: Option<&Entry>,
        jobs: &[Job],
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert_outbound_tx(&mut tx, m).await?;
        if let Some(e) = entry {
            crate::work::insert_entry_tx(&mut tx, e).await?;
        }
        insert_jobs_tx(&mut tx, jobs).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn get_outbound_impl(&self, id: &str) -> Result<Option<OutboundMail>> {
        let row = Sql::new(&format!(
            "SELECT {} FROM outbound_mail WHERE id = ",
            OUT_COLS.join(", ")
        ))
        .bind(id)
        .query()
        .fetch_optional(&self.write)
        .await
        .map_err(db_err)?;
        row.as_ref().map(outbound).transpose()
    }

    pub(crate) async fn outbound_of_impl(&self, target_id: &str) -> Result<Vec<OutboundMail>> {
        let rows = Sql::new(&format!(
            "SELECT {} FROM outbound_mail WHERE target_id = ",
            OUT_COLS.join(", ")
        ))
        .bind(target_id)
        .push(" ORDER BY created_at, id")
        .query()
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.iter().map(outbound).collect()
    }

    pub(crate) async fn finish_outbound_impl(
        &self,
        id: &str,
        status: &str,
        raw: Option<&[u8]>,
        now: Timestamp,
    ) -> Result<()> {
        let n = Sql::new("UPDATE outbound_mail SET status = ")
            .bind(status)
            .push(", raw = ")
            .bind(Val::OB(raw.map(<[u8]>::to_vec)))
            .push(", sent_at = ")
            .bind(us(now))
            .push(" WHERE id = ")
            .bind(id)
            .query()
            .execute(&self.write)
            .await
            .map_err(db_err)?
            .rows_affected();
        if n == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn record_for_message_ids_impl(
        &self,
        ids: &[String],
    ) -> Result<Option<(TargetKind, String)>> {
        if ids.is_empty() {
            return Ok(None);
        }
        let mut s = Sql::new(
            "SELECT message_id, target_kind, target_id FROM outbound_mail WHERE message_id IN ",
        );
        s.bind_list(ids.iter().take(100).cloned());
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        for id in ids {
            for row in &rows {
                let r = R(row);
                if &r.s("message_id")? == id {
                    return Ok(Some((r.e("target_kind", target_kind)?, r.s("target_id")?)));
                }
            }
        }
        Ok(None)
    }

    pub(crate) async fn count_outbound_since_impl(
        &self,
        purpose: &str,
        rcpt: &str,
        since: Timestamp,
    ) -> Result<i64> {
        let row = Sql::new("SELECT COUNT(*) AS n FROM outbound_mail WHERE purpose = ")
            .bind(purpose)
            .push(" AND first_rcpt = ")
            .bind(rcpt.to_ascii_lowercase())
            .push(" AND created_at >= ")
            .bind(us(since))
            .push(" AND status <> 'suppressed'")
            .query()
            .fetch_one(&self.write)
            .await
            .map_err(db_err)?;
        R(&row).i("n")
    }

    pub(crate) async fn mail_position_impl(&self, source: &str) -> Result<Option<String>> {
        let row = Sql::new("SELECT position FROM mail_positions WHERE source = ")
            .bind(source)
            .query()
            .fetch_optional(&self.write)
            .await
            .map_err(db_err)?;
        row.as_ref().map(|r| R(r).s("position")).transpose()
    }

    pub(crate) async fn set_mail_position_impl(
        &self,
        source: &str,
        position: &str,
        now: Timestamp,
    ) -> Result<()> {
        Sql::new("INSERT INTO mail_positions (source, position, updated_at) VALUES (")
            .bind(source)
            .push(", ")
            .bind(position)
            .push(", ")
            .bind(us(now))
            .push(") ON CONFLICT (source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at")
            .query()
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn claim_imap_message_impl(
        &self,
        mailbox: &str,
        uidvalidity: i64,
        uid: i64,
        now: Timestamp,
    ) -> Result<bool> {
        let n = Sql::new("INSERT INTO imap_seen (mailbox, uidvalidity, uid, seen_at) VALUES (")
            .bind(mailbox)
            .push(", ")
            .bind(uidvalidity)
            .push(", ")
            .bind(uid)
            .push(", ")
            .bind(us(now))
            .push(") ON CONFLICT (mailbox, uidvalidity, uid) DO NOTHING")
            .query()
            .execute(&self.write)
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(n == 1)
    }

    pub(crate) async fn release_imap_message_impl(
        &self,
        mailbox: &str,
        uidvalidity: i64,
        uid: i64,
    ) -> Result<()> {
        Sql::new("DELETE FROM imap_seen WHERE mailbox = ")
            .bind(mailbox)
            .push(" AND uidvalidity = ")
            .bind(uidvalidity)
            .push(" AND uid = ")
            .bind(uid)
            .query()
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn processed_raw_digests_impl(
        &self,
        digests: &[String],
    ) -> Result<Vec<String>> {
        if digests.is_empty() {
            return Ok(vec![]);
        }
        let mut s = Sql::new(
            "SELECT DISTINCT sha256 FROM raw_messages WHERE status = 'processed' AND sha256 IN ",
        );
        s.bind_list(digests.iter().cloned());
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(|r| R(r).s("sha256")).collect()
    }
}
