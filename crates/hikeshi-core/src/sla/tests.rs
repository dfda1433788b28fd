//! SLA clocks across weekends, Japanese holidays (2025–2026), time zones and a DST zone.
//! Times are parameters: no clock is read, nothing sleeps.

use super::*;
use serde_json::json;

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn clock(kind: ClockKind, budget_min: i64) -> SlaClock {
    SlaClock {
        id: format!("x:{}", kind.as_str()),
        target_kind: TargetKind::Report,
        target_id: "x".into(),
        constituency: None,
        kind,
        priority: 3,
        calendar: String::new(),
        budget_secs: budget_min * 60,
        started_at: Timestamp::UNIX_EPOCH,
        elapsed_secs: 0,
        running_since: None,
        state: ClockState::Running,
        stopped_at: None,
        warn_at: None,
        breach_at: None,
        next_event_at: None,
        warned: false,
        breached: false,
        escalate_to: None,
    }
}

fn go(c: &mut SlaClock, w: Want, cal: &Calendar, pct: i64, now: Timestamp) -> Result<()> {
    let b = c.budget_secs;
    sync(c, w, b, cal, pct, now)
}

fn cal(id: &str) -> Calendar {
    Calendar::builtin(id).expect("calendar")
}

/// (calendar, start, budget in business minutes, expected breach instant)
fn check(cases: &[(&str, &str, i64, &str)]) {
    for (cal_id, start, minutes, want) in cases {
        let mut c = clock(ClockKind::Resolution, *minutes);
        go(&mut c, Want::Run, &cal(cal_id), 80, t(start)).expect("sync");
        assert_eq!(
            c.breach_at,
            Some(t(want)),
            "{cal_id} from {start} + {minutes} min"
        );
    }
}

#[test]
fn weekends_and_japanese_holidays_2025_2026() {
    check(&[
        // Friday 17:00 JST + 2 h → Monday 10:00 JST.
        (
            "jp-business",
            "2025-06-13T08:00:00Z",
            120,
            "2025-06-16T01:00:00Z",
        ),
        // Friday 2025-01-10 17:00 JST + 2 h: Mon 13 Jan is 成人の日 → Tue 14 Jan 10:00 JST.
        (
            "jp-business",
            "2025-01-10T08:00:00Z",
            120,
            "2025-01-14T01:00:00Z",
        ),
        // Golden Week 2025: Fri 2 May 17:00 JST + 2 h; 3–6 May closed (5/6 振替休日) → Wed 7 May 10:00.
        (
            "jp-business",
            "2025-05-02T08:00:00Z",
            120,
            "2025-05-07T01:00:00Z",
        ),
        // Silver Week 2026: Fri 18 Sep 17:00 JST + 2 h; 21 敬老の日, 22 国民の休日, 23 秋分の日 → Thu 24 Sep 10:00.
        (
            "jp-business",
            "2026-09-18T08:00:00Z",
            120,
            "2026-09-24T01:00:00Z",
        ),
        // Year-end closure: Fri 26 Dec 2025 17:00 JST + 2 h → Mon 5 Jan 2026 10:00 (29 Dec – 3 Jan closed).
        (
            "jp-business-yearend",
            "2025-12-26T08:00:00Z",
            120,
            "2026-01-05T01:00:00Z",
        ),
        // Without the closure the 29th is open.
        (
            "jp-business",
            "2025-12-26T08:00:00Z",
            120,
            "2025-12-29T01:00:00Z",
        ),
        // 24×7 ignores weekends.
        ("24x7", "2025-06-13T08:00:00Z", 120, "2025-06-13T10:00:00Z"),
        // Started outside hours (Saturday): the clock begins Monday 09:00 JST.
        (
            "jp-business",
            "2025-06-14T03:00:00Z",
            60,
            "2025-06-16T01:00:00Z",
        ),
    ]);
}

fn berlin() -> Calendar {
    let spec: CalendarSpec = serde_json::from_value(json!({
        "id": "de-office", "time_zone": "Europe/Berlin",
        "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "17:00"}]
    }))
    .expect("spec");
    Calendar::from_spec(spec).expect("calendar")
}

