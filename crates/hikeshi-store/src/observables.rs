//! Observables: the `obs_values` dictionary (one row per distinct typed value), `obs_records`
//! (a small integer per record) and `obs_links` (one row per value on a record). Bulk writes
//! are in `obs_write.rs` (a few statements per batch whatever its size, inside the caller's
//! transaction); reads, updates and deletes of single observables here.

use crate::audit::write;
use crate::codec::R;
use crate::connect::{SqlStore, db_err};
/// The bulk write path (callers such as `triage.rs` reach it here).
pub(crate) use crate::obs_write::add_tx;
use crate::obs_write::{narrow_cache, tags_col, widen_cache};
use crate::sql::Sql;
use hikeshi_core::Result;
use hikeshi_core::model::*;
use hikeshi_core::observables::{
    Kind, NewObservable, Observable, RecordRef, RecordRefOut, kind_from_code,
};

/// The select list for [`observable`] rows.
pub(crate) const OBS_SELECT: &str = "SELECT r.no, r.kind AS record_kind, r.record_id, l.value_id, v.kind, v.value, \
     v.prefix, v.records, v.common, l.first_seen, l.last_seen, l.sightings, l.tlp, l.ioc, l.tags \
     FROM obs_links l JOIN obs_records r ON r.no = l.record_no JOIN obs_values v ON v.id = l.value_id";

pub(crate) fn observable(row: &sqlx::any::AnyRow) -> Result<Observable> {
    let r = R(row);
    let no = r.i("no")?;
    let vid = r.i("value_id")?;
    let kind: Kind = kind_from_code(r.i("kind")?)
        .ok_or_else(|| hikeshi_core::Error::Internal("corrupt column obs_values.kind".into()))?;
    let tags = match r.os("tags")? {
        Some(_) => r.json("tags")?,
        None => vec![],
    };
    Ok(Observable {
        id: format!("{no}-{vid}"),
        value_id: vid,
        record: RecordRefOut {
            kind: r.s("record_kind")?,
            id: r.s("record_id")?,
        },
        kind: kind.as_str().to_string(),
        value: r.s("value")?,
        first_seen: r.t("first_seen")?,
        last_seen: r.t("last_seen")?,
        sightings: r.i("sightings")?,
        tlp: r.e("tlp", Tlp::parse_field)?,
        ioc: r.b("ioc")?,
        tags,
        warning_listed: r.b("common")?,
        prefix: r.oi("prefix")?,
        records: r.i("records")?,
    })
}

/// `{record number}-{value id}` → the two numbers.
fn split_id(id: &str) -> Option<(i64, i64)> {
    let (a, b) = id.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

impl SqlStore {
    pub(crate) async fn add_observables_impl(
        &self,
        batch: &[(RecordRef, Vec<NewObservable>)],
        audit: &[AuditEntry],
    ) -> Result<()> {
        let links = batch.iter().map(|(_, o)| o.len()).sum();
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let restore = widen_cache(&mut tx, self.backend, links).await?;
        let done = async {
            add_tx(&mut tx, self.backend, batch).await?;
            for a in audit {
                write(&mut tx, a).await?;
            }
            let t = std::time::Instant::now();
            tx.commit().await.map_err(db_err)?;
            tracing::debug!(ms = t.elapsed().as_millis() as u64, "observables committed");
            Ok(())
        }
        .await;
        if let Some(kib) = restore {
            narrow_cache(&self.write, kib).await;
        }
        done
    }

    pub(crate) async fn observables_of_impl(&self, record_id: &str) -> Result<Vec<Observable>> {
        let rows = Sql::new(OBS_SELECT)
            .push(" WHERE r.record_id = ")
            .bind(record_id)
            .push(" ORDER BY v.kind, v.value")
            .query()
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
        rows.iter().map(observable).collect()
    }

    pub(crate) async fn get_observable_impl(&self, id: &str) -> Result<Option<Observable>> {
        let Some((no, vid)) = split_id(id) else {
            return Ok(None);
        };
        let row = Sql::new(OBS_SELECT)
            .push(" WHERE l.record_no = ")
            .bind(no)
            .push(" AND l.value_id = ")
            .bind(vid)
            .query()
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        row.as_ref().map(observable).transpose()
    }

    pub(crate) async fn update_observable_impl(
        &self,
        o: &Observable,
        audit: &AuditEntry,
    ) -> Result<()> {
        let (no, vid) = split_id(&o.id).ok_or(hikeshi_core::Error::NotFound)?;
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let done = Sql::new("UPDATE obs_links SET tlp = ")
            .bind(o.tlp.as_str())
            .push(", ioc = ")
            .bind(i64::from(o.ioc))
            .push(", tags = ")
            .bind(tags_col(&o.tags))
            .push(" WHERE record_no = ")
            .bind(no)
            .push(" AND value_id = ")
            .bind(vid)
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(hikeshi_core::Error::NotFound);
        }
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn delete_observable_impl(
        &self,
        o: &Observable,
        audit: &AuditEntry,
    ) -> Result<()> {
        let (no, vid) = split_id(&o.id).ok_or(hikeshi_core::Error::NotFound)?;
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let done = Sql::new("DELETE FROM obs_links WHERE record_no = ")
            .bind(no)
            .push(" AND value_id = ")
            .bind(vid)
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(hikeshi_core::Error::NotFound);
        }
        Sql::new("UPDATE obs_values SET records = records - 1 WHERE id = ")
            .bind(vid)
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }
}
