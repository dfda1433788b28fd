//! `/incidents/{id}`: header with the TLP banner, description, one timeline (history,
//! comments, correspondence), linked records and the actions the caller may take.

use super::ctx::{Ctx, Ui};
use super::errors::{OrPage, ok, render};
use super::i18n;
use super::view::{IncidentRow, Names, Opt, ReportRow};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use hikeshi_core::app::Parent;
use hikeshi_core::lifecycle::incident_next;
use hikeshi_core::model::{AuditEntry, Entry, Incident, Role, Severity, Tlp};

pub struct Event {
    pub when: String,
    pub sort: jiff::Timestamp,
    pub who: String,
    pub class: &'static str,
    pub title: String,
    pub body: String,
    pub changes: Vec<String>,
}

/// What the edit form shows (the record, or what was just submitted).
pub struct Draft {
    pub title: String,
    pub description: String,
    pub severity: String,
    pub tlp: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "incident.html")]
pub struct IncidentPage {
    pub ctx: Ctx,
    pub inc: IncidentRow,
    pub description: String,
    pub resolution: String,
    pub version: i64,
    pub updated: String,
    pub events: Vec<Event>,
    pub reports: Vec<ReportRow>,
    pub investigations: Vec<super::work::Work>,
    pub countermeasures: Vec<super::work::Work>,
    pub next_opts: Vec<Opt>,
    pub draft: Draft,
    pub severity_opts: Vec<Opt>,
    pub tlp_opts: Vec<Opt>,
    pub error: Option<String>,
    pub open_edit: bool,
    pub can_write: bool,
    pub can_assign: bool,
    pub mine: bool,
    pub assignees: Vec<String>,
    pub observables: Vec<super::observables::ObsRow>,
    /// The handling loop: iteration, tasks from playbooks, whether closing needs a review.
    pub iteration: String,
    pub tasks: Vec<TaskRow>,
    pub review_missing: bool,
}

/// One task as shown on the incident page (title in the reader's language).
pub struct TaskRow {
    pub title: String,
    pub status: &'static str,
    pub status_key: String,
    pub due: String,
    pub checklist: String,
}

