//! US federal holidays (5 U.S.C. 6103) for the `us-federal-business` calendar used by the
//! SEC 8-K preset. Confidence **M** (as in regulatory-deadlines.yaml): the rules as in force
//! since 2021, applied from 1971 (Monday Holiday Act); MLK Day from 1986, Juneteenth from 2021.
//! A holiday on a Saturday is observed on the Friday before, on a Sunday on the Monday after.

use jiff::civil::{Date, Weekday};

use crate::civil::{last_weekday, nth_weekday, weekday_index, ymd};

/// The observed federal holidays of `year` (a 1 January falling on a Saturday is observed on
/// 31 December of the year before, so it appears in the list of `year - 1`).
pub fn us_federal_holidays(year: i16) -> Vec<(Date, &'static str)> {
    if year < 1971 {
        return Vec::new();
    }
    let mut actual: Vec<(Option<Date>, &'static str)> = vec![
        (ymd(year, 1, 1), "New Year's Day"),
        (
            nth_weekday(year, 2, Weekday::Monday, 3),
            "Washington's Birthday",
        ),
        (last_weekday(year, 5, Weekday::Monday), "Memorial Day"),
        (ymd(year, 7, 4), "Independence Day"),
        (nth_weekday(year, 9, Weekday::Monday, 1), "Labor Day"),
        (nth_weekday(year, 10, Weekday::Monday, 2), "Columbus Day"),
        (ymd(year, 11, 11), "Veterans Day"),
        (
            nth_weekday(year, 11, Weekday::Thursday, 4),
            "Thanksgiving Day",
        ),
        (ymd(year, 12, 25), "Christmas Day"),
    ];
    if year >= 1986 {
        actual.push((
            nth_weekday(year, 1, Weekday::Monday, 3),
            "Birthday of Martin Luther King, Jr.",
        ));
    }
    if year >= 2021 {
        actual.push((ymd(year, 6, 19), "Juneteenth National Independence Day"));
    }
    let mut out: Vec<(Date, &'static str)> = actual
        .into_iter()
        .filter_map(|(d, n)| d.map(|d| (observed(d), n)))
        .collect();
    // Next year's 1 January observed on 31 December of this year.
    if let Some(next) = ymd(year.saturating_add(1), 1, 1) {
        let obs = observed(next);
        if obs.year() == year {
            out.push((obs, "New Year's Day"));
        }
    }
    out.retain(|(d, _)| d.year() == year);
    out.sort();
    out
}

fn observed(d: Date) -> Date {
    match weekday_index(d) {
        5 => d.yesterday().unwrap_or(d),
        6 => d.tomorrow().unwrap_or(d),
        _ => d,
    }
}

/// Is `date` an observed US federal holiday?
pub fn is_us_federal_holiday(date: Date) -> bool {
    us_federal_holidays(date.year())
        .iter()
        .any(|(d, _)| *d == date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn federal_holidays_2026() {
        let got: Vec<Date> = us_federal_holidays(2026).into_iter().map(|x| x.0).collect();
        let want = [
            date(2026, 1, 1),
            date(2026, 1, 19),
            date(2026, 2, 16),
            date(2026, 5, 25),
            date(2026, 6, 19),
            date(2026, 7, 3), // 4 July is a Saturday
            date(2026, 9, 7),
            date(2026, 10, 12),
            date(2026, 11, 11),
            date(2026, 11, 26),
            date(2026, 12, 25),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn new_year_on_saturday_is_observed_the_year_before() {
        // 2022-01-01 was a Saturday.
        assert!(is_us_federal_holiday(date(2021, 12, 31)));
        assert!(!is_us_federal_holiday(date(2022, 1, 1)));
    }
}
