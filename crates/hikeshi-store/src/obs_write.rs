//! Writing observables in bulk (see `Store::add_observables`). A batch is a handful of
//! statements whatever its size, and each takes all its rows as ONE JSON parameter that
//! the database unpacks (`jsonb_each` on SQLite, `jsonb_array_elements` on PostgreSQL): the
//! per-row cost is the database's own, not the driver's per-bind work (sqlx converts and
//! copies every bound value — eight binds a link cost more than the B-tree insert), and the
//! statement text is the same for every batch, so it is prepared once.
//!
//! Record numbers and value ids come back from their inserts (`RETURNING`), so each link
//! is written as two integers in (value id, record number) order — the primary key's — with
//! no look-up of a value or record by its text: at 10⁷ observables those index probes were
//! the largest cost of the write.
//!
//! Record counts stay incremental: a value's `records` grows by the links that are new in
//! the batch, known from one read of the links its records already had (none for new
//! records, the bulk case).

use crate::codec::{R, to_json, us};
use crate::connect::{Backend, db_err};
use crate::sql::Sql;
use hikeshi_core::Result;
use hikeshi_core::observables::{NewObservable, RecordRef, kind_code};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use sqlx::{Any, Transaction};

/// Rows per statement: bounds the JSON text (~40 bytes a link) and the memory a statement
/// holds, not the statement count. Chunks of a batch are pipelined: the next one's JSON is
/// built while the database writes the current one.
const CHUNK: usize = 100_000;

/// One link to write, merged from every mention of the value on the record in the batch.
struct Link<'a> {
    /// Position of the record in the batch.
    rec: usize,
    /// Position of the value in the batch's distinct values.
    val: usize,
    first: i64,
    last: i64,
    sightings: i64,
    tlp: &'static str,
    ioc: bool,
    tags: Vec<&'a str>,
}

/// One distinct value of the batch.
struct Value<'a> {
    kind: i64,
    value: &'a str,
    prefix: Option<i64>,
    common: bool,
    /// Links new in this batch (what its record count grows by).
    new_links: i64,
}

/// A batch merged: records (an id given twice is one record), distinct values, and one link
/// per (record, value) with every mention folded in.
#[derive(Default)]
struct Merged<'a> {
    recs: Vec<&'a RecordRef>,
    values: Vec<Value<'a>>,
    links: Vec<Link<'a>>,
}

fn merge(batch: &[(RecordRef, Vec<NewObservable>)]) -> Merged<'_> {
    let mut m = Merged::default();
    let mut rec_at: FxHashMap<&str, usize> = FxHashMap::default();
    let mut val_at: FxHashMap<(i64, &str), usize> = FxHashMap::default();
    let mut link_at: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    for (rec, obs) in batch {
        if obs.is_empty() {
            continue;
        }
        let ri = *rec_at.entry(rec.id.as_str()).or_insert_with(|| {
            m.recs.push(rec);
            m.recs.len() - 1
        });
        for o in obs {
            let kind = kind_code(o.kind);
            let vi = *val_at.entry((kind, o.value.as_str())).or_insert_with(|| {
                m.values.push(Value {
                    kind,
                    value: o.value.as_str(),
                    prefix: o.prefix,
                    common: o.common,
                    new_links: 0,
                });
                m.values.len() - 1
            });
            let t = us(o.seen_at);
            match link_at.get(&(ri, vi)) {
                Some(&i) => {
                    let l = &mut m.links[i];
                    l.first = l.first.min(t);
                    l.last = l.last.max(t);
                    l.sightings += o.sightings;
                    l.ioc |= o.ioc;
                    for tag in &o.tags {
                        if !l.tags.contains(&tag.as_str()) {
                            l.tags.push(tag);
                        }
                    }
                }
                None => {
                    link_at.insert((ri, vi), m.links.len());
                    m.links.push(Link {
                        rec: ri,
                        val: vi,
                        first: t,
                        last: t,
                        sightings: o.sightings.max(1),
                        tlp: o.tlp.as_str(),
                        ioc: o.ioc,
                        tags: o.tags.iter().map(String::as_str).collect(),
                    });
                }
            }
        }
    }
    m
}

