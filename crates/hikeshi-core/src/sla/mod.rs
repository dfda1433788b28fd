//! SLA clocks: first response and triage of reports, resolution of incidents, each measured
//! in the business time of the constituency's calendar (`hikeshi-calendar`: Japanese
//! holidays by rule, optional year-end closure, 24×7, any time zone).
//!
//! A clock keeps the business time accrued while it ran (`elapsed_secs`) and, while running,
//! the instant it last (re)started. From those two its `warn_at` and `breach_at` instants are
//! precomputed and stored, so the sweep is an indexed range query on `next_event_at`, never a
//! calendar computation per item. They are recomputed on every state change ([`sync`]).
//!
//! Waiting states (the clock pauses): an incident tagged [`WAITING_TAG`] (waiting for an
//! outside party — the "flag, not a state" of the lifecycle notes). Terminal states stop the
//! clock: `met` when stopped in time, `missed` after the breach. Re-opening resumes it.

use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, UserId};
use crate::model::TargetKind;
use hikeshi_calendar::deadline::Calendars;
use hikeshi_calendar::{Calendar, CalendarSpec, add_business_duration, business_duration_between};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An incident carrying this tag waits for an outside party: its clocks pause.
pub const WAITING_TAG: &str = "waiting-external";

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    FirstResponse,
    Triage,
    Resolution,
}

impl ClockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::FirstResponse => "first_response",
            ClockKind::Triage => "triage",
            ClockKind::Resolution => "resolution",
        }
    }
    pub fn parse(s: &str) -> Option<ClockKind> {
        [
            ClockKind::FirstResponse,
            ClockKind::Triage,
            ClockKind::Resolution,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    Running,
    Paused,
    /// Stopped before its breach time.
    Met,
    /// Stopped after its breach time.
    Missed,
}

impl ClockState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Paused => "paused",
            ClockState::Met => "met",
            ClockState::Missed => "missed",
        }
    }
    pub fn parse(s: &str) -> Option<ClockState> {
        [
            ClockState::Running,
            ClockState::Paused,
            ClockState::Met,
            ClockState::Missed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One stored SLA clock.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaClock {
    /// `TARGET_ID:KIND`.
    pub id: String,
    pub target_kind: TargetKind,
    pub target_id: String,
    pub constituency: Option<ConstituencyId>,
    pub kind: ClockKind,
    pub priority: i64,
    pub calendar: String,
    pub budget_secs: i64,
    pub started_at: Timestamp,
    /// Business seconds accrued before `running_since`.
    pub elapsed_secs: i64,
    pub running_since: Option<Timestamp>,
    pub state: ClockState,
    pub stopped_at: Option<Timestamp>,
    pub warn_at: Option<Timestamp>,
    pub breach_at: Option<Timestamp>,
    /// The next warning or breach not yet recorded by the sweep (indexed).
    pub next_event_at: Option<Timestamp>,
    pub warned: bool,
    pub breached: bool,
    pub escalate_to: Option<UserId>,
}

/// Business-time targets per constituency and priority.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    /// Custom calendars by id (besides the built-in `24x7`, `jp-business`,
    /// `jp-business-yearend`, `jp-admin`, `us-federal-business`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub calendars: BTreeMap<String, CalendarSpec>,
    /// Warn when this share of the budget is used (1–99).
    #[serde(default = "eighty")]
    pub warn_percent: i64,
    /// The first policy naming the item's constituency applies, else the one without.
    pub policies: Vec<SlaPolicy>,
}

fn eighty() -> i64 {
    80
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// Constituency slug; absent = the default policy.
    #[serde(default)]
    pub constituency: Option<String>,
    pub calendar: String,
    /// User name escalated to on breach; default: the constituency's first lead.
    #[serde(default)]
    pub escalate_to: Option<String>,
    pub targets: Vec<SlaTarget>,
}

/// Minutes of business time per clock; absent = no clock of that kind.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    pub priority: i64,
    #[serde(default)]
    pub first_response_minutes: Option<i64>,
    #[serde(default)]
    pub triage_minutes: Option<i64>,
    #[serde(default)]
    pub resolution_minutes: Option<i64>,
}