#[test]
fn europe_berlin_across_dst_changes() {
    let c = berlin();
    // Fri 28 Mar 2025 16:00 CET (15:00Z) + 2 h → Mon 31 Mar 10:00 CEST (08:00Z): spring forward.
    let mut k = clock(ClockKind::Resolution, 120);
    go(&mut k, Want::Run, &c, 80, t("2025-03-28T15:00:00Z")).expect("sync");
    assert_eq!(k.breach_at, Some(t("2025-03-31T08:00:00Z")));
    // Fri 24 Oct 2025 16:00 CEST (14:00Z) + 2 h → Mon 27 Oct 10:00 CET (09:00Z): fall back.
    let mut k = clock(ClockKind::Resolution, 120);
    go(&mut k, Want::Run, &c, 80, t("2025-10-24T14:00:00Z")).expect("sync");
    assert_eq!(k.breach_at, Some(t("2025-10-27T09:00:00Z")));
}

#[test]
fn time_zone_of_the_calendar_decides_open_hours() {
    // 10:00Z Monday is 19:00 JST (closed) but 12:00 CEST (open).
    let mut jp = clock(ClockKind::Triage, 60);
    go(
        &mut jp,
        Want::Run,
        &cal("jp-business"),
        80,
        t("2025-06-16T10:00:00Z"),
    )
    .expect("sync");
    assert_eq!(jp.breach_at, Some(t("2025-06-17T01:00:00Z")));
    let mut de = clock(ClockKind::Triage, 60);
    go(&mut de, Want::Run, &berlin(), 80, t("2025-06-16T10:00:00Z")).expect("sync");
    assert_eq!(de.breach_at, Some(t("2025-06-16T11:00:00Z")));
}

#[test]
fn pause_resume_and_stop() {
    let jp = cal("jp-business");
    let mut c = clock(ClockKind::Resolution, 9 * 60); // one business day
    // Mon 2025-06-16 09:00 JST.
    go(&mut c, Want::Run, &jp, 80, t("2025-06-16T00:00:00Z")).expect("run");
    assert_eq!(c.breach_at, Some(t("2025-06-16T09:00:00Z")));
    assert_eq!(c.warn_at, Some(t("2025-06-16T07:12:00Z"))); // 80 % of 9 h = 7 h 12 min
    assert_eq!(c.next_event_at, c.warn_at);
    // Pause at 12:00 JST (3 h used), resume Wednesday 09:00 JST: 6 h left → 15:00 JST.
    go(&mut c, Want::Pause, &jp, 80, t("2025-06-16T03:00:00Z")).expect("pause");
    assert_eq!(
        (c.state, c.elapsed_secs, c.breach_at),
        (ClockState::Paused, 3 * 3600, None)
    );
    assert_eq!(c.next_event_at, None);
    go(&mut c, Want::Run, &jp, 80, t("2025-06-18T00:00:00Z")).expect("resume");
    assert_eq!(c.breach_at, Some(t("2025-06-18T06:00:00Z")));
    // The sweep recorded the warning: the next event is the breach.
    c.warned = true;
    go(&mut c, Want::Run, &jp, 80, t("2025-06-18T01:00:00Z")).expect("again");
    assert_eq!(c.next_event_at, c.breach_at);
    // Stopped in time: met; stopped late: missed.
    let mut met = c.clone();
    go(&mut met, Want::Stop, &jp, 80, t("2025-06-18T05:00:00Z")).expect("stop");
    assert_eq!((met.state, met.next_event_at), (ClockState::Met, None));
    let mut late = c.clone();
    go(&mut late, Want::Stop, &jp, 80, t("2025-06-19T05:00:00Z")).expect("stop");
    assert_eq!(late.state, ClockState::Missed);
    assert!(view(&late, Some(&jp), t("2025-06-20T00:00:00Z")).breached);
}

#[test]
fn config_validation_names_the_field() {
    let bad = [
        (
            json!({"policies": [{"calendar": "mars", "targets": []}]}),
            "policies[0].calendar",
        ),
        (json!({"warn_percent": 0, "policies": []}), "warn_percent"),
        (
            json!({"policies": [{"calendar": "24x7", "targets": [{"priority": 9}]}]}),
            "policies[0].targets[0]",
        ),
        (
            json!({"policies": [{"calendar": "24x7", "constituency": "zz", "targets": []}]}),
            "policies[0].constituency",
        ),
    ];
    for (v, field) in bad {
        let cfg: SlaConfig = serde_json::from_value(v).expect("parses");
        match Sla::new(cfg, &|_, _| false) {
            Err(Error::Validation { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {:?}", other.map(|_| ())),
        }
    }
    let sla = Sla::new(SlaConfig::default(), &|_, _| false).expect("default is valid");
    let p = sla.policy(Some("anything")).expect("default policy");
    assert_eq!(Sla::budget(p, ClockKind::FirstResponse, 1), Some(30 * 60));
}
