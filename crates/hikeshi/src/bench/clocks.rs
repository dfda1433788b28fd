//! `hikeshi triage bench` and `hikeshi sla bench` (issue #6): the pure rule evaluator over
//! generated reports, and the SLA + deadline sweep over a seeded SQLite database. Both print
//! JSON with a baseline measured in the same run.

use super::text::Gen;
use anyhow::Result;
use hikeshi_core::app::App;
use hikeshi_core::deadlines::DeadlineClock;
use hikeshi_core::ids::{ConstituencyId, IncidentId, UserId};
use hikeshi_core::model::{Channel, Constituency, Lang, ReporterType, TargetKind, Tlp};
use hikeshi_core::ports::{Clock, Store};
use hikeshi_core::routing::RoutingTable;
use hikeshi_core::sla::{ClockKind, ClockState, SlaClock};
use hikeshi_core::triage::{Compiled, Facts, RuleSet};
use hikeshi_store::{Options, SqlStore};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const WORDS: &[&str] = &[
    "phishing",
    "ransomware",
    "vpn",
    "credential",
    "c2",
    "ddos",
    "defacement",
    "leak",
    "フィッシング",
    "不正アクセス",
    "マルウエア",
    "漏えい",
    "脆弱性",
    "改ざん",
    "標的型",
    "認証",
    "botnet",
    "spam",
    "casino",
    "invoice",
    "wire transfer",
    "exploit",
    "webshell",
    "scan",
];

fn constituencies(n: usize) -> Vec<Constituency> {
    let t = Timestamp::UNIX_EPOCH;
    (0..n)
        .map(|i| Constituency {
            id: ConstituencyId::new(i as u64 + 1),
            slug: format!("c{i}"),
            name: format!("c{i}"),
            parent: None,
            netblocks: vec![format!("198.51.{i}.0/24").parse().expect("cidr")],
            domains: vec![],
            email_domains: vec![],
            default_lang: Lang::Ja,
            contacts: vec![],
            created_at: t,
            updated_at: t,
            version: 1,
        })
        .collect()
}

/// `n` rules mixing every condition kind.
fn rules(n: usize, g: &mut Gen) -> RuleSet {
    let mut v = Vec::new();
    for i in 0..n {
        let w = |g: &mut Gen| WORDS[(g.next() % WORDS.len() as u64) as usize];
        let when = match i % 6 {
            0 => json!({"keywords_any": [w(g), w(g), w(g)]}),
            1 => json!({"keywords_all": [w(g), w(g)], "channel": ["email", "web"]}),
            2 => {
                json!({"ip_in_constituency": format!("c{}", g.next() % 64), "keywords_none": [w(g)]})
            }
            3 => json!({"domain_on_watchlist": "brands", "reporter_type": ["other"]}),
            4 => json!({"observable_kind": ["cve", "sha256"], "tlp": ["amber", "red"]}),
            _ => json!({"constituency": [format!("c{}", g.next() % 64)], "keywords_any": [w(g)]}),
        };
        v.push(json!({"id": format!("r{i}"), "when": when,
            "then": {"tags": [format!("t{}", i % 10)], "priority": 1 + (i % 5) as i64}}));
    }
    let brands: Vec<String> = (0..1000).map(|i| format!("brand{i}.example.jp")).collect();
    serde_json::from_value(json!({"rules": v, "watchlists": {"brands": brands}}))
        .expect("generated rules parse")
}

fn reports(n: usize, g: &mut Gen, cs: &[Constituency]) -> Vec<Facts> {
    (0..n)
        .map(|i| {
            let (subject, mut content) = g.incident(i as u64);
            if i % 7 == 0 {
                content.push_str(" see hxxps://login.brand42.example[.]jp/x");
            }
            if i % 11 == 0 {
                content.push_str(" CVE-2024-3400");
            }
            let mut observables: Vec<_> = hikeshi_indicators::extract(&content)
                .into_iter()
                .map(|x| (x.kind, x.value))
                .collect();
            observables.sort();
            Facts {
                subject,
                content,
                channel: Channel::ALL[i % Channel::ALL.len()],
                reporter_type: ReporterType::Other,
                tlp: Tlp::Amber,
                constituency: Some(cs[i % cs.len()].id),
                observables,
            }
        })
        .collect()
}

