//! HTTP front door: the JSON API under `/api/v1` with its OpenAPI document, sessions and
//! security headers. Handlers parse, call one use case, and render; `error.rs` is the only
//! place that turns errors into responses.

pub mod api;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod state;
pub mod ui;

pub use state::{AppState, WebConfig};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::routing::{get, post};
use error::WebError;
use tower_http::set_header::SetResponseHeaderLayer;

/// The strict policy for everything we serve: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

async fn api_not_found() -> WebError {
    WebError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// Unknown routes: a problem body under `/api`, the HTML "not found" page elsewhere.
async fn not_found(
    uri: axum::http::Uri,
    ui::ctx::Anon(ctx): ui::ctx::Anon,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        WebError::new(StatusCode::NOT_FOUND, "not_found", "no such route").into_response()
    } else {
        ui::errors::not_found(&ctx)
    }
}

/// Playbooks, tasks, the handling loop, approvals and notifications (issue #6).
fn handling_routes() -> Router<AppState> {
    use api::{approvals, handling as h, notify};
    use axum::routing::patch;
    Router::new()
        .route("/playbooks", get(h::playbooks).post(h::create_playbook))
        .route("/playbooks/{slug}", get(h::playbook_versions))
        .route("/playbooks/{slug}/revisions", post(h::revise_playbook))
        .route("/incidents/{id}/playbooks", post(h::apply_playbook))
        .route("/incidents/{id}/tasks", get(h::tasks))
        .route("/tasks/{id}", get(h::get_task).patch(h::patch_task))
        .route(
            "/tasks/{id}/evidence",
            post(h::add_evidence).layer(DefaultBodyLimit::max(hikeshi_core::app::MAX_ATTACHMENT)),
        )
        .route("/incidents/{id}/plans", post(h::add_plan))
        .route("/incidents/{id}/verifications", post(h::add_verification))
        .route("/incidents/{id}/reviews", post(h::add_review))
        .route("/incidents/{id}/handling", get(h::handling))
        .route(
            "/approvals",
            get(approvals::pending).post(approvals::request),
        )
        .route("/approvals/{id}", get(approvals::get))
        .route("/approvals/{id}/decision", post(approvals::decide))
        .route(
            "/countermeasures/{id}/approvals",
            get(approvals::of_countermeasure),
        )
        .route(
            "/delegations",
            get(approvals::delegations).post(approvals::delegate),
        )
        .route("/notifications", get(notify::list))
        .route("/notifications/read", post(notify::mark_read))
        .route(
            "/webhooks",
            get(notify::webhooks).post(notify::create_webhook),
        )
        .route("/webhooks/{id}", patch(notify::patch_webhook))
        .route("/webhooks/{id}/deliveries", get(notify::deliveries))
}

/// Triage rules, SLA clocks and deadline clocks (issue #6).
fn triage_routes() -> Router<AppState> {
    use api::triage as t;
    Router::new()
        .route("/triage/rules", get(t::rules).put(t::save_rules))
        .route("/triage/rules/versions", get(t::rule_versions))
        .route("/triage/dry-run", post(t::dry_run))
        .route("/reports/{id}/triage", get(t::report_triage))
        .route("/incidents/{id}/sla", get(t::incident_sla))
        .route("/sla/config", get(t::sla_config).put(t::save_sla_config))
        .route("/sla/near-breach", get(t::near_breach))
        .route("/sla/sweep", post(t::sweep))
        .route("/notification-requests", get(t::notification_requests))
        .route(
            "/incidents/{id}/deadlines",
            get(t::incident_deadlines).post(t::attach_deadlines),
        )
        .route("/deadlines", get(t::deadlines_due))
        .route("/deadlines/{id}/submit", post(t::submit_deadline))
        .route("/deadline-presets", get(t::presets).post(t::add_preset))
}

