//! The compiled rule set and its evaluator. Compiling does the slow parts once per saved
//! version: one case-insensitive Aho-Corasick automaton over every keyword of every rule,
//! slug → id resolution, enum sets as bit masks, watch lists as one suffix map. Evaluating a
//! report then scans its text once and tests each rule with bit operations.

use super::{PriorityMatrix, RuleSet};
use crate::ids::ConstituencyId;
use crate::model::{Channel, Level, Report, ReporterType, Severity, Tlp};
use crate::routing::RoutingTable;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use hikeshi_indicators::Kind;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// What the rules look at, taken from a report once.
#[derive(Debug, Clone)]
pub struct Facts {
    pub subject: String,
    pub content: String,
    pub channel: Channel,
    pub reporter_type: ReporterType,
    pub tlp: Tlp,
    pub constituency: Option<ConstituencyId>,
    /// Indicators found in subject and content (normalised).
    pub observables: Vec<(Kind, String)>,
}

impl Facts {
    /// Facts of a report; extracts its indicators with `hikeshi-indicators`.
    pub fn of_report(r: &Report) -> Facts {
        let mut observables: Vec<(Kind, String)> = hikeshi_indicators::extract(&r.subject)
            .into_iter()
            .chain(hikeshi_indicators::extract(&r.content))
            .map(|i| (i.kind, i.value))
            .collect();
        observables.sort();
        observables.dedup();
        Facts {
            subject: r.subject.clone(),
            content: r.content.clone(),
            channel: r.channel,
            reporter_type: r.reporter_type,
            tlp: r.tlp,
            constituency: r.constituency,
            observables,
        }
    }
}

/// The result of the rules for one report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Outcome {
    /// Ids of the rules that matched, in order.
    pub matched: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub severity: Option<Severity>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub impact: Level,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub urgency: Level,
    pub priority: i64,
    /// `rule` when a rule set the priority, else `matrix`.
    pub priority_from: String,
    pub owner: Option<String>,
    pub queue: Option<String>,
    pub tags: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    pub classification: Option<String>,
    pub link_incident: Option<String>,
    pub reject: Option<String>,
    pub notify: Vec<String>,
    pub deadlines: Vec<String>,
}

struct Cond {
    classification: Vec<String>,
    /// `Some(None)` = "not routed".
    constituency: Vec<Option<ConstituencyId>>,
    channel: u32,
    reporter_type: u32,
    tlp: u32,
    any: Vec<u32>,
    all: Vec<u32>,
    none: Vec<u32>,
    /// `Some(None)` = any constituency.
    ip_in: Option<Option<ConstituencyId>>,
    watchlist: Option<u32>,
    kinds: u32,
}

struct CRule {
    id: String,
    cond: Cond,
    stop: bool,
    index: usize,
}

/// A rule set ready to evaluate. Cheap to share (`Arc` inside).
#[derive(Clone)]
pub struct Compiled {
    inner: Arc<Inner>,
}

struct Inner {
    set: RuleSet,
    rules: Vec<CRule>,
    keywords: Option<AhoCorasick>,
    n_keywords: usize,
    /// Domain → bit mask of watch lists holding it.
    watch: HashMap<String, u64>,
    routing: Arc<RoutingTable>,
    matrix: PriorityMatrix,
}

fn mask<T: PartialEq + Copy>(all: &[T], vs: &[T]) -> u32 {
    vs.iter()
        .filter_map(|v| all.iter().position(|a| a == v))
        .fold(0, |m, i| m | (1 << i))
}

fn bit<T: PartialEq + Copy>(all: &[T], v: T) -> u32 {
    all.iter()
        .position(|a| *a == v)
        .map(|i| 1 << i)
        .unwrap_or(0)
}

