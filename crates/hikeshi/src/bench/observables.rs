//! `hikeshi bench observables`: bulk observable ingest, "seen before" look-ups, constituency
//! look-ups over 100,000 netblocks and extraction throughput, each printed beside a baseline
//! measured in the same run (these machines are noisy). Prints JSON.
//!
//! Data: `--observables` links over `--reports` records, 10 kinds of values drawn from a
//! skewed pool (a few values on thousands of records, most on one or two), IPv4 spread over
//! 45.0.0.0–79.255.255.255. The first `--real-reports` records are real reports (made
//! through the use case), the rest are record ids only: look-ups read their links and ask
//! the reports table for them like any other (the visibility read costs the same).

use super::cpu_secs;
use crate::commands::app;
use anyhow::Result;
use clap::Args;
use hikeshi_core::app::NewReport;
use hikeshi_core::ids::{ConstituencyId, ReportId};
use hikeshi_core::model::{Constituency, Lang, TargetKind, Tlp};
use hikeshi_core::observables::{Kind, NewObservable, RecordRef, WarningList};
use hikeshi_core::routing::RoutingTable;
use hikeshi_store::{Options, SqlStore};
use serde_json::json;
use std::collections::HashMap;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ObservablesArgs {
    /// Observables (value-on-record links) to ingest.
    #[arg(long, default_value_t = 1_000_000)]
    pub observables: u64,
    /// Records they are spread over.
    #[arg(long, default_value_t = 100_000)]
    pub reports: u64,
    /// Records that are real reports (made through the use case).
    #[arg(long = "real-reports", default_value_t = 1_000)]
    pub real_reports: u64,
    /// Records per ingest transaction. A bulk load commits ~1,000,000 observables at a time
    /// (100,000 records × 10): each commit writes every page the batch touched, and at 10⁷
    /// observables a batch touches most of the link and value trees whatever its size, so
    /// fewer, larger commits write them fewer times.
    #[arg(long, default_value_t = 100_000)]
    pub batch: u64,
    /// "Seen before" look-ups to time.
    #[arg(long, default_value_t = 2_000)]
    pub samples: usize,
    /// Database (default: a fresh SQLite file in a temporary directory).
    #[arg(long = "database-url")]
    pub database_url: Option<String>,
    /// SQLite: the writer's page cache in MiB (the server's default is 16; a bulk batch
    /// widens it to ~1 KiB per observable, at most 1 GiB, while it is written).
    #[arg(long = "writer-cache-mib")]
    pub writer_cache_mib: Option<i64>,
}

/// xorshift64*.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// The pool value with this index.
fn value(idx: u64) -> (Kind, String) {
    let h = mix(idx);
    match idx % 5 {
        0 => {
            let ip = 0x2D00_0000u32 + (h % 0x2300_0000) as u32;
            (Kind::Ipv4, Ipv4Addr::from(ip).to_string())
        }
        1 => (Kind::Domain, format!("h{idx:x}.bad{}.jp", h % 97)),
        2 => (
            Kind::Url,
            format!("http://h{idx:x}.bad.jp/p/{}", h % 10_000),
        ),
        3 => (
            Kind::Sha256,
            format!(
                "{:016x}{:016x}{:016x}{:016x}",
                h,
                mix(h),
                mix(h ^ 1),
                mix(h ^ 2)
            ),
        ),
        _ => (Kind::Email, format!("u{idx:x}@mail{}.jp", h % 101)),
    }
}

/// A pool index, skewed: index k is drawn with density ∝ 1/√k.
fn draw(rng: &mut Rng, pool: u64) -> u64 {
    let u = rng.unit();
    ((u * u) * pool as f64) as u64
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    (v[i] * 1000.0).round() / 1000.0
}

fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub async fn run(a: ObservablesArgs) -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("hikeshi-bench-obs-{}", std::process::id()));
    let url = match &a.database_url {
        Some(u) => u.clone(),
        None => {
            std::fs::create_dir_all(&tmp)?;
            format!("sqlite://{}", tmp.join("bench.db").display())
        }
    };
    let store = SqlStore::open(&url, &Options::default()).await?;
    if let Some(m) = a.writer_cache_mib {
        store.set_writer_cache_mib(m).await?;
    }
    let app = app(&store);
    let sys = app.system_actor();
    let per = (a.observables / a.reports.max(1)).max(1);
    let pool = (a.observables * 3 / 10).max(1_000);
    let warn = WarningList::builtin();
    let now = app.now();

    // Real reports first (their ids take the first record slots).
    let mut ids: Vec<String> = Vec::new();
    for i in 0..a.real_reports.min(a.reports) {
        let r = app
            .create_report(
                &sys,
                NewReport {
                    subject: format!("bench report {i}"),
                    content: "bench".into(),
                    ..Default::default()
                },
            )
            .await?;
        ids.push(r.id.to_string());
    }

    // Ingest.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut ingest_secs = 0.0;
    let mut ingest_cpu = 0.0;
    let mut links = 0u64;
    let mut rec = 0u64;
    while rec < a.reports {
        let n = a.batch.min(a.reports - rec);
        let mut batch = Vec::with_capacity(n as usize);
        for j in 0..n {
            let k = rec + j;
            let id = match ids.get(k as usize) {
                Some(id) => id.clone(),
                None => ReportId::new(1_700_000_000_000 + k).to_string(),
            };
            let obs: Vec<NewObservable> = (0..per)
                .map(|_| {
                    let (kind, v) = value(draw(&mut rng, pool));
                    NewObservable::new(kind, v, Tlp::Amber, now, &warn)
                })
                .collect();
            links += obs.len() as u64;
            batch.push((
                RecordRef {
                    kind: TargetKind::Report,
                    id,
                },
                obs,
            ));
        }
        let (t, c) = (Instant::now(), cpu_secs());
        app.store.add_observables(&batch, &[]).await?;
        ingest_secs += t.elapsed().as_secs_f64();
        ingest_cpu += cpu_secs() - c;
        rec += n;
    }
    let ingest_rate = links as f64 / ingest_secs;
    let (base_t, base_c) = (Instant::now(), cpu_secs());
    store
        .bench_baseline_insert(links as usize, (a.batch * per) as usize)
        .await?;
    let base_rate = links as f64 / base_t.elapsed().as_secs_f64();
    let base_cpu = cpu_secs() - base_c;
    let bytes = store.observable_storage_bytes().await?;
    // Statistics as autovacuum would have them by now after a real load (PostgreSQL).
    store.analyze().await?;

    // "Seen before": the full use case (value → links → records → visibility), values drawn
    // like the observables of a new report; baseline: a `SELECT 1` round trip.
    let mut seen = Vec::with_capacity(a.samples);
    let mut found = 0usize;
    let seen_c = cpu_secs();
    for _ in 0..a.samples {
        let (kind, v) = value(draw(&mut rng, pool));
        let t = Instant::now();
        let r = app.observed(&sys, kind, &v).await?;
        seen.push(t.elapsed().as_secs_f64() * 1000.0);
        found += usize::from(r.is_some());
    }
    let seen_cpu_us = (cpu_secs() - seen_c) * 1e6 / a.samples.max(1) as f64;
    let mut ping = Vec::with_capacity(a.samples);
    let ping_c = cpu_secs();
    for _ in 0..a.samples {
        let t = Instant::now();
        store.ping().await?;
        ping.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let ping_cpu_us = (cpu_secs() - ping_c) * 1e6 / a.samples.max(1) as f64;

    let routing = routing_figures();
    let extraction = extraction_figures();
    let report = json!({
        "bench": "observables",
        "backend": format!("{:?}", store.backend()).to_lowercase(),
        "observables": links,
        "reports": a.reports,
        "real_reports": ids.len(),
        "writer_cache_mib": a.writer_cache_mib.unwrap_or(16),
        "observables_per_tx": a.batch * per,
        "bulk_writer_cache_mib": if a.batch * per >= 50_000 { (a.batch * per / 1024).min(1024) } else { 0 },
        "distinct_value_pool": pool,
        "ingest": {
            "observables_per_s": ingest_rate.round(),
            "goal_per_s": 100_000,
            "baseline_bare_insert_rows_per_s": base_rate.round(),
            "ratio_to_baseline": (ingest_rate / base_rate * 1000.0).round() / 1000.0,
            "records_per_tx": a.batch,
            "wall_s": r1(ingest_secs),
            "cpu_s": r1(ingest_cpu),
            "cpu_us_per_observable": (ingest_cpu * 1e7 / links.max(1) as f64).round() / 10.0,
            "observables_per_cpu_s": (links as f64 / ingest_cpu.max(0.01)).round(),
            "baseline_cpu_us_per_row": (base_cpu * 1e7 / links.max(1) as f64).round() / 10.0,
        },
        "seen_before_ms": {
            "p50": pct(&mut seen, 0.5), "p95": pct(&mut seen, 0.95), "p99": pct(&mut seen, 0.99),
            "goal_p99": 2.0, "samples": a.samples, "values_found": found,
            "cpu_us_per_lookup": seen_cpu_us.round(),
            "baseline_select_1": {"p50": pct(&mut ping, 0.5), "p99": pct(&mut ping, 0.99), "cpu_us": ping_cpu_us.round()},
        },
        "storage": {
            "bytes": bytes,
            "bytes_per_observable": r1(bytes as f64 / links.max(1) as f64),
            "what": if store.backend() == hikeshi_store::Backend::Sqlite { "whole SQLite file in use" } else { "obs_* tables with indexes" },
        },
        "constituency_lookup": routing,
        "extraction": extraction,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    store.close().await;
    if a.database_url.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

/// 1,000 constituencies × 100 netblocks (/16–/28); 1,000,000 random IPv4 look-ups; baseline:
/// a `HashMap<u32, _>` probe of the same addresses.
fn routing_figures() -> serde_json::Value {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let t0 = jiff::Timestamp::UNIX_EPOCH;
    let cs: Vec<Constituency> = (0..1000u64)
        .map(|c| Constituency {
            id: ConstituencyId::new(c),
            slug: format!("c{c}"),
            name: format!("C{c}"),
            parent: None,
            netblocks: (0..100)
                .filter_map(|_| {
                    let len = 16 + (rng.next() % 13) as u8;
                    ipnet::Ipv4Net::new(Ipv4Addr::from(rng.next() as u32), len)
                        .ok()
                        .map(|n| ipnet::IpNet::V4(n.trunc()))
                })
                .collect(),
            domains: vec![],
            email_domains: vec![],
            default_lang: Lang::Ja,
            contacts: vec![],
            created_at: t0,
            updated_at: t0,
            version: 1,
        })
        .collect();
    let netblocks: usize = cs.iter().map(|c| c.netblocks.len()).sum();
    let table = RoutingTable::build(&cs);
    let ips: Vec<Ipv4Addr> = (0..1_000_000)
        .map(|_| Ipv4Addr::from(rng.next() as u32))
        .collect();
    let t = Instant::now();
    let mut hits = 0u64;
    for ip in &ips {
        hits += u64::from(black_box(table.lookup_ip(IpAddr::V4(*ip))).is_some());
    }
    let rate = ips.len() as f64 / t.elapsed().as_secs_f64();
    let map: HashMap<u32, u64> = ips
        .iter()
        .step_by(2)
        .map(|ip| (u32::from(*ip), 1))
        .collect();
    let t = Instant::now();
    let mut bh = 0u64;
    for ip in &ips {
        bh += u64::from(black_box(map.get(&u32::from(*ip))).is_some());
    }
    let base = ips.len() as f64 / t.elapsed().as_secs_f64();
    json!({
        "lookups_per_s": rate.round(), "goal_per_s": 1_000_000, "netblocks": netblocks, "hits": hits,
        "baseline_hashmap_probe_per_s": base.round(), "baseline_hits": bh,
        "ratio_to_baseline": (rate / base * 1000.0).round() / 1000.0,
    })
}

/// `extract` over ~8 MB of Japanese/English text with indicators; baseline: counting `.`
/// bytes over the same text.
fn extraction_figures() -> serde_json::Value {
    let ja = "不正アクセスの報告を受けました。調査の結果、以下の通信が確認されました。";
    let en =
        "We observed suspicious traffic from the following host; version 2.4.1.0 was installed.";
    let mut rng = Rng(7);
    let mut text = String::new();
    while text.len() < 8_000_000 {
        text.push_str(if rng.next().is_multiple_of(2) { ja } else { en });
        text.push(' ');
        match rng.next() % 6 {
            0 => text.push_str(&format!("hxxp://h{}[.]bad[.]jp/x ", rng.next() % 1000)),
            1 => text.push_str(&format!("{} ", Ipv4Addr::from(rng.next() as u32))),
            2 => text.push_str(&format!("{:016x}{:016x} ", rng.next(), rng.next())),
            3 => text.push_str("CVE-2024-3400 "),
            _ => {}
        }
        text.push('\n');
    }
    let mb = text.len() as f64 / 1e6;
    let t = Instant::now();
    let items = black_box(hikeshi_indicators::extract(&text)).len();
    let rate = mb / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let dots = black_box(text.bytes().filter(|b| *b == b'.').count());
    let base = mb / t.elapsed().as_secs_f64();
    json!({
        "mb_per_s": r1(rate), "goal_mb_per_s": 50, "mb": r1(mb), "items": items,
        "baseline_byte_count_mb_per_s": r1(base), "baseline_dots": dots,
        "ratio_to_baseline": (rate / base * 1000.0).round() / 1000.0,
    })
}
