//! Japanese public holidays: inline vectors (jp-holidays.md §8, copied so the test runs
//! without /work/shared) and the vectors read from the shared spec when it is present.

mod common;

use common::{day, shared_dir};
use hikeshi_calendar::jp_holidays::{JpHolidayKind, jp_holiday, jp_holidays_in_year};
use hikeshi_calendar::{Calendar, add_open_days, count_open_days, next_open_day};
use jiff::civil::Date;

const Y2025: &[&str] = &[
    "2025-01-01",
    "2025-01-13",
    "2025-02-11",
    "2025-02-23",
    "2025-02-24",
    "2025-03-20",
    "2025-04-29",
    "2025-05-03",
    "2025-05-04",
    "2025-05-05",
    "2025-05-06",
    "2025-07-21",
    "2025-08-11",
    "2025-09-15",
    "2025-09-23",
    "2025-10-13",
    "2025-11-03",
    "2025-11-23",
    "2025-11-24",
];
const Y2026: &[&str] = &[
    "2026-01-01",
    "2026-01-12",
    "2026-02-11",
    "2026-02-23",
    "2026-03-20",
    "2026-04-29",
    "2026-05-03",
    "2026-05-04",
    "2026-05-05",
    "2026-05-06",
    "2026-07-20",
    "2026-08-11",
    "2026-09-21",
    "2026-09-22",
    "2026-09-23",
    "2026-10-12",
    "2026-11-03",
    "2026-11-23",
];
const Y2027: &[&str] = &[
    "2027-01-01",
    "2027-01-11",
    "2027-02-11",
    "2027-02-23",
    "2027-03-21",
    "2027-03-22",
    "2027-04-29",
    "2027-05-03",
    "2027-05-04",
    "2027-05-05",
    "2027-07-19",
    "2027-08-11",
    "2027-09-20",
    "2027-09-23",
    "2027-10-11",
    "2027-11-03",
    "2027-11-23",
];

fn computed(year: i16) -> Vec<String> {
    jp_holidays_in_year(year)
        .iter()
        .map(|h| h.date.to_string())
        .collect()
}

fn check_year(year: i16, want: &[&str]) {
    assert_eq!(computed(year), want, "holidays of {year}");
}

#[test]
fn holidays_2025_2026_2027_match_the_spec() {
    check_year(2025, Y2025);
    check_year(2026, Y2026);
    check_year(2027, Y2027);
}

fn kind(d: &str) -> Option<JpHolidayKind> {
    jp_holiday(day(d)).map(|h| h.kind)
}

#[test]
fn substitute_and_citizens_holidays() {
    use JpHolidayKind::*;
    for (d, k) in [
        ("2025-02-24", Substitute),
        ("2025-05-06", Substitute),
        ("2025-11-24", Substitute),
        ("2026-05-06", Substitute), // 05-03 Sunday, 05-04/05 taken: post-2007 rule
        ("2026-09-22", Citizens),   // Silver Week sandwich
        ("2027-03-22", Substitute),
        ("1973-04-30", Substitute), // first substitute holiday ever
        ("1988-05-04", Citizens),   // first citizens' holiday
        ("2019-04-30", Citizens),
        ("2019-05-02", Citizens),
        ("2019-05-06", Substitute),
        ("2021-08-09", Substitute),
    ] {
        assert_eq!(kind(d), Some(k), "{d}");
    }
    // Sunday exclusion before 2007: these would wrongly be citizens' holidays without it.
    for d in ["1986-05-04", "1997-05-04", "2003-05-04"] {
        assert_eq!(kind(d), None, "{d}");
    }
    let h = jp_holiday(day("2026-09-22")).expect("holiday");
    assert_eq!(h.name_ja, "国民の休日");
}

#[test]
fn special_years_2019_to_2021() {
    let has = |d: &str| jp_holiday(day(d)).is_some();
    // 2019: no Emperor's Birthday; accession and enthronement days.
    assert!(!has("2019-02-23") && !has("2019-12-23"));
    assert!(has("2019-05-01") && has("2019-10-22") && has("2019-10-14"));
    // Olympics moves.
    for d in [
        "2020-07-23",
        "2020-07-24",
        "2020-08-10",
        "2021-07-22",
        "2021-07-23",
        "2021-08-08",
    ] {
        assert!(has(d), "{d}");
    }
    for d in [
        "2020-07-20",
        "2020-08-11",
        "2020-10-12",
        "2021-07-19",
        "2021-08-11",
        "2021-10-11",
    ] {
        assert!(!has(d), "{d}");
    }
    assert_eq!(
        jp_holiday(day("2020-07-24")).map(|h| h.name_ja),
        Some("スポーツの日")
    );
    assert_eq!(
        jp_holiday(day("2018-10-08")).map(|h| h.name_ja),
        Some("体育の日")
    );
}

