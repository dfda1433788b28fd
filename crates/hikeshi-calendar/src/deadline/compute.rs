//! Due-time computation for deadlines.
//!
//! Per `duration.unit` (the YAML vocabulary):
//! * `hours`: clock start + N h on UTC instants → [`Due::At`].
//! * `calendar_days`: local start date D in the deadline's zone; day N is `D + N - 1` with
//!   `first_day_counts` (also used for `unknown` and when the field is absent — the stricter
//!   reading), `D + N` with `first_day_excluded`; then `roll: next_open_day` moves a closed day
//!   to the next open day of the deadline's calendar → [`Due::EndOfDay`].
//! * `business_days`: the N-th open day of the calendar, counted from D (`first_day_counts`)
//!   or from D + 1 (`first_day_excluded`) → [`Due::EndOfDay`].
//! * `calendar_months`: same local time N months later, day clamped to the month end →
//!   [`Due::At`].
//! * `none`: [`Due::NoFixedLimit`] (an `advisory_target`, if any, is computed separately).
//! * `also_not_later_than`: the earlier of both limits, unless the clock start itself is
//!   already past the cap (DORA: then classified + 4 h).
//! * A clock start that is not given yields [`Due::AwaitingStart`] (unless the unit is `none`);
//!   `quarter_end` is derived
//!   from `occurred` (else `became_aware`) as the end of that calendar quarter.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use super::model::{ClockStart, DayCounting, Deadline, Preset, Roll, Unit};
use super::{DeadlineError, default_zone};
use crate::calendar::{BUILTIN_CALENDARS, Calendar, format_in, time_zone};
use crate::days::{add_open_days, next_open_day};

/// Calendars that deadlines may name, by id.
#[derive(Debug, Clone, Default)]
pub struct Calendars {
    map: BTreeMap<String, Calendar>,
}

impl Calendars {
    /// All built-in calendars (`jp-admin`, `us-federal-business`, …).
    pub fn builtin() -> Calendars {
        let mut c = Calendars::default();
        for id in BUILTIN_CALENDARS {
            if let Ok(cal) = Calendar::builtin(id) {
                c.insert(cal);
            }
        }
        c
    }

    /// Adds or replaces a calendar under its id.
    pub fn insert(&mut self, cal: Calendar) {
        self.map.insert(cal.id().to_owned(), cal);
    }

    pub fn get(&self, id: &str) -> Option<&Calendar> {
        self.map.get(id)
    }
}

/// The instants at which the clocks start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClockStarts {
    map: BTreeMap<ClockStart, Timestamp>,
}

impl ClockStarts {
    pub fn new() -> ClockStarts {
        ClockStarts::default()
    }

    /// Every event-type start ([`ClockStart::EVENTS`]) at `t`: the CLI's `--aware-at` reading.
    pub fn all_events_at(t: Timestamp) -> ClockStarts {
        let mut s = ClockStarts::new();
        for e in ClockStart::EVENTS {
            s.set(e, t);
        }
        s
    }

    pub fn with(mut self, start: ClockStart, t: Timestamp) -> ClockStarts {
        self.set(start, t);
        self
    }

    pub fn set(&mut self, start: ClockStart, t: Timestamp) {
        self.map.insert(start, t);
    }

    pub fn get(&self, start: ClockStart) -> Option<Timestamp> {
        self.map.get(&start).copied()
    }
}

/// When a deadline is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// At this instant (on time if submitted at or before it).
    At(Timestamp),
    /// By the end of this local day in the deadline's zone.
    EndOfDay(Date),
    /// The law sets no number ("without undue delay").
    NoFixedLimit,
    /// The clock has not started: this start is not known yet.
    AwaitingStart(ClockStart),
}

/// The computed due time of one deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineDue {
    pub deadline_id: String,
    pub due: Due,
    /// Statutory (`true`) or soft target.
    pub hard: bool,
    /// The due date before `roll` was applied (day units only), e.g. APPI "day 30".
    pub unrolled: Option<Date>,
    /// From `advisory_target`, for soft deadlines.
    pub advisory: Option<Due>,
    /// The zone of the deadline (its calendar's, else the preset's).
    pub zone: TimeZone,
}

