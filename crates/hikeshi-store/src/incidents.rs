//! Incident rows: insert with a per-year reference, versioned update, look-ups, lists, merge.

use crate::audit::{update_row, write};
use crate::codec::{self, INCIDENT_COLS};
use crate::connect::{SqlStore, db_err};
use crate::search::{Kind, list_sql, new_doc, position, put_doc};
use crate::sql::{Sql, insert};
use hikeshi_core::access::Visibility;
use hikeshi_core::ids::IncidentId;
use hikeshi_core::model::{AuditEntry, Incident};
use hikeshi_core::ports::{ListQuery, Page};
use hikeshi_core::{Error, Result};
use sqlx::{Any, Row, Transaction};

/// The text indexed for search.
pub(crate) fn doc(i: &Incident) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        i.reference,
        i.title,
        i.description,
        i.tags.join(" ")
    )
}

/// The next human reference of a kind for the year of `at`: `2026-0042` (incidents) or
/// `R2026-0042` (reports). A counter row per kind and year; numbers are never reused (a
/// rolled-back insert leaves a gap, never a duplicate).
pub(crate) async fn allocate_ref(
    tx: &mut Transaction<'static, Any>,
    kind: &str,
    prefix: &str,
    at: jiff::Timestamp,
) -> Result<String> {
    let year = at.to_zoned(jiff::tz::TimeZone::UTC).year();
    let row = Sql::new("INSERT INTO ref_counters (scope, next) VALUES (")
        .bind(format!("{kind}:{year}"))
        .push(", 1) ON CONFLICT (scope) DO UPDATE SET next = ref_counters.next + 1 RETURNING next")
        .query()
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    let n: i64 = row.try_get("next").map_err(db_err)?;
    Ok(format!("{prefix}{year}-{n:04}"))
}

/// The creation's audit entry, with the reference the store just gave the record.
pub(crate) fn with_ref(audit: &AuditEntry, reference: &str) -> AuditEntry {
    let mut a = audit.clone();
    if let Some(o) = a.after.as_mut().and_then(|v| v.as_object_mut()) {
        o.insert("ref".into(), reference.into());
    }
    a
}

pub(crate) fn select(where_: &str) -> Sql {
    Sql::new(&format!(
        "SELECT {} FROM incidents WHERE {where_}",
        INCIDENT_COLS.join(", ")
    ))
}

impl SqlStore {
    /// A new incident with its SLA clocks and audit entry, one transaction.
    pub(crate) async fn insert_incident_impl(
        &self,
        i: &Incident,
        audit: &AuditEntry,
        clocks: &[hikeshi_core::sla::SlaClock],
    ) -> Result<Incident> {
        if self.backend == crate::Backend::Sqlite {
            return self.insert_incident_sqlite(i, audit, clocks).await;
        }
        // The reference is taken in its own short transaction first: its counter row stays
        // locked only for that statement, so concurrent creates (and nodes) do not queue
        // behind each other's whole transaction. A create that then fails leaves a gap;
        // references are never reused either way.
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let reference = allocate_ref(&mut tx, "incident", "", i.created_at).await?;
        tx.commit().await.map_err(db_err)?;
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let mut stored = i.clone();
        stored.reference = reference;
        insert("incidents", INCIDENT_COLS, codec::incident_vals(&stored))
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        new_doc(
            &mut tx,
            self.backend,
            Kind::Incident,
            &stored.id.to_string(),
            &doc(&stored),
        )
        .await?;
        write(&mut tx, &with_ref(audit, &stored.reference)).await?;
        crate::clocks::put_clocks_tx(&mut tx, clocks).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(stored)
    }

    /// SQLite: the create goes to the group-commit writer (`batch.rs`), which commits it
    /// with whatever other creates are waiting, and answers after the commit.
    async fn insert_incident_sqlite(
        &self,
        i: &Incident,
        audit: &AuditEntry,
        clocks: &[hikeshi_core::sla::SlaClock],
    ) -> Result<Incident> {
        match &self.creates {
            Some(w) => w.create(i.clone(), audit.clone(), clocks.to_vec()).await,
            None => {
                let mut conn = self.write.acquire().await.map_err(db_err)?;
                crate::batch::create_one(&mut conn, i, audit, clocks).await
            }
        }
    }

