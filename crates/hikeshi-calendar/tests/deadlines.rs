//! Deadline presets: the embedded data, every worked example of the YAML, and the due-time
//! rules (calendar hours, calendar days with roll-forward, business days, months, caps).

mod common;

use std::collections::BTreeMap;

use common::{day, shared_dir, ts};
use hikeshi_calendar::deadline::{
    Calendars, ClockStart, ClockStarts, Confidence, Due, EMBEDDED_JSON, EMBEDDED_YAML, Preset,
    Status, Unit, builtin_preset, builtin_presets, compute_deadline, compute_preset, deadline_data,
    fnv1a64,
};
use hikeshi_calendar::{Calendar, cli};
use jiff::tz::TimeZone;

fn preset(id: &str) -> &'static Preset {
    builtin_preset(id).expect("preset")
}

fn due_of(
    p: &Preset,
    deadline: &str,
    starts: &ClockStarts,
) -> hikeshi_calendar::deadline::DeadlineDue {
    let d = p.deadline(deadline).expect("deadline");
    compute_deadline(p, d, starts, &Calendars::builtin()).expect("computes")
}

#[test]
fn embedded_json_matches_embedded_yaml() {
    let data = deadline_data().expect("embedded data parses");
    assert_eq!(
        data.source_fnv1a64.as_deref(),
        Some(format!("{:016x}", fnv1a64(EMBEDDED_YAML.as_bytes())).as_str()),
        "data/regulatory-deadlines.json is stale: run data/yaml2json.py"
    );
    assert!(EMBEDDED_JSON.contains("\"jp-appi-kakuhou\""));
}

#[test]
fn embedded_yaml_equals_the_shared_copy() {
    let Some(dir) = shared_dir() else { return };
    let shared = std::fs::read_to_string(dir.join("domain/regulatory-deadlines.yaml"))
        .expect("read shared yaml");
    assert!(
        shared == EMBEDDED_YAML,
        "crates/hikeshi-calendar/data/regulatory-deadlines.yaml differs from the shared copy: copy it and run data/yaml2json.py"
    );
}

#[test]
fn all_presets_are_present_and_flagged_unverified() {
    let presets = builtin_presets().expect("presets");
    assert_eq!(presets.len(), 20);
    assert_eq!(presets.iter().map(|p| p.deadlines.len()).sum::<usize>(), 49);
    let mut ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20, "unique preset ids");
    for p in presets {
        assert!(p.is_unverified(), "{} (nothing in the data is V)", p.id);
        assert!(p.confidence() <= Confidence::S);
    }
    assert_eq!(preset("eu-gdpr").confidence(), Confidence::M);
    assert_eq!(preset("jp-appi").confidence(), Confidence::S);
    assert_eq!(preset("us-circia").status, Status::NotInForce);
    assert_eq!(preset("jp-acd-2025").status, Status::NotInForce);
    assert!(preset("eu-dora").weekend_rule.is_some());
}

#[test]
fn every_deadline_computes() {
    let cals = Calendars::builtin();
    let starts = ClockStarts::all_events_at(ts("2026-06-15T10:00:00Z"))
        .with(ClockStart::PreviousSubmission, ts("2026-06-16T10:00:00Z"))
        .with(ClockStart::OnRequest, ts("2026-06-16T10:00:00Z"));
    for p in builtin_presets().expect("presets") {
        for d in compute_preset(p, &starts, &cals).expect(&p.id) {
            let deadline = p.deadline(&d.deadline_id).expect("id");
            let fixed = deadline.duration.unit != Unit::None;
            assert_eq!(
                matches!(d.due, Due::At(_) | Due::EndOfDay(_)),
                fixed,
                "{}",
                d.deadline_id
            );
        }
    }
}

fn start_kind(key: &str) -> Option<ClockStart> {
    Some(match key {
        "became_aware" => ClockStart::BecameAware,
        "classified_major" => ClockStart::ClassifiedMajor,
        "determined_material" => ClockStart::DeterminedMaterial,
        "determined_notifiable" => ClockStart::DeterminedNotifiable,
        "occurred" => ClockStart::Occurred,
        "ransom_paid" => ClockStart::RansomPaid,
        "notification_submitted" => ClockStart::PreviousSubmission,
        _ => return None,
    })
}

fn zone_of(p: &Preset) -> TimeZone {
    let cals = Calendars::builtin();
    p.deadlines
        .iter()
        .filter_map(|d| d.calendar.as_deref())
        .find_map(|c| cals.get(c).map(|c| c.time_zone().clone()))
        .unwrap_or_else(|| {
            hikeshi_calendar::time_zone(hikeshi_calendar::deadline::default_zone(p)).expect("zone")
        })
}

