//! List filters, visibility and full-text search as SQL, shared by incidents and reports.
//!
//! Search (Japanese and English, no dictionary), all terms must match:
//! - SQLite keeps one trigram FTS5 table per kind (`incident_fts`, `report_fts`). Terms of 3+
//!   characters go to `MATCH`, shorter ones (e.g. `攻撃`) to `LIKE` on the same table. With the
//!   default order (newest first) the query walks the FTS table by rowid — creation order —
//!   and joins the records, so a page stops after `limit` hits however broad the term.
//! - PostgreSQL keeps `search_docs` (lower-cased) with a pg_trgm GIN index, queried with
//!   `LIKE` on lower-cased terms.

use crate::codec::{INCIDENT_COLS, REPORT_COLS};
use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::{Sql, like_escape};
use hikeshi_core::Result;
use hikeshi_core::access::Visibility;
use hikeshi_core::ports::{ListQuery, Sort};
use sqlx::{Any, Row, Transaction};

/// Which search index a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Incident,
    Report,
}

impl Kind {
    fn fts(self) -> &'static str {
        match self {
            Kind::Incident => "incident_fts",
            Kind::Report => "report_fts",
        }
    }
}

async fn exec(tx: &mut Transaction<'static, Any>, s: &mut Sql) -> Result<()> {
    s.query().execute(&mut **tx).await.map_err(db_err)?;
    Ok(())
}

async fn sqlite_insert(
    tx: &mut Transaction<'static, Any>,
    kind: Kind,
    id: &str,
    body: &str,
) -> Result<()> {
    let t = kind.fts();
    exec(
        tx,
        Sql::new(&format!("INSERT INTO {t} (doc_id, body) VALUES ("))
            .bind(id)
            .push(", ")
            .bind(body)
            .push(")"),
    )
    .await?;
    exec(
        tx,
        Sql::new(&format!("INSERT INTO {t}_map (doc_id, fts_rowid) VALUES ("))
            .bind(id)
            .push(", last_insert_rowid())"),
    )
    .await
}

/// PostgreSQL stores documents lower-cased and searches them with `LIKE` on lower-cased
/// terms: the same matches as `ILIKE`, about four times cheaper per row (ILIKE folds the
/// case of every candidate body on every search).
async fn pg_upsert(tx: &mut Transaction<'static, Any>, id: &str, body: &str) -> Result<()> {
    let mut s = Sql::new("INSERT INTO search_docs (doc_id, body) VALUES (");
    s.bind(id)
        .push(", ")
        .bind(body.to_lowercase())
        .push(") ON CONFLICT (doc_id) DO UPDATE SET body = EXCLUDED.body");
    exec(tx, &mut s).await
}

/// Adds the search document of a record that has none yet (inserts).
pub(crate) async fn new_doc(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    kind: Kind,
    id: &str,
    body: &str,
) -> Result<()> {
    match backend {
        Backend::Sqlite => sqlite_insert(tx, kind, id, body).await,
        Backend::Postgres => pg_upsert(tx, id, body).await,
    }
}

/// Replaces (or adds) the search document of a record.
pub(crate) async fn put_doc(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    kind: Kind,
    id: &str,
    body: &str,
) -> Result<()> {
    if backend == Backend::Postgres {
        return pg_upsert(tx, id, body).await;
    }
    let t = kind.fts();
    let existing = Sql::new(&format!("SELECT fts_rowid FROM {t}_map WHERE doc_id = "))
        .bind(id)
        .query()
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    match existing {
        Some(row) => {
            let rowid: i64 = row.try_get("fts_rowid").map_err(db_err)?;
            exec(
                tx,
                Sql::new(&format!("UPDATE {t} SET body = "))
                    .bind(body)
                    .push(" WHERE rowid = ")
                    .bind(rowid),
            )
            .await
        }
        None => sqlite_insert(tx, kind, id, body).await,
    }
}

/// Splits a query into terms (whitespace-separated, quotes dropped).
pub fn terms(q: &str) -> Vec<String> {
    q.split_whitespace()
        .map(|t| {
            t.trim_matches(|c| c == '"' || c == '\'' || c == '「' || c == '」')
                .to_string()
        })
        .filter(|t| !t.is_empty())
        .take(16)
        .collect()
}

