//! Use cases. Every public method takes the [`Actor`](crate::access::Actor), authorises
//! through `access`, validates, builds the new state and its audit entry, and makes one
//! store call (one transaction). Front doors (API, UI, CLI, mail) only call these.

mod admin;
mod alerts;
mod approvals;
mod auth;
mod bulk;
mod correlate;
mod deadlines;
mod delivery;
mod follow;
mod handling;
mod incidents;
mod inputs;
mod intake;
mod keys;
mod lookup;
mod mailout;
mod notify;
mod observables;
mod playbooks;
mod protect;
mod reports;
mod sla;
mod structured;
mod triage;
mod views;
mod web_ack;
mod webform;
mod work;

pub use work::{MAX_ATTACHMENT, Parent};

pub use approvals::{ApprovalDecision, NewApproval, NewDelegation, qualifies};
pub use handling::{Handling, NewPlan, NewReview, NewVerification, iteration_of, review_required};
pub use notify::{DeliveryRun, EVENTS, MAX_ATTEMPTS, NewWebhook, WebhookPatch, backoff};
pub use playbooks::{ApplyPlaybook, NewPlaybook, TaskPatch, binds, tasks_from};
pub use protect::Sealed;

pub use admin::domain_ok;
pub use alerts::{
    AlertLanded, AlertPolicy, MAX_ALERT_OBSERVABLES, NewAlert, check_observable, check_observables,
};
pub use auth::{Bootstrap, SESSION_HOURS};
pub use correlate::{Correlation, ObservableView, PrefixRelated, Related, RelatedRecord};
pub use inputs::*;
pub use intake::{
    DEFAULT_TAG_PREFIX, Decision, Landed, MAX_RAW_MESSAGE, ReportDetails, decide, routing_domains,
};
pub use keys::{MAX_KEY_FILE, TeamKeyInfo};
pub use lookup::{LookupResult, Owner, OwnerRef, ROUTING_TTL, Seen};
pub use mailout::{Audience, NewMail, SentMail, address_ok};
pub use observables::{
    MAX_OBSERVABLES, NewObservables, ObservableItem, ObservablePatch, ObservableSettings,
    extract_values,
};
pub use structured::MAX_DOCUMENT;
pub use views::{COUNT_CAP, SAVED_SEARCH_PAGES};
pub use webform::{
    FORM_MAX_DESCRIPTION, FORM_MAX_FILE, FORM_MAX_FILES, Upload, WebReceipt, WebReport,
    check_web_report,
};

pub use deadlines::{AttachDeadlines, PresetInfo, SubmitDeadline};
pub use delivery::{Fanout, RequestRun, Subject, hook_wants, mail_text};
pub use sla::{NearBreach, SWEEP_BATCH, SweepSummary};
pub use triage::{DRY_RUN_DEFAULT, DRY_RUN_MAX, DryRun, DryRunInput, DryRunItem, SaveRules};

use crate::access::{Actor, Guarded};
use crate::error::{Error, Result};
use crate::ids::AuditId;
use crate::model::{AuditEntry, Incident, Report, TargetKind};
use crate::ports::{Clock, Store};
use jiff::Timestamp;
use std::sync::Arc;

/// How long a node reuses what it read of rarely changing settings (the SLA policy,
/// escalation targets) before asking the database again. Changes made on this node clear
/// the cache at once; changes made on another node take effect within this time.
pub const CONFIG_CACHE_TTL: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);

/// Whether something cached at `at` may still be used at `now`.
pub(crate) fn fresh(now: Timestamp, at: Timestamp) -> bool {
    let age = now.duration_since(at);
    age >= jiff::SignedDuration::ZERO && age < CONFIG_CACHE_TTL
}

/// Size limits enforced on every text field (characters).
pub const MAX_TITLE: usize = 500;
pub const MAX_TEXT: usize = 1_000_000;