/// `FROM <rows of the JSON parameter> j` on each backend, and the expression for column `i`
/// of row `j` (`as_int`: cast to BIGINT on PostgreSQL, where `->>` gives text).
fn rows_from(backend: Backend) -> (&'static str, &'static str) {
    match backend {
        // jsonb_each: each row comes as binary JSON, so `->>` does not parse its text again.
        Backend::Sqlite => ("jsonb_each(", ") j"),
        Backend::Postgres => (
            "jsonb_array_elements(",
            "::jsonb) WITH ORDINALITY j(value, ord)",
        ),
    }
}

fn col(backend: Backend, i: usize, as_int: bool) -> String {
    match backend {
        Backend::Sqlite => format!("j.value ->> {i}"),
        Backend::Postgres if as_int => format!("(j.value ->> {i})::BIGINT"),
        Backend::Postgres => format!("j.value ->> {i}"),
    }
}

/// The element itself, for a JSON array of scalars.
fn elem(backend: Backend, as_int: bool) -> &'static str {
    match backend {
        Backend::Sqlite => "j.value",
        Backend::Postgres if as_int => "(j.value #>> '{}')::BIGINT",
        Backend::Postgres => "j.value #>> '{}'",
    }
}

/// `head SELECT <exprs> FROM <json rows> [joins] suffix` with the rows bound as one JSON text.
fn select_json(
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
    if backend == Backend::Sqlite && head.starts_with("INSERT") {
        s.push(" WHERE true");
    }
    s.push(suffix);
    s
}

/// A chunk's rows as JSON, in a buffer sized up front (~48 bytes a row: growing a string of
/// tens of megabytes copies it again at every doubling).
fn json_rows<T: Serialize>(rows: &[T]) -> Result<String> {
    let mut buf = Vec::with_capacity(rows.len() * 48 + 2);
    serde_json::to_writer(&mut buf, rows).map_err(|e| internal(e.to_string()))?;
    String::from_utf8(buf).map_err(|e| internal(e.to_string()))
}

fn internal(what: String) -> hikeshi_core::Error {
    hikeshi_core::Error::Internal(what)
}

/// For each row of `json` in order, the integer `expr` found by `join` (NULL where it finds
/// none), read as ONE result row holding a JSON array. A statement answering row by row
/// costs a hand-off between the SQLite worker thread and the caller per row: reading 270,000
/// value ids back through `RETURNING` took longer than inserting the values.
async fn in_order(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    expr: &str,
    join: &str,
    json: String,
    rows: usize,
) -> Result<Vec<Option<i64>>> {
    let (open, close) = rows_from(backend);
    let head = match backend {
        Backend::Sqlite => {
            format!("SELECT json_group_array({expr} ORDER BY j.key) AS a FROM {open}")
        }
        Backend::Postgres => {
            format!("SELECT COALESCE(json_agg({expr} ORDER BY j.ord), '[]')::TEXT AS a FROM {open}")
        }
    };
    let mut s = Sql::new(&head);
    s.bind(json).push(close).push(join);
    let row = s
        .into_query_on(backend)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    let out: Vec<Option<i64>> =
        serde_json::from_str(&R(&row).s("a")?).map_err(|e| internal(e.to_string()))?;
    if out.len() != rows {
        return Err(internal(format!("{expr}: {} of {rows} rows", out.len())));
    }
    Ok(out)
}

/// The record number of each record (NULL for those without one yet).
async fn record_nos(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    ids: &[&str],
) -> Result<Vec<Option<i64>>> {
    let join = format!(
        " LEFT JOIN obs_records r ON r.record_id = {}",
        elem(backend, false)
    );
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        out.extend(in_order(tx, backend, "r.no", &join, json_rows(chunk)?, chunk.len()).await?);
    }
    Ok(out)
}

