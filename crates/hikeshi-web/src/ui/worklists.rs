//! `/investigations` and `/countermeasures`: the team's outbound work and its blocks and
//! takedowns across every incident the user may see. The filter form is the incident list's:
//! status, dates and sort apply to the work item; text, severity, classification,
//! constituency, owner and TLP to its incident.

use super::ctx::{Ctx, Ui};
use super::errors::{Out, message, ok};
use super::filters::{Filters, next_cursor};
use super::view::Opt;
use askama::Template;
use axum::extract::Query;
use hikeshi_core::model::{CountermeasureStatus, InvestigationStatus};
use hikeshi_core::ports::{ListQuery, Page};

pub struct Row {
    pub incident_ref: String,
    pub incident_title: String,
    pub title: String,
    pub detail: String,
    pub status: &'static str,
    pub created: String,
}

#[derive(Template)]
#[template(path = "worklist.html")]
pub struct WorkList {
    pub ctx: Ctx,
    pub heading: &'static str,
    pub path: &'static str,
    pub rows: Vec<Row>,
    pub error: Option<String>,
    // The shared filter form (filters_partial.html) and pager.
    pub q: String,
    pub owner: String,
    pub from: String,
    pub to: String,
    pub status_opts: Vec<Opt>,
    pub severity_opts: Vec<Opt>,
    pub class_opts: Vec<Opt>,
    pub tlp_opts: Vec<Opt>,
    pub sort_opts: Vec<Opt>,
    pub constituency_opts: Vec<Opt>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    pub back: String,
}

/// One kind of work item, as the list shows it.
struct Item {
    incident: String,
    title: String,
    detail: String,
    status: String,
    created: jiff::Timestamp,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Investigations,
    Countermeasures,
}

async fn fetch(ui: &Ui, kind: Kind, q: &ListQuery) -> Result<Page<Item>, hikeshi_core::Error> {
    Ok(match kind {
        Kind::Investigations => {
            let p = ui.app.list_investigations(&ui.actor, q).await?;
            let items = p
                .items
                .into_iter()
                .map(|v| Item {
                    incident: v.incident.to_string(),
                    title: v.title,
                    detail: v.correspondents.join(", "),
                    status: format!("istatus.{}", v.status),
                    created: v.created_at,
                })
                .collect();
            Page {
                items,
                next: p.next,
            }
        }
        Kind::Countermeasures => {
            let p = ui.app.list_countermeasures(&ui.actor, q).await?;
            let items = p
                .items
                .into_iter()
                .map(|c| Item {
                    incident: c.incident.to_string(),
                    title: c.what,
                    detail: c.location,
                    status: format!("cmstatus.{}", c.status),
                    created: c.created_at,
                })
                .collect();
            Page {
                items,
                next: p.next,
            }
        }
    })
}

async fn list(ui: Ui, kind: Kind, f: Filters) -> Out {
    let (path, heading) = match kind {
        Kind::Investigations => ("/investigations", ui.ctx.t("work.investigations")),
        Kind::Countermeasures => ("/countermeasures", ui.ctx.t("work.countermeasures")),
    };
    let found = match f.query(&ui).await {
        Ok(q) => fetch(&ui, kind, &q).await,
        Err(e) => Err(e),
    };
    let (items, next, error) = match found {
        Ok(p) => {
            let (items, next) = next_cursor(p);
            (items, next, None)
        }
        Err(e) => (vec![], None, Some(message(&ui.ctx, &e))),
    };
    let mut rows = Vec::new();
    for it in items {
        let (incident_ref, incident_title) =
            match ui.app.get_incident(&ui.actor, &it.incident).await {
                Ok(i) => (i.reference, i.title),
                Err(_) => (String::new(), String::new()),
            };
        rows.push(Row {
            incident_ref,
            incident_title,
            title: it.title,
            detail: it.detail,
            status: ui.ctx.t(&it.status),
            created: ui.ctx.date(&it.created),
        });
    }
    let status_opts = match kind {
        Kind::Investigations => Opt::list(
            &ui.ctx,
            "istatus",
            InvestigationStatus::ALL,
            f.get("status"),
        ),
        Kind::Countermeasures => Opt::list(
            &ui.ctx,
            "cmstatus",
            CountermeasureStatus::ALL,
            f.get("status"),
        ),
    };
    ok(&WorkList {
        heading,
        path,
        rows,
        error,
        q: f.get("q").to_string(),
        owner: f.get("owner").to_string(),
        from: f.get("from").to_string(),
        to: f.get("to").to_string(),
        status_opts,
        severity_opts: f.severity_opts(&ui),
        class_opts: f.class_opts(&ui),
        tlp_opts: f.tlp_opts(&ui),
        sort_opts: f.sort_opts(&ui),
        constituency_opts: f.constituency_opts(&ui).await,
        next_href: next.as_deref().map(|c| f.href(path, Some(c))),
        first_href: f.cursor.as_ref().map(|_| f.href(path, None)),
        back: f.href(path, f.cursor.as_deref()),
        ctx: ui.ctx,
    })
}

pub async fn investigations(ui: Ui, Query(q): Query<Vec<(String, String)>>) -> Out {
    list(ui, Kind::Investigations, Filters::new(q)).await
}

pub async fn countermeasures(ui: Ui, Query(q): Query<Vec<(String, String)>>) -> Out {
    list(ui, Kind::Countermeasures, Filters::new(q)).await
}
