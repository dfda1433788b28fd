//! Whole-day arithmetic on a calendar's open days (for deadlines counted in days).

use jiff::civil::Date;

use crate::business::MAX_CLOSED_DAYS;
use crate::calendar::Calendar;
use crate::civil::next_day;
use crate::error::CalendarError;

/// The first open day on or after `date`.
pub fn next_open_day(cal: &Calendar, date: Date) -> Result<Date, CalendarError> {
    let mut d = date;
    for _ in 0..=MAX_CLOSED_DAYS {
        if cal.is_open_day(d) {
            return Ok(d);
        }
        d = next_day(d).ok_or(CalendarError::OutOfRange)?;
    }
    Err(CalendarError::NoOpenTime {
        id: cal.id().to_owned(),
    })
}

/// The `n`-th open day strictly after `date` (`date` itself when `n == 0`).
pub fn add_open_days(cal: &Calendar, date: Date, n: u32) -> Result<Date, CalendarError> {
    let mut d = date;
    for _ in 0..n {
        let tomorrow = next_day(d).ok_or(CalendarError::OutOfRange)?;
        d = next_open_day(cal, tomorrow)?;
    }
    Ok(d)
}

/// Number of open days in `first..=last` (0 when `last < first`).
pub fn count_open_days(cal: &Calendar, first: Date, last: Date) -> u32 {
    let mut n = 0;
    let mut d = first;
    while d <= last {
        if cal.is_open_day(d) {
            n += 1;
        }
        match next_day(d) {
            Some(x) => d = x,
            None => break,
        }
    }
    n
}
