//! Read models for the handler's screens: counts by status and severity, the "due next"
//! list, work lists (investigations, countermeasures) across incidents, saved searches. All
//! filtered by the same visibility SQL as the incident list.

use crate::audit::write;
use crate::codec::{self, R, us};
use crate::connect::{SqlStore, db_err};
use crate::search::{Kind, push_filters, push_search_in, push_visibility, terms};
use crate::sql::{Sql, insert};
use crate::work::{CM_COLS, INV_COLS, cm, inv};
use hikeshi_core::access::Visibility;
use hikeshi_core::ids::UserId;
use hikeshi_core::model::*;
use hikeshi_core::ports::{ListQuery, Page, Sort};
use hikeshi_core::{Error, Result};

const INACTIVE: &str = "('resolved', 'closed', 'abandoned')";

impl SqlStore {
    pub(crate) async fn incident_counts_impl(
        &self,
        vis: &Visibility,
        cap: i64,
    ) -> Result<Vec<(IncidentStatus, Severity, i64)>> {
        // Bounded: at most `cap` rows are counted, so the cost stays flat at any size.
        let mut s = Sql::new(
            "SELECT status, severity, COUNT(*) AS n FROM (SELECT status, severity FROM incidents WHERE status NOT IN ",
        );
        s.push(INACTIVE);
        push_visibility(&mut s, vis);
        s.push(" LIMIT ")
            .bind(cap.max(1))
            .push(") AS open_work GROUP BY status, severity");
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let r = R(row);
                Ok((
                    r.e("status", IncidentStatus::parse_field)?,
                    r.e("severity", Severity::parse_field)?,
                    r.i("n")?,
                ))
            })
            .collect()
    }

    pub(crate) async fn due_incidents_impl(
        &self,
        vis: &Visibility,
        limit: i64,
    ) -> Result<Vec<Incident>> {
        let mut s = crate::incidents::select("due_at IS NOT NULL AND status NOT IN ");
        s.push(INACTIVE);
        push_visibility(&mut s, vis);
        s.push(" ORDER BY due_at, id LIMIT ")
            .bind(limit.clamp(1, 500));
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(codec::incident).collect()
    }

    /// Work items (investigations, countermeasures) of visible incidents. `status`, the dates,
    /// the sort and the cursor apply to the work item; text, severity, classification,
    /// constituency, owner, TLP and tag to its incident.
    fn work_sql(&self, table: &str, cols: &[&str], vis: &Visibility, q: &ListQuery) -> Sql {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM {table} WHERE incident_id IN (SELECT id FROM incidents WHERE 1 = 1",
            cols.join(", ")
        ));
        push_visibility(&mut s, vis);
        let of_incident = ListQuery {
            status: vec![],
            created_from: None,
            created_to: None,
            after: None,
            q: None,
            ..q.clone()
        };
        push_filters(&mut s, &of_incident, Kind::Incident);
        let words = q.q.as_deref().map(terms).unwrap_or_default();
        if !words.is_empty() {
            push_search_in(&mut s, self.backend, Kind::Incident, &words);
        }
        s.push(")");
        if !q.status.is_empty() {
            s.push(" AND status IN ")
                .bind_list(q.status.iter().map(|x| x.to_lowercase()));
        }
        if let Some(f) = q.created_from {
            s.push(" AND created_at >= ").bind(f.as_microsecond());
        }
        if let Some(t) = q.created_to {
            s.push(" AND created_at < ").bind(t.as_microsecond());
        }
        let (col, desc) = match q.sort {
            Sort::CreatedDesc => ("created_at", true),
            Sort::CreatedAsc => ("created_at", false),
            Sort::UpdatedDesc => ("updated_at", true),
            Sort::UpdatedAsc => ("updated_at", false),
        };
        let (op, dir) = if desc { ("<", "DESC") } else { (">", "ASC") };
        if let Some((v, id)) = &q.after {
            s.push(&format!(" AND ({col} {op} "))
                .bind(*v)
                .push(&format!(" OR ({col} = "))
                .bind(*v)
                .push(&format!(" AND id {op} "))
                .bind(id.clone())
                .push("))");
        }
        s.push(&format!(" ORDER BY {col} {dir}, id {dir} LIMIT "))
            .bind(q.limit.clamp(1, 500) + 1);
        s
    }

    pub(crate) async fn list_investigations_impl(
        &self,
        vis: &Visibility,
        q: &ListQuery,
    ) -> Result<Page<Investigation>> {
        self.flush_search_for(q).await?;
        let rows = self
            .work_sql("investigations", INV_COLS, vis, q)
            .query()
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
        let mut items = rows.iter().map(inv).collect::<Result<Vec<_>>>()?;
        let next = page_end(&mut items, q, |v| {
            (v.created_at, v.updated_at, v.id.to_string())
        });
        Ok(Page { items, next })
    }

    pub(crate) async fn list_countermeasures_impl(
        &self,
        vis: &Visibility,
        q: &ListQuery,
    ) -> Result<Page<Countermeasure>> {
        self.flush_search_for(q).await?;
        let rows = self
            .work_sql("countermeasures", CM_COLS, vis, q)
            .query()
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
        let mut items = rows.iter().map(cm).collect::<Result<Vec<_>>>()?;
        let next = page_end(&mut items, q, |c| {
            (c.created_at, c.updated_at, c.id.to_string())
        });
        Ok(Page { items, next })
    }

    pub(crate) async fn insert_saved_search_impl(
        &self,
        s: &SavedSearch,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert(
            "saved_searches",
            &["id", "user_id", "name", "path", "created_at"],
            vec![
                s.id.clone().into(),
                s.user.to_string().into(),
                s.name.clone().into(),
                s.path.clone().into(),
                us(s.created_at).into(),
            ],
        )
        .query()
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn saved_searches_impl(&self, user: UserId) -> Result<Vec<SavedSearch>> {
        let rows = Sql::new(
            "SELECT id, user_id, name, path, created_at FROM saved_searches WHERE user_id = ",
        )
        .bind(user.to_string())
        .push(" ORDER BY name, id")
        .query()
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let r = R(row);
                Ok(SavedSearch {
                    id: r.s("id")?,
                    user: r.id("user_id", UserId::parse)?,
                    name: r.s("name")?,
                    path: r.s("path")?,
                    created_at: r.t("created_at")?,
                })
            })
            .collect()
    }

    pub(crate) async fn delete_saved_search_impl(
        &self,
        user: UserId,
        id: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let res = Sql::new("DELETE FROM saved_searches WHERE id = ")
            .bind(id)
            .push(" AND user_id = ")
            .bind(user.to_string())
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }
}

/// Cuts a fetched `limit + 1` rows to `limit`, returning the keyset position (for the
/// query's sort) if more follow.
fn page_end<T>(
    items: &mut Vec<T>,
    q: &ListQuery,
    key: impl Fn(&T) -> (jiff::Timestamp, jiff::Timestamp, String),
) -> Option<(i64, String)> {
    let limit = q.limit.clamp(1, 500) as usize;
    if items.len() <= limit {
        return None;
    }
    items.truncate(limit);
    items.last().map(|x| {
        let (created, updated, id) = key(x);
        match q.sort {
            Sort::CreatedDesc | Sort::CreatedAsc => (us(created), id),
            Sort::UpdatedDesc | Sort::UpdatedAsc => (us(updated), id),
        }
    })
}
