//! SQLite's deferred full-text index for incidents (migration 0005).
//!
//! FTS5 flushes a segment per commit and merges segments as they pile up, so writing a few
//! documents per transaction costs about twice what writing hundreds at once does (measured
//! in `docs/decisions/0005-deferred-search-index.md`). A create therefore only queues its id
//! in `search_pending`, in its own transaction. The documents are written in bulk:
//! - by the group-commit writer (`batch.rs`) every [`INDEX_EVERY`] creates and whenever it
//!   has been idle for [`INDEX_IDLE`];
//! - by every full-text search, first, for whatever is still queued ([`SqlStore::flush_search`]),
//!   so a search always sees every committed record (read-your-writes is kept).
//!
//! The queue is a table, not memory: a crash leaves it to the next start. An update of a
//! record that is still queued writes its document itself (`search::put_doc`); the indexer
//! skips queued ids that already have one.

use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::Sql;
use hikeshi_core::Result;
use sqlx::{AnyConnection, Connection, Row};
use std::time::Duration;

/// Creates after which the writer writes the queued documents.
pub(crate) const INDEX_EVERY: u64 = 512;
/// Idle time after which the writer writes the queued documents.
pub(crate) const INDEX_IDLE: Duration = Duration::from_millis(50);
/// Documents per indexing transaction at most.
const INDEX_MAX: i64 = 4096;

/// The same text as `incidents::doc()`: reference, title, description, tags, one per line.
const INCIDENT_DOC: &str = "i.ref || char(10) || i.title || char(10) || i.description || char(10) \
    || COALESCE((SELECT group_concat(value, ' ') FROM json_each(i.tags)), '')";

/// Writes the documents of up to [`INDEX_MAX`] queued records in one transaction. Returns
/// the number of queue entries consumed (0 when the queue is empty).
pub(crate) async fn index_pending(conn: &mut AnyConnection) -> Result<u64> {
    let mut tx = conn.begin().await.map_err(db_err)?;
    let hi: Option<i64> =
        Sql::new("SELECT MAX(seq) AS hi FROM (SELECT seq FROM search_pending ORDER BY seq LIMIT ")
            .bind(INDEX_MAX)
            .push(")")
            .query()
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get("hi"))
            .map_err(db_err)?;
    let Some(hi) = hi else {
        return Ok(0);
    };
    let lo: i64 = sqlx::query("SELECT COALESCE(MAX(rowid), 0) AS lo FROM incident_fts")
        .fetch_one(&mut *tx)
        .await
        .and_then(|r| r.try_get("lo"))
        .map_err(db_err)?;
    Sql::new(&format!(
        "INSERT INTO incident_fts (doc_id, body) SELECT i.id, {INCIDENT_DOC} \
         FROM search_pending p JOIN incidents i ON i.id = p.doc_id \
         WHERE p.kind = 'incident' AND p.seq <= "
    ))
    .bind(hi)
    .push(" AND NOT EXISTS (SELECT 1 FROM incident_fts_map m WHERE m.doc_id = p.doc_id) ORDER BY p.seq")
    .query()
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Sql::new("INSERT INTO incident_fts_map (doc_id, fts_rowid) SELECT doc_id, rowid FROM incident_fts WHERE rowid > ")
        .bind(lo)
        .query()
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let done = Sql::new("DELETE FROM search_pending WHERE seq <= ")
        .bind(hi)
        .query()
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
    tx.commit().await.map_err(db_err)?;
    Ok(done)
}

/// Empties the queue.
pub(crate) async fn index_all(conn: &mut AnyConnection) -> Result<()> {
    while index_pending(conn).await? > 0 {}
    Ok(())
}

impl SqlStore {
    /// Writes every queued search document (SQLite; nothing to do on PostgreSQL). Called
    /// before each full-text search, so that it sees every committed record.
    pub async fn flush_search(&self) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let queued = sqlx::query("SELECT EXISTS (SELECT 1 FROM search_pending) AS q")
            .fetch_one(&self.read)
            .await
            .and_then(|r| r.try_get::<i64, _>("q"))
            .map_err(db_err)?;
        if queued == 0 {
            return Ok(());
        }
        let mut conn = self.write.acquire().await.map_err(db_err)?;
        index_all(&mut conn).await
    }

    /// [`flush_search`](Self::flush_search) when the query searches text.
    pub(crate) async fn flush_search_for(&self, q: &hikeshi_core::ports::ListQuery) -> Result<()> {
        if q.q.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            self.flush_search().await?;
        }
        Ok(())
    }

    /// Search documents still queued (SQLite; always 0 on PostgreSQL).
    pub async fn search_backlog(&self) -> Result<i64> {
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        sqlx::query("SELECT COUNT(*) AS n FROM search_pending")
            .fetch_one(&self.read)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))
            .map_err(db_err)
    }
}