/// (record number, kind code, value) of the links these records already have.
async fn existing_links(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    nos: &[i64],
) -> Result<FxHashSet<(i64, i64, String)>> {
    let mut out = FxHashSet::default();
    let join = format!(
        " JOIN obs_links l ON l.record_no = {} JOIN obs_values v ON v.id = l.value_id",
        elem(backend, true)
    );
    for chunk in nos.chunks(CHUNK) {
        let s = select_json(
            backend,
            "",
            &["l.record_no".into(), "v.kind".into(), "v.value".into()],
            &join,
            json_rows(chunk)?,
            "",
        );
        for row in s
            .into_query_on(backend)
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
    let started = std::time::Instant::now();
    let ms = |t: std::time::Instant| t.elapsed().as_millis() as u64;
    let Merged {
        recs,
        mut values,
        mut links,
    } = merge(batch);
    if recs.is_empty() {
        return Ok(());
    }
    let merged_ms = ms(started);
    let (nos, existing) = number_records(tx, backend, &recs).await?;
    let records_ms = ms(started);
    // Per value: how many of its links are new.
    for l in &links {
        let v = &values[l.val];
        let new =
            existing.is_empty() || !existing.contains(&(nos[l.rec], v.kind, v.value.to_string()));
        values[l.val].new_links += i64::from(new);
    }
    let vids = write_values(tx, backend, &values).await?;
    let values_ms = ms(started);
    write_links(tx, backend, &mut links, &vids, &nos).await?;
    tracing::debug!(
        links = links.len(),
        values = values.len(),
        records = recs.len(),
        merged_ms,
        records_ms,
        values_ms,
        total_ms = ms(started),
        "observables written (times since start)"
    );
    Ok(())
}

/// Every id found, or an internal error naming what was missing.
fn all_found(ids: Vec<Option<i64>>, what: &str) -> Result<Vec<i64>> {
    ids.into_iter()
        .map(|id| id.ok_or_else(|| internal(format!("observable {what} without an id"))))
        .collect()
}

/// The number of each record (new ones numbered here), and the links that the records
/// which already had a number have: (record number, kind code, value).
async fn number_records(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    recs: &[&RecordRef],
) -> Result<(Vec<i64>, FxHashSet<(i64, i64, String)>)> {
    let c = |i: usize, int: bool| col(backend, i, int);
    let ids: Vec<&str> = recs.iter().map(|r| r.id.as_str()).collect();
    let mut nos = record_nos(tx, backend, &ids).await?;
    let known: Vec<i64> = nos.iter().flatten().copied().collect();
    let existing = if known.is_empty() {
        FxHashSet::default()
    } else {
        existing_links(tx, backend, &known).await?
    };
    let fresh: Vec<usize> = (0..recs.len()).filter(|&i| nos[i].is_none()).collect();
    for chunk in fresh.chunks(CHUNK) {
        let rows: Vec<(&str, &str)> = chunk
            .iter()
            .map(|&i| (recs[i].id.as_str(), recs[i].kind.as_str()))
            .collect();
        select_json(
            backend,
            "INSERT INTO obs_records (record_id, kind)",
            &[c(0, false), c(1, false)],
            "",
            json_rows(&rows)?,
            " ON CONFLICT (record_id) DO NOTHING",
        )
        .into_query_on(backend)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        // Read back rather than RETURNING: on PostgreSQL a record another transaction
        // numbered meanwhile is not returned by an insert that did nothing.
        let ids: Vec<&str> = chunk.iter().map(|&i| ids[i]).collect();
        for (&i, no) in chunk.iter().zip(record_nos(tx, backend, &ids).await?) {
            nos[i] = no;
        }
    }
    Ok((all_found(nos, "record")?, existing))
}

/// Upserts the values in key order (the statement walks the unique index left to right,
/// and new values get ids in that order), then reads their ids back in that order.
async fn write_values(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    values: &[Value<'_>],
) -> Result<Vec<i64>> {
    let c = |i: usize, int: bool| col(backend, i, int);
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        (values[a].kind, values[a].value).cmp(&(values[b].kind, values[b].value))
    });
    let mut vids: Vec<Option<i64>> = vec![None; values.len()];
    let value_rows = |chunk: &[usize]| {
        let rows: Vec<_> = chunk
            .iter()
            .map(|&i| {
                let v = &values[i];
                (v.kind, v.value, v.prefix, v.new_links, i64::from(v.common))
            })
            .collect();
        json_rows(&rows)
    };
    let find = format!(
        " LEFT JOIN obs_values v ON v.kind = {} AND v.value = {}",
        c(0, true),
        c(1, false)
    );
    let chunks: Vec<&[usize]> = order.chunks(CHUNK).collect();
    let mut next = chunks.first().map(|c| value_rows(c)).transpose()?;
    for (k, chunk) in chunks.iter().enumerate() {
        let Some(rows) = next.take() else { break };
        let statement = select_json(
            backend,
            "INSERT INTO obs_values (kind, value, prefix, records, common)",
            &[c(0, true), c(1, false), c(2, true), c(3, true), c(4, true)],
            "",
            rows.clone(),
            " ON CONFLICT (kind, value) DO UPDATE SET records = obs_values.records + EXCLUDED.records, \
             common = EXCLUDED.common",
        );
        // The next chunk's JSON is built while the database writes this one.
        let (done, following) =
            tokio::join!(statement.into_query_on(backend).execute(&mut **tx), async {
                chunks.get(k + 1).map(|c| value_rows(c)).transpose()
            });
        done.map_err(db_err)?;
        next = following?;
        for (&i, id) in chunk
            .iter()
            .zip(in_order(tx, backend, "v.id", &find, rows, chunk.len()).await?)
        {
            vids[i] = id;
        }
    }
    all_found(vids, "value")
}

