//! The functions behind `hikeshi calendar …` and `hikeshi deadline …`. The binary only wires
//! them to clap and prints the result; the argument names in [`CliError`] are the flags'.
//!
//! Output rules:
//! * Times are RFC 3339 with the numeric offset of the calendar's (or deadline's) zone, e.g.
//!   `2026-01-05T13:00:00+09:00`; UTC zones print `Z`. Fractions of a second appear only when
//!   not zero.
//! * Inputs are RFC 3339 instants with an offset (`2026-01-05T09:00:00+09:00`,
//!   `…Z`); a bare date `YYYY-MM-DD` means 00:00 of that day in the calendar's / preset's zone.
//! * `--business-hours N`: a non-negative decimal (`8`, `1.5`, `0.25`; up to 9 decimals; at most
//!   1 000 000). N = 0 prints the start unchanged. A start outside business hours starts
//!   counting at the next opening; a due time that exactly fills a day's window is that
//!   window's closing time (e.g. `…T18:00:00+09:00`), never the next morning.
//! * `deadline due` prints `DEADLINE_ID DUE` per deadline: DUE is an instant as above; a
//!   deadline counted in days is due by the end of its last day, printed as `23:59:59` local;
//!   `none` when the law sets no number; `pending` when its clock starts at a later event
//!   (`previous_submission`, `on_request`). `--aware-at` is taken as the time of every
//!   incident event (awareness, occurrence, classification, materiality, ransom payment).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use thiserror::Error;

use crate::business::add_business_duration;
use crate::calendar::{BUILTIN_CALENDARS, Calendar, time_zone};
use crate::deadline::{
    Calendars, ClockStarts, Preset, Status, builtin_preset, builtin_presets, compute_preset,
    default_zone,
};

/// Largest accepted `--business-hours`.
pub const MAX_BUSINESS_HOURS: u64 = 1_000_000;

/// A one-line, human-readable error that names the bad argument.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CliError {
    #[error("unknown --calendar {value:?} (known: {known})")]
    UnknownCalendar { value: String, known: String },
    #[error(
        "invalid --from {value:?}: expected an RFC 3339 time such as 2026-01-05T09:00:00+09:00"
    )]
    BadFrom { value: String },
    #[error("invalid --business-hours {value:?}: {reason}")]
    BadHours { value: String, reason: String },
    #[error("unknown --preset {value:?} (list them with `hikeshi deadline presets`)")]
    UnknownPreset { value: String },
    #[error(
        "invalid --aware-at {value:?}: expected an RFC 3339 time such as 2026-03-27T22:00:00Z or a date YYYY-MM-DD"
    )]
    BadAwareAt { value: String },
    #[error("cannot compute the due time: {0}")]
    Compute(String),
}

/// `hikeshi calendar due --calendar ID --from TIME --business-hours N`.
pub fn calendar_due(calendar: &str, from: &str, business_hours: &str) -> Result<String, CliError> {
    let cal = Calendar::builtin(calendar).map_err(|_| CliError::UnknownCalendar {
        value: calendar.to_owned(),
        known: BUILTIN_CALENDARS.join(", "),
    })?;
    let start = parse_time(from, cal.time_zone()).ok_or_else(|| CliError::BadFrom {
        value: from.to_owned(),
    })?;
    let hours = parse_hours(business_hours).map_err(|reason| CliError::BadHours {
        value: business_hours.to_owned(),
        reason,
    })?;
    let due =
        add_business_duration(&cal, start, hours).map_err(|e| CliError::Compute(e.to_string()))?;
    Ok(cal.format(due))
}

/// `hikeshi deadline due --preset ID --aware-at TIME`: one `DEADLINE_ID DUE` line per
/// deadline, in the preset's order.
pub fn deadline_due(preset: &str, aware_at: &str) -> Result<Vec<String>, CliError> {
    let p = builtin_preset(preset).map_err(|_| CliError::UnknownPreset {
        value: preset.to_owned(),
    })?;
    let calendars = Calendars::builtin();
    let zone = preset_zone(p, &calendars).map_err(CliError::Compute)?;
    let start = parse_time(aware_at, &zone).ok_or_else(|| CliError::BadAwareAt {
        value: aware_at.to_owned(),
    })?;
    let dues = compute_preset(p, &ClockStarts::all_events_at(start), &calendars)
        .map_err(|e| CliError::Compute(e.to_string()))?;
    Ok(dues
        .iter()
        .map(|d| format!("{} {}", d.deadline_id, d.display_due()))
        .collect())
}

/// `hikeshi deadline presets`: `ID<TAB>REGIME<TAB>(unverified, confidence X)` and, when the
/// preset is not in force, `<TAB>(not in force)` or `<TAB>(proposed)`.
pub fn deadline_presets() -> Vec<String> {
    let Ok(presets) = builtin_presets() else {
        return Vec::new();
    };
    presets
        .iter()
        .map(|p| {
            let mut line = format!("{}\t{}", p.id, p.regime);
            if p.is_unverified() {
                line.push_str(&format!("\t(unverified, confidence {:?})", p.confidence()));
            }
            match p.status {
                Status::InForce => {}
                Status::NotInForce => line.push_str("\t(not in force)"),
                Status::Proposed => line.push_str("\t(proposed)"),
            }
            line
        })
        .collect()
}

/// The zone of a preset: its first deadline calendar's zone, else [`default_zone`].
fn preset_zone(p: &Preset, calendars: &Calendars) -> Result<TimeZone, String> {
    let from_cal = p
        .deadlines
        .iter()
        .filter_map(|d| d.calendar.as_deref())
        .find_map(|id| calendars.get(id));
    match from_cal {
        Some(c) => Ok(c.time_zone().clone()),
        None => time_zone(default_zone(p)).map_err(|e| e.to_string()),
    }
}

/// An RFC 3339 instant, or a bare date at 00:00 in `zone`.
pub fn parse_time(s: &str, zone: &TimeZone) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    if s.len() == 10 {
        let d: Date = s.parse().ok()?;
        return zone.to_timestamp(d.into()).ok();
    }
    None
}

/// A non-negative decimal number of hours, exactly (no floating point).
pub fn parse_hours(s: &str) -> Result<SignedDuration, String> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
        return Err("expected a non-negative number of hours such as 8 or 1.5".into());
    }
    if frac.len() > 9 {
        return Err("at most 9 decimal places".into());
    }
    let whole: u64 = int.parse().map_err(|_| "number too large".to_owned())?;
    if whole > MAX_BUSINESS_HOURS
        || (whole == MAX_BUSINESS_HOURS && frac.bytes().any(|b| b != b'0'))
    {
        return Err(format!("at most {MAX_BUSINESS_HOURS} hours"));
    }
    // frac / 10^k hours = frac * 3600 * 10^(9-k) nanoseconds.
    let k = u32::try_from(frac.len()).unwrap_or(9);
    let frac_num: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| "bad fraction".to_owned())?
    };
    let frac_nanos = frac_num * 3600 * 10u64.pow(9 - k);
    let secs = whole * 3600 + frac_nanos / 1_000_000_000;
    let nanos = frac_nanos % 1_000_000_000;
    let secs = i64::try_from(secs).map_err(|_| "number too large".to_owned())?;
    let nanos = i32::try_from(nanos).map_err(|_| "bad fraction".to_owned())?;
    Ok(SignedDuration::new(secs, nanos))
}
