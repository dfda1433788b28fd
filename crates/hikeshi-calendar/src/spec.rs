//! The serialisable description of a calendar ([`CalendarSpec`]): what an admin edits and what
//! is stored as JSON. [`crate::Calendar::from_spec`] validates it.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar as data: time zone, weekly open hours, holiday rules and closures.
///
/// ```json
/// {"id": "berlin-office", "time_zone": "Europe/Berlin",
///  "weekly": [{"days": ["mon","tue","wed","thu","fri"], "open": "09:00", "close": "17:00"}],
///  "holidays": [], "closed_days": ["2026-12-24"],
///  "closures": [{"annual": {"from": {"month": 12, "day": 29}, "to": {"month": 1, "day": 3}}}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// Identifier, e.g. `jp-business` or a tenant's own name.
    pub id: String,
    /// IANA time zone name, e.g. `Asia/Tokyo`, `Europe/Berlin`, `UTC`.
    pub time_zone: String,
    /// Open hours per weekday, in local time. Several entries may cover the same day.
    pub weekly: Vec<WeeklyHours>,
    /// Public-holiday rule sets whose days are closed.
    #[serde(default)]
    pub holidays: Vec<HolidayRules>,
    /// Single closed days (company holidays, お盆, …).
    #[serde(default)]
    pub closed_days: Vec<Date>,
    /// Closed periods, yearly or one-off.
    #[serde(default)]
    pub closures: Vec<Closure>,
}

/// Open hours `[open, close)` on the listed weekdays. `close` may be `24:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    pub days: Vec<Day>,
    pub open: DayTime,
    pub close: DayTime,
}

/// A weekday, serialised as `mon` … `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    /// Monday to Friday.
    pub const WEEKDAYS: [Day; 5] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri];
    /// Every day of the week.
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    /// Monday = 0 … Sunday = 6.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A built-in public-holiday rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HolidayRules {
    /// Japanese public holidays, computed by rule ([`crate::jp_holidays`]).
    Japan,
    /// Observed US federal holidays ([`crate::us_holidays`]); confidence M.
    UsFederal,
}

/// A month and day, e.g. 29 December.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthDay {
    pub month: i8,
    pub day: i8,
}

/// A closed period; both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Closure {
    /// Every year from `from` to `to`; wraps over the new year when `to` < `from`
    /// (e.g. 29 Dec – 3 Jan).
    Annual { from: MonthDay, to: MonthDay },
    /// Once, from `from` to `to`.
    Dates { from: Date, to: Date },
}

impl Closure {
    /// The Japanese year-end closure 29 Dec – 3 Jan (年末年始).
    pub fn jp_year_end() -> Closure {
        Closure::Annual {
            from: MonthDay { month: 12, day: 29 },
            to: MonthDay { month: 1, day: 3 },
        }
    }

    pub(crate) fn contains(&self, date: Date) -> bool {
        match self {
            Closure::Annual { from, to } => {
                let md = MonthDay {
                    month: date.month(),
                    day: date.day(),
                };
                if from <= to {
                    *from <= md && md <= *to
                } else {
                    md >= *from || md <= *to
                }
            }
            Closure::Dates { from, to } => *from <= date && date <= *to,
        }
    }
}

/// A local time of day from `00:00` to `24:00`, in seconds; serialised as `HH:MM` or
/// `HH:MM:SS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayTime(u32);

impl DayTime {
    /// Midnight at the start of the day.
    pub const MIDNIGHT: DayTime = DayTime(0);
    /// Midnight at the end of the day (`24:00`).
    pub const END_OF_DAY: DayTime = DayTime(86_400);

    /// `hour:minute`, or `None` when out of range (24:00 is the largest value).
    pub fn hm(hour: u32, minute: u32) -> Option<DayTime> {
        DayTime::hms(hour, minute, 0)
    }

    /// `hour:minute:second`, or `None` when out of range.
    pub fn hms(hour: u32, minute: u32, second: u32) -> Option<DayTime> {
        let secs = hour * 3600 + minute * 60 + second;
        (minute < 60 && second < 60 && secs <= 86_400).then_some(DayTime(secs))
    }

    /// Seconds since local midnight.
    pub fn seconds(self) -> u32 {
        self.0
    }

    /// Parses `HH:MM` or `HH:MM:SS`.
    pub fn parse(s: &str) -> Option<DayTime> {
        let mut parts = s.split(':');
        let num = |p: Option<&str>| -> Option<u32> {
            let p = p?;
            (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok())?
        };
        let h = num(parts.next())?;
        let m = num(parts.next())?;
        let rest = parts.next();
        let sec = if rest.is_some() { num(rest)? } else { 0 };
        if parts.next().is_some() {
            return None;
        }
        DayTime::hms(h, m, sec)
    }
}

impl fmt::Display for DayTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if s == 0 {
            write!(f, "{h:02}:{m:02}")
        } else {
            write!(f, "{h:02}:{m:02}:{s:02}")
        }
    }
}

impl Serialize for DayTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DayTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DayTime::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid time of day {s:?}: expected HH:MM from 00:00 to 24:00"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_time_parses_and_prints() {
        assert_eq!(DayTime::parse("09:00"), DayTime::hm(9, 0));
        assert_eq!(DayTime::parse("24:00"), Some(DayTime::END_OF_DAY));
        assert_eq!(
            DayTime::parse("17:30:15").map(|t| t.to_string()),
            Some("17:30:15".into())
        );
        for bad in ["9:00", "24:01", "12:60", "ab:cd", "12:00:00:00", ""] {
            assert_eq!(DayTime::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn annual_closure_wraps_over_new_year() {
        let c = Closure::jp_year_end();
        assert!(c.contains(jiff::civil::date(2026, 12, 29)));
        assert!(c.contains(jiff::civil::date(2027, 1, 3)));
        assert!(!c.contains(jiff::civil::date(2027, 1, 4)));
        assert!(!c.contains(jiff::civil::date(2026, 12, 28)));
    }

    #[test]
    fn spec_round_trips_through_json() {
        let json = r#"{"id":"x","time_zone":"Europe/Berlin",
            "weekly":[{"days":["mon","fri"],"open":"09:00","close":"17:00"}],
            "closures":[{"annual":{"from":{"month":12,"day":24},"to":{"month":12,"day":26}}}]}"#;
        let spec: CalendarSpec = serde_json::from_str(json).expect("parses");
        let back: CalendarSpec =
            serde_json::from_str(&serde_json::to_string(&spec).expect("ser")).expect("de");
        assert_eq!(spec, back);
        assert_eq!(spec.weekly[0].days, vec![Day::Mon, Day::Fri]);
    }
}
