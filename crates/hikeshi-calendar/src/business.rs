//! Business-time arithmetic on instants: add business time, measure it, ask whether a
//! calendar is open.
//!
//! Rules (the same for every calendar):
//! * Open windows are half-open `[open, close)` in local time, converted to instants day by
//!   day, so DST days have their real length (a 01:00–04:00 window on the spring-forward night
//!   lasts 2 h).
//! * `add_business_duration(cal, from, d)` returns the **earliest** instant `t >= from` with
//!   `business_duration_between(cal, from, t) == d`. Hence `d = 0` returns `from` unchanged;
//!   a start outside business hours starts counting at the next opening; a due time that uses
//!   up a window exactly is that window's closing time (Fri 18:00, not Mon 09:00).
//! * Negative durations are rejected; a calendar that stays closed for
//!   [`MAX_CLOSED_DAYS`] consecutive days is reported as [`CalendarError::NoOpenTime`].

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::calendar::Calendar;
use crate::civil::next_day;
use crate::error::CalendarError;

/// How long a walk may see only closed days before giving up (about 10 years).
pub const MAX_CLOSED_DAYS: u32 = 3_660;

/// Visits the open windows (as instants, clipped to start at `from`) from the local day of
/// `from` on, until `visit` returns `Some`.
fn walk<T>(
    cal: &Calendar,
    from: Timestamp,
    mut visit: impl FnMut(Timestamp, Timestamp) -> Option<T>,
) -> Result<T, CalendarError> {
    let mut date: Date = cal.local_date(from);
    let mut closed_run = 0u32;
    loop {
        let windows = cal.windows(date);
        if windows.is_empty() {
            closed_run += 1;
            if closed_run > MAX_CLOSED_DAYS {
                return Err(CalendarError::NoOpenTime {
                    id: cal.id().to_owned(),
                });
            }
        } else {
            closed_run = 0;
            for &(s, e) in windows {
                let end = cal.local_to_ts(date, e)?;
                if end <= from {
                    continue;
                }
                let start = cal.local_to_ts(date, s)?.max(from);
                if start < end
                    && let Some(out) = visit(start, end)
                {
                    return Ok(out);
                }
            }
        }
        date = next_day(date).ok_or(CalendarError::OutOfRange)?;
    }
}

/// `from` plus `d` of business time in `cal` (see the module rules).
pub fn add_business_duration(
    cal: &Calendar,
    from: Timestamp,
    d: SignedDuration,
) -> Result<Timestamp, CalendarError> {
    if d.is_negative() {
        return Err(CalendarError::NegativeDuration);
    }
    if d.is_zero() {
        return Ok(from);
    }
    if cal.is_always_open() {
        return Ok(from.checked_add(d)?);
    }
    let mut remaining = d;
    walk(cal, from, |start, end| {
        let avail = start.duration_until(end);
        if remaining <= avail {
            start.checked_add(remaining).ok()
        } else {
            remaining -= avail;
            None
        }
    })
}

/// `from` plus `hours` business hours.
pub fn add_business_hours(
    cal: &Calendar,
    from: Timestamp,
    hours: i64,
) -> Result<Timestamp, CalendarError> {
    let secs = hours.checked_mul(3600).ok_or(CalendarError::OutOfRange)?;
    add_business_duration(cal, from, SignedDuration::from_secs(secs))
}

/// `from` plus `minutes` business minutes.
pub fn add_business_minutes(
    cal: &Calendar,
    from: Timestamp,
    minutes: i64,
) -> Result<Timestamp, CalendarError> {
    let secs = minutes.checked_mul(60).ok_or(CalendarError::OutOfRange)?;
    add_business_duration(cal, from, SignedDuration::from_secs(secs))
}

/// Business time in `[a, b)`; negative when `b < a`. This is the running time of an SLA clock
/// that pauses outside business hours.
pub fn business_duration_between(
    cal: &Calendar,
    a: Timestamp,
    b: Timestamp,
) -> Result<SignedDuration, CalendarError> {
    if b < a {
        return business_duration_between(cal, b, a).map(|d| -d);
    }
    if cal.is_always_open() {
        return Ok(a.duration_until(b));
    }
    let mut total = SignedDuration::ZERO;
    let mut date = cal.local_date(a);
    let last = cal.local_date(b);
    while date <= last {
        for &(s, e) in cal.windows(date) {
            let start = cal.local_to_ts(date, s)?.max(a);
            let end = cal.local_to_ts(date, e)?.min(b);
            if start < end {
                total = total
                    .checked_add(start.duration_until(end))
                    .ok_or(CalendarError::OutOfRange)?;
            }
        }
        date = next_day(date).ok_or(CalendarError::OutOfRange)?;
    }
    Ok(total)
}

/// Is `cal` open at `t`? Windows are half-open: open at 09:00:00, closed at 18:00:00.
pub fn is_open(cal: &Calendar, t: Timestamp) -> bool {
    if cal.is_always_open() {
        return true;
    }
    let date = cal.local_date(t);
    cal.windows(date).iter().any(|&(s, e)| {
        matches!(
            (cal.local_to_ts(date, s), cal.local_to_ts(date, e)),
            (Ok(start), Ok(end)) if start <= t && t < end
        )
    })
}

/// The earliest instant `>= t` at which `cal` is open (`t` itself when open).
pub fn next_open(cal: &Calendar, t: Timestamp) -> Result<Timestamp, CalendarError> {
    if cal.is_always_open() {
        return Ok(t);
    }
    walk(cal, t, |start, _| Some(start))
}
