//! Incident rows: insert with a per-year reference, versioned update, look-ups, lists, merge.

use crate::audit::{conflict_or_missing, write};
use crate::codec::{self, INCIDENT_COLS};
use crate::connect::{SqlStore, db_err};
use crate::search::{list_sql, new_doc, position, put_doc};
use crate::sql::{Sql, insert, update_versioned};
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

/// Next number in a reference scope ("incident:2026"); never reused, even after a rollback
/// of a later step, because gaps are fine and reuse is not.
pub(crate) async fn next_number(tx: &mut Transaction<'static, Any>, scope: &str) -> Result<i64> {
    let row = Sql::new("INSERT INTO ref_counters (scope, next) VALUES (")
        .bind(scope)
        .push(", 1) ON CONFLICT (scope) DO UPDATE SET next = ref_counters.next + 1 RETURNING next")
        .query()
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    row.try_get::<i64, _>("next").map_err(db_err)
}

pub(crate) fn select(where_: &str) -> Sql {
    Sql::new(&format!(
        "SELECT {} FROM incidents WHERE {where_}",
        INCIDENT_COLS.join(", ")
    ))
}

impl SqlStore {
    pub(crate) async fn insert_incident_impl(
        &self,
        i: &Incident,
        audit: &AuditEntry,
    ) -> Result<Incident> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let year = i.created_at.to_zoned(jiff::tz::TimeZone::UTC).year();
        let n = next_number(&mut tx, &format!("incident:{year}")).await?;
        let mut stored = i.clone();
        stored.reference = format!("{year}-{n:04}");
        insert("incidents", INCIDENT_COLS, codec::incident_vals(&stored))
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        new_doc(&mut tx, self.backend, &stored.id.to_string(), &doc(&stored)).await?;
        let mut a = audit.clone();
        if let Some(o) = a.after.as_mut().and_then(|v| v.as_object_mut()) {
            o.insert("ref".into(), stored.reference.clone().into());
        }
        write(&mut tx, &a).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(stored)
    }

    pub(crate) async fn update_incident_tx(
        tx: &mut Transaction<'static, Any>,
        backend: crate::Backend,
        i: &Incident,
        expected: i64,
    ) -> Result<()> {
        let res = update_versioned(
            "incidents",
            &INCIDENT_COLS[1..],
            codec::incident_vals(i)[1..].to_vec(),
            i.id.to_string(),
            expected,
        )
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        if res.rows_affected() == 0 {
            return Err(conflict_or_missing(tx, "incidents", i.id.to_string()).await);
        }
        put_doc(tx, backend, &i.id.to_string(), &doc(i)).await
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
        let rows = list_sql(self.backend, "incidents", INCIDENT_COLS, vis, q, true)
            .query()
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
        let mut items = rows
            .iter()
            .map(codec::incident)
            .collect::<Result<Vec<_>>>()?;
        let limit = q.limit.clamp(1, 500) as usize;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|i| {
                position(
                    q.sort,
                    i.created_at.as_microsecond(),
                    i.updated_at.as_microsecond(),
                    i.id.to_string(),
                )
            })
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
            ("incidents", "parent_id"),
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
        for a in audit {
            write(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_err)
    }
}
