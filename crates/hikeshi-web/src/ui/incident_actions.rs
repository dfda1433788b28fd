//! Forms on the incident page. Success redirects back to the page; a refused form shows
//! the page again with the message (and, for edits, what was typed).

use super::ctx::Ui;
use super::errors::{Fields, Out, back, check_csrf, message, status};
use super::incident::{Draft, show, timeline_partial};
use axum::Form;
use axum::extract::Path;
use hikeshi_core::Error;
use hikeshi_core::app::{IncidentPatch, NewCountermeasure, NewEntry, NewInvestigation, Parent};
use hikeshi_core::model::{CountermeasureKind, IncidentStatus, Severity, Tlp};

type F = Form<Vec<(String, String)>>;

/// Shows the outcome: the page again on success, or with the error.
async fn finish<T>(ui: Ui, id: &str, r: Result<T, Error>, draft: Option<Draft>) -> Out {
    match r {
        Ok(_) => back(&format!("/incidents/{id}")),
        Err(e) => {
            let msg = (status(&e), message(&ui.ctx, &e));
            show(ui, id, draft, Some(msg)).await
        }
    }
}

fn draft(f: &Fields) -> Draft {
    Draft {
        title: f.get("title").into(),
        description: f.get("description").into(),
        severity: f.get("severity").into(),
        tlp: f.get("tlp").into(),
        due: f.get("due").into(),
    }
}

pub async fn edit(ui: Ui, Path(id): Path<String>, Form(f): F) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let patch = || -> Result<IncidentPatch, Error> {
        let due_at = match f.get("due") {
            "" => None,
            s => Some(
                ui.ctx
                    .parse_date(s)
                    .ok_or_else(|| Error::validation("due", ui.ctx.t("err.date")))?,
            ),
        };
        Ok(IncidentPatch {
            version: f.version(),
            title: Some(f.get("title").into()),
            description: Some(f.get("description").into()),
            severity: Some(Severity::parse_field(f.get("severity"), "severity")?),
            tlp: Some(Tlp::parse_field(f.get("tlp"), "tlp")?),
            due_at: Some(due_at),
            ..Default::default()
        })
    };
    let r = match patch() {
        Ok(p) => ui.app.update_incident(&ui.actor, &id, p).await,
        Err(e) => Err(e),
    };
    let d = draft(&f);
    finish(ui, &id, r, Some(d)).await
}

/// Take (owner = me) or assign (owner = a user name; empty = unassign).
pub async fn assign(ui: Ui, Path(id): Path<String>, Form(f): F) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let owner = match f.get("owner") {
        "me" => Some(ui.actor.username.clone()),
        "" => None,
        o => Some(o.to_string()),
    };
    let p = IncidentPatch {
        version: f.version(),
        owner: Some(owner),
        ..Default::default()
    };
    let r = ui.app.update_incident(&ui.actor, &id, p).await;
    finish(ui, &id, r, None).await
}

/// A status transition; resolving and abandoning need a resolution.
pub async fn transition(ui: Ui, Path(id): Path<String>, Form(f): F) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = match IncidentStatus::parse_field(f.get("status"), "status") {
        Ok(to) => {
            let p = IncidentPatch {
                version: f.version(),
                status: Some(to),
                resolution: f.opt("resolution"),
                ..Default::default()
            };
            ui.app.update_incident(&ui.actor, &id, p).await
        }
        Err(e) => Err(e),
    };
    finish(ui, &id, r, None).await
}

pub async fn comment(ui: Ui, Path(id): Path<String>, Form(f): F) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let input = NewEntry {
        body: f.get("body").into(),
        ..Default::default()
    };
    let r = ui
        .app
        .add_entry(&ui.actor, Parent::Incident, &id, input)
        .await;
    if r.is_ok() && ui.htmx {
        return timeline_partial(ui, &id).await;
    }
    finish(ui, &id, r, None).await
}

pub async fn link(ui: Ui, Path(id): Path<String>, Form(f): F) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = ui.app.link_report(&ui.actor, f.get("report"), &id).await;
    finish(ui, &id, r, None).await
}

pub async fn merge(ui: Ui, Path(id): Path<String>, Form(f): F) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    match ui.app.merge_incident(&ui.actor, &id, f.get("into")).await {
        Ok(s) => back(&format!("/incidents/{}", s.reference)),
        Err(e) => finish::<()>(ui, &id, Err(e), None).await,
    }
}

pub async fn investigation(ui: Ui, Path(id): Path<String>, Form(f): F) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let input = NewInvestigation {
        title: f.get("title").into(),
        correspondents: f.lines("correspondents"),
    };
    let r = ui.app.create_investigation(&ui.actor, &id, input).await;
    finish(ui, &id, r, None).await
}

pub async fn countermeasure(ui: Ui, Path(id): Path<String>, Form(f): F) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = match CountermeasureKind::parse_field(f.get("kind"), "kind") {
        Ok(kind) => {
            let input = NewCountermeasure {
                kind: Some(kind),
                what: f.get("what").into(),
                location: f.get("where").into(),
            };
            ui.app.create_countermeasure(&ui.actor, &id, input).await
        }
        Err(e) => Err(e),
    };
    finish(ui, &id, r, None).await
}