impl Compiled {
    /// Compiles a (validated) rule set. `slug` resolves constituency slugs; unknown slugs
    /// never match. At most 64 watch lists take part (more are ignored).
    pub fn new(
        set: RuleSet,
        routing: Arc<RoutingTable>,
        slug: &dyn Fn(&str) -> Option<ConstituencyId>,
    ) -> Compiled {
        let mut words: Vec<String> = Vec::new();
        let mut word_id = |w: &str| -> u32 {
            let w = w.trim().to_lowercase();
            match words.iter().position(|x| *x == w) {
                Some(i) => i as u32,
                None => {
                    words.push(w);
                    (words.len() - 1) as u32
                }
            }
        };
        let list_ids: HashMap<&str, u32> = set
            .watchlists
            .keys()
            .take(64)
            .enumerate()
            .map(|(i, k)| (k.as_str(), i as u32))
            .collect();
        let mut watch: HashMap<String, u64> = HashMap::new();
        for (name, list) in &set.watchlists {
            if let Some(&i) = list_ids.get(name.as_str()) {
                for d in list {
                    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
                    *watch.entry(d).or_default() |= 1 << i;
                }
            }
        }
        let mut rules = Vec::new();
        for (index, r) in set.rules.iter().enumerate() {
            if !r.enabled {
                continue;
            }
            let w = &r.when;
            let cond = Cond {
                classification: w.classification.clone(),
                constituency: w
                    .constituency
                    .iter()
                    .map(|s| if s == "none" { None } else { slug(s) })
                    .collect(),
                channel: mask(Channel::ALL, &w.channel),
                reporter_type: mask(ReporterType::ALL, &w.reporter_type),
                tlp: mask(Tlp::ALL, &w.tlp),
                any: w.keywords_any.iter().map(|k| word_id(k)).collect(),
                all: w.keywords_all.iter().map(|k| word_id(k)).collect(),
                none: w.keywords_none.iter().map(|k| word_id(k)).collect(),
                ip_in: w.ip_in_constituency.as_ref().map(|s| {
                    if s == "*" {
                        None
                    } else {
                        // An unknown slug must never match: use a fresh id.
                        Some(slug(s).unwrap_or(ConstituencyId(uuid::Uuid::nil())))
                    }
                }),
                watchlist: w
                    .domain_on_watchlist
                    .as_ref()
                    .map(|l| list_ids.get(l.as_str()).copied().unwrap_or(64)),
                kinds: w
                    .observable_kind
                    .iter()
                    .filter_map(|k| Kind::parse(k))
                    .fold(0, |m, k| m | bit(&Kind::ALL, k)),
            };
            rules.push(CRule {
                id: r.id.clone(),
                cond,
                stop: r.stop,
                index,
            });
        }
        let keywords = if words.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&words)
                .ok()
        };
        Compiled {
            inner: Arc::new(Inner {
                matrix: set.matrix.unwrap_or_default(),
                set,
                rules,
                keywords,
                n_keywords: words.len(),
                watch,
                routing,
            }),
        }
    }

    pub fn rule_set(&self) -> &RuleSet {
        &self.inner.set
    }

    pub fn matrix(&self) -> PriorityMatrix {
        self.inner.matrix
    }

    fn scan(&self, text: &str, hits: &mut [bool]) {
        if let Some(ac) = &self.inner.keywords {
            for m in ac.find_overlapping_iter(text) {
                hits[m.pattern().as_usize()] = true;
            }
        }
    }

    /// Runs the rules over one report.
    pub fn evaluate(&self, f: &Facts) -> Outcome {
        let inner = &*self.inner;
        let mut hits = vec![false; inner.n_keywords];
        if inner.n_keywords > 0 {
            // The automaton folds ASCII case itself; only text with non-ASCII capitals
            // (Ａ, Ä, Σ …) needs lower-casing first. Japanese text has none.
            for t in [&f.subject, &f.content] {
                if t.chars().any(needs_fold) {
                    self.scan(&t.to_lowercase(), &mut hits);
                } else {
                    self.scan(t, &mut hits);
                }
            }
        }
        let mut kinds = 0u32;
        let mut lists = 0u64;
        let mut ip_owners: Vec<ConstituencyId> = Vec::new();
        for (k, v) in &f.observables {
            kinds |= bit(&Kind::ALL, *k);
            match k {
                Kind::Ipv4 | Kind::Ipv6 => {
                    if let Ok(ip) = v.parse()
                        && let Some(r) = inner.routing.lookup_ip(ip)
                    {
                        ip_owners.push(r.constituency);
                    }
                }
                Kind::Domain | Kind::Url | Kind::Email if !inner.watch.is_empty() => {
                    lists |= self.watched(k, v);
                }
                _ => {}
            }
        }
        let channel = bit(Channel::ALL, f.channel);
        let rtype = bit(ReporterType::ALL, f.reporter_type);
        let mut out = Outcome::default();
        let mut impact = None;
        let mut urgency = None;
        let mut priority = None;
        for r in &inner.rules {
            let c = &r.cond;
            let tlp = bit(Tlp::ALL, out.tlp.unwrap_or(f.tlp));
            let ok = (c.channel == 0 || c.channel & channel != 0)
                && (c.reporter_type == 0 || c.reporter_type & rtype != 0)
                && (c.tlp == 0 || c.tlp & tlp != 0)
                && (c.kinds == 0 || c.kinds & kinds != 0)
                && (c.constituency.is_empty() || c.constituency.contains(&f.constituency))
                && (c.any.is_empty() || c.any.iter().any(|&i| hits[i as usize]))
                && c.all.iter().all(|&i| hits[i as usize])
                && !c.none.iter().any(|&i| hits[i as usize])
                && match c.watchlist {
                    None => true,
                    Some(i) => i < 64 && lists & (1 << i) != 0,
                }
                && match c.ip_in {
                    None => true,
                    Some(None) => !ip_owners.is_empty(),
                    Some(Some(id)) => ip_owners.contains(&id),
                }
                && (c.classification.is_empty()
                    || out.classification.as_deref().is_some_and(|have| {
                        c.classification.iter().any(|want| {
                            have == want
                                || (!want.contains('/')
                                    && have.split('/').next() == Some(want.as_str()))
                        })
                    }));
            if !ok {
                continue;
            }
            out.matched.push(r.id.clone());
            let t = &inner.set.rules[r.index].then;
            out.severity = out.severity.or(t.severity);
            impact = impact.or(t.impact);
            urgency = urgency.or(t.urgency);
            priority = priority.or(t.priority);
            if out.owner.is_none() {
                out.owner.clone_from(&t.owner);
            }
            if out.queue.is_none() {
                out.queue.clone_from(&t.queue);
            }
            out.tlp = out.tlp.or(t.tlp);
            if out.classification.is_none() {
                out.classification.clone_from(&t.classification);
            }
            if out.link_incident.is_none() {
                out.link_incident.clone_from(&t.link_incident);
            }
            if out.reject.is_none() {
                out.reject.clone_from(&t.reject);
            }
            push_new(&mut out.tags, &t.tags);
            push_new(&mut out.notify, &t.notify);
            push_new(&mut out.deadlines, &t.deadlines);
            if r.stop {
                break;
            }
        }
        if let Some(q) = &out.queue {
            push_new(&mut out.tags, &[format!("queue:{q}")]);
        }
        out.impact = impact.unwrap_or(Level::Medium);
        out.urgency = urgency.unwrap_or(Level::Medium);
        match priority {
            Some(p) => {
                out.priority = p;
                out.priority_from = "rule".into();
            }
            None => {
                out.priority = inner.matrix.priority(out.impact, out.urgency);
                out.priority_from = "matrix".into();
            }
        }
        out
    }

    /// Watch lists holding the host of a domain, URL or address (or a parent domain).
    fn watched(&self, k: &Kind, v: &str) -> u64 {
        let host = match k {
            Kind::Domain => v,
            Kind::Email => v.rsplit('@').next().unwrap_or(""),
            _ => v
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split(['/', ':', '?', '#']).next())
                .unwrap_or(""),
        };
        let host = host.rsplit('@').next().unwrap_or(host);
        let mut m = 0;
        let mut d = host;
        loop {
            if let Some(bits) = self.inner.watch.get(d) {
                m |= bits;
            }
            match d.split_once('.') {
                Some((_, rest)) if rest.contains('.') => d = rest,
                _ => return m,
            }
        }
    }
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            matched: vec![],
            severity: None,
            impact: Level::Medium,
            urgency: Level::Medium,
            priority: 3,
            priority_from: "matrix".into(),
            owner: None,
            queue: None,
            tags: vec![],
            tlp: None,
            classification: None,
            link_incident: None,
            reject: None,
            notify: vec![],
            deadlines: vec![],
        }
    }
}

/// A capital the automaton does not fold: non-ASCII, and not CJK or kana (which have no
/// case; skipping the table look-up keeps Japanese text fast).
fn needs_fold(c: char) -> bool {
    !c.is_ascii() && !('\u{3000}'..='\u{FE4F}').contains(&c) && c.is_uppercase()
}

fn push_new(into: &mut Vec<String>, from: &[String]) {
    for v in from {
        if !into.contains(v) {
            into.push(v.clone());
        }
    }
}

#[cfg(test)]
mod tests;
