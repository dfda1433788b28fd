//! Japanese public holidays computed by rule (国民の祝日に関する法律), following
//! `domain/jp-holidays.md`: Art. 2 days with their history, Happy Monday days, equinox days by
//! the standard formula, 振替休日 (Art. 3(2)), 国民の休日 (Art. 3(3)) and the one-off days of
//! special laws (1959, 1989, 1990, 1993, 2019).
//!
//! Range: holidays are computed for 1948 (the Act took effect on 1948-07-20) to
//! [`LAST_COMPUTED_YEAR`]; outside that range no day is a holiday. The shared spec verified the
//! rules against the holiday_jp dataset for 1970–2050. Equinox days after
//! [`LAST_OFFICIAL_YEAR`] are predictions (the observatory announces them one year ahead) and
//! are reported with `provisional: true`; years from 2100 reuse the 1980–2099 formula.

use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};

use crate::civil::{epoch_day, nth_weekday, ymd};

/// The last year whose equinox dates were officially announced when this table was written.
pub const LAST_OFFICIAL_YEAR: i16 = 2026;
/// The first year with computed holidays.
pub const FIRST_COMPUTED_YEAR: i16 = 1948;
/// The last year with computed holidays.
pub const LAST_COMPUTED_YEAR: i16 = 2199;

/// Why a day is a Japanese public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JpHolidayKind {
    /// A 祝日 of Art. 2, or a one-off day treated as one.
    National,
    /// 振替休日 (Art. 3(2)).
    Substitute,
    /// 国民の休日 (Art. 3(3)).
    Citizens,
}

/// One Japanese public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct JpHoliday {
    pub date: Date,
    pub kind: JpHolidayKind,
    pub name_ja: &'static str,
    pub name_en: &'static str,
    /// True for equinox days after [`LAST_OFFICIAL_YEAR`] (formula predictions).
    pub provisional: bool,
}

const NAMES: [(&str, &str); 22] = [
    ("元日", "New Year's Day"),
    ("成人の日", "Coming of Age Day"),
    ("建国記念の日", "National Foundation Day"),
    ("天皇誕生日", "Emperor's Birthday"),
    ("春分の日", "Vernal Equinox Day"),
    ("昭和の日", "Showa Day"),
    ("みどりの日", "Greenery Day"),
    ("憲法記念日", "Constitution Memorial Day"),
    ("こどもの日", "Children's Day"),
    ("海の日", "Marine Day"),
    ("山の日", "Mountain Day"),
    ("敬老の日", "Respect for the Aged Day"),
    ("秋分の日", "Autumnal Equinox Day"),
    ("体育の日", "Health and Sports Day"),
    ("スポーツの日", "Sports Day"),
    ("文化の日", "Culture Day"),
    ("勤労感謝の日", "Labour Thanksgiving Day"),
    ("即位の日", "Enthronement Day"),
    ("即位礼正殿の儀", "Enthronement Ceremony"),
    (
        "皇太子明仁親王の結婚の儀",
        "Wedding of Crown Prince Akihito",
    ),
    ("昭和天皇の大喪の礼", "State Funeral of Emperor Showa"),
    (
        "皇太子徳仁親王の結婚の儀",
        "Wedding of Crown Prince Naruhito",
    ),
];
const VERNAL: u8 = 4;
const AUTUMNAL: u8 = 12;
const SUBSTITUTE: u8 = 200;
const CITIZENS: u8 = 201;
const NONE: u8 = u8::MAX;

/// Day of month of 春分の日 (March) or 秋分の日 (September), by the formula of jp-holidays.md §2.
pub fn equinox_day(year: i16, autumnal: bool) -> i8 {
    let y = i64::from(year);
    // Scaled by 10^6 so that the truncation matches `int()` exactly (no floating point).
    let (base, shift) = match (year < 1980, autumnal) {
        (true, false) => (20_835_700, 1983),
        (true, true) => (23_258_800, 1983),
        (false, false) => (20_843_100, 1980),
        (false, true) => (23_248_800, 1980),
    };
    let day = (base + 242_194 * (y - 1980)) / 1_000_000 - (y - shift) / 4;
    i8::try_from(day).unwrap_or(20)
}

