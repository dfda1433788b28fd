//! Errors of the calendar and deadline engines.

use thiserror::Error;

/// What can go wrong when building a calendar or computing with it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error("unknown calendar {0:?}")]
    UnknownCalendar(String),
    #[error("unknown time zone {zone:?}: {reason}")]
    UnknownTimeZone { zone: String, reason: String },
    #[error("calendar {id:?}: {detail}")]
    InvalidSpec { id: String, detail: String },
    #[error("negative durations are not supported")]
    NegativeDuration,
    #[error("calendar {id:?} has no open time within the search horizon")]
    NoOpenTime { id: String },
    #[error("time out of the supported range")]
    OutOfRange,
}

impl From<jiff::Error> for CalendarError {
    fn from(_: jiff::Error) -> Self {
        CalendarError::OutOfRange
    }
}