fn expected(v: &str, zone: &TimeZone) -> Due {
    match v.parse::<jiff::civil::Date>() {
        Ok(d) if v.len() == 10 => Due::EndOfDay(d),
        _ => Due::At(cli::parse_time(v, zone).expect("expected time")),
    }
}

/// Runs one worked example of the YAML; returns how many expectations it checked.
fn run_example(p: &Preset, ex: &BTreeMap<String, String>) -> usize {
    let zone = zone_of(p);
    let mut starts = ClockStarts::new();
    for (k, v) in ex {
        if let Some(kind) = start_kind(k) {
            starts.set(kind, cli::parse_time(v, &zone).expect("start time"));
        }
    }
    let mut checked = 0;
    for (k, v) in ex {
        let deadline_id = if k == "due" {
            match ex.get("deadline") {
                Some(d) => d.clone(),
                None => {
                    // The only deadline with a number whose clock start the example gives.
                    let mut c = p.deadlines.iter().filter(|d| {
                        d.duration.unit != Unit::None && starts.get(d.clock_start).is_some()
                    });
                    let one = c.next().expect("a candidate deadline");
                    assert!(c.next().is_none(), "ambiguous example in {}", p.id);
                    one.id.clone()
                }
            }
        } else if let Some(stage) = k.strip_suffix("_due") {
            format!("{}-{}", p.id, stage.replace('_', "-"))
        } else if let Some(n) = k.strip_prefix("day_") {
            let id = ex.get("deadline").expect("day_N needs a deadline");
            let got = due_of(p, id, &starts);
            assert_eq!(got.unrolled, Some(day(v)), "{} {k} in {ex:?}", p.id);
            let amount = p.deadline(id).and_then(|d| d.duration.amount);
            assert_eq!(amount.map(|a| a.to_string()), Some(n.to_owned()));
            checked += 1;
            continue;
        } else {
            continue;
        };
        let got = due_of(p, &deadline_id, &starts);
        assert_eq!(
            got.due,
            expected(v, &zone),
            "{} / {deadline_id}: {ex:?}",
            p.id
        );
        checked += 1;
    }
    checked
}

#[test]
fn every_worked_example_of_the_yaml_holds() {
    let mut examples = 0;
    let mut checks = 0;
    for p in builtin_presets().expect("presets") {
        for ex in &p.examples {
            let n = run_example(p, ex);
            assert!(n > 0, "example of {} checked nothing: {ex:?}", p.id);
            examples += 1;
            checks += n;
        }
    }
    assert_eq!(examples, 10, "worked examples in the data");
    assert_eq!(checks, 15);
}

#[test]
fn appi_kakuhou_examples_explicitly() {
    let p = preset("jp-appi");
    let tokyo = |s: &str| ts(&format!("{s}T00:00:00+09:00"));
    for (deadline, aware, unrolled, due) in [
        ("jp-appi-kakuhou", "2025-12-05", "2026-01-03", "2026-01-05"),
        ("jp-appi-kakuhou", "2026-04-07", "2026-05-06", "2026-05-07"),
        (
            "jp-appi-kakuhou-malicious",
            "2026-07-26",
            "2026-09-23",
            "2026-09-24",
        ),
        ("jp-appi-kakuhou", "2026-06-01", "2026-06-30", "2026-06-30"),
    ] {
        let got = due_of(
            p,
            deadline,
            &ClockStarts::new().with(ClockStart::BecameAware, tokyo(aware)),
        );
        assert_eq!(got.unrolled, Some(day(unrolled)), "{deadline} {aware}");
        assert_eq!(got.due, Due::EndOfDay(day(due)), "{deadline} {aware}");
        assert!(got.hard);
    }
    // Late in the evening UTC is already the next day in Tokyo: day 1 is the Tokyo date.
    let got = due_of(
        p,
        "jp-appi-kakuhou",
        &ClockStarts::new().with(ClockStart::BecameAware, ts("2026-06-01T16:00:00Z")),
    );
    assert_eq!(got.unrolled, Some(day("2026-07-01")));
    // 速報: no number; advisory target 5 days after.
    let s = due_of(
        p,
        "jp-appi-sokuhou",
        &ClockStarts::new().with(ClockStart::BecameAware, tokyo("2026-06-01")),
    );
    assert_eq!(s.due, Due::NoFixedLimit);
    assert_eq!(s.advisory, Some(Due::EndOfDay(day("2026-06-06"))));
    assert!(!s.hard);
}

