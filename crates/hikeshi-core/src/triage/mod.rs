//! Triage rules: the team's criteria, fixed in advance, for what a new report is and what
//! happens to it. A rule set is an ordered list of rules (conditions → actions), the domain
//! watch lists the rules refer to, and the impact × urgency → priority matrix.
//!
//! Semantics (also in `ARCHITECTURE.md`):
//! - rules are tried in order; every enabled rule whose conditions all hold *matches*;
//! - a scalar action (severity, impact, urgency, priority, owner, queue, TLP, classification,
//!   link, reject) is taken from the **first** matching rule that sets it — earlier rules
//!   take precedence; tags, notifications and deadline presets accumulate;
//! - a matching rule with `stop: true` ends the evaluation;
//! - the priority is the explicit one if a rule set it, else the matrix of the resulting
//!   impact and urgency (each `medium` when no rule set it).
//!
//! Pure: compiled once per saved version ([`eval::Compiled`]), then evaluated in
//! microseconds per report.

pub mod eval;
mod records;

use crate::error::{Error, Result};
use crate::model::{Channel, Level, ReporterType, Severity, Tlp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use eval::{Compiled, Facts, Outcome};
pub use records::{ConfigVersion, NotificationRequest, TriageRecord, TriageWrite};

/// Limits (checked on save, so evaluation stays fast).
pub const MAX_RULES: usize = 1000;
pub const MAX_KEYWORDS: usize = 200;
pub const MAX_WATCHLIST: usize = 100_000;

/// One saved version of the rule set.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Named lists of domains (a domain matches its subdomains too).
    #[serde(default)]
    pub watchlists: BTreeMap<String, Vec<String>>,
    /// Impact × urgency → priority; the default when absent.
    #[serde(default)]
    pub matrix: Option<PriorityMatrix>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable name of the rule, unique in the set (shown in dry runs and audit entries).
    pub id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub when: Conditions,
    #[serde(default)]
    pub then: Actions,
    /// Stop evaluating later rules when this one matches.
    #[serde(default)]
    pub stop: bool,
}

fn yes() -> bool {
    true
}

/// Every condition given must hold (AND); a list matches when any of its values does (OR).
/// An empty condition set matches every report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// RSIT class (`fraud`) or class/type (`fraud/phishing`), as set by an earlier rule.
    #[serde(default)]
    pub classification: Vec<String>,
    /// Constituency slugs; `none` = not routed.
    #[serde(default)]
    pub constituency: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub channel: Vec<Channel>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub reporter_type: Vec<ReporterType>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub tlp: Vec<Tlp>,
    /// Case-insensitive substrings of subject or content; any of them.
    #[serde(default)]
    pub keywords_any: Vec<String>,
    /// All of them.
    #[serde(default)]
    pub keywords_all: Vec<String>,
    /// None of them.
    #[serde(default)]
    pub keywords_none: Vec<String>,
    /// An IP address in the text lies in a netblock of this constituency (slug), or of any
    /// constituency with `*`.
    #[serde(default)]
    pub ip_in_constituency: Option<String>,
    /// A domain (or URL or e-mail host) in the text is on this watch list.
    #[serde(default)]
    pub domain_on_watchlist: Option<String>,
    /// The text holds an indicator of one of these kinds (`cve`, `sha256`, `url`, …).
    #[serde(default)]
    pub observable_kind: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub severity: Option<Severity>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub impact: Option<Level>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub urgency: Option<Level>,
    /// 1 (most urgent) … 5; overrides the matrix.
    pub priority: Option<i64>,
    /// A user name: the report's owner.
    pub owner: Option<String>,
    /// A work queue (recorded, and added as tag `queue:NAME`).
    pub queue: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    /// RSIT class or class/type.
    pub classification: Option<String>,
    /// Reference or id of an open incident to link the report to.
    pub link_incident: Option<String>,
    /// Reject the report at once (spam), with this reason.
    pub reject: Option<String>,
    /// Users to notify (user names, or `lead` for the constituency's leads).
    #[serde(default)]
    pub notify: Vec<String>,
    /// Deadline presets to attach to the linked incident (e.g. `jp-appi` when personal data
    /// is involved).
    #[serde(default)]
    pub deadlines: Vec<String>,
}

/// Impact × urgency → priority (1 most urgent … 5). Rows are impact high, medium, low;
/// columns urgency high, medium, low.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityMatrix {
    pub high: [i64; 3],
    pub medium: [i64; 3],
    pub low: [i64; 3],
}

impl Default for PriorityMatrix {
    /// The ITIL-style default (`model::default_priority`): 1 2 3 / 2 3 4 / 3 4 5.
    fn default() -> Self {
        PriorityMatrix {
            high: [1, 2, 3],
            medium: [2, 3, 4],
            low: [3, 4, 5],
        }
    }
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Level, urgency: Level) -> i64 {
        let row = match impact {
            Level::High => &self.high,
            Level::Medium => &self.medium,
            Level::Low => &self.low,
        };
        match urgency {
            Level::High => row[0],
            Level::Medium => row[1],
            Level::Low => row[2],
        }
    }
}