    pub(crate) async fn update_incident_tx(
        tx: &mut Transaction<'static, Any>,
        backend: crate::Backend,
        i: &Incident,
        expected: i64,
    ) -> Result<()> {
        update_row(
            tx,
            "incidents",
            INCIDENT_COLS,
            codec::incident_vals(i),
            i.id.to_string(),
            expected,
        )
        .await?;
        put_doc(tx, backend, Kind::Incident, &i.id.to_string(), &doc(i)).await
    }

    pub(crate) async fn update_incident_impl(
        &self,
        i: &Incident,
        expected: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        Self::update_incident_tx(&mut tx, self.backend, i, expected).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn get_incident_impl(&self, id: IncidentId) -> Result<Option<Incident>> {
        let row = select("id = ")
            .bind(id.to_string())
            .query()
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        row.as_ref().map(codec::incident).transpose()
    }

    pub(crate) async fn incident_by_ref_impl(&self, r: &str) -> Result<Option<Incident>> {
        let row = select("ref = ")
            .bind(r)
            .query()
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        row.as_ref().map(codec::incident).transpose()
    }

    pub(crate) async fn list_incidents_impl(
        &self,
        vis: &Visibility,
        q: &ListQuery,
    ) -> Result<Page<Incident>> {
        self.flush_search_for(q).await?;
        let l = list_sql(self.backend, Kind::Incident, vis, q);
        let rows = l.sql.query().fetch_all(&self.read).await.map_err(db_err)?;
        let mut items = rows
            .iter()
            .map(codec::incident)
            .collect::<Result<Vec<_>>>()?;
        let limit = q.limit.clamp(1, 500) as usize;
        let next = if items.len() > limit {
            items.truncate(limit);
            let last = items.last().map(|i| i.id.to_string()).unwrap_or_default();
            Some(position(&rows[limit - 1], l.fts_order, q.sort, last)?)
        } else {
            None
        };
        Ok(Page { items, next })
    }

    pub(crate) async fn child_incidents_impl(&self, parent: IncidentId) -> Result<Vec<Incident>> {
        let rows = select("parent_id = ")
            .bind(parent.to_string())
            .push(" ORDER BY created_at")
            .query()
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
        rows.iter().map(codec::incident).collect()
    }

    pub(crate) async fn merge_impl(
        &self,
        survivor: &Incident,
        sv: i64,
        merged: &Incident,
        mv: i64,
        audit: &[AuditEntry],
    ) -> Result<()> {
        self.merge_observed_impl(survivor, sv, merged, mv, audit, &[])
            .await
    }

    /// A merge that also links `obs` (the merged incident's observables) to the survivor.
    pub(crate) async fn merge_observed_impl(
        &self,
        survivor: &Incident,
        sv: i64,
        merged: &Incident,
        mv: i64,
        audit: &[AuditEntry],
        obs: &[hikeshi_core::observables::NewObservable],
    ) -> Result<()> {
        if merged.merged_into != Some(survivor.id) {
            return Err(Error::Internal(
                "merge: merged record must point at the survivor".into(),
            ));
        }
        let mut tx = self.write.begin().await.map_err(db_err)?;
        Self::update_incident_tx(&mut tx, self.backend, merged, mv).await?;
        Self::update_incident_tx(&mut tx, self.backend, survivor, sv).await?;
        let (from, to) = (merged.id.to_string(), survivor.id.to_string());
        // Report links: move, skipping reports already linked to the survivor.
        Sql::new("DELETE FROM report_incidents WHERE incident_id = ")
            .bind(from.clone())
            .push(" AND report_id IN (SELECT report_id FROM report_incidents WHERE incident_id = ")
            .bind(to.clone())
            .push(")")
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        for (table, col) in [
            ("report_incidents", "incident_id"),
            ("investigations", "incident_id"),
            ("countermeasures", "incident_id"),
            ("entries", "target_id"),
            ("attachments", "target_id"),
        ] {
            Sql::new(&format!("UPDATE {table} SET {col} = "))
                .bind(to.clone())
                .push(&format!(" WHERE {col} = "))
                .bind(from.clone())
                .query()
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        // Children move to the survivor (never the survivor itself) and change version.
        Sql::new("UPDATE incidents SET version = version + 1, parent_id = ")
            .bind(to.clone())
            .push(" WHERE parent_id = ")
            .bind(from.clone())
            .push(" AND id <> ")
            .bind(to.clone())
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        crate::intake_links::add_to_incident(&mut tx, self.backend, survivor.id, obs).await?;
        for a in audit {
            write(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_err)
    }
}
