//! `/reports/{id}`: the report's text and attachments (downloads, never inline), and the
//! quick actions: open an incident from it, link it to one (with suggestions), reject.

use super::ctx::{Ctx, Ui};
use super::errors::{Fields, OrPage, Out, back, check_csrf, message, ok, render, status};
use super::view::{IncidentRow, Names, ReportRow};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use hikeshi_core::Error;
use hikeshi_core::app::{NewIncident, Parent, ReportPatch};
use hikeshi_core::model::{ReportStatus, Role};
use hikeshi_core::ports::ListQuery;
use std::collections::HashMap;

pub struct File {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub ctx: Ctx,
    pub rep: ReportRow,
    pub content: String,
    pub channel: &'static str,
    pub reject_reason: String,
    pub version: i64,
    pub files: Vec<File>,
    pub incidents: Vec<IncidentRow>,
    pub suggest_q: String,
    pub suggestions: Vec<IncidentRow>,
    pub can_write: bool,
    pub can_reject: bool,
    pub error: Option<String>,
    /// What arrived with a mailed report (shown as text, never as HTML).
    pub mail: Option<Mail>,
    pub observables: Vec<super::observables::ObsRow>,
    /// Alerts, X-ARF, ARF, IODEF, web form: the format and the typed observables.
    pub structured: Option<Structured>,
}

pub struct Structured {
    pub format: String,
    pub observables: Vec<(String, String)>,
    /// Alert reports: how often the key arrived, first and last seen.
    pub alert: Option<(i64, String, String)>,
}

pub struct Mail {
    pub from: String,
    pub auto_generated: Option<String>,
    pub signature: String,
    pub malformed: Vec<String>,
    pub headers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "suggest_partial.html")]
pub struct SuggestPartial {
    pub ctx: Ctx,
    pub rep: ReportRow,
    pub suggestions: Vec<IncidentRow>,
}