#[test]
fn dora_initial_is_capped_by_awareness() {
    let p = preset("eu-dora");
    let starts = |aware: &str, classified: &str| {
        ClockStarts::new()
            .with(ClockStart::BecameAware, ts(aware))
            .with(ClockStart::ClassifiedMajor, ts(classified))
    };
    let f = |a, c| due_of(p, "eu-dora-initial", &starts(a, c)).due;
    assert_eq!(
        f("2026-05-04T02:00:00Z", "2026-05-04T10:00:00Z"),
        Due::At(ts("2026-05-04T14:00:00Z"))
    );
    assert_eq!(
        f("2026-05-04T02:00:00Z", "2026-05-05T00:00:00Z"),
        Due::At(ts("2026-05-05T02:00:00Z"))
    );
    // Classified after the 24 h cap: classified + 4 h.
    assert_eq!(
        f("2026-05-04T02:00:00Z", "2026-05-06T00:00:00Z"),
        Due::At(ts("2026-05-06T04:00:00Z"))
    );
}

#[test]
fn months_clamp_and_quarters() {
    let nis2 = preset("eu-nis2");
    let s = ClockStarts::new().with(ClockStart::PreviousSubmission, ts("2026-01-31T09:00:00Z"));
    assert_eq!(
        due_of(nis2, "eu-nis2-final", &s).due,
        Due::At(ts("2026-02-28T09:00:00Z"))
    );
    // Without the submission the final report is pending.
    let none = ClockStarts::all_events_at(ts("2026-01-01T00:00:00Z"));
    assert_eq!(
        due_of(nis2, "eu-nis2-final", &none).due,
        Due::AwaitingStart(ClockStart::PreviousSubmission)
    );
    // 電気通信事業法 quarterly report: quarter of the accident ends 2026-07-01 00:00 JST.
    let tba = preset("jp-tba");
    let s = ClockStarts::new().with(ClockStart::Occurred, ts("2026-05-10T12:00:00+09:00"));
    assert_eq!(
        due_of(tba, "jp-tba-quarterly", &s).due,
        Due::At(ts("2026-09-01T00:00:00+09:00"))
    );
    let s = ClockStarts::new().with(ClockStart::Occurred, ts("2026-11-10T12:00:00+09:00"));
    assert_eq!(
        due_of(tba, "jp-tba-quarterly", &s).due,
        Due::At(ts("2027-03-01T00:00:00+09:00"))
    );
}

#[test]
fn overdue_and_cutoff() {
    let p = preset("jp-appi");
    let d = due_of(
        p,
        "jp-appi-kakuhou",
        &ClockStarts::new().with(ClockStart::BecameAware, ts("2026-06-01T10:00:00+09:00")),
    );
    assert_eq!(d.cutoff(), Some(ts("2026-07-01T00:00:00+09:00")));
    assert!(!d.is_overdue(ts("2026-06-30T23:59:59+09:00")));
    assert!(d.is_overdue(ts("2026-07-01T00:00:00+09:00")));
    assert_eq!(d.display_due(), "2026-06-30T23:59:59+09:00");
}

#[test]
fn custom_preset_from_json_with_custom_calendar() {
    let p: Preset = serde_json::from_str(
        r#"{"id":"acme-sla","jurisdiction":"JP","regime":"ACME contract","status":"in_force",
            "trigger":"P1 incident","time_zone":"Asia/Tokyo",
            "deadlines":[{"id":"acme-ack","stage_en":"acknowledge","recipient":"customer",
              "clock_start":"became_aware","duration":{"amount":3,"unit":"business_days"},
              "hard":true,"calendar":"acme","day_counting":"first_day_excluded","confidence":"V"}]}"#,
    )
    .expect("custom preset");
    assert!(!p.is_unverified());
    let mut spec = Calendar::builtin("jp-business-yearend")
        .expect("cal")
        .spec()
        .clone();
    spec.id = "acme".into();
    let mut cals = Calendars::builtin();
    cals.insert(Calendar::from_spec(spec).expect("cal"));
    let got = compute_preset(
        &p,
        &ClockStarts::all_events_at(ts("2026-12-25T10:00:00+09:00")),
        &cals,
    )
    .expect("computes");
    // Fri 12-25 excluded; 12-28 (1), closure 12-29..01-03, 01-04 (2), 01-05 (3).
    assert_eq!(got[0].due, Due::EndOfDay(day("2027-01-05")));
    let back: Preset = serde_json::from_str(&serde_json::to_string(&p).expect("ser")).expect("de");
    assert_eq!(back, p);
}
