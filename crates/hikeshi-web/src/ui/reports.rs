//! `/reports`: the list with filters, sort, paging and bulk rejection.

use super::ctx::{Ctx, Ui, safe_next};
use super::errors::{Fields, Out, back, check_csrf, message, render};
use super::filters::{Filters, next_cursor};
use super::view::{Names, Opt, ReportRow};
use askama::Template;
use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use hikeshi_core::app::ReportPatch;
use hikeshi_core::model::ReportStatus;

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ListPage {
    pub ctx: Ctx,
    pub rows: Vec<ReportRow>,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub q: String,
    pub owner: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub status_opts: Vec<Opt>,
    /// Reports have no severity: always empty.
    pub severity_opts: Vec<Opt>,
    pub class_opts: Vec<Opt>,
    pub tlp_opts: Vec<Opt>,
    pub sort_opts: Vec<Opt>,
    pub constituency_opts: Vec<Opt>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    pub back: String,
}

async fn render_list(
    ui: Ui,
    f: Filters,
    error: Option<String>,
    reason: String,
    code: StatusCode,
) -> Out {
    let mut names = Names::load(&ui).await;
    let (rows, next, error) = match f.query(&ui).await {
        Ok(q) => match ui.app.list_reports(&ui.actor, &q).await {
            Ok(p) => {
                let (items, next) = next_cursor(p);
                (ReportRow::all(&ui, &mut names, &items).await, next, error)
            }
            Err(e) => (vec![], None, Some(message(&ui.ctx, &e))),
        },
        Err(e) => (vec![], None, Some(message(&ui.ctx, &e))),
    };
    let notice = f.done.as_ref().map(|n| {
        let mut s = ui.ctx.tf("list.rejected", &[("count", n)]);
        if let Some(x) = &f.failed {
            s.push(' ');
            s.push_str(&ui.ctx.tf("list.failed", &[("count", x)]));
        }
        s
    });
    let page = ListPage {
        q: f.get("q").to_string(),
        owner: f.get("owner").to_string(),
        from: f.get("from").to_string(),
        to: f.get("to").to_string(),
        reason,
        status_opts: Opt::list(&ui.ctx, "rstatus", ReportStatus::ALL, f.get("status")),
        severity_opts: vec![],
        class_opts: Vec::new(),
        tlp_opts: f.tlp_opts(&ui),
        sort_opts: f.sort_opts(&ui),
        constituency_opts: f.constituency_opts(&ui).await,
        next_href: next.as_deref().map(|c| f.href("/reports", Some(c))),
        first_href: f.cursor.as_ref().map(|_| f.href("/reports", None)),
        back: f.href("/reports", f.cursor.as_deref()),
        rows,
        error,
        notice,
        ctx: ui.ctx,
    };
    Ok(render(code, &page))
}

pub async fn list(ui: Ui, Query(q): Query<Vec<(String, String)>>) -> Out {
    render_list(ui, Filters::new(q), None, String::new(), StatusCode::OK).await
}

/// Rejects the selected reports (`ids`) with one `reason`.
pub async fn bulk(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let back_to = safe_next(f.get("back"));
    let ids = f.all("ids");
    let reason = f.get("reason").to_string();
    let problem = if ids.is_empty() {
        Some(ui.ctx.t("list.none-selected").to_string())
    } else if reason.is_empty() {
        Some(ui.ctx.t("report.reason-required").to_string())
    } else {
        None
    };
    if let Some(msg) = problem {
        let filters = Filters::from_url(&back_to);
        return render_list(
            ui,
            filters,
            Some(msg),
            reason,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let (mut done, mut failed, mut last) = (0, 0, None);
    for id in &ids {
        let p = ReportPatch {
            status: Some(ReportStatus::Rejected),
            reject_reason: Some(reason.clone()),
            ..Default::default()
        };
        match ui.app.update_report(&ui.actor, id, p).await {
            Ok(_) => done += 1,
            Err(e) => {
                failed += 1;
                last = Some(e);
            }
        }
    }
    if done == 0
        && let Some(e) = last
    {
        let msg = message(&ui.ctx, &e);
        let filters = Filters::from_url(&back_to);
        return render_list(
            ui,
            filters,
            Some(msg),
            reason,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let sep = if back_to.contains('?') { '&' } else { '?' };
    let failed = if failed > 0 {
        format!("&failed={failed}")
    } else {
        String::new()
    };
    back(&format!("{back_to}{sep}done={done}{failed}"))
}