pub fn router(state: AppState) -> Router {
    use api::{admin, incidents, reports, system, work};
    let max_body = state.config.max_body;
    let api = Router::new()
        .route("/noop", get(system::noop))
        .route("/openapi.json", get(system::openapi))
        .route("/session", post(system::login).delete(system::logout))
        .route("/me", get(system::me))
        .route("/incidents", get(incidents::list).post(incidents::create))
        .route(
            "/incidents/{id}",
            get(incidents::get).patch(incidents::patch),
        )
        .route("/incidents/{id}/merge", post(incidents::merge))
        .route("/incidents/{id}/history", get(incidents::history))
        .route("/incidents/{id}/reports", get(incidents::reports))
        .route("/incidents/{id}/children", get(incidents::children))
        .route(
            "/incidents/{id}/investigations",
            get(work::investigations).post(work::create_investigation),
        )
        .route(
            "/incidents/{id}/countermeasures",
            get(work::countermeasures).post(work::create_countermeasure),
        )
        .route("/reports", get(reports::list).post(reports::create))
        .route(
            "/reports/raw",
            post(reports::raw).layer(DefaultBodyLimit::max(hikeshi_core::app::MAX_RAW_MESSAGE)),
        )
        .route(
            "/reports/document",
            post(api::documents::create)
                .layer(DefaultBodyLimit::max(hikeshi_core::app::MAX_DOCUMENT)),
        )
        .route("/reports/{id}", get(reports::get).patch(reports::patch))
        .route("/reports/{id}/raw", get(reports::raw_download))
        .route("/reports/{id}/incidents", post(reports::link))
        .route("/reports/{id}/history", get(reports::history))
        .route(
            "/{kind}/{id}/entries",
            get(work::entries).post(work::add_entry),
        )
        .route(
            "/{kind}/{id}/attachments",
            get(work::attachments)
                .post(work::upload)
                .layer(DefaultBodyLimit::max(hikeshi_core::app::MAX_ATTACHMENT)),
        )
        .route(
            "/{kind}/{id}/mail",
            get(api::mail::list).post(api::mail::send),
        )
        .route("/attachments/{id}", get(work::download))
        .route(
            "/investigations/{id}",
            get(work::get_investigation).patch(work::patch_investigation),
        )
        .route(
            "/countermeasures/{id}",
            get(work::get_countermeasure).patch(work::patch_countermeasure),
        )
        .route("/users", get(admin::users).post(admin::create_user))
        .route("/users/{id}", axum::routing::patch(admin::patch_user))
        .route(
            "/constituencies",
            get(admin::constituencies).post(admin::create_constituency),
        )
        .route(
            "/constituencies/{slug}",
            get(admin::get_constituency).patch(admin::patch_constituency),
        )
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}", axum::routing::delete(admin::revoke_token))
        .route("/audit/verify", get(admin::verify_audit))
        .merge(handling_routes())
        .route("/extract", post(api::extract::extract))
        .route("/lookup", get(api::lookup::lookup))
        .route(
            "/{kind}/{id}/observables",
            get(api::observables::list).post(api::observables::add),
        )
        .route(
            "/{kind}/{id}/observables/extract",
            post(api::observables::reextract),
        )
        .route(
            "/observables/{id}",
            get(api::observables::get)
                .patch(api::observables::patch)
                .delete(api::observables::delete),
        )
        .route(
            "/reports/{id}/decrypted",
            get(api::keys::decrypted_download),
        )
        .route("/keys", get(api::keys::list).post(api::keys::add))
        .route(
            "/keys/{fingerprint}",
            axum::routing::delete(api::keys::remove),
        )
        .merge(triage_routes())
        .route("/alerts", post(api::alerts::create))
        .fallback(api_not_found);
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    Router::new()
        .merge(ui::router())
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route(
            "/.well-known/openpgpkey/hikeshi.asc",
            get(api::keys::team_key),
        )
        .route("/.well-known/openpgpkey/hu/{hash}", get(api::keys::wkd))
        .route("/.well-known/openpgpkey/policy", get(api::keys::wkd_policy))
        .nest("/api/v1", api)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(header("content-security-policy", CSP))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header("cache-control", "no-store"))
        // One login limiter for the UI form and the API session endpoint.
        .layer(axum::Extension(std::sync::Arc::new(
            ui::limit::Limiter::default(),
        )))
        .with_state(state)
}