#[test]
fn equinox_after_the_official_range_is_provisional() {
    let h = jp_holiday(day("2027-03-21")).expect("vernal equinox 2027");
    assert!(h.provisional);
    assert!(!jp_holiday(day("2026-03-20")).expect("2026").provisional);
    assert!(!jp_holiday(day("2026-05-06")).expect("2026").provisional);
}

#[test]
fn jp_admin_vectors() {
    let cal = Calendar::builtin("jp-admin").expect("jp-admin");
    assert_eq!(
        next_open_day(&cal, day("2025-12-27")),
        Ok(day("2026-01-05"))
    );
    assert_eq!(
        next_open_day(&cal, day("2026-12-28")),
        Ok(day("2026-12-28"))
    );
    assert!(!cal.is_open_day(day("2026-01-04")));
    assert!(cal.is_open_day(day("2026-01-05")));
    assert_eq!(
        add_open_days(&cal, day("2026-04-28"), 3),
        Ok(day("2026-05-07"))
    );
    assert_eq!(
        add_open_days(&cal, day("2025-12-26"), 1),
        Ok(day("2026-01-05"))
    );
    assert_eq!(
        add_open_days(&cal, day("2026-09-18"), 1),
        Ok(day("2026-09-24"))
    );
    assert_eq!(
        count_open_days(&cal, day("2025-12-01"), day("2025-12-31")),
        20
    );
    assert_eq!(
        count_open_days(&cal, day("2026-01-01"), day("2026-01-31")),
        19
    );
    assert_eq!(
        count_open_days(&cal, day("2026-05-01"), day("2026-05-31")),
        18
    );
}

/// Dates listed in a markdown section: the first cell of table rows (`| 2025-01-01 | …`) and
/// the inline list of §8.3 (`2027-01-01, 01-11, **03-21 (Sun, …)**, … — 17 days.`).
fn dates_in_section(md: &str, heading: &str) -> Vec<Date> {
    let Some(start) = md.find(heading) else {
        return Vec::new();
    };
    let rest = &md[start + heading.len()..];
    let section = &rest[..rest.find("\n### ").unwrap_or(rest.len())];
    let mut out = Vec::new();
    let mut list = String::new();
    for line in section.lines() {
        if let Some(row) = line.strip_prefix("| ") {
            if let Some(Ok(d)) = row.split('|').next().map(|c| c.trim().parse::<Date>()) {
                out.push(d);
            }
        } else if !list.is_empty() || line.get(..10).is_some_and(|x| x.parse::<Date>().is_ok()) {
            list.push_str(line);
            list.push(' ');
        }
    }
    let list = list.split('—').next().unwrap_or("");
    let year = list.get(..4).unwrap_or("");
    for item in list.split(',') {
        let item = item.trim().trim_start_matches('*');
        let candidate = match (item.get(..10), item.get(..5)) {
            (Some(full), _) if full.parse::<Date>().is_ok() => full.to_owned(),
            (_, Some(month_day)) => format!("{year}-{month_day}"),
            _ => continue,
        };
        if let Ok(d) = candidate.parse::<Date>() {
            out.push(d);
        }
    }
    out
}

#[test]
fn shared_spec_vectors() {
    let Some(dir) = shared_dir() else { return };
    let md = std::fs::read_to_string(dir.join("domain/jp-holidays.md")).expect("read spec");
    for (heading, year, count) in [
        ("### 8.1 Holidays 2025", 2025, 19),
        ("### 8.2 Holidays 2026", 2026, 18),
        ("### 8.3 Holidays 2027", 2027, 17),
    ] {
        let want: Vec<String> = dates_in_section(&md, heading)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(want.len(), count, "vectors parsed from {heading}");
        assert_eq!(computed(year), want, "{heading}");
    }
}
