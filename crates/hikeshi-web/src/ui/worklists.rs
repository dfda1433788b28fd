//! `/investigations` and `/countermeasures`: the team's outbound work and its blocks and
//! takedowns across every incident the user may see, newest first, filtered by status.

use super::ctx::{Ctx, Ui, enc};
use super::errors::{OrPage, Out, ok};
use askama::Template;
use axum::extract::Query;
use base64::Engine;
use hikeshi_core::model::{CountermeasureStatus, InvestigationStatus};
use std::collections::HashMap;

pub struct Row {
    pub incident_ref: String,
    pub incident_title: String,
    pub title: String,
    pub detail: String,
    pub status: &'static str,
    pub created: String,
}

pub struct Opt {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "worklist.html")]
pub struct WorkList {
    pub ctx: Ctx,
    pub heading: &'static str,
    pub path: &'static str,
    pub statuses: Vec<Opt>,
    pub rows: Vec<Row>,
    pub next: Option<String>,
}

fn cursor(q: &HashMap<String, String>) -> Option<(i64, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(q.get("cursor")?)
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (v, id) = s.split_once(':')?;
    Some((v.parse().ok()?, id.to_string()))
}

fn next_link(path: &str, status: &str, next: Option<(i64, String)>) -> Option<String> {
    next.map(|(v, id)| {
        let c = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{v}:{id}"));
        format!("{path}?status={}&cursor={c}", enc(status))
    })
}

async fn incident_of(ui: &Ui, id: &str) -> (String, String) {
    match ui.app.get_incident(&ui.actor, id).await {
        Ok(i) => (i.reference, i.title),
        Err(_) => (String::new(), String::new()),
    }
}

pub async fn investigations(ui: Ui, Query(q): Query<HashMap<String, String>>) -> Out {
    let status = q.get("status").cloned().unwrap_or_default();
    let filter: Vec<String> = if status.is_empty() {
        vec![]
    } else {
        vec![status.clone()]
    };
    let page = ui
        .app
        .list_investigations(&ui.actor, &filter, 50, cursor(&q))
        .await
        .or_page(&ui)?;
    let mut rows = Vec::new();
    for v in &page.items {
        let (incident_ref, incident_title) = incident_of(&ui, &v.incident.to_string()).await;
        rows.push(Row {
            incident_ref,
            incident_title,
            title: v.title.clone(),
            detail: v.correspondents.join(", "),
            status: ui.ctx.t(&format!("istatus.{}", v.status)),
            created: ui.ctx.date(&v.created_at),
        });
    }
    let statuses = InvestigationStatus::ALL
        .iter()
        .map(|s| Opt {
            value: s.as_str(),
            label: ui.ctx.t(&format!("istatus.{s}")),
            selected: status == s.as_str(),
        })
        .collect();
    ok(&WorkList {
        heading: ui.ctx.t("work.investigations"),
        path: "/investigations",
        statuses,
        rows,
        next: next_link("/investigations", &status, page.next),
        ctx: ui.ctx,
    })
}

pub async fn countermeasures(ui: Ui, Query(q): Query<HashMap<String, String>>) -> Out {
    let status = q.get("status").cloned().unwrap_or_default();
    let filter: Vec<String> = if status.is_empty() {
        vec![]
    } else {
        vec![status.clone()]
    };
    let page = ui
        .app
        .list_countermeasures(&ui.actor, &filter, 50, cursor(&q))
        .await
        .or_page(&ui)?;
    let mut rows = Vec::new();
    for c in &page.items {
        let (incident_ref, incident_title) = incident_of(&ui, &c.incident.to_string()).await;
        rows.push(Row {
            incident_ref,
            incident_title,
            title: c.what.clone(),
            detail: c.location.clone(),
            status: ui.ctx.t(&format!("cmstatus.{}", c.status)),
            created: ui.ctx.date(&c.created_at),
        });
    }
    let statuses = CountermeasureStatus::ALL
        .iter()
        .map(|s| Opt {
            value: s.as_str(),
            label: ui.ctx.t(&format!("cmstatus.{s}")),
            selected: status == s.as_str(),
        })
        .collect();
    ok(&WorkList {
        heading: ui.ctx.t("work.countermeasures"),
        path: "/countermeasures",
        statuses,
        rows,
        next: next_link("/countermeasures", &status, page.next),
        ctx: ui.ctx,
    })
}
