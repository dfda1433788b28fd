//! Business-hours arithmetic with fixed times: weekends, Japanese holidays, the year-end
//! closure, time zones and the Europe/Berlin DST changes.

mod common;

use common::ts;
use hikeshi_calendar::{
    Calendar, CalendarError, CalendarSpec, Closure, Day, DayTime, WeeklyHours,
    add_business_duration, add_business_hours, add_business_minutes, business_duration_between,
    is_open, next_open,
};
use jiff::SignedDuration;

fn cal(id: &str) -> Calendar {
    Calendar::builtin(id).expect("built-in calendar")
}

fn hm(h: u32, m: u32) -> DayTime {
    DayTime::hm(h, m).expect("valid time")
}

fn custom(zone: &str, days: &[Day], open: DayTime, close: DayTime) -> Calendar {
    Calendar::from_spec(CalendarSpec {
        id: "custom".into(),
        time_zone: zone.into(),
        weekly: vec![WeeklyHours {
            days: days.to_vec(),
            open,
            close,
        }],
        holidays: vec![],
        closed_days: vec![],
        closures: vec![],
    })
    .expect("valid spec")
}

fn berlin() -> Calendar {
    custom("Europe/Berlin", &Day::WEEKDAYS, hm(9, 0), hm(17, 0))
}

/// `check(calendar, from, hours, expected due)` — the one helper for the table tests.
fn check(c: &Calendar, from: &str, hours: &str, want: &str) {
    let h: f64 = hours.parse().expect("hours");
    let d = SignedDuration::from_secs_f64(h * 3600.0);
    let due = add_business_duration(c, ts(from), d).expect("due");
    assert_eq!(c.format(due), want, "{} + {hours} h from {from}", c.id());
    assert_eq!(
        business_duration_between(c, ts(from), due),
        Ok(d),
        "round trip for {from} + {hours} h"
    );
}

#[test]
fn jp_business_weekdays_weekends_and_boundaries() {
    let c = cal("jp-business");
    // Friday 16:00 + 2 h fills the day exactly: closing time, not Monday morning.
    check(
        &c,
        "2026-01-09T16:00:00+09:00",
        "2",
        "2026-01-09T18:00:00+09:00",
    );
    // Friday 16:00 + 3 h → Tuesday (Monday 01-12 is 成人の日) 10:00.
    check(
        &c,
        "2026-01-09T16:00:00+09:00",
        "3",
        "2026-01-13T10:00:00+09:00",
    );
    // Start on Saturday → counting starts at the next opening.
    check(
        &c,
        "2026-01-17T11:00:00+09:00",
        "1",
        "2026-01-19T10:00:00+09:00",
    );
    // Start before opening and after closing.
    check(
        &c,
        "2026-01-19T07:00:00+09:00",
        "1.5",
        "2026-01-19T10:30:00+09:00",
    );
    check(
        &c,
        "2026-01-19T19:00:00+09:00",
        "9",
        "2026-01-20T18:00:00+09:00",
    );
    // Input in UTC, output in Tokyo.
    check(&c, "2026-01-19T00:00:00Z", "1", "2026-01-19T10:00:00+09:00");
    // Zero: unchanged, even when closed.
    let sat = ts("2026-01-17T11:00:00+09:00");
    assert_eq!(add_business_hours(&c, sat, 0), Ok(sat));
    assert_eq!(
        add_business_minutes(&c, ts("2026-01-19T17:30:00+09:00"), 45).map(|t| c.format(t)),
        Ok("2026-01-20T09:15:00+09:00".into())
    );
}

#[test]
fn jp_business_golden_week_and_silver_week() {
    let c = cal("jp-business");
    // 2026-04-28 Tue 17:00 + 2 h: 1 h on 04-28, 04-29 昭和の日, 1 h on Thu 04-30.
    check(
        &c,
        "2026-04-28T17:00:00+09:00",
        "2",
        "2026-04-30T10:00:00+09:00",
    );
    // Fri 2026-05-01 17:00 + 2 h: weekend, 05-04..05-06 (incl. 振替休日) closed → Thu 05-07.
    check(
        &c,
        "2026-05-01T17:00:00+09:00",
        "2",
        "2026-05-07T10:00:00+09:00",
    );
    // 2025: Fri 05-02 + 9 h → Wed 05-07 (05-06 is the substitute for 05-04).
    check(
        &c,
        "2025-05-02T09:00:00+09:00",
        "18",
        "2025-05-07T18:00:00+09:00",
    );
    // Silver Week 2026: Fri 09-18 17:00 + 2 h → Thu 09-24 10:00 (09-21, 22, 23 closed).
    check(
        &c,
        "2026-09-18T17:00:00+09:00",
        "2",
        "2026-09-24T10:00:00+09:00",
    );
    // Substitute 2025-11-24 (勤労感謝の日 on Sunday).
    check(
        &c,
        "2025-11-21T17:00:00+09:00",
        "2",
        "2025-11-25T10:00:00+09:00",
    );
}