/// The Art. 2 days and one-off days of `year`, as (date, index into NAMES).
fn national_days(year: i16) -> Vec<(Date, u8)> {
    let y = year;
    let mut out: Vec<Option<(Date, u8)>> = Vec::with_capacity(24);
    let fixed = |m: i8, d: i8, n: u8| ymd(y, m, d).map(|x| (x, n));
    let monday = |m: i8, nth: i8, n: u8| nth_weekday(y, m, Weekday::Monday, nth).map(|x| (x, n));
    out.push(fixed(1, 1, 0));
    out.push(if y < 2000 {
        fixed(1, 15, 1)
    } else {
        monday(1, 2, 1)
    });
    if y >= 1967 {
        out.push(fixed(2, 11, 2));
    }
    match y {
        ..=1988 => out.push(fixed(4, 29, 3)),
        1989..=2018 => out.push(fixed(12, 23, 3)),
        2019 => {}
        _ => out.push(fixed(2, 23, 3)),
    }
    out.push(fixed(3, equinox_day(y, false), VERNAL));
    match y {
        ..=1988 => {}
        1989..=2006 => out.push(fixed(4, 29, 6)),
        _ => out.push(fixed(4, 29, 5)),
    }
    out.push(fixed(5, 3, 7));
    if y >= 2007 {
        out.push(fixed(5, 4, 6));
    }
    out.push(fixed(5, 5, 8));
    match y {
        1996..=2002 => out.push(fixed(7, 20, 9)),
        2020 => out.push(fixed(7, 23, 9)),
        2021 => out.push(fixed(7, 22, 9)),
        2003.. => out.push(monday(7, 3, 9)),
        _ => {}
    }
    match y {
        2020 => out.push(fixed(8, 10, 10)),
        2021 => out.push(fixed(8, 8, 10)),
        2016.. => out.push(fixed(8, 11, 10)),
        _ => {}
    }
    match y {
        1966..=2002 => out.push(fixed(9, 15, 11)),
        2003.. => out.push(monday(9, 3, 11)),
        _ => {}
    }
    out.push(fixed(9, equinox_day(y, true), AUTUMNAL));
    match y {
        1966..=1999 => out.push(fixed(10, 10, 13)),
        2000..=2019 => out.push(monday(10, 2, 13)),
        2020 => out.push(fixed(7, 24, 14)),
        2021 => out.push(fixed(7, 23, 14)),
        2022.. => out.push(monday(10, 2, 14)),
        _ => {}
    }
    out.push(fixed(11, 3, 15));
    out.push(fixed(11, 23, 16));
    match y {
        1959 => out.push(fixed(4, 10, 19)),
        1989 => out.push(fixed(2, 24, 20)),
        1990 => out.push(fixed(11, 12, 18)),
        1993 => out.push(fixed(6, 9, 21)),
        2019 => {
            out.push(fixed(5, 1, 17));
            out.push(fixed(10, 22, 18));
        }
        _ => {}
    }
    let in_force = ymd(1948, 7, 20);
    out.into_iter()
        .flatten()
        .filter(|(d, _)| Some(*d) >= in_force)
        .collect()
}

struct Table {
    first_day: i64,
    codes: Vec<u8>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(build_table)
}

fn build_table() -> Table {
    let first = ymd(FIRST_COMPUTED_YEAR, 1, 1).map_or(0, epoch_day);
    let last = ymd(LAST_COMPUTED_YEAR, 12, 31).map_or(0, epoch_day);
    // One spare day each side so that the neighbour checks below never go out of bounds.
    let len = usize::try_from(last - first + 1).unwrap_or(0);
    let mut codes = vec![NONE; len];
    for year in FIRST_COMPUTED_YEAR..=LAST_COMPUTED_YEAR {
        for (d, name) in national_days(year) {
            if let Ok(i) = usize::try_from(epoch_day(d) - first)
                && let Some(slot) = codes.get_mut(i)
            {
                *slot = name;
            }
        }
    }
    let national =
        |codes: &[u8], i: usize| codes.get(i).is_some_and(|c| usize::from(*c) < NAMES.len());
    let date_at = |i: usize| i64::try_from(i).map(|i| i + first).unwrap_or(first);
    let d2007 = ymd(2007, 1, 1).map_or(0, epoch_day);
    let d1973 = ymd(1973, 4, 12).map_or(0, epoch_day);
    let d1985 = ymd(1985, 12, 27).map_or(0, epoch_day);
    let weekday = |e: i64| (e + 3).rem_euclid(7);
    // 振替休日
    for i in 0..len {
        let e = date_at(i);
        if !national(&codes, i) || weekday(e) != 6 {
            continue;
        }
        if e >= d2007 {
            let mut s = i + 1;
            while national(&codes, s) {
                s += 1;
            }
            if let Some(slot) = codes.get_mut(s) {
                *slot = SUBSTITUTE;
            }
        } else if e >= d1973
            && !national(&codes, i + 1)
            && let Some(slot) = codes.get_mut(i + 1)
        {
            *slot = SUBSTITUTE;
        }
    }
    // 国民の休日
    for i in 1..len.saturating_sub(1) {
        let e = date_at(i);
        let sandwiched = national(&codes, i - 1) && national(&codes, i + 1);
        let free = codes.get(i) == Some(&NONE);
        if sandwiched
            && free
            && e >= d1985
            && (e >= d2007 || weekday(e) != 6)
            && let Some(slot) = codes.get_mut(i)
        {
            *slot = CITIZENS;
        }
    }
    Table {
        first_day: first,
        codes,
    }
}

fn code(date: Date) -> u8 {
    let t = table();
    usize::try_from(epoch_day(date) - t.first_day)
        .ok()
        .and_then(|i| t.codes.get(i).copied())
        .unwrap_or(NONE)
}

/// Is `date` a Japanese public holiday (national, substitute or citizens' holiday)?
/// Weekends and the 29 Dec – 3 Jan closure are not holidays; calendars add them.
pub fn is_jp_holiday(date: Date) -> bool {
    code(date) != NONE
}

/// The Japanese public holiday on `date`, if any.
pub fn jp_holiday(date: Date) -> Option<JpHoliday> {
    let c = code(date);
    let (kind, (name_ja, name_en)) = match c {
        NONE => return None,
        SUBSTITUTE => (
            JpHolidayKind::Substitute,
            ("振替休日", "Substitute Holiday"),
        ),
        CITIZENS => (JpHolidayKind::Citizens, ("国民の休日", "Citizens' Holiday")),
        n => (JpHolidayKind::National, *NAMES.get(usize::from(n))?),
    };
    let provisional = (c == VERNAL || c == AUTUMNAL) && date.year() > LAST_OFFICIAL_YEAR;
    Some(JpHoliday {
        date,
        kind,
        name_ja,
        name_en,
        provisional,
    })
}

/// All Japanese public holidays of `year`, in date order.
pub fn jp_holidays_in_year(year: i16) -> Vec<JpHoliday> {
    let Some(mut d) = ymd(year, 1, 1) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while d.year() == year {
        if let Some(h) = jp_holiday(d) {
            out.push(h);
        }
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}
