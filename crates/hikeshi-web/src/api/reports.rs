//! `/api/v1/reports`.

use super::{List, list_params, page, resolve_filters};
use crate::error::WebResult;
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hikeshi_core::app::{NewReport, ReportPatch};
use hikeshi_core::model::{AuditEntry, Report};
use serde::Deserialize;

#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = NewReport, responses((status = 201, body = Report)))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(input): Json<NewReport>,
) -> WebResult<(StatusCode, axum::Json<Report>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_report(&a, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports",
    params(("q" = Option<String>, Query), ("status" = Option<String>, Query), ("tlp" = Option<String>, Query), ("constituency" = Option<String>, Query),
        ("owner" = Option<String>, Query), ("sort" = Option<String>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = List<Report>)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> WebResult<axum::Json<List<Report>>> {
    let q = resolve_filters(&s.app, &pairs, list_params(&pairs)?).await?;
    Ok(axum::Json(page(s.app.list_reports(&a, &q).await?)))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = String, Path, description = "id or reference")),
    responses((status = 200, body = Report), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Report>> {
    Ok(axum::Json(s.app.get_report(&a, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = String, Path)), request_body = ReportPatch,
    responses((status = 200, body = Report), (status = 409), (status = 422)))]
pub async fn patch(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<ReportPatch>,
) -> WebResult<axum::Json<Report>> {
    Ok(axum::Json(s.app.update_report(&a, &id, p).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// Incident id or reference.
    pub incident: String,
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/incidents", tag = "reports", params(("id" = String, Path)), request_body = LinkInput,
    responses((status = 200, body = Report)))]
pub async fn link(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(l): Json<LinkInput>,
) -> WebResult<axum::Json<Report>> {
    Ok(axum::Json(s.app.link_report(&a, &id, &l.incident).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}/history", tag = "reports", params(("id" = String, Path)), responses((status = 200, body = Vec<AuditEntry>)))]
pub async fn history(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<AuditEntry>>> {
    Ok(axum::Json(s.app.report_history(&a, &id).await?))
}
