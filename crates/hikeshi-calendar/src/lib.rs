//! Business-hours calendars, Japanese public holidays and regulatory deadline clocks for
//! Hikeshi.
//!
//! * [`Calendar`]: a time zone, weekly open hours, holiday rules and closures — built in
//!   (`24x7`, `jp-business`, `jp-business-yearend`, `jp-admin`, `us-federal-business`) or
//!   custom from a serialisable [`CalendarSpec`]. DST zones work: open windows are local times
//!   converted day by day.
//! * Business-time arithmetic: [`add_business_duration`] / [`add_business_hours`] /
//!   [`add_business_minutes`], [`business_duration_between`] (SLA clocks that pause outside
//!   business time), [`is_open`], [`next_open`]; whole days: [`next_open_day`],
//!   [`add_open_days`], [`count_open_days`].
//! * [`jp_holidays`]: Japanese public holidays computed by rule (祝日法, 振替休日, 国民の休日,
//!   equinox formula, the 2019–2021 special years).
//! * [`deadline`]: the presets of `domain/regulatory-deadlines.yaml` (embedded) and their due
//!   times ([`deadline::compute_preset`]).
//! * [`cli`]: the string-in/string-out functions behind `hikeshi calendar due`,
//!   `hikeshi deadline due` and `hikeshi deadline presets`.
//!
//! Architecture invariants: the crate is pure. It never reads the clock, the environment, the
//! file system or the system time-zone database (zones come from jiff's bundled copy); time
//! is always a parameter. It does no I/O and holds no state beyond lazily built read-only
//! tables (the holiday table and the parsed preset data).

pub mod business;
pub mod calendar;
mod civil;
pub mod cli;
pub mod days;
pub mod deadline;
mod error;
pub mod jp_holidays;
pub mod spec;
pub mod us_holidays;

pub use business::{
    add_business_duration, add_business_hours, add_business_minutes, business_duration_between,
    is_open, next_open,
};
pub use calendar::{BUILTIN_CALENDARS, Calendar, builtin_spec, format_in, time_zone};
pub use days::{add_open_days, count_open_days, next_open_day};
pub use error::CalendarError;
pub use spec::{CalendarSpec, Closure, Day, DayTime, HolidayRules, MonthDay, WeeklyHours};