#[test]
fn year_end_closure_only_in_the_yearend_calendar() {
    let plain = cal("jp-business");
    let ye = cal("jp-business-yearend");
    // Mon 2026-12-28 17:00 + 2 h.
    check(
        &plain,
        "2026-12-28T17:00:00+09:00",
        "2",
        "2026-12-29T10:00:00+09:00",
    );
    check(
        &ye,
        "2026-12-28T17:00:00+09:00",
        "2",
        "2027-01-04T10:00:00+09:00",
    );
    // 2025-12-26 (Fri) 18:00 + 1 h → 2026-01-05 (01-04 is a Sunday).
    check(
        &ye,
        "2025-12-26T18:00:00+09:00",
        "1",
        "2026-01-05T10:00:00+09:00",
    );
    assert!(is_open(&plain, ts("2026-12-30T10:00:00+09:00")));
    assert!(!is_open(&ye, ts("2026-12-30T10:00:00+09:00")));
}

#[test]
fn always_open_calendar_is_elapsed_time() {
    let c = cal("24x7");
    check(
        &c,
        "2026-03-28T22:00:00+01:00",
        "72",
        "2026-03-31T21:00:00Z",
    );
    assert!(is_open(&c, ts("2026-01-01T00:00:00Z")));
    assert!(c.is_always_open());
}

#[test]
fn is_open_half_open_windows() {
    let c = cal("jp-business");
    assert!(is_open(&c, ts("2026-01-05T09:00:00+09:00")));
    assert!(is_open(&c, ts("2026-01-05T17:59:59+09:00")));
    assert!(!is_open(&c, ts("2026-01-05T18:00:00+09:00")));
    assert!(!is_open(&c, ts("2026-01-05T08:59:59+09:00")));
    assert!(!is_open(&c, ts("2026-01-12T10:00:00+09:00"))); // 成人の日
    assert_eq!(
        next_open(&c, ts("2026-01-09T18:00:00+09:00")).map(|t| c.format(t)),
        Ok("2026-01-13T09:00:00+09:00".into())
    );
}

#[test]
fn berlin_across_spring_dst_change() {
    let c = berlin();
    // Fri 2026-03-27 16:00 CET + 2 h → Mon 03-30 10:00 CEST (the clocks moved on Sunday 29).
    check(
        &c,
        "2026-03-27T16:00:00+01:00",
        "2",
        "2026-03-30T10:00:00+02:00",
    );
    assert_eq!(
        c.format(ts("2026-03-30T08:00:00Z")),
        "2026-03-30T10:00:00+02:00"
    );
    // A whole working week across the change is still 40 h.
    assert_eq!(
        business_duration_between(
            &c,
            ts("2026-03-23T00:00:00+01:00"),
            ts("2026-04-04T00:00:00+02:00")
        ),
        Ok(SignedDuration::from_hours(80))
    );
    assert!(is_open(&c, ts("2026-03-30T07:00:00Z"))); // 09:00 CEST
    assert!(!is_open(&c, ts("2026-03-27T07:00:00Z"))); // 08:00 CET
}

#[test]
fn berlin_across_autumn_dst_change() {
    let c = berlin();
    // Fri 2026-10-23 16:00 CEST + 2 h → Mon 10-26 10:00 CET.
    check(
        &c,
        "2026-10-23T16:00:00+02:00",
        "2",
        "2026-10-26T10:00:00+01:00",
    );
    check(
        &c,
        "2026-10-23T09:00:00+02:00",
        "16",
        "2026-10-26T17:00:00+01:00",
    );
}