/// Checks a rule set before it is saved; errors name the field (`rules[3].then.priority`).
/// `known` tells whether a constituency slug, user name or preset id exists.
pub fn validate(set: &RuleSet, known: &dyn Fn(&str, &str) -> bool) -> Result<()> {
    if set.rules.len() > MAX_RULES {
        return Err(Error::validation(
            "rules",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    if let Some(m) = &set.matrix {
        for (i, p) in m.high.iter().chain(&m.medium).chain(&m.low).enumerate() {
            if !(1..=5).contains(p) {
                return Err(Error::validation(
                    format!("matrix[{i}]"),
                    "priorities are 1 to 5",
                ));
            }
        }
    }
    for (name, list) in &set.watchlists {
        let f = format!("watchlists.{name}");
        if name.trim().is_empty() || list.len() > MAX_WATCHLIST {
            return Err(Error::validation(
                f,
                format!("a named list of at most {MAX_WATCHLIST} domains"),
            ));
        }
        for d in list {
            if !crate::app::domain_ok(&d.trim().to_ascii_lowercase()) {
                return Err(Error::validation(f, format!("not a domain: {d:?}")));
            }
        }
    }
    let mut ids = std::collections::HashSet::new();
    for (i, r) in set.rules.iter().enumerate() {
        let f = |s: &str| format!("rules[{i}].{s}");
        if r.id.trim().is_empty() || r.id.chars().count() > 100 {
            return Err(Error::validation(f("id"), "1 to 100 characters"));
        }
        if !ids.insert(r.id.as_str()) {
            return Err(Error::validation(
                f("id"),
                format!("duplicate rule id {:?}", r.id),
            ));
        }
        let w = &r.when;
        let kw = w.keywords_any.len() + w.keywords_all.len() + w.keywords_none.len();
        if kw > MAX_KEYWORDS {
            return Err(Error::validation(
                f("when"),
                format!("at most {MAX_KEYWORDS} keywords"),
            ));
        }
        for k in w
            .keywords_any
            .iter()
            .chain(&w.keywords_all)
            .chain(&w.keywords_none)
        {
            if k.trim().is_empty() {
                return Err(Error::validation(f("when.keywords"), "empty keyword"));
            }
        }
        for c in &w.constituency {
            if c != "none" && !known("constituency", c) {
                return Err(Error::validation(
                    f("when.constituency"),
                    format!("no constituency {c:?}"),
                ));
            }
        }
        if let Some(c) = &w.ip_in_constituency
            && c != "*"
            && !known("constituency", c)
        {
            return Err(Error::validation(
                f("when.ip_in_constituency"),
                format!("no constituency {c:?}"),
            ));
        }
        if let Some(l) = &w.domain_on_watchlist
            && !set.watchlists.contains_key(l)
        {
            return Err(Error::validation(
                f("when.domain_on_watchlist"),
                format!("no watch list {l:?}"),
            ));
        }
        for k in &w.observable_kind {
            if hikeshi_indicators::Kind::parse(k).is_none() {
                return Err(Error::validation(
                    f("when.observable_kind"),
                    format!("unknown indicator kind {k:?}"),
                ));
            }
        }
        for c in w.classification.iter().chain(&r.then.classification) {
            check_classification(c).map_err(|m| {
                Error::validation(
                    if w.classification.contains(c) {
                        f("when.classification")
                    } else {
                        f("then.classification")
                    },
                    m,
                )
            })?;
        }
        let t = &r.then;
        if let Some(p) = t.priority
            && !(1..=5).contains(&p)
        {
            return Err(Error::validation(f("then.priority"), "1 to 5"));
        }
        if let Some(o) = &t.owner
            && !known("user", o)
        {
            return Err(Error::validation(f("then.owner"), format!("no user {o:?}")));
        }
        for n in &t.notify {
            if n != "lead" && !known("user", n) {
                return Err(Error::validation(
                    f("then.notify"),
                    format!("no user {n:?}"),
                ));
            }
        }
        for p in &t.deadlines {
            if !known("preset", p) {
                return Err(Error::validation(
                    f("then.deadlines"),
                    format!("no deadline preset {p:?}"),
                ));
            }
        }
        if let Some(q) = &t.queue
            && (q.trim().is_empty() || q.chars().count() > 90)
        {
            return Err(Error::validation(f("then.queue"), "1 to 90 characters"));
        }
        for tag in &t.tags {
            if tag.trim().is_empty() || tag.chars().count() > 100 {
                return Err(Error::validation(
                    f("then.tags"),
                    "tags must be 1 to 100 characters",
                ));
            }
        }
        if let Some(reason) = &t.reject
            && reason.trim().is_empty()
        {
            return Err(Error::validation(f("then.reject"), "needs a reason"));
        }
    }
    Ok(())
}

fn check_classification(c: &str) -> std::result::Result<(), String> {
    let (class, ty) = match c.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (c, None),
    };
    crate::taxonomy::validate(&crate::model::Classification {
        rsit_class: Some(class.to_string()),
        rsit_type: ty.map(str::to_string),
        jpcert_category: None,
    })
    .map_err(|e| e.to_string())
}
