//! The handlers' web UI: server-rendered askama pages with a little htmx, in Japanese and
//! English. Every htmx action is also a plain form or link; no inline script or style.
//!
//! Handlers follow the API's shape: parse the form → one use case → render (or redirect).
//! A refused form shows the page again with the message; a record the caller may not see
//! is a 404 page.

// Handlers return a rendered page either way (`Result<Response, Response>`): the error
// *is* the page to show, so its size is that of any response.
#![allow(clippy::result_large_err)]

pub mod admin;
pub mod assets;
pub mod auth;
pub mod ctx;
pub mod errors;
pub mod filters;
pub mod highlight;
pub mod home;
pub mod i18n;
pub mod incident;
pub mod incident_actions;
pub mod incidents;
pub mod limit;
pub mod observables;
pub mod public_report;
pub mod report;
pub mod reports;
pub mod saved;
pub mod search;
pub mod triage;
pub mod view;
pub mod work;
pub mod worklists;

use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::routing::{get, post};
use ctx::{Ctx, Ui};

#[derive(Template)]
#[template(path = "help.html")]
pub struct HelpPage {
    pub ctx: Ctx,
    pub zones: Vec<view::Opt>,
}

/// Time zones offered on the help page (any IANA name works in `/lang?tz=`).
const ZONES: &[&str] = &[
    "UTC",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Singapore",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
];

async fn help(ui: Ui) -> errors::Out {
    let zones = ZONES
        .iter()
        .map(|z| view::Opt {
            value: z.to_string(),
            label: z.to_string(),
            selected: *z == ui.ctx.tz_name,
        })
        .collect();
    errors::ok(&HelpPage { ctx: ui.ctx, zones })
}

/// The UI's routes (merged into [`crate::router`]).
pub fn router() -> Router<AppState> {
    use incident_actions as act;
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", get(auth::logout_page).post(auth::logout))
        .route("/lang", get(auth::switch_lang))
        .route(
            "/report",
            get(public_report::page_get)
                .post(public_report::submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    public_report::FORM_MAX_BODY,
                )),
        )
        .route("/help", get(help))
        .route("/static/{name}", get(assets::serve))
        .route("/search", get(search::search))
        .route("/incidents", get(incidents::list).post(incidents::create))
        .route("/incidents/new", get(incidents::new_page))
        .route("/incidents/bulk", post(incidents::bulk))
        .route("/incidents/{id}", get(incident::page))
        .route("/incidents/{id}/edit", post(act::edit))
        .route("/incidents/{id}/assign", post(act::assign))
        .route("/incidents/{id}/status", post(act::transition))
        .route("/incidents/{id}/comment", post(act::comment))
        .route("/incidents/{id}/link", post(act::link))
        .route("/incidents/{id}/merge", post(act::merge))
        .route("/incidents/{id}/investigations", post(act::investigation))
        .route("/incidents/{id}/countermeasures", post(act::countermeasure))
        .route(
            "/incidents/{id}/investigations/{work}/status",
            post(work::investigation_status),
        )
        .route(
            "/incidents/{id}/countermeasures/{work}/status",
            post(work::countermeasure_status),
        )
        .route("/reports", get(reports::list))
        .route("/reports/bulk", post(reports::bulk))
        .route("/reports/{id}", get(report::page))
        .route("/reports/{id}/suggest", get(report::suggestions))
        .route("/reports/{id}/open-incident", post(report::open_incident))
        .route("/reports/{id}/link", post(report::link))
        .route("/reports/{id}/reject", post(report::reject))
        .route("/triage", get(triage::rules_page).post(triage::save_rules))
        .route("/triage/dry-run", post(triage::dry_run))
        .route("/due", get(triage::due_page))
        .route("/investigations", get(worklists::investigations))
        .route("/countermeasures", get(worklists::countermeasures))
        .route("/saved-searches", post(saved::save))
        .route("/saved-searches/{id}/delete", post(saved::delete))
        .route("/admin", get(admin::page))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/constituencies", post(admin::create_constituency))
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
}
