//! `/triage`: the ordered triage rules (leads and admins), edited as JSON with validation
//! errors shown in the form, and a dry run over the latest reports. `/due`: legal deadlines
//! and SLA clocks due next, across the incidents and reports the user may see.

use super::ctx::{Ctx, Ui};
use super::errors::{Fields, Out, check_csrf, message, page, render, status};
use askama::Template;
use axum::Form;
use axum::http::StatusCode;
use hikeshi_core::Error;
use hikeshi_core::app::{DryRun, DryRunInput, SaveRules};
use hikeshi_core::triage::RuleSet;
use jiff::SignedDuration;

pub struct RuleRow {
    pub position: usize,
    pub id: String,
    pub when: String,
    pub then: String,
    pub stop: bool,
}

pub struct DryRow {
    pub reference: String,
    pub matched: String,
    pub priority: i64,
    pub actions: String,
}

#[derive(Template)]
#[template(path = "triage.html")]
pub struct TriagePage {
    pub ctx: Ctx,
    pub version: i64,
    pub rules: Vec<RuleRow>,
    /// The JSON in the editor: the saved rules, or what was posted.
    pub text: String,
    pub error: Option<String>,
    pub saved: bool,
    pub dry: Option<DryView>,
}

pub struct DryView {
    pub summary: String,
    pub per_rule: Vec<(String, i64)>,
    pub rows: Vec<DryRow>,
}

/// Dry-run rows shown (the counts cover every report tried).
const DRY_ROWS: usize = 200;

