//! Writing observables in bulk (see `Store::add_observables`). A batch is at most four
//! statements whatever its size, and each takes all its rows as ONE JSON parameter that
//! the database unpacks (`json_each` on SQLite, `jsonb_array_elements` on PostgreSQL): the
//! per-row cost is the database's own, not the driver's per-bind work (sqlx converts and
//! copies every bound value — eight binds a link cost more than the B-tree insert), and the
//! statement text is the same for every batch, so it is prepared once. Value ids and record
//! numbers never travel back: the link insert joins `obs_values` and `obs_records` by key.
//!
//! Record counts stay incremental: a value's `records` grows by the links that are new in
//! the batch, known from one read of the links its records already had (none for new
//! records, the bulk case).

use crate::codec::{R, to_json, us};
use crate::connect::{Backend, db_err};
use crate::sql::Sql;
use hikeshi_core::Result;
use hikeshi_core::observables::{NewObservable, RecordRef, kind_code};
use serde::Serialize;
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

/// Rows per statement: bounds the JSON text (~100 bytes a link) and the memory a statement
/// holds, not the statement count (a batch of 1,000 records × 10 observables is 1 chunk).
const CHUNK: usize = 20_000;

/// One link to write, merged from every mention of the value on the record in the batch.
struct Link<'a> {
    /// Position of the record in the batch (new records are numbered in this order).
    rec: usize,
    kind: i64,
    value: &'a str,
    prefix: Option<i64>,
    common: bool,
    first: i64,
    last: i64,
    sightings: i64,
    tlp: &'static str,
    ioc: bool,
    tags: Vec<String>,
}

/// `FROM <rows of the JSON parameter> j` on each backend, and the expression for column `i`
/// of row `j` (`as_int`: cast to BIGINT on PostgreSQL, where `->>` gives text).
fn rows_from(backend: Backend) -> (&'static str, &'static str) {
    match backend {
        // jsonb_each: each row comes as binary JSON, so `->>` does not parse its text again.
        Backend::Sqlite => ("jsonb_each(", ") j"),
        Backend::Postgres => ("jsonb_array_elements(", "::jsonb) j"),
    }
}

fn col(backend: Backend, i: usize, as_int: bool) -> String {
    match backend {
        Backend::Sqlite => format!("j.value ->> {i}"),
        Backend::Postgres if as_int => format!("(j.value ->> {i})::BIGINT"),
        Backend::Postgres => format!("j.value ->> {i}"),
    }
}

/// `INSERT INTO table (cols) SELECT <exprs> FROM <json rows> [joins] suffix` with the rows
/// bound as one JSON text.
fn insert_json(
    backend: Backend,
    head: &str,
    exprs: &[String],
    joins: &str,
    json: String,
    suffix: &str,
) -> Sql {
    let (open, close) = rows_from(backend);
    let mut s = Sql::new(&format!("{head} SELECT {} FROM {open}", exprs.join(", ")));
    s.bind(json).push(close).push(joins);
    // SQLite: `WHERE true` keeps the parser from reading ON CONFLICT as a join constraint.
    if backend == Backend::Sqlite {
        s.push(" WHERE true");
    }
    s.push(suffix);
    s
}

fn json<T: Serialize>(rows: &T) -> Result<String> {
    serde_json::to_string(rows).map_err(|e| hikeshi_core::Error::Internal(e.to_string()))
}