/// Writes the links in primary-key order, most as two integers (see [`LinkJob`]).
async fn write_links(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    links: &mut [Link<'_>],
    vids: &[i64],
    nos: &[i64],
) -> Result<()> {
    links.sort_unstable_by_key(|l| (vids[l.val], nos[l.rec]));
    let common = common_attributes(links);
    let (pairs, full): (Vec<&Link>, Vec<&Link>) = links
        .iter()
        .partition(|l| l.tags.is_empty() && Some(attributes(l)) == common);
    let pairs: Vec<(i64, i64)> = pairs.iter().map(|l| (vids[l.val], nos[l.rec])).collect();
    let mut jobs: Vec<LinkJob> = Vec::new();
    if let Some(common) = common {
        jobs.extend(pairs.chunks(CHUNK).map(|p| LinkJob::Pairs(p, common)));
    }
    jobs.extend(full.chunks(CHUNK).map(LinkJob::Full));
    let build = |job: &LinkJob| job.statement(backend, vids, nos);
    let mut next = jobs.first().map(build).transpose()?;
    for k in 0..jobs.len() {
        let Some(statement) = next.take() else { break };
        // The next chunk's JSON is built while the database writes this one.
        let (done, following) =
            tokio::join!(statement.into_query_on(backend).execute(&mut **tx), async {
                jobs.get(k + 1).map(build).transpose()
            });
        next = following?;
        let done = done.map_err(db_err)?;
        if done.rows_affected() != jobs[k].len() as u64 {
            return Err(internal(format!(
                "observable links: {} of {} written",
                done.rows_affected(),
                jobs[k].len()
            )));
        }
    }
    Ok(())
}

/// A link's attributes other than its tags: first seen, last seen, sightings, TLP, IOC.
type Attributes = (i64, i64, i64, &'static str, bool);

fn attributes(l: &Link) -> Attributes {
    (l.first, l.last, l.sightings, l.tlp, l.ioc)
}

/// The attributes most untagged links of the batch share (a report's observables are all
/// seen at once, under the report's TLP, mostly once each).
fn common_attributes(links: &[Link]) -> Option<Attributes> {
    let mut count: FxHashMap<Attributes, usize> = FxHashMap::default();
    for l in links.iter().filter(|l| l.tags.is_empty()) {
        *count.entry(attributes(l)).or_default() += 1;
    }
    count.into_iter().max_by_key(|(_, n)| *n).map(|(a, _)| a)
}

const LINK_COLUMNS: &str =
    "INSERT INTO obs_links (value_id, record_no, first_seen, last_seen, sightings, tlp, ioc, tags)";
const LINK_CONFLICT: &str = " ON CONFLICT (value_id, record_no) DO UPDATE SET sightings = obs_links.sightings + EXCLUDED.sightings, \
     last_seen = CASE WHEN EXCLUDED.last_seen > obs_links.last_seen THEN EXCLUDED.last_seen ELSE obs_links.last_seen END, \
     ioc = CASE WHEN EXCLUDED.ioc > obs_links.ioc THEN EXCLUDED.ioc ELSE obs_links.ioc END";

/// One statement's worth of links: `Pairs`, (value id, record number) pairs sharing the
/// batch's common attributes, bound once (each JSON field a row costs an extraction: eight
/// a link took more time than the B-tree inserts); `Full`, the others with all their fields.
enum LinkJob<'a, 'b> {
    Pairs(&'b [(i64, i64)], Attributes),
    Full(&'b [&'b Link<'a>]),
}

impl LinkJob<'_, '_> {
    fn len(&self) -> usize {
        match self {
            LinkJob::Pairs(p, _) => p.len(),
            LinkJob::Full(f) => f.len(),
        }
    }

    fn statement(&self, backend: Backend, vids: &[i64], nos: &[i64]) -> Result<Sql> {
        let c = |i: usize, int: bool| col(backend, i, int);
        match self {
            LinkJob::Pairs(pairs, (first, last, sightings, tlp, ioc)) => {
                let (open, close) = rows_from(backend);
                let mut s = Sql::new(&format!(
                    "{LINK_COLUMNS} SELECT {}, {}, ",
                    c(0, true),
                    c(1, true)
                ));
                s.bind(*first)
                    .push(", ")
                    .bind(*last)
                    .push(", ")
                    .bind(*sightings)
                    .push(", ")
                    .bind(*tlp)
                    .push(", ")
                    .bind(i64::from(*ioc))
                    .push(&format!(", NULL FROM {open}"))
                    .bind(json_rows(pairs)?)
                    .push(close);
                if backend == Backend::Sqlite {
                    s.push(" WHERE true");
                }
                s.push(LINK_CONFLICT);
                Ok(s)
            }
            LinkJob::Full(links) => {
                let rows: Vec<_> = links
                    .iter()
                    .map(|l| {
                        (
                            vids[l.val],
                            nos[l.rec],
                            l.first,
                            l.last,
                            l.sightings,
                            l.tlp,
                            i64::from(l.ioc),
                            tags_col(&l.tags),
                        )
                    })
                    .collect();
                let exprs: Vec<String> = [
                    (0, true),
                    (1, true),
                    (2, true),
                    (3, true),
                    (4, true),
                    (5, false),
                    (6, true),
                    (7, false),
                ]
                .iter()
                .map(|&(i, int)| c(i, int))
                .collect();
                Ok(select_json(
                    backend,
                    LINK_COLUMNS,
                    &exprs,
                    "",
                    json_rows(&rows)?,
                    LINK_CONFLICT,
                ))
            }
        }
    }
}

/// Links per batch from which the SQLite writer's page cache is widened for the batch.
const BULK_LINKS: usize = 50_000;
/// Page cache per link of a bulk batch, and at most (KiB).
const BULK_CACHE_KIB_PER_LINK: i64 = 1;
const BULK_CACHE_KIB_MAX: i64 = 1 << 20;

/// SQLite, a batch of at least [`BULK_LINKS`] links: widens the writer's page cache to about
/// 1 KiB a link (at most 1 GiB) for the batch, and returns the size to go back to (KiB).
///
/// A bulk batch inserts into the value index and the link table at random places. With the
/// server's 16 MB cache each batch re-reads and re-writes most of their pages, and at 10⁷
/// observables those tables are ~700 MB: ingest ran at 74,000/s with 1M-link batches,
/// 84,500/s with a 256 MB cache and 94,000/s with 1 GB (same build, same data).
pub(crate) async fn widen_cache(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    links: usize,
) -> Result<Option<i64>> {
    if backend != Backend::Sqlite || links < BULK_LINKS {
        return Ok(None);
    }
    let row = sqlx::query("PRAGMA cache_size")
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    let now: i64 = sqlx::Row::try_get(&row, 0).map_err(db_err)?;
    // Negative: KiB; positive: pages (of 4 KiB here).
    let now_kib = if now < 0 { -now } else { now * 4 };
    let want = (links as i64 * BULK_CACHE_KIB_PER_LINK).min(BULK_CACHE_KIB_MAX);
    if want <= now_kib {
        return Ok(None);
    }
    cache_kib(&mut **tx, want).await?;
    Ok(Some(now_kib))
}

/// Back to the writer's own cache size after a bulk batch (frees the pages above it). A
/// failure is logged: the batch is committed or rolled back already.
pub(crate) async fn narrow_cache(pool: &sqlx::Pool<Any>, kib: i64) {
    if let Err(e) = cache_kib(pool, kib).await {
        tracing::warn!(error = %e, "restoring the writer page cache");
    }
}

async fn cache_kib<'e, E: sqlx::Executor<'e, Database = Any>>(e: E, kib: i64) -> Result<()> {
    // An integer formatted by us: nothing from outside reaches the statement text.
    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{kib}")))
        .execute(e)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Tags as stored: NULL when none (most links), else a JSON list.
pub(crate) fn tags_col<S: AsRef<str> + Serialize>(tags: &[S]) -> Option<String> {
    (!tags.is_empty()).then(|| to_json(&tags))
}
