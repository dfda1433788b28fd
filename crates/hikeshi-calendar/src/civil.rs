//! Small, fast civil-date helpers shared by the holiday rules and the calendar walk.

use jiff::civil::{Date, Weekday};

/// Days since 1970-01-01 (proleptic Gregorian), without going through jiff's span machinery.
pub(crate) fn epoch_day(date: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 (inverse of [`epoch_day`]); `None` outside jiff's range.
pub(crate) fn date_from_epoch_day(days: i64) -> Option<Date> {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    ymd(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
}

/// Monday = 0 … Sunday = 6.
pub(crate) fn weekday_index(date: Date) -> usize {
    // 1970-01-01 was a Thursday (index 3).
    let idx = (epoch_day(date) + 3).rem_euclid(7);
    usize::try_from(idx).unwrap_or(0)
}

#[cfg(test)]
pub(crate) fn weekday_from_index(idx: usize) -> Weekday {
    match idx {
        0 => Weekday::Monday,
        1 => Weekday::Tuesday,
        2 => Weekday::Wednesday,
        3 => Weekday::Thursday,
        4 => Weekday::Friday,
        5 => Weekday::Saturday,
        _ => Weekday::Sunday,
    }
}

/// A date that is known to be valid (month 1–12, day within the month); `None` otherwise.
pub(crate) fn ymd(year: i16, month: i8, day: i8) -> Option<Date> {
    Date::new(year, month, day).ok()
}

/// The `n`-th (1-based) given weekday of a month, e.g. the 2nd Monday of January.
pub(crate) fn nth_weekday(year: i16, month: i8, weekday: Weekday, n: i8) -> Option<Date> {
    let first = ymd(year, month, 1)?;
    let first_idx = weekday_index(first);
    let want = weekday.to_monday_zero_offset();
    let want = usize::try_from(want).unwrap_or(0);
    let offset = (want + 7 - first_idx) % 7;
    let day = 1 + i8::try_from(offset).ok()? + 7 * (n - 1);
    ymd(year, month, day)
}

/// The last given weekday of a month (e.g. the last Monday of May).
pub(crate) fn last_weekday(year: i16, month: i8, weekday: Weekday) -> Option<Date> {
    let first = ymd(year, month, 1)?;
    let last = ymd(year, month, first.days_in_month())?;
    let last_idx = weekday_index(last);
    let want = usize::try_from(weekday.to_monday_zero_offset()).unwrap_or(0);
    let back = (last_idx + 7 - want) % 7;
    ymd(year, month, last.day() - i8::try_from(back).ok()?)
}

/// The next day, or `None` at the end of jiff's range.
pub(crate) fn next_day(date: Date) -> Option<Date> {
    date.tomorrow().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn epoch_day_and_weekday_agree_with_jiff() {
        let mut d = date(1899, 12, 25);
        for _ in 0..(366 * 250) {
            assert_eq!(weekday_from_index(weekday_index(d)), d.weekday(), "{d}");
            let Some(n) = next_day(d) else { break };
            assert_eq!(epoch_day(n), epoch_day(d) + 1);
            assert_eq!(date_from_epoch_day(epoch_day(d)), Some(d));
            d = n;
        }
        assert_eq!(epoch_day(date(1970, 1, 1)), 0);
    }

    #[test]
    fn nth_and_last_weekday() {
        assert_eq!(
            nth_weekday(2026, 1, Weekday::Monday, 2),
            Some(date(2026, 1, 12))
        );
        assert_eq!(
            nth_weekday(2026, 11, Weekday::Thursday, 4),
            Some(date(2026, 11, 26))
        );
        assert_eq!(
            last_weekday(2026, 5, Weekday::Monday),
            Some(date(2026, 5, 25))
        );
        assert_eq!(
            last_weekday(2026, 3, Weekday::Sunday),
            Some(date(2026, 3, 29))
        );
    }
}