impl DeadlineDue {
    /// The first instant at which the deadline is missed: `At(t)` → just after `t` is overdue,
    /// reported as `t`; `EndOfDay(d)` → the next local midnight.
    pub fn cutoff(&self) -> Option<Timestamp> {
        cutoff(self.due, &self.zone)
    }

    /// Is the deadline missed at `now`?
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        match self.due {
            Due::At(t) => now > t,
            Due::EndOfDay(_) => self.cutoff().is_some_and(|c| now >= c),
            Due::NoFixedLimit | Due::AwaitingStart(_) => false,
        }
    }

    /// RFC 3339 in the deadline's zone (`Z` for UTC); an end-of-day due prints as 23:59:59
    /// local; `none` without a fixed limit; `pending` while the clock start is unknown.
    pub fn display_due(&self) -> String {
        display_due(self.due, &self.zone)
    }
}

fn cutoff(due: Due, zone: &TimeZone) -> Option<Timestamp> {
    match due {
        Due::At(t) => Some(t),
        Due::EndOfDay(d) => zone.to_timestamp(d.tomorrow().ok()?.into()).ok(),
        Due::NoFixedLimit | Due::AwaitingStart(_) => None,
    }
}

pub(crate) fn display_due(due: Due, zone: &TimeZone) -> String {
    let show = |t: Timestamp| format_in(zone, t);
    match due {
        Due::At(t) => show(t),
        Due::EndOfDay(d) => match zone.to_timestamp(d.at(23, 59, 59, 0)) {
            Ok(t) => show(t),
            Err(_) => d.to_string(),
        },
        Due::NoFixedLimit => "none".to_owned(),
        Due::AwaitingStart(_) => "pending".to_owned(),
    }
}

/// Due times of every deadline of `preset`, in order.
pub fn compute_preset(
    preset: &Preset,
    starts: &ClockStarts,
    calendars: &Calendars,
) -> Result<Vec<DeadlineDue>, DeadlineError> {
    preset
        .deadlines
        .iter()
        .map(|d| compute_deadline(preset, d, starts, calendars))
        .collect()
}

/// Due time of one deadline of `preset`.
pub fn compute_deadline(
    preset: &Preset,
    deadline: &Deadline,
    starts: &ClockStarts,
    calendars: &Calendars,
) -> Result<DeadlineDue, DeadlineError> {
    let cal = match &deadline.calendar {
        Some(id) => calendars.get(id),
        None => None,
    };
    let needs_cal =
        deadline.duration.unit == Unit::BusinessDays || deadline.roll == Some(Roll::NextOpenDay);
    if needs_cal && cal.is_none() {
        return Err(match &deadline.calendar {
            Some(c) => DeadlineError::UnknownCalendar {
                deadline: deadline.id.clone(),
                calendar: c.clone(),
            },
            None => DeadlineError::MissingCalendar {
                deadline: deadline.id.clone(),
            },
        });
    }
    let zone = match cal {
        Some(c) => c.time_zone().clone(),
        None => time_zone(default_zone(preset))?,
    };
    let ctx = Ctx {
        deadline,
        cal,
        zone: &zone,
    };
    let start = start_of(deadline.clock_start, starts, &zone);
    let counting = deadline.day_counting;
    let (mut due, unrolled) = match start {
        _ if deadline.duration.unit == Unit::None => (Due::NoFixedLimit, None),
        None => (Due::AwaitingStart(deadline.clock_start), None),
        Some(s) => ctx.apply(
            s,
            deadline.duration.amount,
            deadline.duration.unit,
            counting,
        )?,
    };
    if let (Some(cap), Some(s), Due::At(primary)) = (deadline.also_not_later_than, start, due)
        && let Some(cs) = starts.get(cap.clock_start)
        && let (Due::At(c), _) = ctx.apply(cs, Some(cap.amount), cap.unit, counting)?
        && s <= c
    {
        due = Due::At(primary.min(c));
    }
    let advisory = match (&deadline.advisory_target, start) {
        (Some(a), Some(s)) => {
            let counting = match counting {
                Some(DayCounting::FirstDayCounts) => counting,
                _ => Some(DayCounting::FirstDayExcluded),
            };
            Some(ctx.apply(s, Some(a.amount), a.unit, counting)?.0)
        }
        _ => None,
    };
    Ok(DeadlineDue {
        deadline_id: deadline.id.clone(),
        due,
        hard: deadline.hard,
        unrolled,
        advisory,
        zone,
    })
}

