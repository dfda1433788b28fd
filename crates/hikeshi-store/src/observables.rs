//! Observables: the `obs_values` dictionary (one row per distinct typed value), `obs_records`
//! (a small integer per record) and `obs_links` (one row per value on a record). Writes go in
//! multi-row statements, a few per batch whatever its size, inside the caller's transaction.

use crate::audit::write;
use crate::codec::{R, to_json, us};
use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::{Sql, Val};
use hikeshi_core::Result;
use hikeshi_core::model::*;
use hikeshi_core::observables::{
    Kind, NewObservable, Observable, RecordRef, RecordRefOut, kind_code, kind_from_code,
};
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

/// Rows per multi-row statement (8 columns × 1,000 stays under both backends' bind limits).
const CHUNK: usize = 1_000;

/// `INSERT INTO table (cols) VALUES (…), (…) suffix` over rows of values.
fn multi(table: &str, cols: &[&str], rows: Vec<Vec<Val>>, suffix: &str) -> Sql {
    let mut s = Sql::new(&format!(
        "INSERT INTO {table} ({}) VALUES ",
        cols.join(", ")
    ));
    for (i, row) in rows.into_iter().enumerate() {
        s.push(if i == 0 { "(" } else { ", (" });
        for (j, v) in row.into_iter().enumerate() {
            if j > 0 {
                s.push(", ");
            }
            s.bind(v);
        }
        s.push(")");
    }
    s.push(suffix);
    s
}

fn kind_name(k: TargetKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One link to write, merged from every mention of the value on the record in the batch.
struct Link {
    record_no: i64,
    kind: i64,
    value: String,
    prefix: Option<i64>,
    common: bool,
    first: i64,
    last: i64,
    sightings: i64,
    tlp: String,
    ioc: bool,
    tags: Vec<String>,
}

/// The record numbers of these records, allocating the missing ones.
async fn record_numbers(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    records: &[&RecordRef],
) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for chunk in records.chunks(CHUNK) {
        let rows = chunk
            .iter()
            .map(|r| vec![r.id.clone().into(), kind_name(r.kind).into()])
            .collect();
        multi(
            "obs_records",
            &["record_id", "kind"],
            rows,
            " ON CONFLICT (record_id) DO NOTHING",
        )
        .query_on(backend)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        let found = Sql::new("SELECT no, record_id FROM obs_records WHERE record_id IN ")
            .bind_list(chunk.iter().map(|r| r.id.clone()))
            .query_on(backend)
            .fetch_all(&mut **tx)
            .await
            .map_err(db_err)?;
        for row in &found {
            let r = R(row);
            out.insert(r.s("record_id")?, r.i("no")?);
        }
    }
    Ok(out)
}

/// (record number, kind code, value) of the links these records already have.
async fn existing_links(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    nos: &[i64],
) -> Result<HashSet<(i64, i64, String)>> {
    let mut out = HashSet::new();
    for chunk in nos.chunks(CHUNK) {
        let mut s = Sql::new(
            "SELECT l.record_no, v.kind, v.value FROM obs_links l JOIN obs_values v ON v.id = l.value_id WHERE l.record_no IN (",
        );
        for (i, n) in chunk.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.bind(*n);
        }
        s.push(")");
        for row in s
            .query_on(backend)
            .fetch_all(&mut **tx)
            .await
            .map_err(db_err)?
        {
            let r = R(&row);
            out.insert((r.i("record_no")?, r.i("kind")?, r.s("value")?));
        }
    }
    Ok(out)
}