fn task_rows(ctx: &Ctx, tasks: &[hikeshi_core::model::Task]) -> Vec<TaskRow> {
    tasks
        .iter()
        .map(|t| TaskRow {
            title: match ctx.lang {
                super::i18n::Lang::Ja => t.title_ja.clone(),
                super::i18n::Lang::En => t.title_en.clone(),
            },
            status: ctx.t(&format!("taskstatus.{}", t.status)),
            status_key: t.status.to_string(),
            due: ctx.opt_date(&t.due_at),
            checklist: if t.checklist.is_empty() {
                String::new()
            } else {
                format!(
                    "{}/{}",
                    t.checklist.iter().filter(|c| c.done).count(),
                    t.checklist.len()
                )
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "timeline_partial.html")]
pub struct TimelinePartial {
    pub ctx: Ctx,
    pub inc: IncidentRow,
    pub events: Vec<Event>,
    pub can_write: bool,
}

/// A changed value as people read it: translated vocabulary, local dates, short text.
fn value(ctx: &Ctx, field: &str, v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::Null => return "—".into(),
        serde_json::Value::String(s) if s.is_empty() => return "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let vocab = match field {
        "status" => Some("status"),
        "severity" => Some("severity"),
        "tlp" => Some("tlp"),
        _ => None,
    };
    if let Some(prefix) = vocab {
        return ctx.t(&format!("{prefix}.{s}")).to_string();
    }
    if field.ends_with("_at")
        && let Ok(ts) = s.parse::<jiff::Timestamp>()
    {
        return ctx.date(&ts);
    }
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

async fn history_event(ui: &Ui, names: &mut Names, e: &AuditEntry) -> Event {
    let key = format!("audit.{}", e.action);
    let title = if i18n::catalogue(ui.ctx.lang).contains_key(key.as_str()) {
        ui.ctx.t(&key).to_string()
    } else {
        e.action.clone()
    };
    let mut changes = Vec::new();
    if e.action != "incident.create"
        && let Some(after) = e.after.as_ref().and_then(|a| a.as_object())
    {
        for (k, a) in after {
            let b = e
                .before
                .as_ref()
                .and_then(|b| b.get(k))
                .unwrap_or(&serde_json::Value::Null);
            let (b, a) = if k == "owner" {
                let id =
                    |v: &serde_json::Value| v.as_str().and_then(hikeshi_core::ids::UserId::parse);
                let name = |n: String| if n.is_empty() { "—".to_string() } else { n };
                (
                    name(names.user(ui, id(b)).await),
                    name(names.user(ui, id(a)).await),
                )
            } else {
                (value(&ui.ctx, k, b), value(&ui.ctx, k, a))
            };
            let field = ui.ctx.t(&format!("field.{k}"));
            let field = if field == "??" { k.as_str() } else { field };
            changes.push(format!("{field}: {b} → {a}"));
        }
    }
    Event {
        when: ui.ctx.date(&e.at),
        sort: e.at,
        who: e.actor.clone(),
        class: "ev-history",
        title,
        body: String::new(),
        changes,
    }
}

async fn entry_event(ui: &Ui, names: &mut Names, e: &Entry) -> Event {
    let (class, key) = match e.direction {
        None => ("ev-comment", "timeline.comment"),
        Some(hikeshi_core::model::Direction::In) => ("ev-in", "timeline.mail-in"),
        Some(hikeshi_core::model::Direction::Out) => ("ev-out", "timeline.mail-out"),
    };
    let mut title = ui.ctx.t(key).to_string();
    if let Some(s) = &e.subject {
        title = format!("{title}: {s}");
    }
    let who = match (&e.from, e.author) {
        (Some(f), _) => f.clone(),
        (None, a) => names.user(ui, a).await,
    };
    Event {
        when: ui.ctx.date(&e.created_at),
        sort: e.created_at,
        who,
        class,
        title,
        body: e.body.clone(),
        changes: vec![],
    }
}

/// History and entries, newest first.
pub async fn timeline(ui: &Ui, names: &mut Names, id: &str) -> Result<Vec<Event>, Response> {
    let history = ui.app.incident_history(&ui.actor, id).await.or_page(ui)?;
    let entries = ui
        .app
        .entries(&ui.actor, Parent::Incident, id)
        .await
        .or_page(ui)?;
    let mut events = Vec::new();
    for h in history
        .iter()
        .filter(|h| !h.action.ends_with("comment.add") && h.action != "correspondence.add")
    {
        events.push(history_event(ui, names, h).await);
    }
    for e in &entries {
        events.push(entry_event(ui, names, e).await);
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.sort));
    Ok(events)
}

pub fn draft_of(ctx: &Ctx, i: &Incident) -> Draft {
    Draft {
        title: i.title.clone(),
        description: i.description.clone(),
        severity: i.severity.to_string(),
        tlp: i.tlp.to_string(),
        due: ctx.date_input(&i.due_at),
    }
}

/// Renders the page; `draft` and `error` come back from a refused form.
pub async fn show(
    ui: Ui,
    id: &str,
    draft: Option<Draft>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, Response> {
    let i = ui.app.get_incident(&ui.actor, id).await.or_page(&ui)?;
    let id = i.id.to_string();
    let mut names = Names::load(&ui).await;
    let events = timeline(&ui, &mut names, &id).await?;
    let reports = ui
        .app
        .reports_of_incident(&ui.actor, &id)
        .await
        .or_page(&ui)?;
    let invs = ui
        .app
        .investigations_of(&ui.actor, &id)
        .await
        .or_page(&ui)?;
    let cms = ui
        .app
        .countermeasures_of(&ui.actor, &id)
        .await
        .or_page(&ui)?;
    let handling = ui.app.handling(&ui.actor, &id).await.or_page(&ui)?;
    let ctx = &ui.ctx;
    let investigations = super::work::investigations(ctx, &invs);
    let countermeasures = super::work::countermeasures(ctx, &cms);
    let open_edit = draft.is_some();
    let draft = draft.unwrap_or_else(|| draft_of(ctx, &i));
    let can_write = matches!(ui.actor.role, Role::Admin | Role::Lead | Role::Handler);
    let can_assign = matches!(ui.actor.role, Role::Admin | Role::Lead);
    let assignees = if can_assign {
        super::incidents::assignees(&ui).await
    } else {
        vec![]
    };
    let (code, error) = match error {
        Some((c, m)) => (c, Some(m)),
        None => (StatusCode::OK, None),
    };
    let page = IncidentPage {
        inc: IncidentRow::build(&ui, &mut names, &i).await,
        description: i.description.clone(),
        resolution: i.resolution.clone().unwrap_or_default(),
        version: i.version,
        updated: ctx.date(&i.updated_at),
        events,
        reports: ReportRow::all(&ui, &mut names, &reports).await,
        investigations,
        countermeasures,
        next_opts: Opt::list(ctx, "status", incident_next(i.status), ""),
        severity_opts: Opt::list(ctx, "severity", Severity::ALL, &draft.severity),
        tlp_opts: Opt::list(ctx, "tlp", Tlp::ALL, &draft.tlp),
        draft,
        error,
        open_edit,
        can_write,
        can_assign,
        mine: i.owner == Some(ui.actor.user),
        assignees,
        observables: super::observables::rows(&ui, "incidents", &i.id.to_string()).await,
        iteration: ctx.tf(
            "incident.iteration",
            &[("n", &handling.iteration.to_string())],
        ),
        tasks: task_rows(ctx, &handling.tasks),
        review_missing: handling.review_required && handling.reviews.is_empty(),
        ctx: ui.ctx.clone(),
    };
    Ok(render(code, &page))
}

pub async fn page(ui: Ui, Path(id): Path<String>) -> Result<Response, Response> {
    show(ui, &id, None, None).await
}

/// The timeline alone (htmx refresh after a comment).
pub async fn timeline_partial(ui: Ui, id: &str) -> Result<Response, Response> {
    let i = ui.app.get_incident(&ui.actor, id).await.or_page(&ui)?;
    let mut names = Names::load(&ui).await;
    let events = timeline(&ui, &mut names, &i.id.to_string()).await?;
    let can_write = matches!(ui.actor.role, Role::Admin | Role::Lead | Role::Handler);
    let inc = IncidentRow::build(&ui, &mut names, &i).await;
    ok(&TimelinePartial {
        ctx: ui.ctx,
        inc,
        events,
        can_write,
    })
}