fn compact(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn rows_of(body: &serde_json::Value) -> Vec<RuleRow> {
    body.get("rules")
        .and_then(|r| r.as_array())
        .map(|rules| {
            rules
                .iter()
                .enumerate()
                .map(|(i, r)| RuleRow {
                    position: i + 1,
                    id: r.get("id").and_then(|v| v.as_str()).unwrap_or("").into(),
                    when: r.get("when").map(compact).unwrap_or_default(),
                    then: r.get("then").map(compact).unwrap_or_default(),
                    stop: r.get("stop").and_then(|v| v.as_bool()).unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn dry_view(ctx: &Ctx, d: DryRun) -> DryView {
    DryView {
        summary: ctx.tf(
            "triage.dry-run-summary",
            &[
                ("reports", &d.reports.to_string()),
                ("matched", &d.matched.to_string()),
            ],
        ),
        per_rule: d.per_rule,
        rows: d
            .items
            .into_iter()
            .filter(|i| !i.outcome.matched.is_empty())
            .take(DRY_ROWS)
            .map(|i| {
                let o = i.outcome;
                let mut actions = Vec::new();
                if let Some(r) = &o.reject {
                    actions.push(format!("reject: {r}"));
                }
                if let Some(x) = &o.owner {
                    actions.push(format!("owner: {x}"));
                }
                if let Some(x) = &o.queue {
                    actions.push(format!("queue: {x}"));
                }
                if let Some(x) = &o.tlp {
                    actions.push(format!("tlp: {}", x.as_str()));
                }
                if !o.tags.is_empty() {
                    actions.push(format!("tags: {}", o.tags.join(" ")));
                }
                if !o.notify.is_empty() {
                    actions.push(format!("notify: {}", o.notify.join(" ")));
                }
                DryRow {
                    reference: i.reference,
                    matched: o.matched.join(", "),
                    priority: o.priority,
                    actions: actions.join("; "),
                }
            })
            .collect(),
    }
}

/// The posted JSON as rules, or a validation error naming `rules` with serde's position.
fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::validation("rules", e.to_string()))
}

async fn show(
    ui: &Ui,
    text: Option<String>,
    error: Option<(StatusCode, String)>,
    saved: bool,
    dry: Option<DryView>,
) -> Out {
    let current = match ui.app.triage_rules(&ui.actor, None).await {
        Ok(c) => c,
        Err(e) => return Err(page(&ui.ctx, e)),
    };
    let text =
        text.unwrap_or_else(|| serde_json::to_string_pretty(&current.body).unwrap_or_default());
    let p = TriagePage {
        ctx: ui.ctx.clone(),
        version: current.version,
        rules: rows_of(&current.body),
        text,
        error: error.as_ref().map(|(_, m)| m.clone()),
        saved,
        dry,
    };
    Ok(render(error.map(|(c, _)| c).unwrap_or(StatusCode::OK), &p))
}

pub async fn rules_page(ui: Ui) -> Out {
    show(&ui, None, None, false, None).await
}

pub async fn save_rules(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let text = f.get("rules").to_string();
    let r = match parse::<SaveRules>(&text) {
        Ok(mut input) => {
            input.version = f.version();
            ui.app.save_triage_rules(&ui.actor, input).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => show(&ui, None, None, true, None).await,
        Err(e) => {
            let m = (status(&e), message(&ui.ctx, &e));
            show(&ui, Some(text), Some(m), false, None).await
        }
    }
}

pub async fn dry_run(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let text = f.get("rules").to_string();
    let r = match parse::<RuleSet>(&text) {
        Ok(set) => {
            let input = DryRunInput {
                rules: Some(set),
                limit: None,
            };
            ui.app.triage_dry_run(&ui.actor, input).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(d) => show(&ui, Some(text), None, false, Some(dry_view(&ui.ctx, d))).await,
        Err(e) => {
            let m = (status(&e), message(&ui.ctx, &e));
            show(&ui, Some(text), Some(m), false, None).await
        }
    }
}

pub struct DeadlineRow {
    pub incident: String,
    pub regime: String,
    pub stage: String,
    pub recipient: String,
    pub due: String,
    pub overdue: bool,
    pub unverified: bool,
}

pub struct ClockRow {
    pub kind_path: &'static str,
    pub reference: String,
    pub clock: String,
    pub due: String,
    pub breached: bool,
}

#[derive(Template)]
#[template(path = "due.html")]
pub struct DuePage {
    pub ctx: Ctx,
    pub deadlines: Vec<DeadlineRow>,
    pub clocks: Vec<ClockRow>,
    pub error: Option<String>,
}

/// Deadlines due within 30 days and SLA clocks warning within 24 hours (overdue first).
pub async fn due_page(ui: Ui) -> Out {
    let now = ui.app.now();
    let ctx = &ui.ctx;
    let mut error = None;
    let before = now
        .checked_add(SignedDuration::from_hours(30 * 24))
        .unwrap_or(now);
    let deadlines = match ui.app.deadlines_due(&ui.actor, before, 100).await {
        Ok(ds) => ds
            .into_iter()
            .map(|d| DeadlineRow {
                incident: d.incident.to_string(),
                regime: d.regime,
                stage: d.stage,
                recipient: d.recipient,
                due: ctx.opt_date(&d.due_at),
                overdue: d.due_at.is_some_and(|t| t <= now),
                unverified: d.unverified,
            })
            .collect(),
        Err(e) => {
            error = Some(message(ctx, &e));
            vec![]
        }
    };
    let clocks = match ui
        .app
        .sla_near_breach(&ui.actor, SignedDuration::from_hours(24), 100)
        .await
    {
        Ok(cs) => cs
            .into_iter()
            .map(|c| ClockRow {
                kind_path: if c.target_kind == "incident" {
                    "incidents"
                } else {
                    "reports"
                },
                reference: c.reference,
                clock: ctx.t(&format!("due.clock-{}", c.sla.kind.as_str())).into(),
                due: ctx.opt_date(&c.sla.due_at),
                breached: c.sla.breached,
            })
            .collect(),
        Err(e) => {
            error = Some(message(ctx, &e));
            vec![]
        }
    };
    let p = DuePage {
        ctx: ui.ctx.clone(),
        deadlines,
        clocks,
        error,
    };
    Ok(render(StatusCode::OK, &p))
}