/// Links the observables of each record in the batch (see `Store::add_observables`).
pub(crate) async fn add_tx(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    batch: &[(RecordRef, Vec<NewObservable>)],
) -> Result<()> {
    let records: Vec<&RecordRef> = batch
        .iter()
        .filter(|(_, o)| !o.is_empty())
        .map(|(r, _)| r)
        .collect();
    if records.is_empty() {
        return Ok(());
    }
    let nos = record_numbers(tx, backend, &records).await?;
    // Merge mentions per (record, value).
    let mut links: Vec<Link> = Vec::new();
    let mut at: HashMap<(i64, i64, &str), usize> = HashMap::new();
    for (rec, obs) in batch {
        let Some(&no) = nos.get(&rec.id) else {
            continue;
        };
        for o in obs {
            let code = kind_code(o.kind);
            let t = us(o.seen_at);
            match at.get(&(no, code, o.value.as_str())) {
                Some(&i) => {
                    let l = &mut links[i];
                    l.first = l.first.min(t);
                    l.last = l.last.max(t);
                    l.sightings += o.sightings;
                    l.ioc |= o.ioc;
                    for tag in &o.tags {
                        if !l.tags.contains(tag) {
                            l.tags.push(tag.clone());
                        }
                    }
                }
                None => {
                    at.insert((no, code, o.value.as_str()), links.len());
                    links.push(Link {
                        record_no: no,
                        kind: code,
                        value: o.value.clone(),
                        prefix: o.prefix,
                        common: o.common,
                        first: t,
                        last: t,
                        sightings: o.sightings.max(1),
                        tlp: o.tlp.as_str().to_string(),
                        ioc: o.ioc,
                        tags: o.tags.clone(),
                    });
                }
            }
        }
    }
    let mut no_list: Vec<i64> = nos.values().copied().collect();
    no_list.sort_unstable();
    let existing = existing_links(tx, backend, &no_list).await?;
    // New links per value: what its record count grows by.
    let mut values: Vec<(i64, &str, Option<i64>, bool, i64)> = Vec::new();
    let mut vat: HashMap<(i64, &str), usize> = HashMap::new();
    for l in &links {
        let new = !existing.contains(&(l.record_no, l.kind, l.value.clone()));
        let inc = i64::from(new);
        match vat.get(&(l.kind, l.value.as_str())) {
            Some(&i) => values[i].4 += inc,
            None => {
                vat.insert((l.kind, l.value.as_str()), values.len());
                values.push((l.kind, l.value.as_str(), l.prefix, l.common, inc));
            }
        }
    }
    // Key order: each statement walks the unique index left to right.
    values.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut ids: HashMap<(i64, String), i64> = HashMap::new();
    for chunk in values.chunks(CHUNK) {
        let rows = chunk
            .iter()
            .map(|(k, v, p, c, inc)| {
                vec![
                    (*k).into(),
                    (*v).into(),
                    (*p).into(),
                    (*inc).into(),
                    i64::from(*c).into(),
                ]
            })
            .collect();
        let found = multi(
            "obs_values",
            &["kind", "value", "prefix", "records", "common"],
            rows,
            " ON CONFLICT (kind, value) DO UPDATE SET records = obs_values.records + EXCLUDED.records, \
             common = EXCLUDED.common RETURNING id, kind, value",
        )
        .query_on(backend)
        .fetch_all(&mut **tx)
        .await
        .map_err(db_err)?;
        for row in &found {
            let r = R(row);
            ids.insert((r.i("kind")?, r.s("value")?), r.i("id")?);
        }
    }
    let mut keyed: Vec<(i64, &Link)> = Vec::with_capacity(links.len());
    for l in &links {
        let Some(&vid) = ids.get(&(l.kind, l.value.clone())) else {
            return Err(hikeshi_core::Error::Internal(
                "observable value without id".into(),
            ));
        };
        keyed.push((vid, l));
    }
    // Primary-key order for the link inserts.
    keyed.sort_unstable_by_key(|(vid, l)| (*vid, l.record_no));
    for chunk in keyed.chunks(CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for &(vid, l) in chunk {
            rows.push(vec![
                vid.into(),
                l.record_no.into(),
                l.first.into(),
                l.last.into(),
                l.sightings.into(),
                l.tlp.clone().into(),
                i64::from(l.ioc).into(),
                tags_col(&l.tags).into(),
            ]);
        }
        multi(
            "obs_links",
            LINK_COLS,
            rows,
            " ON CONFLICT (value_id, record_no) DO UPDATE SET sightings = obs_links.sightings + EXCLUDED.sightings, \
             last_seen = CASE WHEN EXCLUDED.last_seen > obs_links.last_seen THEN EXCLUDED.last_seen ELSE obs_links.last_seen END, \
             ioc = CASE WHEN EXCLUDED.ioc > obs_links.ioc THEN EXCLUDED.ioc ELSE obs_links.ioc END",
        )
        .query_on(backend)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

const LINK_COLS: &[&str] = &[
    "value_id",
    "record_no",
    "first_seen",
    "last_seen",
    "sightings",
    "tlp",
    "ioc",
    "tags",
];

/// Tags as stored: NULL when none (most links), else a JSON list.
fn tags_col(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| to_json(&tags))
}

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
        let mut tx = self.write.begin().await.map_err(db_err)?;
        add_tx(&mut tx, self.backend, batch).await?;
        for a in audit {
            write(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn insert_report_observed_impl(
        &self,
        r: &Report,
        obs: &[NewObservable],
        audit: &AuditEntry,
    ) -> Result<Report> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let stored = crate::reports::insert_report_tx(&mut tx, self.backend, r).await?;
        let rec = RecordRef {
            kind: TargetKind::Report,
            id: stored.id.to_string(),
        };
        add_tx(&mut tx, self.backend, &[(rec, obs.to_vec())]).await?;
        write(
            &mut tx,
            &crate::incidents::with_ref(audit, &stored.reference),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(stored)
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

impl SqlStore {
    pub(crate) async fn insert_mail_report_observed_impl(
        &self,
        r: &Report,
        m: &MailMeta,
        files: &[(Attachment, Vec<u8>)],
        obs: &[NewObservable],
        audit: &AuditEntry,
    ) -> Result<Report> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let stored = crate::reports::insert_report_tx(&mut tx, self.backend, r).await?;
        let id = stored.id.to_string();
        crate::mail::put_meta(&mut tx, &id, m).await?;
        crate::mail::put_files(&mut tx, files).await?;
        let rec = RecordRef {
            kind: TargetKind::Report,
            id,
        };
        add_tx(&mut tx, self.backend, &[(rec, obs.to_vec())]).await?;
        write(
            &mut tx,
            &crate::incidents::with_ref(audit, &stored.reference),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(stored)
    }
}
