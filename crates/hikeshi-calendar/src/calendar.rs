//! [`Calendar`]: a validated [`CalendarSpec`] with its time zone resolved, plus the built-in
//! calendars (`24x7`, `jp-business`, `jp-business-yearend`, `jp-admin`, `us-federal-business`).

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::{Offset, TimeZone, TimeZoneDatabase};

use crate::civil::{date_from_epoch_day, epoch_day, weekday_index};
use crate::error::CalendarError;
use crate::jp_holidays::is_jp_holiday;
use crate::spec::{CalendarSpec, Closure, Day, DayTime, HolidayRules, WeeklyHours};
use crate::us_holidays::is_us_federal_holiday;

/// Ids of the built-in calendars, in the order `hikeshi calendar` lists them.
pub const BUILTIN_CALENDARS: [&str; 5] = [
    "24x7",
    "jp-business",
    "jp-business-yearend",
    "jp-admin",
    "us-federal-business",
];

/// A calendar ready for computation. Build it with [`Calendar::builtin`] or
/// [`Calendar::from_spec`]; it is cheap to clone and never changes.
#[derive(Debug, Clone)]
pub struct Calendar {
    spec: CalendarSpec,
    tz: TimeZone,
    /// Merged, sorted open windows per weekday (Monday = 0), in seconds since local midnight.
    week: [Vec<(u32, u32)>; 7],
    closed_days: Vec<Date>,
    always_open: bool,
    /// From this UNIX second on the zone has one fixed offset (no more transitions).
    fixed_from: Option<(i64, i32)>,
}

fn weekly(days: &[Day], open: DayTime, close: DayTime) -> Vec<WeeklyHours> {
    vec![WeeklyHours {
        days: days.to_vec(),
        open,
        close,
    }]
}

/// The spec of a built-in calendar.
///
/// * `24x7`: always open (UTC; business time = elapsed time).
/// * `jp-business`: Mon–Fri 09:00–18:00 Asia/Tokyo, closed on Japanese public holidays.
/// * `jp-business-yearend`: as `jp-business`, also closed 29 Dec – 3 Jan.
/// * `jp-admin`: the administrative day calendar of the regulatory presets (Asia/Tokyo; whole
///   days Mon–Fri; closed on holidays and 29 Dec – 3 Jan).
/// * `us-federal-business`: whole days Mon–Fri America/New_York, closed on observed US federal
///   holidays (confidence M).
pub fn builtin_spec(id: &str) -> Option<CalendarSpec> {
    let nine = DayTime::hm(9, 0)?;
    let six = DayTime::hm(18, 0)?;
    let (zone, week, holidays, closures) = match id {
        "24x7" => (
            "UTC",
            weekly(&Day::ALL, DayTime::MIDNIGHT, DayTime::END_OF_DAY),
            vec![],
            vec![],
        ),
        "jp-business" => (
            "Asia/Tokyo",
            weekly(&Day::WEEKDAYS, nine, six),
            vec![HolidayRules::Japan],
            vec![],
        ),
        "jp-business-yearend" => (
            "Asia/Tokyo",
            weekly(&Day::WEEKDAYS, nine, six),
            vec![HolidayRules::Japan],
            vec![Closure::jp_year_end()],
        ),
        "jp-admin" => (
            "Asia/Tokyo",
            weekly(&Day::WEEKDAYS, DayTime::MIDNIGHT, DayTime::END_OF_DAY),
            vec![HolidayRules::Japan],
            vec![Closure::jp_year_end()],
        ),
        "us-federal-business" => (
            "America/New_York",
            weekly(&Day::WEEKDAYS, DayTime::MIDNIGHT, DayTime::END_OF_DAY),
            vec![HolidayRules::UsFederal],
            vec![],
        ),
        _ => return None,
    };
    Some(CalendarSpec {
        id: id.to_owned(),
        time_zone: zone.to_owned(),
        weekly: week,
        holidays,
        closed_days: vec![],
        closures,
    })
}

