//! `hikeshi bench`: seeds N incidents with Japanese and English text, serves the real router
//! on 127.0.0.1, and measures it over HTTP. Every figure is printed beside the same server's
//! no-op endpoint measured in the same run, since these machines are noisy. Prints JSON.

mod client;
pub mod clocks;
mod mail;
mod observables;
mod text;

use crate::commands::{SystemClock, app};
use anyhow::{Context, Result};
use clap::Args;
use client::Client;
use hikeshi_core::app::{NewConstituency, NewIncident, NewToken, NewUser};
use hikeshi_core::model::{Role, Severity, Tlp};
use hikeshi_store::{Options, SqlStore};
use hikeshi_web::{AppState, WebConfig};
use serde_json::json;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub what: Option<BenchWhat>,
    /// Incidents to seed before measuring.
    #[arg(long, default_value_t = 100_000)]
    pub incidents: u64,
    /// Database (default: a fresh SQLite file in a temporary directory).
    #[arg(long = "database-url")]
    pub database_url: Option<String>,
    /// SQLite synchronous=FULL (power-loss durable).
    #[arg(long)]
    pub durable: bool,
    /// Seconds per throughput phase.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Requests per latency phase.
    #[arg(long, default_value_t = 300)]
    pub samples: usize,
}

/// Benchmarks other than the core one.
#[derive(clap::Subcommand, Debug)]
pub enum BenchWhat {
    /// Observables: bulk ingest, "seen before", constituency look-ups, extraction.
    Observables(observables::ObservablesArgs),
    /// Mail: bulk mbox import and `hikeshi mailgate` (a process per message).
    Mail(MailArgs),
}

#[derive(Args, Debug)]
pub struct MailArgs {
    /// Messages in the generated mbox.
    #[arg(long, default_value_t = 10_000)]
    pub messages: usize,
    /// Messages sent through `hikeshi mailgate` (a process each).
    #[arg(long = "gate-messages", default_value_t = 300)]
    pub gate_messages: usize,
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    (v[i] * 1000.0).round() / 1000.0
}

pub(crate) fn rss_mb() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (get("VmRSS:"), get("VmHWM:"))
}

/// Latencies in ms of `n` sequential calls.
async fn latencies(
    addr: SocketAddr,
    token: &str,
    n: usize,
    path: impl FnMut(usize) -> String,
) -> Result<Vec<f64>> {
    timed(Client::connect(addr, token).await?, n, path).await
}

async fn timed(mut c: Client, n: usize, mut path: impl FnMut(usize) -> String) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let p = path(i);
        let t = Instant::now();
        let (st, _) = c.call("GET", &p, None).await?;
        anyhow::ensure!(st == 200, "GET {p} answered {st}");
        out.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(out)
}

/// CPU seconds this process (all threads: server and client) has used, from
/// `/proc/self/stat` (utime + stime, in clock ticks of 1/100 s on Linux).
pub(crate) fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (tick(11) + tick(12)) / 100.0
}

/// One throughput phase: requests per second, and CPU microseconds per request (server and
/// client together; on a noisy machine this moves less than the rate does).
struct Rate {
    rps: f64,
    cpu_us: f64,
}