fn start_of(start: ClockStart, starts: &ClockStarts, zone: &TimeZone) -> Option<Timestamp> {
    if let Some(t) = starts.get(start) {
        return Some(t);
    }
    if start != ClockStart::QuarterEnd {
        return None;
    }
    let event = starts
        .get(ClockStart::Occurred)
        .or_else(|| starts.get(ClockStart::BecameAware))?;
    let local = event.to_zoned(zone.clone());
    let first_month_next = (local.month() - 1) / 3 * 3 + 4;
    let (y, m) = if first_month_next > 12 {
        (local.year().checked_add(1)?, first_month_next - 12)
    } else {
        (local.year(), first_month_next)
    };
    let next_quarter = Date::new(y, m, 1).ok()?;
    zone.to_timestamp(next_quarter.into()).ok()
}

struct Ctx<'a> {
    deadline: &'a Deadline,
    cal: Option<&'a Calendar>,
    zone: &'a TimeZone,
}

impl Ctx<'_> {
    /// `start` + `amount unit`, rolled; returns the due and the unrolled day (day units).
    fn apply(
        &self,
        start: Timestamp,
        amount: Option<u32>,
        unit: Unit,
        counting: Option<DayCounting>,
    ) -> Result<(Due, Option<Date>), DeadlineError> {
        if unit == Unit::None {
            return Ok((Due::NoFixedLimit, None));
        }
        let n = amount.ok_or_else(|| DeadlineError::MissingAmount {
            deadline: self.deadline.id.clone(),
            unit,
        })?;
        let excluded = counting == Some(DayCounting::FirstDayExcluded);
        let day = start.to_zoned(self.zone.clone()).date();
        let roll = self.deadline.roll == Some(Roll::NextOpenDay);
        let out_of_range = || DeadlineError::Calendar(crate::CalendarError::OutOfRange);
        match unit {
            Unit::Hours => {
                let t = start
                    .checked_add(SignedDuration::from_hours(i64::from(n)))
                    .map_err(|_| out_of_range())?;
                Ok((self.roll_instant(t, roll)?, None))
            }
            Unit::CalendarDays => {
                let days = i64::from(n) - i64::from(!excluded && n > 0);
                let d = day.checked_add(days.days()).map_err(|_| out_of_range())?;
                let rolled = match (roll, self.cal) {
                    (true, Some(c)) => next_open_day(c, d)?,
                    _ => d,
                };
                Ok((Due::EndOfDay(rolled), Some(d)))
            }
            Unit::BusinessDays => {
                let Some(c) = self.cal else {
                    return Err(DeadlineError::MissingCalendar {
                        deadline: self.deadline.id.clone(),
                    });
                };
                let from = if excluded {
                    day
                } else {
                    day.yesterday().map_err(|_| out_of_range())?
                };
                let d = add_open_days(c, from, n)?;
                Ok((Due::EndOfDay(d), Some(d)))
            }
            Unit::CalendarMonths => {
                let z = start
                    .to_zoned(self.zone.clone())
                    .checked_add(i64::from(n).months())
                    .map_err(|_| out_of_range())?;
                Ok((self.roll_instant(z.timestamp(), roll)?, None))
            }
            Unit::None => Ok((Due::NoFixedLimit, None)),
        }
    }

    /// `roll: next_open_day` on an instant: same local time on the next open day.
    fn roll_instant(&self, t: Timestamp, roll: bool) -> Result<Due, DeadlineError> {
        let (true, Some(c)) = (roll, self.cal) else {
            return Ok(Due::At(t));
        };
        let local = t.to_zoned(self.zone.clone());
        let d = next_open_day(c, local.date())?;
        if d == local.date() {
            return Ok(Due::At(t));
        }
        let moved = self
            .zone
            .to_timestamp(d.to_datetime(local.time()))
            .map_err(crate::CalendarError::from)?;
        Ok(Due::At(moved))
    }
}
