//! Property tests of business-time arithmetic on several calendars (fixed seeds by proptest's
//! defaults; times drawn from 2024–2028, never the real clock).

use hikeshi_calendar::{
    Calendar, CalendarSpec, Day, DayTime, WeeklyHours, add_business_duration,
    business_duration_between, is_open, jp_holidays::jp_holiday,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

fn calendars() -> Vec<Calendar> {
    let mut v: Vec<Calendar> = [
        "jp-business",
        "jp-business-yearend",
        "24x7",
        "us-federal-business",
    ]
    .iter()
    .map(|id| Calendar::builtin(id).expect("builtin"))
    .collect();
    for (zone, open, close) in [
        ("Europe/Berlin", (9, 0), (17, 0)),
        ("Europe/Berlin", (1, 0), (4, 0)),
    ] {
        v.push(
            Calendar::from_spec(CalendarSpec {
                id: format!("berlin-{open:?}"),
                time_zone: zone.into(),
                weekly: vec![WeeklyHours {
                    days: vec![Day::Mon, Day::Wed, Day::Fri, Day::Sun],
                    open: DayTime::hm(open.0, open.1).expect("t"),
                    close: DayTime::hm(close.0, close.1).expect("t"),
                }],
                holidays: vec![],
                closed_days: vec![],
                closures: vec![],
            })
            .expect("custom"),
        );
    }
    v
}

fn start() -> impl Strategy<Value = Timestamp> {
    // 2024-01-01 .. 2028-01-01, second resolution.
    (1_704_067_200i64..1_830_297_600).prop_map(|s| Timestamp::from_second(s).expect("ts"))
}

fn dur() -> impl Strategy<Value = SignedDuration> {
    (0i64..200 * 3600).prop_map(SignedDuration::from_secs)
}

fn cal_index() -> impl Strategy<Value = usize> {
    0usize..6
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn adding_is_additive(ci in cal_index(), from in start(), h1 in dur(), h2 in dur()) {
        let c = &calendars()[ci];
        let t1 = add_business_duration(c, from, h1).expect("t1");
        let t2 = add_business_duration(c, t1, h2).expect("t2");
        prop_assert_eq!(t2, add_business_duration(c, from, h1 + h2).expect("sum"));
    }

    #[test]
    fn measuring_inverts_adding(ci in cal_index(), from in start(), h in dur()) {
        let c = &calendars()[ci];
        let due = add_business_duration(c, from, h).expect("due");
        prop_assert!(due >= from);
        prop_assert_eq!(business_duration_between(c, from, due).expect("between"), h);
    }

    #[test]
    fn due_is_inside_open_hours_or_at_a_closing_boundary(ci in cal_index(), from in start(), h in dur()) {
        prop_assume!(!h.is_zero());
        let c = &calendars()[ci];
        let due = add_business_duration(c, from, h).expect("due");
        let just_before = due - SignedDuration::from_secs(1);
        prop_assert!(is_open(c, due) || is_open(c, just_before), "{} not at open time", c.format(due));
    }

    #[test]
    fn adding_is_monotonic(ci in cal_index(), from in start(), h1 in dur(), h2 in dur()) {
        let c = &calendars()[ci];
        let (lo, hi) = if h1 <= h2 { (h1, h2) } else { (h2, h1) };
        prop_assert!(add_business_duration(c, from, lo).expect("lo") <= add_business_duration(c, from, hi).expect("hi"));
    }

    #[test]
    fn between_is_additive_and_bounded(ci in cal_index(), a in start(), b in start(), m in start()) {
        let c = &calendars()[ci];
        let mut v = [a, b, m];
        v.sort();
        let [x, y, z] = v;
        let xy = business_duration_between(c, x, y).expect("xy");
        let yz = business_duration_between(c, y, z).expect("yz");
        prop_assert_eq!(xy + yz, business_duration_between(c, x, z).expect("xz"));
        prop_assert!(xy <= x.duration_until(y));
    }

    #[test]
    fn jp_business_is_closed_on_holidays_and_weekends(s in start()) {
        let c = Calendar::builtin("jp-business").expect("cal");
        let d = c.local_date(s);
        let weekend = matches!(d.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday);
        if weekend || jp_holiday(d).is_some() {
            prop_assert!(!is_open(&c, s));
        }
    }
}