fn size(n: i64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// Active incidents matching `q` (or, without `q`, the newest in the report's constituency).
async fn suggest(
    ui: &Ui,
    names: &mut Names,
    q: &str,
    r: &hikeshi_core::model::Report,
) -> Vec<IncidentRow> {
    let lq = ListQuery {
        q: Some(q.to_string()).filter(|s| !s.trim().is_empty()),
        constituency: if q.trim().is_empty() {
            r.constituency
        } else {
            None
        },
        status: vec![
            "open".into(),
            "analysing".into(),
            "planning".into(),
            "responding".into(),
            "verifying".into(),
        ],
        limit: 8,
        ..Default::default()
    };
    match ui.app.list_incidents(&ui.actor, &lq).await {
        Ok(p) => {
            let fresh: Vec<_> = p
                .items
                .into_iter()
                .filter(|i| !r.incidents.contains(&i.id))
                .collect();
            IncidentRow::all(ui, names, &fresh).await
        }
        Err(_) => vec![],
    }
}

pub async fn show(ui: Ui, id: &str, q: &str, error: Option<(StatusCode, String)>) -> Out {
    let details = ui
        .app
        .get_report_details(&ui.actor, id)
        .await
        .or_page(&ui)?;
    let mail = details.mail.map(|m| Mail {
        from: m.from.unwrap_or_default(),
        auto_generated: m.auto_reason.filter(|_| m.auto_generated),
        signature: m.signature,
        malformed: m.malformed,
        headers: m.headers,
    });
    let structured = details.structured.map(|d| Structured {
        format: d.format,
        observables: d
            .observables
            .into_iter()
            .map(|o| (o.kind, o.value))
            .collect(),
        alert: details.alert.as_ref().map(|a| {
            (
                a.count,
                ui.ctx.date(&a.first_seen),
                ui.ctx.date(&a.last_seen),
            )
        }),
    });
    let r = details.report;
    let mut names = Names::load(&ui).await;
    let files = ui
        .app
        .attachments(&ui.actor, Parent::Report, &r.id.to_string())
        .await
        .or_page(&ui)?
        .into_iter()
        .map(|a| File {
            id: a.id.to_string(),
            name: a.name,
            content_type: a.content_type,
            size: size(a.size),
        })
        .collect();
    let mut incidents = Vec::new();
    for iid in &r.incidents {
        if let Ok(i) = ui.app.get_incident(&ui.actor, &iid.to_string()).await {
            incidents.push(IncidentRow::build(&ui, &mut names, &i).await);
        }
    }
    let suggestions = suggest(&ui, &mut names, q, &r).await;
    let can_write = matches!(ui.actor.role, Role::Admin | Role::Lead | Role::Handler);
    let (code, error) = match error {
        Some((c, m)) => (c, Some(m)),
        None => (StatusCode::OK, None),
    };
    let page = ReportPage {
        rep: ReportRow::build(&ui, &mut names, &r).await,
        content: r.content.clone(),
        channel: ui.ctx.t(&format!("channel.{}", r.channel)),
        reject_reason: r.reject_reason.clone().unwrap_or_default(),
        version: r.version,
        files,
        incidents,
        suggest_q: q.to_string(),
        suggestions,
        can_write,
        can_reject: can_write && matches!(r.status, ReportStatus::New | ReportStatus::Open),
        error,
        mail,
        observables: super::observables::rows(&ui, "reports", &r.id.to_string()).await,
        structured,
        ctx: ui.ctx.clone(),
    };
    Ok(render(code, &page))
}

pub async fn page(ui: Ui, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Out {
    let q = q.get("suggest").cloned().unwrap_or_default();
    show(ui, &id, &q, None).await
}

/// `GET /reports/{id}/suggest?suggest=..`: the suggestion list alone (htmx).
pub async fn suggestions(
    ui: Ui,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Out {
    let q = q.get("suggest").cloned().unwrap_or_default();
    if !ui.htmx {
        return back(&format!("/reports/{id}?suggest={}", super::ctx::enc(&q)));
    }
    let r = ui.app.get_report(&ui.actor, &id).await.or_page(&ui)?;
    let mut names = Names::load(&ui).await;
    let suggestions = suggest(&ui, &mut names, &q, &r).await;
    let rep = ReportRow::build(&ui, &mut names, &r).await;
    ok(&SuggestPartial {
        ctx: ui.ctx,
        rep,
        suggestions,
    })
}

async fn finish<T>(ui: Ui, id: &str, r: Result<T, Error>) -> Out {
    match r {
        Ok(_) => back(&format!("/reports/{id}")),
        Err(e) => {
            let msg = (status(&e), message(&ui.ctx, &e));
            show(ui, id, "", Some(msg)).await
        }
    }
}

/// Opens an incident from the report: its subject, text, constituency and TLP.
pub async fn open_incident(
    ui: Ui,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = ui.app.get_report(&ui.actor, &id).await.or_page(&ui)?;
    let constituency = r.constituency.map(|c| c.to_string());
    let input = NewIncident {
        title: r.subject.clone(),
        description: r.content.clone(),
        tlp: Some(r.tlp),
        constituency,
        reports: vec![r.id.to_string()],
        ..Default::default()
    };
    match ui.app.create_incident(&ui.actor, input).await {
        Ok(i) => back(&format!("/incidents/{}", i.reference)),
        Err(e) => finish::<()>(ui, &id, Err(e)).await,
    }
}

pub async fn link(ui: Ui, Path(id): Path<String>, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = ui.app.link_report(&ui.actor, &id, f.get("incident")).await;
    finish(ui, &id, r).await
}

pub async fn reject(ui: Ui, Path(id): Path<String>, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let p = ReportPatch {
        version: f.version(),
        status: Some(ReportStatus::Rejected),
        reject_reason: Some(f.get("reason").into()),
        ..Default::default()
    };
    let r = ui.app.update_report(&ui.actor, &id, p).await;
    finish(ui, &id, r).await
}