/// The evaluator without its precompilation: lower-case the text per report and test every
/// keyword of every rule with `contains` (what a straightforward implementation does).
fn naive(set: &RuleSet, f: &Facts) -> usize {
    let text = format!("{}\n{}", f.subject, f.content).to_lowercase();
    set.rules
        .iter()
        .filter(|r| {
            let w = &r.when;
            (w.keywords_any.is_empty()
                || w.keywords_any
                    .iter()
                    .any(|k| text.contains(&k.to_lowercase())))
                && w.keywords_all
                    .iter()
                    .all(|k| text.contains(&k.to_lowercase()))
                && !w
                    .keywords_none
                    .iter()
                    .any(|k| text.contains(&k.to_lowercase()))
        })
        .count()
}

fn rate(n: usize, t: Instant) -> f64 {
    (n as f64 / t.elapsed().as_secs_f64()).round()
}

pub fn triage(n_reports: usize, n_rules: usize) -> Result<()> {
    let mut g = Gen::new(42);
    let cs = constituencies(64);
    let routing = Arc::new(RoutingTable::build(&cs));
    let set = rules(n_rules, &mut g);
    let slug = |s: &str| cs.iter().find(|c| c.slug == s).map(|c| c.id);
    let t = Instant::now();
    let compiled = Compiled::new(set.clone(), routing.clone(), &slug);
    let compile_ms = t.elapsed().as_secs_f64() * 1000.0;
    let empty = Compiled::new(RuleSet::default(), routing, &slug);
    let facts = reports(n_reports, &mut g, &cs);
    // One untimed pass first, so no variant pays the allocator's first page faults.
    let mut sink = 0usize;
    for f in &facts {
        sink += compiled.evaluate(f).matched.len() + empty.evaluate(f).matched.len();
    }
    let mut matched = 0usize;
    let t = Instant::now();
    for f in &facts {
        matched += compiled.evaluate(f).matched.len();
    }
    let compiled_rate = rate(facts.len(), t);
    let t = Instant::now();
    for f in &facts {
        sink += empty.evaluate(f).priority as usize;
    }
    let empty_rate = rate(facts.len(), t);
    let sample = &facts[..facts.len().min(20_000)];
    let t = Instant::now();
    for f in sample {
        sink += naive(&set, f);
    }
    let naive_rate = rate(sample.len(), t);
    let t = Instant::now();
    for f in sample {
        let mut observables: Vec<_> = hikeshi_indicators::extract(&f.content)
            .into_iter()
            .map(|x| (x.kind, x.value))
            .collect();
        observables.sort();
        let f2 = Facts {
            observables,
            ..f.clone()
        };
        sink += compiled.evaluate(&f2).matched.len();
    }
    let with_extract_rate = rate(sample.len(), t);
    println!(
        "{}",
        json!({
            "bench": "triage",
            "rules": n_rules,
            "reports": facts.len(),
            "compile_ms": (compile_ms * 100.0).round() / 100.0,
            "reports_per_s": compiled_rate,
            "goal_reports_per_s": 100_000,
            "avg_rules_matched": (matched as f64 / facts.len() as f64 * 100.0).round() / 100.0,
            "baseline_empty_ruleset_reports_per_s": empty_rate,
            "baseline_naive_keywords_only_reports_per_s": naive_rate,
            "with_indicator_extraction_reports_per_s": with_extract_rate,
            "sink": sink % 2,
        })
    );
    Ok(())
}

/// CPU time of this process (all threads: user + system) in milliseconds, from
/// `/proc/self/stat` (10 ms resolution; `None` elsewhere). On a shared machine the wall time
/// of the sweep varies with the neighbours' load; its CPU time much less.
fn process_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

/// A clock that stands still (the sweep runs "at" a chosen instant).
struct At(Timestamp);
impl Clock for At {
    fn now(&self) -> Timestamp {
        self.0
    }
}

fn sla_clock(i: usize, now: Timestamp, due: bool) -> SlaClock {
    let next = if due {
        now - SignedDuration::from_mins(1 + (i % 600) as i64)
    } else {
        now + SignedDuration::from_mins(10 + (i % 100_000) as i64)
    };
    SlaClock {
        id: format!("r{i:07}:triage"),
        target_kind: TargetKind::Report,
        target_id: format!("r{i:07}"),
        constituency: None,
        kind: ClockKind::Triage,
        priority: 3,
        calendar: "jp-business".into(),
        budget_secs: 9 * 3600,
        started_at: now - SignedDuration::from_hours(1),
        elapsed_secs: 0,
        running_since: Some(now - SignedDuration::from_hours(1)),
        state: ClockState::Running,
        stopped_at: None,
        warn_at: Some(next),
        breach_at: Some(next + SignedDuration::from_hours(2)),
        next_event_at: Some(next),
        warned: false,
        breached: false,
        escalate_to: Some(UserId::new(1)),
    }
}

