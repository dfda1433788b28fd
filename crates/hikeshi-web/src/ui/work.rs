//! Investigations and countermeasures on the incident page: the lists, and moving one to
//! its next status (only the moves the state machine allows are offered).

use super::ctx::{Ctx, Ui};
use super::errors::{Fields, Out, back, check_csrf, message, status};
use super::incident::show;
use super::view::Opt;
use axum::Form;
use axum::extract::Path;
use hikeshi_core::Error;
use hikeshi_core::app::{CountermeasurePatch, InvestigationPatch};
use hikeshi_core::ids::{CountermeasureId, InvestigationId};
use hikeshi_core::lifecycle::{COUNTERMEASURE, INVESTIGATION};
use hikeshi_core::model::{
    Countermeasure, CountermeasureStatus, Investigation, InvestigationStatus,
};

/// One investigation or countermeasure.
pub struct Work {
    pub id: String,
    pub title: String,
    pub detail: String,
    pub status: String,
    pub version: i64,
    pub next: Vec<Opt>,
}

pub fn investigations(ctx: &Ctx, list: &[Investigation]) -> Vec<Work> {
    list.iter()
        .map(|v| {
            let to = INVESTIGATION
                .iter()
                .find(|(f, _)| *f == v.status)
                .map(|(_, t)| *t)
                .unwrap_or(&[]);
            Work {
                id: v.id.to_string(),
                title: v.title.clone(),
                detail: v.correspondents.join(", "),
                status: ctx.t(&format!("istatus.{}", v.status)).into(),
                version: v.version,
                next: Opt::list(ctx, "istatus", to, ""),
            }
        })
        .collect()
}

pub fn countermeasures(ctx: &Ctx, list: &[Countermeasure]) -> Vec<Work> {
    list.iter()
        .map(|c| {
            let to = COUNTERMEASURE
                .iter()
                .find(|(f, _)| *f == c.status)
                .map(|(_, t)| *t)
                .unwrap_or(&[]);
            Work {
                id: c.id.to_string(),
                title: format!("{} · {}", ctx.t(&format!("cmkind.{}", c.kind)), c.what),
                detail: c.location.clone(),
                status: ctx.t(&format!("cmstatus.{}", c.status)).into(),
                version: c.version,
                next: Opt::list(ctx, "cmstatus", to, ""),
            }
        })
        .collect()
}

async fn finish<T>(ui: Ui, incident: &str, r: Result<T, Error>) -> Out {
    match r {
        Ok(_) => back(&format!("/incidents/{incident}")),
        Err(e) => {
            let m = (status(&e), message(&ui.ctx, &e));
            show(ui, incident, None, Some(m)).await
        }
    }
}

pub async fn investigation_status(
    ui: Ui,
    Path((incident, id)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = match (
        InvestigationId::parse(&id),
        InvestigationStatus::parse_field(f.get("status"), "status"),
    ) {
        (Some(id), Ok(to)) => {
            let p = InvestigationPatch {
                version: f.version(),
                status: Some(to),
                ..Default::default()
            };
            ui.app.update_investigation(&ui.actor, id, p).await
        }
        (None, _) => Err(Error::NotFound),
        (_, Err(e)) => Err(e),
    };
    finish(ui, &incident, r).await
}

pub async fn countermeasure_status(
    ui: Ui,
    Path((incident, id)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let r = match (
        CountermeasureId::parse(&id),
        CountermeasureStatus::parse_field(f.get("status"), "status"),
    ) {
        (Some(id), Ok(to)) => {
            let p = CountermeasurePatch {
                version: f.version(),
                status: Some(to),
                ..Default::default()
            };
            ui.app.update_countermeasure(&ui.actor, id, p).await
        }
        (None, _) => Err(Error::NotFound),
        (_, Err(e)) => Err(e),
    };
    finish(ui, &incident, r).await
}