/// Resolves an IANA zone name in jiff's bundled database (never the system's or `TZ`).
pub fn time_zone(name: &str) -> Result<TimeZone, CalendarError> {
    TimeZoneDatabase::bundled()
        .get(name)
        .map_err(|e| CalendarError::UnknownTimeZone {
            zone: name.to_owned(),
            reason: e.to_string(),
        })
}

impl Calendar {
    /// A built-in calendar by id (see [`builtin_spec`]).
    pub fn builtin(id: &str) -> Result<Calendar, CalendarError> {
        let spec = builtin_spec(id).ok_or_else(|| CalendarError::UnknownCalendar(id.to_owned()))?;
        Calendar::from_spec(spec)
    }

    /// Validates a spec: known time zone, `open < close`, at least one open window.
    pub fn from_spec(spec: CalendarSpec) -> Result<Calendar, CalendarError> {
        let tz = time_zone(&spec.time_zone)?;
        let invalid = |detail: String| CalendarError::InvalidSpec {
            id: spec.id.clone(),
            detail,
        };
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for w in &spec.weekly {
            if w.open >= w.close {
                return Err(invalid(format!(
                    "open {} is not before close {}",
                    w.open, w.close
                )));
            }
            for d in &w.days {
                if let Some(v) = week.get_mut(d.index()) {
                    v.push((w.open.seconds(), w.close.seconds()));
                }
            }
        }
        for v in &mut week {
            v.sort_unstable();
            let mut merged: Vec<(u32, u32)> = Vec::with_capacity(v.len());
            for &(s, e) in v.iter() {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            *v = merged;
        }
        if week.iter().all(Vec::is_empty) {
            return Err(invalid("no weekly open hours".into()));
        }
        for c in &spec.closures {
            if let Closure::Dates { from, to } = c
                && from > to
            {
                return Err(invalid(format!(
                    "closure {from}..{to} ends before it starts"
                )));
            }
        }
        let mut closed_days = spec.closed_days.clone();
        closed_days.sort_unstable();
        closed_days.dedup();
        let always_open = week.iter().all(|v| v.as_slice() == [(0, 86_400)])
            && spec.holidays.is_empty()
            && closed_days.is_empty()
            && spec.closures.is_empty();
        let fixed_from = fixed_offset_from(&tz);
        Ok(Calendar {
            spec,
            tz,
            week,
            closed_days,
            always_open,
            fixed_from,
        })
    }

    pub fn id(&self) -> &str {
        &self.spec.id
    }

    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// True when business time equals elapsed time (open 24 h every day, nothing closed).
    pub fn is_always_open(&self) -> bool {
        self.always_open
    }

    /// Is `date` closed as a whole by a holiday rule, a closed day or a closure
    /// (independent of the weekly hours)?
    pub fn is_closed_date(&self, date: Date) -> bool {
        self.spec.holidays.iter().any(|h| match h {
            HolidayRules::Japan => is_jp_holiday(date),
            HolidayRules::UsFederal => is_us_federal_holiday(date),
        }) || self.closed_days.binary_search(&date).is_ok()
            || self.spec.closures.iter().any(|c| c.contains(date))
    }

    /// Does `date` have any open hours?
    pub fn is_open_day(&self, date: Date) -> bool {
        !self.windows(date).is_empty()
    }

    /// Open windows of `date` in seconds since local midnight (empty when closed).
    pub(crate) fn windows(&self, date: Date) -> &[(u32, u32)] {
        let w = self
            .week
            .get(weekday_index(date))
            .map_or(&[][..], Vec::as_slice);
        if w.is_empty() || self.is_closed_date(date) {
            &[]
        } else {
            w
        }
    }

    /// The local date of `t` in this calendar's zone.
    pub fn local_date(&self, t: Timestamp) -> Date {
        if let Some((from, off)) = self.fixed_from
            && t.as_second() >= from
            && let Some(d) =
                date_from_epoch_day((t.as_second() + i64::from(off)).div_euclid(86_400))
        {
            return d;
        }
        self.tz.to_datetime(t).date()
    }

    /// The instant of local `date` + `secs` (0..=86 400) in this zone. Local times in a DST
    /// gap map to the instant after the gap, repeated ones to the first occurrence.
    pub(crate) fn local_to_ts(&self, date: Date, secs: u32) -> Result<Timestamp, CalendarError> {
        if let Some((from, off)) = self.fixed_from {
            let s = epoch_day(date) * 86_400 + i64::from(secs) - i64::from(off);
            if s >= from.saturating_add(86_400) {
                return Ok(Timestamp::from_second(s)?);
            }
        }
        let (date, secs) = if secs >= 86_400 {
            (date.tomorrow()?, 0)
        } else {
            (date, secs)
        };
        let time = Time::new(
            i8::try_from(secs / 3600).map_err(|_| CalendarError::OutOfRange)?,
            i8::try_from(secs / 60 % 60).map_err(|_| CalendarError::OutOfRange)?,
            i8::try_from(secs % 60).map_err(|_| CalendarError::OutOfRange)?,
            0,
        )?;
        Ok(self.tz.to_timestamp(date.to_datetime(time))?)
    }

    /// The UTC offset of this zone at `t`.
    pub fn offset_at(&self, t: Timestamp) -> Offset {
        self.tz.to_offset(t)
    }

    /// `t` as RFC 3339 in this calendar's zone, e.g. `2026-01-05T13:00:00+09:00` (see
    /// [`format_in`]).
    pub fn format(&self, t: Timestamp) -> String {
        format_in(&self.tz, t)
    }
}

/// `t` as RFC 3339 with the numeric offset of `zone` at that instant; `Z` when the zone is
/// UTC. Fractional seconds appear only when not zero.
pub fn format_in(zone: &TimeZone, t: Timestamp) -> String {
    if zone.iana_name() == Some("UTC") {
        t.to_string()
    } else {
        t.display_with_offset(zone.to_offset(t)).to_string()
    }
}

/// When the zone has no further transitions, the UNIX second from which its offset is fixed.
/// A zone with a recurring DST rule still has transitions after 2200 and gets `None`.
fn fixed_offset_from(tz: &TimeZone) -> Option<(i64, i32)> {
    if let Ok(off) = tz.to_fixed_offset() {
        return Some((i64::MIN / 2, off.seconds()));
    }
    // 2200-01-01T00:00:00Z.
    let probe = Timestamp::from_second(7_258_118_400).ok()?;
    if tz.following(probe).next().is_some() {
        return None;
    }
    match tz.preceding(probe).next() {
        Some(last) => Some((last.timestamp().as_second(), last.offset().seconds())),
        None => Some((i64::MIN / 2, tz.to_offset(probe).seconds())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::civil::next_day;
    use jiff::civil::date;

    #[test]
    fn fixed_offset_fast_path_agrees_with_jiff() {
        let cal = Calendar::builtin("jp-business").expect("cal");
        assert!(
            cal.fixed_from.is_some(),
            "Asia/Tokyo has no future transitions"
        );
        let tz = cal.time_zone().clone();
        let mut d = date(1948, 1, 1);
        while d < date(2100, 1, 1) {
            for secs in [0u32, 9 * 3600, 86_399] {
                let slow = tz
                    .to_timestamp(
                        d.to_datetime(Time::MIN) + jiff::SignedDuration::from_secs(secs.into()),
                    )
                    .expect("ts");
                assert_eq!(cal.local_to_ts(d, secs), Ok(slow), "{d} +{secs}");
                assert_eq!(cal.local_date(slow), d);
            }
            d = next_day(d)
                .and_then(|x| x.checked_add(jiff::ToSpan::days(6)).ok())
                .expect("day");
        }
        assert!(
            Calendar::builtin("us-federal-business")
                .expect("cal")
                .fixed_from
                .is_none()
        );
    }
}