fn deadline(i: usize, now: Timestamp, due: bool) -> DeadlineClock {
    let next = if due {
        now - SignedDuration::from_mins(1 + (i % 600) as i64)
    } else {
        now + SignedDuration::from_hours(1 + (i % 10_000) as i64)
    };
    DeadlineClock {
        id: format!("d{i:07}"),
        incident: IncidentId::new(i as u64),
        preset: "jp-appi".into(),
        regime: "APPI".into(),
        deadline: "final".into(),
        stage: "final".into(),
        recipient: "PPC".into(),
        clock_start: "became_aware".into(),
        clock_start_at: now,
        due_at: Some(next + SignedDuration::from_hours(24)),
        due_display: String::new(),
        hard: true,
        unverified: true,
        status: "draft".into(),
        submitted_at: None,
        attachment: None,
        warn_at: Some(next),
        next_event_at: Some(next),
        warned: false,
        breached: false,
        created_by: UserId::new(1),
        created_at: now,
        version: 1,
    }
}

pub async fn sweep(items: usize, due_per_mille: usize) -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("hikeshi-sweep-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let url = format!("sqlite://{}", tmp.join("bench.db").display());
    let store = SqlStore::open(
        &url,
        &Options {
            durable: false,
            max_connections: 4,
        },
    )
    .await?;
    let now: Timestamp = "2026-04-01T03:00:00Z".parse()?;
    let app = App::new(Arc::new(store.clone()), Arc::new(At(now)));
    let n_deadlines = items / 10;
    let n_clocks = items - n_deadlines;
    let is_due = |i: usize| i % 1000 < due_per_mille;
    let t = Instant::now();
    let mut batch = Vec::with_capacity(50_000);
    for i in 0..n_clocks {
        batch.push(sla_clock(i, now, is_due(i)));
        if batch.len() == 50_000 {
            store.put_clocks(&batch).await?;
            batch.clear();
        }
    }
    store.put_clocks(&batch).await?;
    let audit = hikeshi_core::model::AuditEntry {
        id: hikeshi_core::ids::AuditId::new(1),
        seq: None,
        at: now,
        actor: "bench".into(),
        action: "bench.seed".into(),
        target_kind: TargetKind::System,
        target_id: "bench".into(),
        before: None,
        after: None,
        hash: None,
    };
    let ds: Vec<_> = (0..n_deadlines)
        .map(|i| deadline(i, now, is_due(i)))
        .collect();
    for (k, chunk) in ds.chunks(50_000).enumerate() {
        let mut a = audit.clone();
        a.id = hikeshi_core::ids::AuditId::new(k as u64 + 2);
        store.insert_deadlines(chunk, &a).await?;
    }
    let seed_s = t.elapsed().as_secs_f64();
    // Baseline: what a sweep without precomputed times would do — a business-time
    // computation per open item — measured on 20,000 items and scaled to all of them.
    let cal = hikeshi_calendar::Calendar::builtin("jp-business")?;
    let sample = 20_000usize;
    let t = Instant::now();
    let mut late = 0usize;
    for i in 0..sample {
        let start = now - SignedDuration::from_mins((i % 5000) as i64);
        let due =
            hikeshi_calendar::add_business_duration(&cal, start, SignedDuration::from_hours(9))?;
        late += usize::from(due <= now);
    }
    let compute_all_ms = t.elapsed().as_secs_f64() * 1000.0 * items as f64 / sample as f64;
    let t = Instant::now();
    let cpu0 = process_cpu_ms();
    let first = app.sweep_clocks().await?;
    let sweep_ms = t.elapsed().as_secs_f64() * 1000.0;
    let sweep_cpu_ms = process_cpu_ms().zip(cpu0).map(|(b, a)| b - a);
    let t = Instant::now();
    let second = app.sweep_clocks().await?;
    let idle_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{}",
        json!({
            "bench": "sla_deadline_sweep",
            "backend": "sqlite",
            "open_items": items,
            "sla_clocks": n_clocks,
            "deadline_clocks": n_deadlines,
            "due_items": first.examined,
            "events_recorded": first.recorded,
            "seed_s": (seed_s * 10.0).round() / 10.0,
            "sweep_ms": (sweep_ms * 10.0).round() / 10.0,
            "goal_sweep_ms": 1000,
            "sweep_cpu_ms_all_threads": sweep_cpu_ms,
            "second_sweep_ms_nothing_due": (idle_ms * 10.0).round() / 10.0,
            "second_sweep_recorded": second.recorded,
            "baseline_compute_every_calendar_ms": compute_all_ms.round(),
            "baseline_sample_late": late,
        })
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