impl Default for SlaConfig {
    /// Japanese business hours; P1 30 min / 1 h / 1 business day … P5 1 day / 2 days / 20 days.
    fn default() -> Self {
        let t = |p, f, tr, r| SlaTarget {
            priority: p,
            first_response_minutes: Some(f),
            triage_minutes: Some(tr),
            resolution_minutes: Some(r),
        };
        SlaConfig {
            calendars: BTreeMap::new(),
            warn_percent: 80,
            policies: vec![SlaPolicy {
                constituency: None,
                calendar: "jp-business".into(),
                escalate_to: None,
                targets: vec![
                    t(1, 30, 60, 9 * 60),
                    t(2, 60, 4 * 60, 3 * 9 * 60),
                    t(3, 4 * 60, 9 * 60, 5 * 9 * 60),
                    t(4, 9 * 60, 2 * 9 * 60, 10 * 9 * 60),
                    t(5, 9 * 60, 2 * 9 * 60, 20 * 9 * 60),
                ],
            }],
        }
    }
}

/// A validated configuration with its calendars built.
#[derive(Debug, Clone)]
pub struct Sla {
    pub config: SlaConfig,
    calendars: Calendars,
}

impl Sla {
    /// Validates (errors name the field) and builds the calendars. `known_slug` and
    /// `known_user` tell whether a constituency or user exists.
    pub fn new(config: SlaConfig, known: &dyn Fn(&str, &str) -> bool) -> Result<Sla> {
        let mut calendars = Calendars::builtin();
        for (id, spec) in &config.calendars {
            let mut spec = spec.clone();
            spec.id.clone_from(id);
            let cal = Calendar::from_spec(spec)
                .map_err(|e| Error::validation(format!("calendars.{id}"), e.to_string()))?;
            calendars.insert(cal);
        }
        if !(1..=99).contains(&config.warn_percent) {
            return Err(Error::validation("warn_percent", "1 to 99"));
        }
        for (i, p) in config.policies.iter().enumerate() {
            let f = |s: &str| format!("policies[{i}].{s}");
            if calendars.get(&p.calendar).is_none() {
                return Err(Error::validation(
                    f("calendar"),
                    format!("no calendar {:?}", p.calendar),
                ));
            }
            if let Some(c) = &p.constituency
                && !known("constituency", c)
            {
                return Err(Error::validation(
                    f("constituency"),
                    format!("no constituency {c:?}"),
                ));
            }
            if let Some(u) = &p.escalate_to
                && !known("user", u)
            {
                return Err(Error::validation(
                    f("escalate_to"),
                    format!("no user {u:?}"),
                ));
            }
            for (j, t) in p.targets.iter().enumerate() {
                let ok = (1..=5).contains(&t.priority)
                    && [
                        t.first_response_minutes,
                        t.triage_minutes,
                        t.resolution_minutes,
                    ]
                    .iter()
                    .flatten()
                    .all(|m| (1..=10_000_000).contains(m));
                if !ok {
                    return Err(Error::validation(
                        f(&format!("targets[{j}]")),
                        "priority 1 to 5, minutes 1 to 10,000,000",
                    ));
                }
            }
        }
        Ok(Sla { config, calendars })
    }

