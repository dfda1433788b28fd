//! View models: records flattened into the strings templates show, in the user's
//! language and time zone.

use super::ctx::{Ctx, Ui};
use hikeshi_core::ids::{ConstituencyId, UserId};
use hikeshi_core::model::{Incident, Report, Severity, Tlp};
use std::collections::HashMap;

/// Looks up user and constituency names once per request.
#[derive(Default)]
pub struct Names {
    users: HashMap<UserId, String>,
    constituencies: HashMap<ConstituencyId, String>,
}

impl Names {
    pub async fn load(ui: &Ui) -> Names {
        let mut n = Names::default();
        if let Ok(cs) = ui.app.list_constituencies(&ui.actor).await {
            n.constituencies = cs.into_iter().map(|c| (c.id, c.name)).collect();
        }
        n
    }

    pub async fn user(&mut self, ui: &Ui, id: Option<UserId>) -> String {
        let Some(id) = id else {
            return String::new();
        };
        if let Some(n) = self.users.get(&id) {
            return n.clone();
        }
        let name = match ui.app.resolve_user(&id.to_string()).await {
            Ok(u) => u.username,
            Err(_) => id.to_string(),
        };
        self.users.insert(id, name.clone());
        name
    }

    pub fn constituency(&self, id: Option<ConstituencyId>) -> String {
        id.and_then(|c| self.constituencies.get(&c).cloned())
            .unwrap_or_default()
    }
}

pub fn tlp_class(t: Tlp) -> &'static str {
    match t {
        Tlp::Clear => "tlp-clear",
        Tlp::Green => "tlp-green",
        Tlp::Amber => "tlp-amber",
        Tlp::AmberStrict => "tlp-amber-strict",
        Tlp::Red => "tlp-red",
    }
}

pub fn tlp_label(t: Tlp) -> String {
    format!("TLP:{}", t.as_str().to_uppercase())
}

pub fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Low => "sev-low",
        Severity::Medium => "sev-medium",
        Severity::High => "sev-high",
        Severity::Critical => "sev-critical",
    }
}

/// One incident in a list.
pub struct IncidentRow {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub status: &'static str,
    pub status_key: String,
    pub severity: &'static str,
    pub sev_class: &'static str,
    pub tlp: String,
    pub tlp_class: &'static str,
    pub tlp_desc: &'static str,
    pub owner: String,
    pub constituency: String,
    pub created: String,
    pub due: String,
    pub overdue: bool,
}

impl IncidentRow {
    pub async fn build(ui: &Ui, names: &mut Names, i: &Incident) -> IncidentRow {
        let ctx = &ui.ctx;
        let now = ui.app.now();
        IncidentRow {
            id: i.id.to_string(),
            reference: i.reference.clone(),
            title: i.title.clone(),
            status: ctx.t(&format!("status.{}", i.status)),
            status_key: i.status.to_string(),
            severity: ctx.t(&format!("severity.{}", i.severity)),
            sev_class: sev_class(i.severity),
            tlp: tlp_label(i.tlp),
            tlp_class: tlp_class(i.tlp),
            tlp_desc: ctx.t(&format!("tlpdesc.{}", i.tlp)),
            owner: names.user(ui, i.owner).await,
            constituency: names.constituency(i.constituency),
            created: ctx.date(&i.created_at),
            due: ctx.opt_date(&i.due_at),
            overdue: i.due_at.is_some_and(|d| d < now)
                && hikeshi_core::lifecycle::incident_is_active(i.status),
        }
    }

    pub async fn all(ui: &Ui, names: &mut Names, list: &[Incident]) -> Vec<IncidentRow> {
        let mut out = Vec::with_capacity(list.len());
        for i in list {
            out.push(IncidentRow::build(ui, names, i).await);
        }
        out
    }
}

/// One report in a list.
pub struct ReportRow {
    pub id: String,
    pub reference: String,
    pub subject: String,
    pub reporter: String,
    pub status: &'static str,
    pub status_key: String,
    pub tlp: String,
    pub tlp_class: &'static str,
    pub tlp_desc: &'static str,
    pub owner: String,
    pub constituency: String,
    pub received: String,
}

impl ReportRow {
    pub async fn build(ui: &Ui, names: &mut Names, r: &Report) -> ReportRow {
        let ctx = &ui.ctx;
        ReportRow {
            id: r.id.to_string(),
            reference: r.reference.clone(),
            subject: r.subject.clone(),
            reporter: r.reporter.clone(),
            status: ctx.t(&format!("rstatus.{}", r.status)),
            status_key: r.status.to_string(),
            tlp: tlp_label(r.tlp),
            tlp_class: tlp_class(r.tlp),
            tlp_desc: ctx.t(&format!("tlpdesc.{}", r.tlp)),
            owner: names.user(ui, r.owner).await,
            constituency: names.constituency(r.constituency),
            received: ctx.date(&r.received_at),
        }
    }

    pub async fn all(ui: &Ui, names: &mut Names, list: &[Report]) -> Vec<ReportRow> {
        let mut out = Vec::with_capacity(list.len());
        for r in list {
            out.push(ReportRow::build(ui, names, r).await);
        }
        out
    }
}

/// A `<select>` option.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn list<T: std::fmt::Display>(
        ctx: &Ctx,
        prefix: &str,
        all: &[T],
        current: &str,
    ) -> Vec<Opt> {
        all.iter()
            .map(|v| {
                let value = v.to_string();
                Opt {
                    label: ctx.t(&format!("{prefix}.{value}")).to_string(),
                    selected: value == current,
                    value,
                }
            })
            .collect()
    }
}