/// The FTS5 conditions (on the FTS table `t`) for the terms.
fn push_fts_terms(s: &mut Sql, t: &str, terms: &[String]) {
    let long: Vec<&String> = terms.iter().filter(|x| x.chars().count() >= 3).collect();
    if !long.is_empty() {
        let expr = long
            .iter()
            .map(|x| format!("\"{}\"", x.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ");
        s.push(&format!(" AND {t} MATCH ")).bind(expr);
    }
    for x in terms.iter().filter(|x| x.chars().count() < 3) {
        s.push(&format!(" AND {t}.body LIKE "))
            .bind(format!("%{}%", like_escape(x)))
            .push(" ESCAPE '\\'");
    }
}

/// ` AND id IN (…matching documents…)` (any sort order).
pub(crate) fn push_search_in(s: &mut Sql, backend: Backend, kind: Kind, terms: &[String]) {
    match backend {
        Backend::Sqlite => {
            let t = kind.fts();
            s.push(&format!(" AND id IN (SELECT doc_id FROM {t} WHERE 1 = 1"));
            push_fts_terms(s, t, terms);
            s.push(")");
        }
        Backend::Postgres => {
            s.push(" AND id IN (SELECT doc_id FROM search_docs WHERE 1 = 1");
            for x in terms {
                s.push(" AND body LIKE ")
                    .bind(format!("%{}%", like_escape(&x.to_lowercase())))
                    .push(" ESCAPE '\\'");
            }
            s.push(")");
        }
    }
}

/// The SQL twin of `Actor::can_see` (hikeshi-core `access.rs`): keep the two in step.
pub(crate) fn push_visibility(s: &mut Sql, vis: &Visibility) {
    let uid = vis.user.to_string();
    if vis.own_only {
        // Reporters: exactly the records they created, whatever the constituency or TLP.
        s.push(" AND created_by = ").bind(uid);
        return;
    }
    s.push(" AND ((tlp = 'red' AND (created_by = ")
        .bind(uid.clone())
        .push(" OR named_users LIKE ")
        .bind(format!("%\"{uid}\"%"))
        .push("))");
    if vis.all_constituencies {
        s.push(" OR tlp <> 'red')");
    } else {
        s.push(" OR (tlp <> 'red' AND constituency_id IN ")
            .bind_list(vis.constituencies.iter().map(|c| c.to_string()))
            .push("))");
    }
}

pub(crate) fn push_filters(s: &mut Sql, q: &ListQuery, kind: Kind) {
    if !q.status.is_empty() {
        s.push(" AND status IN ")
            .bind_list(q.status.iter().map(|x| x.to_lowercase()));
    }
    if let (Some(sev), Kind::Incident) = (q.severity, kind) {
        s.push(" AND severity = ").bind(sev.as_str());
    }
    if let Some(t) = q.tlp {
        s.push(" AND tlp = ").bind(t.as_str());
    }
    if let Some(c) = q.constituency {
        s.push(" AND constituency_id = ").bind(c.to_string());
    }
    match q.owner {
        Some(Some(o)) => {
            s.push(" AND owner_id = ").bind(o.to_string());
        }
        Some(None) => {
            s.push(" AND owner_id IS NULL");
        }
        None => {}
    }
    if let (Some(c), Kind::Incident) = (&q.rsit_class, kind) {
        s.push(" AND rsit_class = ").bind(c.clone());
    }
    if let Some(t) = &q.tag {
        s.push(" AND tags LIKE ")
            .bind(format!(
                "%{}%",
                like_escape(&serde_json::Value::String(t.clone()).to_string())
            ))
            .push(" ESCAPE '\\'");
    }
    if let Some(f) = q.created_from {
        s.push(" AND created_at >= ").bind(f.as_microsecond());
    }
    if let Some(t) = q.created_to {
        s.push(" AND created_at < ").bind(t.as_microsecond());
    }
}

/// A list query, and whether its rows carry an `fts_rank` column that orders them (and
/// positions the cursor) instead of the sort column.
pub(crate) struct ListSql {
    pub sql: Sql,
    pub fts_order: bool,
}

/// The whole list query for a kind of record.
pub(crate) fn list_sql(backend: Backend, kind: Kind, vis: &Visibility, q: &ListQuery) -> ListSql {
    let (table, cols) = match kind {
        Kind::Incident => ("incidents", INCIDENT_COLS),
        Kind::Report => ("reports", REPORT_COLS),
    };
    let terms = q.q.as_deref().map(terms).unwrap_or_default();
    let limit = q.limit.clamp(1, 500) + 1;
    if backend == Backend::Sqlite && !terms.is_empty() && q.sort == Sort::CreatedDesc {
        // Walk the index newest-first (FTS rowid = creation order) and stop at the page.
        let t = kind.fts();
        let mut s = Sql::new(&format!(
            "SELECT {}, {t}.rowid AS fts_rank FROM {t} JOIN {table} ON {table}.id = {t}.doc_id WHERE 1 = 1",
            cols.join(", ")
        ));
        push_fts_terms(&mut s, t, &terms);
        push_visibility(&mut s, vis);
        push_filters(&mut s, q, kind);
        if let Some((v, _)) = &q.after {
            s.push(&format!(" AND {t}.rowid < ")).bind(*v);
        }
        s.push(&format!(" ORDER BY {t}.rowid DESC LIMIT "))
            .bind(limit);
        return ListSql {
            sql: s,
            fts_order: true,
        };
    }
    let mut s = Sql::new(&format!(
        "SELECT {} FROM {table} WHERE 1 = 1",
        cols.join(", ")
    ));
    push_visibility(&mut s, vis);
    push_filters(&mut s, q, kind);
    if !terms.is_empty() {
        push_search_in(&mut s, backend, kind, &terms);
    }
    let (col, desc) = match q.sort {
        Sort::CreatedDesc => ("created_at", true),
        Sort::CreatedAsc => ("created_at", false),
        Sort::UpdatedDesc => ("updated_at", true),
        Sort::UpdatedAsc => ("updated_at", false),
    };
    let op = if desc { "<" } else { ">" };
    if let Some((v, id)) = &q.after {
        s.push(&format!(" AND ({col} {op} "))
            .bind(*v)
            .push(&format!(" OR ({col} = "))
            .bind(*v)
            .push(&format!(" AND id {op} "))
            .bind(id.clone())
            .push("))");
    }
    let dir = if desc { "DESC" } else { "ASC" };
    s.push(&format!(" ORDER BY {col} {dir}, id {dir} LIMIT "))
        .bind(limit);
    ListSql {
        sql: s,
        fts_order: false,
    }
}

/// The keyset position of a row for the current sort (or its FTS rank).
pub(crate) fn position(
    row: &sqlx::any::AnyRow,
    fts_order: bool,
    sort: Sort,
    id: String,
) -> Result<(i64, String)> {
    let col = match (fts_order, sort) {
        (true, _) => "fts_rank",
        (false, Sort::CreatedDesc | Sort::CreatedAsc) => "created_at",
        (false, Sort::UpdatedDesc | Sort::UpdatedAsc) => "updated_at",
    };
    Ok((row.try_get::<i64, _>(col).map_err(db_err)?, id))
}

impl SqlStore {
    /// Rebuilds the search documents from the records (after import), oldest first so that
    /// search order follows creation order.
    pub async fn rebuild_search(&self) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let clear: &[&'static str] = match self.backend {
            Backend::Sqlite => &[
                "DELETE FROM incident_fts",
                "DELETE FROM incident_fts_map",
                "DELETE FROM search_pending",
                "DELETE FROM report_fts",
                "DELETE FROM report_fts_map",
            ],
            Backend::Postgres => &["DELETE FROM search_docs"],
        };
        for sql in clear {
            sqlx::query(*sql).execute(&mut *tx).await.map_err(db_err)?;
        }
        let incidents = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM incidents ORDER BY created_at, id",
            INCIDENT_COLS.join(", ")
        )))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for row in &incidents {
            let i = crate::codec::incident(row)?;
            new_doc(
                &mut tx,
                self.backend,
                Kind::Incident,
                &i.id.to_string(),
                &crate::incidents::doc(&i),
            )
            .await?;
        }
        let reports = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM reports ORDER BY created_at, id",
            REPORT_COLS.join(", ")
        )))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for row in &reports {
            let r = crate::codec::report(row)?;
            new_doc(
                &mut tx,
                self.backend,
                Kind::Report,
                &r.id.to_string(),
                &crate::reports::doc(&r),
            )
            .await?;
        }
        tx.commit().await.map_err(db_err)
    }
}