    pub fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.calendars.get(id)
    }

    /// The policy for a constituency slug (or the default one).
    pub fn policy(&self, slug: Option<&str>) -> Option<&SlaPolicy> {
        let ps = &self.config.policies;
        slug.and_then(|s| ps.iter().find(|p| p.constituency.as_deref() == Some(s)))
            .or_else(|| ps.iter().find(|p| p.constituency.is_none()))
    }

    /// Budget in seconds for a clock kind at a priority, under a policy.
    pub fn budget(p: &SlaPolicy, kind: ClockKind, priority: i64) -> Option<i64> {
        let t = p.targets.iter().find(|t| t.priority == priority)?;
        let m = match kind {
            ClockKind::FirstResponse => t.first_response_minutes,
            ClockKind::Triage => t.triage_minutes,
            ClockKind::Resolution => t.resolution_minutes,
        }?;
        Some(m * 60)
    }
}

/// What the record's state asks of one clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Run,
    Pause,
    Stop,
}

/// Brings a clock to the wanted state at `now` and recomputes its warn/breach instants.
/// `budget_secs` may change (a new priority). Pure.
pub fn sync(
    c: &mut SlaClock,
    want: Want,
    budget_secs: i64,
    cal: &Calendar,
    warn_percent: i64,
    now: Timestamp,
) -> Result<()> {
    let err = |e: hikeshi_calendar::CalendarError| Error::Internal(format!("calendar: {e}"));
    // Bank the running time first.
    if let Some(since) = c.running_since
        && want != Want::Run
    {
        let d = business_duration_between(cal, since, now.max(since)).map_err(err)?;
        c.elapsed_secs += d.as_secs();
        c.running_since = None;
    }
    c.budget_secs = budget_secs;
    match want {
        Want::Run => {
            if c.running_since.is_none() {
                c.running_since = Some(now);
            }
            c.state = ClockState::Running;
            c.stopped_at = None;
        }
        Want::Pause => c.state = ClockState::Paused,
        Want::Stop => {
            if !matches!(c.state, ClockState::Met | ClockState::Missed) {
                c.stopped_at = Some(now);
                c.state = if c.elapsed_secs > c.budget_secs {
                    ClockState::Missed
                } else {
                    ClockState::Met
                };
            }
        }
    }
    match c.running_since {
        Some(since) => {
            let left = |secs: i64| SignedDuration::from_secs((secs - c.elapsed_secs).max(0));
            let warn_secs = c.budget_secs * warn_percent / 100;
            c.warn_at = Some(add_business_duration(cal, since, left(warn_secs)).map_err(err)?);
            c.breach_at =
                Some(add_business_duration(cal, since, left(c.budget_secs)).map_err(err)?);
        }
        None => {
            c.warn_at = None;
            c.breach_at = None;
        }
    }
    c.next_event_at = if !c.warned {
        c.warn_at
    } else if !c.breached {
        c.breach_at
    } else {
        None
    };
    Ok(())
}

/// A clock as the API shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: ClockKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub state: ClockState,
    pub priority: i64,
    pub calendar: String,
    pub budget_minutes: i64,
    /// Business minutes used so far.
    pub elapsed_minutes: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub warn_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due_at: Option<Timestamp>,
    /// Past its warning time (and not stopped).
    pub warning: bool,
    /// Past its breach time (or stopped late).
    pub breached: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub escalate_to: Option<UserId>,
}

pub fn view(c: &SlaClock, cal: Option<&Calendar>, now: Timestamp) -> SlaView {
    let running = c.running_since.and_then(|since| {
        cal.and_then(|cal| business_duration_between(cal, since, now.max(since)).ok())
    });
    let elapsed = c.elapsed_secs + running.map(|d| d.as_secs()).unwrap_or(0);
    SlaView {
        kind: c.kind,
        state: c.state,
        priority: c.priority,
        calendar: c.calendar.clone(),
        budget_minutes: c.budget_secs / 60,
        elapsed_minutes: elapsed / 60,
        warn_at: c.warn_at,
        due_at: c.breach_at,
        warning: c.warn_at.is_some_and(|w| now >= w),
        breached: c.state == ClockState::Missed || c.breach_at.is_some_and(|b| now >= b),
        escalate_to: c.escalate_to,
    }
}

#[cfg(test)]
mod tests;
