//! The deadline-preset data model: the fields and vocabulary of
//! `domain/regulatory-deadlines.yaml`, one to one (unknown fields are rejected, so a new field
//! in the YAML fails the embedded-data test instead of being dropped silently). Custom presets
//! are built from the same structs, in code or from JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The whole data file: calendars described by the YAML and the presets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineData {
    pub calendars: BTreeMap<String, CalendarInfo>,
    pub presets: Vec<Preset>,
    /// FNV-1a 64 of the YAML this JSON was generated from (see `data/yaml2json.py`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_fnv1a64: Option<String>,
}

/// A calendar as the YAML describes it (the computable ones are built-in [`crate::Calendar`]s
/// with the same id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarInfo {
    pub description: String,
    pub time_zone: String,
    pub confidence: Confidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A regime with its deadlines ("deadline clock" preset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub id: String,
    pub jurisdiction: String,
    pub regime: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime_ja: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub trigger: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_ja: Option<String>,
    pub deadlines: Vec<Deadline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekend_rule: Option<WeekendRule>,
    /// Worked examples (test vectors): clock starts, expected due dates and a `why`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Not in the YAML: IANA zone for day counting when a deadline names no calendar.
    /// Default: by jurisdiction (see [`super::default_zone`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// One deadline of a preset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub id: String,
    pub stage_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_ja: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    pub recipient: String,
    pub clock_start: ClockStart,
    pub duration: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also_not_later_than: Option<Cap>,
    /// Statutory limit (`true`) or soft target (`false`, never shown as a hard breach).
    pub hard: bool,
    /// Calendar id for business days and roll rules (`jp-admin`, `us-federal-business`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_counting: Option<DayCounting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roll: Option<Roll>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory_target: Option<Advisory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub confidence: Confidence,
}

/// `{amount, unit}`; `amount` is null when the unit is `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    pub amount: Option<u32>,
    pub unit: Unit,
}

/// A second, earlier-of limit (DORA: classified + 4 h but not later than aware + 24 h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    pub clock_start: ClockStart,
    pub amount: u32,
    pub unit: Unit,
}

/// A number from official guidance for a soft deadline (still soft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advisory {
    pub amount: u32,
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The DORA weekend/holiday relief, kept as data (not applied to due times).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekendRule {
    pub id: String,
    pub rule: String,
    pub calendar: String,
    pub confidence: Confidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InForce,
    NotInForce,
    Proposed,
}

/// `duration.unit` of the YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Elapsed time on UTC instants (immune to DST).
    Hours,
    /// Whole days in the deadline's time zone; due at the end of the last day.
    CalendarDays,
    /// Open days of the deadline's calendar; due at the end of the last day.
    BusinessDays,
    /// Same day of month N months later, clamped to the month end (same local time).
    CalendarMonths,
    /// No number in the law ("without undue delay").
    None,
}

/// Which event starts the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStart {
    BecameAware,
    ReasonableBelief,
    Occurred,
    ClassifiedMajor,
    DeterminedMaterial,
    DeterminedNotifiable,
    CredibleGrounds,
    RansomPaid,
    PreviousSubmission,
    QuarterEnd,
    OnRequest,
}

impl ClockStart {
    /// Clock starts that are the incident's own events (as opposed to a later submission, the
    /// end of a quarter or a request). The CLI's `--aware-at` stands for all of them.
    pub const EVENTS: [ClockStart; 8] = [
        ClockStart::BecameAware,
        ClockStart::ReasonableBelief,
        ClockStart::Occurred,
        ClockStart::ClassifiedMajor,
        ClockStart::DeterminedMaterial,
        ClockStart::DeterminedNotifiable,
        ClockStart::CredibleGrounds,
        ClockStart::RansomPaid,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCounting {
    /// The day of the trigger is day 1.
    FirstDayCounts,
    /// Counting starts the next day (civil-law default, 民法140条).
    FirstDayExcluded,
    /// Not established; computed as `first_day_counts` (the stricter reading).
    Unknown,
    #[serde(rename = "n/a")]
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Roll {
    None,
    /// A due date on a closed day of the calendar moves to the next open day.
    NextOpenDay,
}

/// V = checked against primary text; S = secondary sources only; M = memory, not re-checked.
/// Ordered weakest first, so `min` gives the weakest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Confidence {
    M,
    S,
    V,
}

impl Preset {
    /// The weakest confidence of its deadlines and weekend rule.
    pub fn confidence(&self) -> Confidence {
        self.deadlines
            .iter()
            .map(|d| d.confidence)
            .chain(self.weekend_rule.iter().map(|w| w.confidence))
            .min()
            .unwrap_or(Confidence::M)
    }

    /// True unless everything in the preset was checked against the primary text (V). Show a
    /// "verify before use" flag for such presets.
    pub fn is_unverified(&self) -> bool {
        self.confidence() != Confidence::V
    }

    pub fn in_force(&self) -> bool {
        self.status == Status::InForce
    }

    pub fn deadline(&self, id: &str) -> Option<&Deadline> {
        self.deadlines.iter().find(|d| d.id == id)
    }
}

impl Deadline {
    /// True unless this deadline was checked against the primary text (V).
    pub fn is_unverified(&self) -> bool {
        self.confidence != Confidence::V
    }
}
