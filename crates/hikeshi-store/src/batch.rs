//! Group commit for creating incidents on SQLite.
//!
//! One writer, one transaction per create, is bound by per-transaction costs (the FTS5 index
//! flushes a segment per commit: measured ~240 µs a row alone, ~95 µs when eight share a
//! transaction). So concurrent creates queue here; a single task takes whatever is waiting
//! (up to [`MAX_BATCH`]), writes them in one transaction, commits, and only then answers each
//! caller. If anything in a batch fails, the batch is rolled back and each create is retried
//! alone, so every caller gets its own result and nothing is acknowledged before its commit.
//! The same task writes the creates' search documents in bulk (`indexer.rs`).

use crate::codec::{self, INCIDENT_COLS};
use crate::connect::db_err;
use crate::indexer::{INDEX_EVERY, INDEX_IDLE, index_all};
use crate::sql::{Sql, Val, insert};
use hikeshi_core::model::{AuditEntry, Incident};
use hikeshi_core::sla::SlaClock;
use hikeshi_core::{Error, Result};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Row};
use tokio::sync::{mpsc, oneshot};

/// Creates per transaction at most.
pub const MAX_BATCH: usize = 64;

/// A create: the record, its audit entry and its SLA clocks, and where to answer.
type Job = (
    Incident,
    AuditEntry,
    Vec<SlaClock>,
    oneshot::Sender<Result<Incident>>,
);

#[derive(Clone)]
pub(crate) struct Creates {
    tx: mpsc::Sender<Job>,
}

impl Creates {
    pub(crate) fn start(pool: AnyPool) -> Creates {
        let (tx, rx) = mpsc::channel::<Job>(1024);
        tokio::spawn(run(pool, rx));
        Creates { tx }
    }

    pub(crate) async fn create(
        &self,
        i: Incident,
        audit: AuditEntry,
        clocks: Vec<SlaClock>,
    ) -> Result<Incident> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send((i, audit, clocks, done))
            .await
            .map_err(|_| Error::Internal("the write queue is closed".into()))?;
        answer
            .await
            .map_err(|_| Error::Internal("the writer stopped before answering".into()))?
    }
}

/// Waits for the next create. While search documents are queued (`indexer.rs`), an idle
/// spell of [`INDEX_IDLE`] writes them instead.
async fn next_job(
    pool: &AnyPool,
    rx: &mut mpsc::Receiver<Job>,
    unindexed: &mut u64,
) -> Option<Job> {
    loop {
        if *unindexed == 0 {
            return rx.recv().await;
        }
        match tokio::time::timeout(INDEX_IDLE, rx.recv()).await {
            Ok(job) => return job,
            Err(_) => index(pool, unindexed).await,
        }
    }
}

/// Writes the queued search documents. A failure is logged and left to the next search,
/// which indexes the queue itself before it runs.
async fn index(pool: &AnyPool, unindexed: &mut u64) {
    *unindexed = 0;
    let result = match pool.acquire().await {
        Ok(mut conn) => index_all(&mut conn).await,
        Err(e) => Err(db_err(e)),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "writing queued search documents failed; the next search retries");
    }
}

async fn run(pool: AnyPool, mut rx: mpsc::Receiver<Job>) {
    // Whatever a previous process queued and did not index.
    let mut unindexed = 1;
    while let Some(first) = next_job(&pool, &mut rx, &mut unindexed).await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut conn = match pool.acquire().await {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("database: {e}");
                for (_, _, _, done) in jobs {
                    let _ = done.send(Err(Error::Internal(msg.clone())));
                }
                continue;
            }
        };
        unindexed += jobs.len() as u64;
        let started = std::time::Instant::now();
        let written = write_batch(&mut conn, &jobs).await;
        tracing::debug!(
            creates = jobs.len(),
            micros = started.elapsed().as_micros() as u64,
            ok = written.is_ok(),
            "group commit"
        );
        match written {
            Ok(stored) => {
                for ((_, _, _, done), i) in jobs.into_iter().zip(stored) {
                    let _ = done.send(Ok(i));
                }
            }
            // Something failed (e.g. a duplicate id): each create on its own, own answer.
            Err(_) => {
                for (i, a, c, done) in jobs {
                    let _ = done.send(create_one(&mut conn, &i, &a, &c).await);
                }
            }
        }
        drop(conn);
        if unindexed >= INDEX_EVERY {
            index(&pool, &mut unindexed).await;
        }
    }
}

