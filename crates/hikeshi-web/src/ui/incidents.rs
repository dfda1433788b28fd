//! `/incidents`: the list with filters, sort, paging and bulk assignment; new incidents.

use super::ctx::{Ctx, Ui, safe_next};
use super::errors::{Fields, OrPage, Out, back, check_csrf, message, render, status};
use super::filters::{Filters, next_cursor};
use super::view::{IncidentRow, Names, Opt};
use askama::Template;
use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use hikeshi_core::app::{IncidentPatch, NewIncident};
use hikeshi_core::model::{IncidentStatus, Severity, Tlp};

#[derive(Template)]
#[template(path = "incidents.html")]
pub struct ListPage {
    pub ctx: Ctx,
    pub rows: Vec<IncidentRow>,
    pub error: Option<String>,
    pub notice: Option<String>,
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

async fn render_list(ui: Ui, f: Filters, error: Option<String>, code: StatusCode) -> Out {
    let mut names = Names::load(&ui).await;
    let (rows, next, error) = match f.query(&ui).await {
        Ok(q) => match ui.app.list_incidents(&ui.actor, &q).await {
            Ok(p) => {
                let (items, next) = next_cursor(p);
                (IncidentRow::all(&ui, &mut names, &items).await, next, error)
            }
            Err(e) => (vec![], None, Some(message(&ui.ctx, &e))),
        },
        Err(e) => (vec![], None, Some(message(&ui.ctx, &e))),
    };
    let notice = f.done.as_ref().map(|n| {
        let mut s = ui.ctx.tf("list.assigned", &[("count", n)]);
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
        status_opts: Opt::list(&ui.ctx, "status", IncidentStatus::ALL, f.get("status")),
        severity_opts: f.severity_opts(&ui),
        class_opts: f.class_opts(&ui),
        tlp_opts: f.tlp_opts(&ui),
        sort_opts: f.sort_opts(&ui),
        constituency_opts: f.constituency_opts(&ui).await,
        next_href: next.as_deref().map(|c| f.href("/incidents", Some(c))),
        first_href: f.cursor.as_ref().map(|_| f.href("/incidents", None)),
        back: f.href("/incidents", f.cursor.as_deref()),
        rows,
        error,
        notice,
        ctx: ui.ctx,
    };
    Ok(render(code, &page))
}

pub async fn list(ui: Ui, Query(q): Query<Vec<(String, String)>>) -> Out {
    render_list(ui, Filters::new(q), None, StatusCode::OK).await
}

/// Assigns the selected incidents (`ids`) to `owner` (a user name, or `me`).
pub async fn bulk(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let back_to = safe_next(f.get("back"));
    let ids = f.all("ids");
    let owner = match f.get("owner") {
        "" | "me" => ui.actor.username.clone(),
        o => o.to_string(),
    };
    let fail = |ui: Ui, msg: String| {
        render_list(
            ui,
            Filters::from_url(&back_to),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if ids.is_empty() {
        let msg = ui.ctx.t("list.none-selected").to_string();
        return fail(ui, msg).await;
    }
    let (mut done, mut failed, mut last) = (0, 0, None);
    for id in &ids {
        let p = IncidentPatch {
            owner: Some(Some(owner.clone())),
            ..Default::default()
        };
        match ui.app.update_incident(&ui.actor, id, p).await {
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
        return fail(ui, msg).await;
    }
    let sep = if back_to.contains('?') { '&' } else { '?' };
    let failed = if failed > 0 {
        format!("&failed={failed}")
    } else {
        String::new()
    };
    back(&format!("{back_to}{sep}done={done}{failed}"))
}

#[derive(Template)]
#[template(path = "incident_new.html")]
pub struct NewPage {
    pub ctx: Ctx,
    pub error: Option<String>,
    pub title: String,
    pub description: String,
    pub due: String,
    pub severity_opts: Vec<Opt>,
    pub tlp_opts: Vec<Opt>,
    pub constituency_opts: Vec<Opt>,
}

async fn new_form(ui: Ui, f: &Fields, error: Option<String>, code: StatusCode) -> Response {
    let filt = Filters::new(vec![("constituency".into(), f.get("constituency").into())]);
    let sev = match f.get("severity") {
        "" => "medium",
        s => s,
    };
    let tlp = match f.get("tlp") {
        "" => "amber",
        s => s,
    };
    let page = NewPage {
        error,
        title: f.get("title").into(),
        description: f.get("description").into(),
        due: f.get("due").into(),
        severity_opts: Opt::list(&ui.ctx, "severity", Severity::ALL, sev),
        tlp_opts: Opt::list(&ui.ctx, "tlp", Tlp::ALL, tlp),
        constituency_opts: filt.constituency_opts(&ui).await,
        ctx: ui.ctx,
    };
    render(code, &page)
}

pub async fn new_page(ui: Ui) -> Out {
    Ok(new_form(ui, &Fields::default(), None, StatusCode::OK).await)
}

pub async fn create(ui: Ui, Form(f): Form<Vec<(String, String)>>) -> Out {
    let f = Fields(f);
    check_csrf(&ui, &f)?;
    let parse = |ui: &Ui| -> Result<NewIncident, hikeshi_core::Error> {
        let due_at = match f.get("due") {
            "" => None,
            s => Some(
                ui.ctx
                    .parse_date(s)
                    .ok_or_else(|| hikeshi_core::Error::validation("due", ui.ctx.t("err.date")))?,
            ),
        };
        Ok(NewIncident {
            title: f.get("title").into(),
            description: f.get("description").into(),
            severity: Some(Severity::parse_field(f.get("severity"), "severity")?),
            tlp: Some(Tlp::parse_field(f.get("tlp"), "tlp")?),
            constituency: f.opt("constituency"),
            due_at,
            ..Default::default()
        })
    };
    let result = match parse(&ui) {
        Ok(input) => ui.app.create_incident(&ui.actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(i) => back(&format!("/incidents/{}", i.reference)),
        Err(e) => {
            let msg = message(&ui.ctx, &e);
            Ok(new_form(ui, &f, Some(msg), status(&e)).await)
        }
    }
}

/// The users a lead may assign to (admins see the list; others type a name).
pub async fn assignees(ui: &Ui) -> Vec<String> {
    ui.app
        .list_users(&ui.actor)
        .await
        .or_page(ui)
        .map(|us| {
            us.into_iter()
                .filter(|u| !u.disabled)
                .map(|u| u.username)
                .collect()
        })
        .unwrap_or_default()
}