#[test]
fn dst_night_windows_have_their_real_length() {
    // Open every Sunday 00:00–24:00 and 01:00–04:00 windows: the change days are 23 h / 25 h.
    let all_day = custom(
        "Europe/Berlin",
        &[Day::Sun],
        DayTime::MIDNIGHT,
        DayTime::END_OF_DAY,
    );
    assert_eq!(
        business_duration_between(
            &all_day,
            ts("2026-03-28T12:00:00Z"),
            ts("2026-03-30T12:00:00Z")
        ),
        Ok(SignedDuration::from_hours(23))
    );
    assert_eq!(
        business_duration_between(
            &all_day,
            ts("2026-10-24T12:00:00Z"),
            ts("2026-10-26T12:00:00Z")
        ),
        Ok(SignedDuration::from_hours(25))
    );
    let night = custom("Europe/Berlin", &[Day::Sun], hm(1, 0), hm(4, 0));
    // 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z: 2 h of business time that night.
    assert_eq!(
        business_duration_between(
            &night,
            ts("2026-03-29T00:00:00Z"),
            ts("2026-03-29T06:00:00Z")
        ),
        Ok(SignedDuration::from_hours(2))
    );
    check(
        &night,
        "2026-03-29T00:00:00+01:00",
        "2.5",
        "2026-04-05T01:30:00+02:00",
    );
}

#[test]
fn custom_calendar_with_closures_and_closed_days() {
    let spec: CalendarSpec = serde_json::from_str(
        r#"{"id":"tokyo-soc","time_zone":"Asia/Tokyo",
            "weekly":[{"days":["mon","tue","wed","thu","fri"],"open":"09:00","close":"12:00"},
                      {"days":["mon","tue","wed","thu","fri"],"open":"13:00","close":"18:00"}],
            "holidays":["japan"],
            "closed_days":["2026-08-13","2026-08-14"],
            "closures":[{"dates":{"from":"2026-08-17","to":"2026-08-17"}}]}"#,
    )
    .expect("spec");
    let c = Calendar::from_spec(spec).expect("calendar");
    // Lunch break: 11:00 + 2 h → 14:00.
    check(
        &c,
        "2026-08-10T11:00:00+09:00",
        "2",
        "2026-08-10T14:00:00+09:00",
    );
    // Wed 08-12 17:00 + 2 h: 08-13/14 closed days, weekend, 08-17 closure → Tue 08-18 10:00.
    check(
        &c,
        "2026-08-12T17:00:00+09:00",
        "2",
        "2026-08-18T10:00:00+09:00",
    );
}

#[test]
fn invalid_specs_and_errors() {
    let bad_zone = CalendarSpec {
        time_zone: "Mars/Olympus".into(),
        ..cal("jp-business").spec().clone()
    };
    assert!(matches!(
        Calendar::from_spec(bad_zone),
        Err(CalendarError::UnknownTimeZone { .. })
    ));
    let inverted = CalendarSpec {
        weekly: vec![WeeklyHours {
            days: vec![Day::Mon],
            open: hm(18, 0),
            close: hm(9, 0),
        }],
        ..cal("jp-business").spec().clone()
    };
    assert!(matches!(
        Calendar::from_spec(inverted),
        Err(CalendarError::InvalidSpec { .. })
    ));
    let empty = CalendarSpec {
        weekly: vec![],
        ..cal("jp-business").spec().clone()
    };
    assert!(matches!(
        Calendar::from_spec(empty),
        Err(CalendarError::InvalidSpec { .. })
    ));
    assert!(matches!(
        Calendar::builtin("nope"),
        Err(CalendarError::UnknownCalendar(_))
    ));
    let c = cal("jp-business");
    assert_eq!(
        add_business_hours(&c, ts("2026-01-05T09:00:00Z"), -1),
        Err(CalendarError::NegativeDuration)
    );
    // Closed for ever: an error, not an endless loop.
    let closed = CalendarSpec {
        closures: vec![Closure::Annual {
            from: hikeshi_calendar::MonthDay { month: 1, day: 1 },
            to: hikeshi_calendar::MonthDay { month: 12, day: 31 },
        }],
        ..c.spec().clone()
    };
    let closed = Calendar::from_spec(closed).expect("valid");
    assert!(matches!(
        add_business_hours(&closed, ts("2026-01-05T09:00:00Z"), 1),
        Err(CalendarError::NoOpenTime { .. })
    ));
}

#[test]
fn negative_interval_is_negative() {
    let c = cal("jp-business");
    assert_eq!(
        business_duration_between(
            &c,
            ts("2026-01-06T10:00:00+09:00"),
            ts("2026-01-05T10:00:00+09:00")
        ),
        Ok(SignedDuration::from_hours(-9))
    );
}
