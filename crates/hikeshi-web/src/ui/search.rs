//! `/search?q=`: incidents and reports matching the words (Japanese or English), with the
//! matches highlighted.

use super::ctx::{Ctx, Ui};
use super::errors::{Out, message, ok};
use super::highlight::highlight;
use askama::Template;
use axum::extract::Query;
use hikeshi_core::ports::ListQuery;
use std::collections::HashMap;

pub struct Hit {
    pub href: String,
    pub reference: String,
    pub title_html: String,
    pub snippet_html: String,
    pub when: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub ctx: Ctx,
    pub q: String,
    pub incidents: Vec<Hit>,
    pub reports: Vec<Hit>,
    pub error: Option<String>,
}

pub async fn search(ui: Ui, Query(p): Query<HashMap<String, String>>) -> Out {
    let q = p.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
    let mut page = SearchPage {
        ctx: ui.ctx.clone(),
        q: q.clone(),
        incidents: vec![],
        reports: vec![],
        error: None,
    };
    if q.is_empty() {
        return ok(&page);
    }
    let lq = ListQuery {
        q: Some(q.clone()),
        limit: 25,
        ..Default::default()
    };
    let ctx = &ui.ctx;
    match ui.app.list_incidents(&ui.actor, &lq).await {
        Ok(found) => {
            page.incidents = found
                .items
                .iter()
                .map(|i| Hit {
                    href: format!("/incidents/{}", i.reference),
                    reference: i.reference.clone(),
                    title_html: highlight(&i.title, &q, 300),
                    snippet_html: highlight(&i.description, &q, 220),
                    when: ctx.date(&i.created_at),
                    status: ctx.t(&format!("status.{}", i.status)),
                })
                .collect()
        }
        Err(e) => page.error = Some(message(ctx, &e)),
    }
    match ui.app.list_reports(&ui.actor, &lq).await {
        Ok(found) => {
            page.reports = found
                .items
                .iter()
                .map(|r| Hit {
                    href: format!("/reports/{}", r.reference),
                    reference: r.reference.clone(),
                    title_html: highlight(&r.subject, &q, 300),
                    snippet_html: highlight(&r.content, &q, 220),
                    when: ctx.date(&r.received_at),
                    status: ctx.t(&format!("rstatus.{}", r.status)),
                })
                .collect()
        }
        Err(e) => page.error = Some(message(ctx, &e)),
    }
    ok(&page)
}
