//! List filters, visibility and full-text search as SQL, shared by incidents and reports.
//!
//! Search (Japanese and English, no dictionary): SQLite keeps a trigram FTS5 table — terms
//! of 3+ characters go to `MATCH`, shorter ones (e.g. `攻撃`) to `LIKE` on the same table;
//! PostgreSQL keeps a table with a pg_trgm GIN index queried with `ILIKE`. All terms must match.

use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::{Sql, like_escape};
use hikeshi_core::Result;
use hikeshi_core::access::Visibility;
use hikeshi_core::ports::{ListQuery, Sort};
use sqlx::{Any, Row, Transaction};

/// Replaces the search document of a record.
/// Adds the search document of a record that has none yet (inserts).
pub(crate) async fn new_doc(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    id: &str,
    body: &str,
) -> Result<()> {
    match backend {
        Backend::Sqlite => {
            Sql::new("INSERT INTO search_fts (doc_id, body) VALUES (")
                .bind(id)
                .push(", ")
                .bind(body)
                .push(")")
                .query()
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            Sql::new("INSERT INTO search_map (doc_id, fts_rowid) VALUES (")
                .bind(id)
                .push(", last_insert_rowid())")
                .query()
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            Ok(())
        }
        Backend::Postgres => put_doc(tx, backend, id, body).await,
    }
}

/// Replaces (or adds) the search document of a record.
pub(crate) async fn put_doc(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    id: &str,
    body: &str,
) -> Result<()> {
    match backend {
        Backend::Sqlite => {
            let existing = Sql::new("SELECT fts_rowid FROM search_map WHERE doc_id = ")
                .bind(id)
                .query()
                .fetch_optional(&mut **tx)
                .await
                .map_err(db_err)?;
            match existing {
                Some(row) => {
                    let rowid: i64 = row.try_get("fts_rowid").map_err(db_err)?;
                    Sql::new("UPDATE search_fts SET body = ")
                        .bind(body)
                        .push(" WHERE rowid = ")
                        .bind(rowid)
                        .query()
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                }
                None => {
                    Sql::new("INSERT INTO search_fts (doc_id, body) VALUES (")
                        .bind(id)
                        .push(", ")
                        .bind(body)
                        .push(")")
                        .query()
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                    Sql::new("INSERT INTO search_map (doc_id, fts_rowid) VALUES (")
                        .bind(id)
                        .push(", last_insert_rowid())")
                        .query()
                        .execute(&mut **tx)
                        .await
                        .map_err(db_err)?;
                }
            }
        }
        Backend::Postgres => {
            Sql::new("INSERT INTO search_docs (doc_id, body) VALUES (")
                .bind(id)
                .push(", ")
                .bind(body)
                .push(") ON CONFLICT (doc_id) DO UPDATE SET body = EXCLUDED.body")
                .query()
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
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

/// ` AND id IN (…matching documents…)`.
fn push_search(s: &mut Sql, backend: Backend, q: &str) {
    let terms = terms(q);
    if terms.is_empty() {
        return;
    }
    match backend {
        Backend::Sqlite => {
            s.push(" AND id IN (SELECT doc_id FROM search_fts WHERE 1 = 1");
            let long: Vec<&String> = terms.iter().filter(|t| t.chars().count() >= 3).collect();
            if !long.is_empty() {
                let expr = long
                    .iter()
                    .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                s.push(" AND search_fts MATCH ").bind(expr);
            }
            for t in terms.iter().filter(|t| t.chars().count() < 3) {
                s.push(" AND body LIKE ")
                    .bind(format!("%{}%", like_escape(t)))
                    .push(" ESCAPE '\\'");
            }
            s.push(")");
        }
        Backend::Postgres => {
            s.push(" AND id IN (SELECT doc_id FROM search_docs WHERE 1 = 1");
            for t in &terms {
                s.push(" AND body ILIKE ")
                    .bind(format!("%{}%", like_escape(t)))
                    .push(" ESCAPE '\\'");
            }
            s.push(")");
        }
    }
}

/// The SQL twin of `Actor::can_see` (hikeshi-core `access.rs`): keep the two in step.
fn push_visibility(s: &mut Sql, vis: &Visibility) {
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

/// The whole list query for `table` with its column list.
pub(crate) fn list_sql(
    backend: Backend,
    table: &str,
    cols: &[&str],
    vis: &Visibility,
    q: &ListQuery,
    has_severity: bool,
) -> Sql {
    let mut s = Sql::new(&format!(
        "SELECT {} FROM {table} WHERE 1 = 1",
        cols.join(", ")
    ));
    push_visibility(&mut s, vis);
    if !q.status.is_empty() {
        s.push(" AND status IN ")
            .bind_list(q.status.iter().map(|x| x.to_lowercase()));
    }
    if let (Some(sev), true) = (q.severity, has_severity) {
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
    if let (Some(c), true) = (&q.rsit_class, has_severity) {
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
    if let Some(text) = &q.q {
        push_search(&mut s, backend, text);
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
        .bind(q.limit.clamp(1, 500) + 1);
    s
}

/// The keyset position of a record for the current sort.
pub(crate) fn position(sort: Sort, created: i64, updated: i64, id: String) -> (i64, String) {
    match sort {
        Sort::CreatedDesc | Sort::CreatedAsc => (created, id),
        Sort::UpdatedDesc | Sort::UpdatedAsc => (updated, id),
    }
}

impl SqlStore {
    /// Rebuilds the search documents from the records (after import).
    pub async fn rebuild_search(&self) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let clear: &[&'static str] = match self.backend {
            Backend::Sqlite => &["DELETE FROM search_fts", "DELETE FROM search_map"],
            Backend::Postgres => &["DELETE FROM search_docs"],
        };
        for sql in clear {
            sqlx::query(*sql).execute(&mut *tx).await.map_err(db_err)?;
        }
        let incidents = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM incidents",
            crate::codec::INCIDENT_COLS.join(", ")
        )))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for row in &incidents {
            let i = crate::codec::incident(row)?;
            put_doc(
                &mut tx,
                self.backend,
                &i.id.to_string(),
                &crate::incidents::doc(&i),
            )
            .await?;
        }
        let reports = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM reports",
            crate::codec::REPORT_COLS.join(", ")
        )))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for row in &reports {
            let r = crate::codec::report(row)?;
            put_doc(
                &mut tx,
                self.backend,
                &r.id.to_string(),
                &crate::reports::doc(&r),
            )
            .await?;
        }
        tx.commit().await.map_err(db_err)
    }
}