/// The whole batch as ONE multi-row INSERT into the view (its trigger runs per row) and one
/// read-back: four statements per batch however many creates it holds.
async fn write_batch(conn: &mut AnyConnection, jobs: &[Job]) -> Result<Vec<Incident>> {
    let mut tx = conn.begin().await.map_err(db_err)?;
    let mut s = Sql::new(&format!(
        "INSERT INTO incident_create ({}) VALUES ",
        view_cols().join(", ")
    ));
    for (k, (i, a, _, _)) in jobs.iter().enumerate() {
        s.push(if k == 0 { "(" } else { ", (" });
        for (n, v) in view_vals(i, a).into_iter().enumerate() {
            if n > 0 {
                s.push(", ");
            }
            s.bind(v);
        }
        s.push(")");
    }
    // Plain `?` placeholders: SQLite looks numbered ones up by name, which is quadratic in
    // their number (27 a create; see `Sql::query_on`).
    s.query_on(crate::Backend::Sqlite)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    // The trigger only adds the reference: read back just that.
    let rows = Sql::new("SELECT id, ref FROM incidents WHERE id IN ")
        .bind_list(jobs.iter().map(|(i, _, _, _)| i.id.to_string()))
        .query_on(crate::Backend::Sqlite)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut refs = std::collections::HashMap::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get("id").map_err(db_err)?;
        let reference: String = row.try_get("ref").map_err(db_err)?;
        refs.insert(id, reference);
    }
    let clocks: Vec<SlaClock> = jobs.iter().flat_map(|j| j.2.iter().cloned()).collect();
    crate::clocks::put_clocks_tx(&mut tx, &clocks).await?;
    tx.commit().await.map_err(db_err)?;
    // Answer in the callers' order.
    let mut out = Vec::with_capacity(jobs.len());
    for (i, _, _, _) in jobs {
        let mut stored = i.clone();
        stored.reference = refs
            .remove(&i.id.to_string())
            .ok_or_else(|| Error::Internal("created incident not found".into()))?;
        out.push(stored);
    }
    Ok(out)
}

fn view_cols() -> Vec<&'static str> {
    let mut cols: Vec<&str> = INCIDENT_COLS
        .iter()
        .copied()
        .filter(|c| *c != "ref")
        .collect();
    cols.extend([
        "ref_year",
        "audit_id",
        "audit_at",
        "audit_actor",
        "audit_action",
        "audit_after",
    ]);
    cols
}

fn view_vals(i: &Incident, a: &AuditEntry) -> Vec<Val> {
    let mut vals = codec::incident_vals(i);
    vals.remove(1); // "ref": the trigger computes it
    vals.extend([
        Val::I(i64::from(
            i.created_at.to_zoned(jiff::tz::TimeZone::UTC).year(),
        )),
        a.id.to_string().into(),
        a.at.as_microsecond().into(),
        a.actor.clone().into(),
        a.action.clone().into(),
        a.after
            .as_ref()
            .map(|v| v.to_string())
            .unwrap_or_else(|| "{}".into())
            .into(),
    ]);
    vals
}

/// One create in its own transaction.
pub(crate) async fn create_one(
    conn: &mut AnyConnection,
    i: &Incident,
    a: &AuditEntry,
    clocks: &[SlaClock],
) -> Result<Incident> {
    let mut tx = conn.begin().await.map_err(db_err)?;
    let stored = insert_via_view(&mut tx, i, a).await?;
    crate::clocks::put_clocks_tx(&mut tx, clocks).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(stored)
}

/// One INSERT into the `incident_create` view (migration 0003): its trigger allocates the
/// reference and writes the record, queues its search document and writes its audit entry. Then the
/// stored record (with its reference) is read back.
async fn insert_via_view(
    tx: &mut sqlx::Transaction<'_, Any>,
    i: &Incident,
    a: &AuditEntry,
) -> Result<Incident> {
    insert("incident_create", &view_cols(), view_vals(i, a))
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let row = crate::incidents::select("id = ")
        .bind(i.id.to_string())
        .query()
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    codec::incident(&row)
}