/// Requests per second with `clients` connections for `secs` seconds.
async fn throughput(
    addr: SocketAddr,
    token: &str,
    clients: usize,
    secs: u64,
    create: bool,
) -> Result<Rate> {
    let cpu0 = cpu_secs();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for k in 0..clients {
        let token = token.to_string();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(addr, &token).await?;
            let mut g = text::Gen::new(0x9e37_79b9 + k as u64);
            let mut n = 0u64;
            while Instant::now() < deadline {
                let (st, _) = if create {
                    let (title, description) = g.incident(n);
                    let body = json!({"title": title, "description": description, "severity": "medium", "tlp": "amber", "constituency": "bench"}).to_string();
                    c.call("POST", "/api/v1/incidents", Some(&body)).await?
                } else {
                    c.call("GET", "/api/v1/noop", None).await?
                };
                anyhow::ensure!(st == 200 || st == 201, "answered {st}");
                n += 1;
            }
            Ok::<u64, anyhow::Error>(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    let cpu_us = (cpu_secs() - cpu0) * 1e6 / (total.max(1) as f64);
    Ok(Rate {
        rps: (total as f64 / secs as f64).round(),
        cpu_us: cpu_us.round(),
    })
}

pub async fn run(a: BenchArgs) -> Result<()> {
    if std::env::var_os("HIKESHI_LOG").is_some() {
        crate::serve::init_logging();
    }
    if let Some(BenchWhat::Mail(m)) = &a.what {
        return mail::run(m.messages, m.gate_messages, a.database_url.as_deref()).await;
    }
    if let Some(BenchWhat::Observables(o)) = a.what {
        return observables::run(o).await;
    }
    let tmp = std::env::temp_dir().join(format!("hikeshi-bench-{}", std::process::id()));
    let url = match &a.database_url {
        Some(u) => u.clone(),
        None => {
            std::fs::create_dir_all(&tmp)?;
            format!("sqlite://{}", tmp.join("bench.db").display())
        }
    };
    let store = SqlStore::open(
        &url,
        &Options {
            durable: a.durable,
            max_connections: 16,
        },
    )
    .await?;
    let app = app(&store);
    let sys = app.system_actor();
    let _ = SystemClock;
    app.create_constituency(
        &sys,
        NewConstituency {
            slug: "bench".into(),
            name: "Bench 株式会社".into(),
            ..Default::default()
        },
    )
    .await
    .context("seeding (use an empty database)")?;
    let user = NewUser {
        username: "bench".into(),
        role: Some(Role::Handler),
        constituencies: vec!["bench".into()],
        password: Some("bench-password".into()),
        ..Default::default()
    };
    app.create_user(&sys, user).await?;
    let (_, token) = app
        .create_token(
            &sys,
            NewToken {
                user: Some("bench".into()),
                name: None,
                scopes: vec![],
            },
        )
        .await?;
    let actor = app.token_actor(&token).await?;

    // Seed with 8 concurrent writers (as a busy team would), in process.
    let seed_start = Instant::now();
    let mut seeders = Vec::new();
    for k in 0..8u64 {
        let (app, actor) = (app.clone(), actor.clone());
        let n = a.incidents / 8 + u64::from(k < a.incidents % 8);
        seeders.push(tokio::spawn(async move {
            let mut g = text::Gen::new(42 + k);
            let mut last = String::new();
            for i in 0..n {
                let (title, description) = g.incident(i);
                let sev = [
                    Severity::Low,
                    Severity::Medium,
                    Severity::High,
                    Severity::Critical,
                ][(g.next() % 4) as usize];
                let input = NewIncident {
                    title,
                    description,
                    severity: Some(sev),
                    tlp: Some(Tlp::Amber),
                    constituency: Some("bench".into()),
                    ..Default::default()
                };
                last = app.create_incident(&actor, input).await?.reference;
            }
            Ok::<String, anyhow::Error>(last)
        }));
    }
    let mut last_ref = String::new();
    for t in seeders {
        let r = t.await??;
        if !r.is_empty() {
            last_ref = r;
        }
    }
    let seed_secs = seed_start.elapsed().as_secs_f64();
    app.store.seal_audit().await?;
    // Statistics as autovacuum would have them by now after a real load (PostgreSQL).
    store.analyze().await?;

    let router = hikeshi_web::router(AppState {
        app: app.clone(),
        config: WebConfig::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });

    let s = a.seconds;
    let noop_1 = throughput(addr, &token, 1, s, false).await?;
    let noop_8 = throughput(addr, &token, 8, s, false).await?;
    let create_1 = throughput(addr, &token, 1, s, true).await?;
    let create_8 = throughput(addr, &token, 8, s, true).await?;
    let mut noop_lat = latencies(addr, &token, a.samples, |_| "/api/v1/noop".into()).await?;
    let mut search = latencies(addr, &token, a.samples, |i| {
        let q = text::QUERIES[i % text::QUERIES.len()];
        format!(
            "/api/v1/incidents?limit=50&q={}",
            q.bytes().map(|b| format!("%{b:02X}")).collect::<String>()
        )
    })
    .await?;
    let mut list = latencies(addr, &token, a.samples, |i| match i % 3 {
        0 => "/api/v1/incidents?limit=50".into(),
        1 => "/api/v1/incidents?limit=50&status=open&severity=high".into(),
        _ => "/api/v1/incidents?limit=50&sort=-updated".into(),
    })
    .await?;
    let mut get = latencies(addr, &token, a.samples, |_| {
        format!("/api/v1/incidents/{last_ref}")
    })
    .await?;
    // The handler UI, server-rendered, with a session cookie like a browser.
    let (session, _, _) = app.login("bench", "bench-password").await?;
    let mut ui_list = timed(
        Client::with_cookie(addr, &session).await?,
        a.samples,
        |i| match i % 2 {
            0 => "/incidents".into(),
            _ => "/incidents?status=open&severity=high".into(),
        },
    )
    .await?;
    let mut ui_home = timed(
        Client::with_cookie(addr, &session).await?,
        a.samples,
        |_| "/".into(),
    )
    .await?;
    let mut ui_incident = timed(
        Client::with_cookie(addr, &session).await?,
        a.samples,
        |_| format!("/incidents/{last_ref}"),
    )
    .await?;
    let (rss, hwm) = rss_mb();
    let noop_p50 = pct(&mut noop_lat, 0.5);
    let noop_p95 = pct(&mut noop_lat, 0.95);
    let report = json!({
        "bench": "core",
        "backend": format!("{:?}", store.backend()).to_lowercase(),
        "durable": a.durable,
        "incidents": a.incidents,
        "seed": {"seconds": (seed_secs * 10.0).round() / 10.0, "creates_per_s_in_process": (a.incidents as f64 / seed_secs).round()},
        "baseline_noop": {"rps_1_client": noop_1.rps, "rps_8_clients": noop_8.rps, "p50_ms": noop_p50, "p95_ms": noop_p95},
        "creates_per_s": {"clients_1": create_1.rps, "clients_8": create_8.rps,
            "ratio_to_noop_1": ((create_1.rps / noop_1.rps.max(1.0)) * 1000.0).round() / 1000.0,
            "ratio_to_noop_8": ((create_8.rps / noop_8.rps.max(1.0)) * 1000.0).round() / 1000.0},
        "cpu_us_per_request": {"noop_8_clients": noop_8.cpu_us, "create_1_client": create_1.cpu_us, "create_8_clients": create_8.cpu_us},
        "search_ms": {"p50": pct(&mut search, 0.5), "p95": pct(&mut search, 0.95), "p99": pct(&mut search, 0.99), "p95_over_noop_p95": (pct(&mut search, 0.95) / noop_p95.max(0.001) * 10.0).round() / 10.0},
        "list_page_ms": {"p50": pct(&mut list, 0.5), "p95": pct(&mut list, 0.95), "p95_over_noop_p95": (pct(&mut list, 0.95) / noop_p95.max(0.001) * 10.0).round() / 10.0},
        "get_by_ref_ms": {"p50": pct(&mut get, 0.5), "p95": pct(&mut get, 0.95)},
        "ui_list_page_ms": {"p50": pct(&mut ui_list, 0.5), "p95": pct(&mut ui_list, 0.95)},
        "ui_home_page_ms": {"p50": pct(&mut ui_home, 0.5), "p95": pct(&mut ui_home, 0.95)},
        "ui_incident_page_ms": {"p50": pct(&mut ui_incident, 0.5), "p95": pct(&mut ui_incident, 0.95)},
        "rss_mb": {"now": rss.round(), "peak": hwm.round()},
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    store.close().await;
    if a.database_url.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}