#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    key: Arc<std::sync::OnceLock<Vec<u8>>>,
    routing: lookup::RoutingCache,
    tokens: auth::TokenCache,
    /// Constituency slug (or id) → id.
    names: Arc<std::sync::RwLock<std::collections::HashMap<String, crate::ids::ConstituencyId>>>,
    /// Base URL for links sent out in notifications.
    public_url: Arc<std::sync::RwLock<String>>,
    /// Compiled triage rules and the SLA policy, by saved version.
    rules: triage::RulesCache,
    sla: sla::SlaCache,
    escalations: sla::EscalationCache,
    /// Constituency id → slug (slugs never change).
    slugs: Arc<std::sync::RwLock<std::collections::HashMap<crate::ids::ConstituencyId, String>>>,
    observables: Arc<ObservableSettings>,
    /// Outbound mail settings (acknowledgements, From, templates).
    outbound: Arc<crate::outbound::OutboundSettings>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        App {
            store,
            clock,
            key: Arc::default(),
            routing: Arc::default(),
            tokens: Arc::default(),
            names: Arc::default(),
            public_url: Arc::new(std::sync::RwLock::new("http://localhost:8080".into())),
            rules: Arc::default(),
            sla: Arc::default(),
            escalations: Arc::default(),
            slugs: Arc::default(),
            observables: Arc::default(),
            outbound: Arc::default(),
        }
    }

    /// Replaces the correlation settings (fan-out cut-off, warning list).
    pub fn with_observable_settings(mut self, s: ObservableSettings) -> Self {
        self.observables = Arc::new(s);
        self
    }

    /// The same application with these outbound mail settings.
    pub fn with_outbound(mut self, s: crate::outbound::OutboundSettings) -> Self {
        self.outbound = Arc::new(s);
        self
    }

    pub fn now(&self) -> Timestamp {
        // Truncate to microseconds: what both databases keep.
        let us = self.clock.now().as_microsecond();
        Timestamp::from_microsecond(us).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn now_ms(&self) -> u64 {
        self.now().as_millisecond().max(0) as u64
    }

    pub(crate) fn audit(
        &self,
        actor: &str,
        action: &str,
        kind: TargetKind,
        target: String,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> AuditEntry {
        AuditEntry {
            id: AuditId::new(self.now_ms()),
            seq: None,
            at: self.now(),
            actor: actor.to_string(),
            action: action.to_string(),
            target_kind: kind,
            target_id: target,
            before,
            after,
            hash: None,
        }
    }
}

/// A client-given time as both databases keep it (microseconds).
pub(crate) fn micros(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// Only the fields that differ, as `{field: value}` pairs for before and after.
pub(crate) fn diff(
    before: &serde_json::Value,
    after: &serde_json::Value,
) -> (serde_json::Value, serde_json::Value) {
    let (mut b, mut a) = (serde_json::Map::new(), serde_json::Map::new());
    if let (Some(bo), Some(ao)) = (before.as_object(), after.as_object()) {
        for (k, av) in ao {
            if k == "version" || k == "updated_at" {
                continue;
            }
            let bv = bo.get(k).cloned().unwrap_or(serde_json::Value::Null);
            if &bv != av {
                b.insert(k.clone(), bv);
                a.insert(k.clone(), av.clone());
            }
        }
    }
    (serde_json::Value::Object(b), serde_json::Value::Object(a))
}

pub(crate) fn guard_incident(i: &Incident) -> Guarded<'_> {
    Guarded {
        constituency: i.constituency,
        tlp: i.tlp,
        named_users: &i.named_users,
        created_by: i.created_by,
        is_incident: true,
    }
}

pub(crate) fn guard_report(r: &Report) -> Guarded<'_> {
    Guarded {
        constituency: r.constituency,
        tlp: r.tlp,
        named_users: &r.named_users,
        created_by: r.created_by,
        is_incident: false,
    }
}

/// Checks the caller's version against the record's.
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<()> {
    match expected {
        Some(v) if v != current => Err(Error::Conflict { current }),
        _ => Ok(()),
    }
}

pub(crate) fn text(field: &str, value: &str, max: usize, required: bool) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(Error::validation(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(())
}

pub(crate) fn tags(field: &str, tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > 100 {
            return Err(Error::validation(field, "tags must be 1 to 100 characters"));
        }
        if !out.iter().any(|x| x == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

/// The actor string recorded in audit entries.
pub(crate) fn who(a: &Actor) -> &str {
    &a.username
}