/// (record id, kind code, value) of the links these records already have.
async fn existing_links(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    ids: &[&str],
) -> Result<HashSet<(String, i64, String)>> {
    let mut out = HashSet::new();
    let (open, close) = rows_from(backend);
    let key = match backend {
        Backend::Sqlite => "j.value",
        Backend::Postgres => "j.value #>> '{}'",
    };
    for chunk in ids.chunks(CHUNK) {
        let mut s = Sql::new(&format!("SELECT r.record_id, v.kind, v.value FROM {open}"));
        s.bind(json(&chunk)?).push(close).push(&format!(
            " JOIN obs_records r ON r.record_id = {key} JOIN obs_links l ON l.record_no = r.no \
             JOIN obs_values v ON v.id = l.value_id"
        ));
        for row in s
            .query_on(backend)
            .fetch_all(&mut **tx)
            .await
            .map_err(db_err)?
        {
            let r = R(&row);
            out.insert((r.s("record_id")?, r.i("kind")?, r.s("value")?));
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
    // Records with observables (an id given twice is one record), and their links merged
    // per (record, value).
    let mut recs: Vec<&RecordRef> = Vec::new();
    let mut rec_at: HashMap<&str, usize> = HashMap::new();
    let mut links: Vec<Link> = Vec::new();
    let mut at: HashMap<(usize, i64, &str), usize> = HashMap::new();
    for (rec, obs) in batch {
        if obs.is_empty() {
            continue;
        }
        let ri = *rec_at.entry(rec.id.as_str()).or_insert_with(|| {
            recs.push(rec);
            recs.len() - 1
        });
        for o in obs {
            let code = kind_code(o.kind);
            let t = us(o.seen_at);
            match at.get(&(ri, code, o.value.as_str())) {
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
                    at.insert((ri, code, o.value.as_str()), links.len());
                    links.push(Link {
                        rec: ri,
                        kind: code,
                        value: o.value.as_str(),
                        prefix: o.prefix,
                        common: o.common,
                        first: t,
                        last: t,
                        sightings: o.sightings.max(1),
                        tlp: o.tlp.as_str(),
                        ioc: o.ioc,
                        tags: o.tags.clone(),
                    });
                }
            }
        }
    }
    if recs.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = recs.iter().map(|r| r.id.as_str()).collect();
    let existing = existing_links(tx, backend, &ids).await?;
    let c = |i: usize, int: bool| col(backend, i, int);
    for chunk in recs.chunks(CHUNK) {
        let rows: Vec<(&str, &str)> = chunk
            .iter()
            .map(|r| (r.id.as_str(), r.kind.as_str()))
            .collect();
        insert_json(
            backend,
            "INSERT INTO obs_records (record_id, kind)",
            &[c(0, false), c(1, false)],
            "",
            json(&rows)?,
            " ON CONFLICT (record_id) DO NOTHING",
        )
        .query_on(backend)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    // Per value: how many of its links are new (what its record count grows by).
    let mut values: Vec<(i64, &str, Option<i64>, i64, i64)> = Vec::new();
    let mut vat: HashMap<(i64, &str), usize> = HashMap::new();
    for l in &links {
        let new = existing.is_empty()
            || !existing.contains(&(recs[l.rec].id.clone(), l.kind, l.value.to_string()));
        let inc = i64::from(new);
        match vat.get(&(l.kind, l.value)) {
            Some(&i) => values[i].3 += inc,
            None => {
                vat.insert((l.kind, l.value), values.len());
                values.push((l.kind, l.value, l.prefix, inc, i64::from(l.common)));
            }
        }
    }
    // Key order: each statement walks the unique index left to right, and new values get
    // ids in that order.
    values.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for chunk in values.chunks(CHUNK) {
        insert_json(
            backend,
            "INSERT INTO obs_values (kind, value, prefix, records, common)",
            &[c(0, true), c(1, false), c(2, true), c(3, true), c(4, true)],
            "",
            json(&chunk)?,
            " ON CONFLICT (kind, value) DO UPDATE SET records = obs_values.records + EXCLUDED.records, \
             common = EXCLUDED.common",
        )
        .query_on(backend)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    // Value order, then record order: close to the primary key's (value id, record number).
    links.sort_unstable_by(|a, b| (a.kind, a.value, a.rec).cmp(&(b.kind, b.value, b.rec)));
    let joins = format!(
        " JOIN obs_values v ON v.kind = {} AND v.value = {} JOIN obs_records r ON r.record_id = {}",
        c(0, true),
        c(1, false),
        c(2, false)
    );
    for chunk in links.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|l| {
                (
                    l.kind,
                    l.value,
                    recs[l.rec].id.as_str(),
                    l.first,
                    l.last,
                    l.sightings,
                    l.tlp,
                    i64::from(l.ioc),
                    tags_col(&l.tags),
                )
            })
            .collect();
        let done = insert_json(
            backend,
            "INSERT INTO obs_links (value_id, record_no, first_seen, last_seen, sightings, tlp, ioc, tags)",
            &[
                "v.id".into(),
                "r.no".into(),
                c(3, true),
                c(4, true),
                c(5, true),
                c(6, false),
                c(7, true),
                c(8, false),
            ],
            &joins,
            json(&rows)?,
            " ON CONFLICT (value_id, record_no) DO UPDATE SET sightings = obs_links.sightings + EXCLUDED.sightings, \
             last_seen = CASE WHEN EXCLUDED.last_seen > obs_links.last_seen THEN EXCLUDED.last_seen ELSE obs_links.last_seen END, \
             ioc = CASE WHEN EXCLUDED.ioc > obs_links.ioc THEN EXCLUDED.ioc ELSE obs_links.ioc END",
        )
        .query_on(backend)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        // Every link found its value and record (both written above in this transaction).
        if done.rows_affected() != chunk.len() as u64 {
            return Err(hikeshi_core::Error::Internal(format!(
                "observable links: {} of {} written",
                done.rows_affected(),
                chunk.len()
            )));
        }
    }
    Ok(())
}

/// Tags as stored: NULL when none (most links), else a JSON list.
pub(crate) fn tags_col(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| to_json(&tags))
}
