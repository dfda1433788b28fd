//! `/api/v1/incidents`.

use super::{List, list_params, page, resolve_filters};
use crate::error::WebResult;
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hikeshi_core::app::{IncidentPatch, NewIncident};
use hikeshi_core::model::{AuditEntry, Incident, Report};
use serde::Deserialize;

#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = NewIncident,
    responses((status = 201, body = Incident), (status = 422, description = "invalid field (problem+json)")))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(input): Json<NewIncident>,
) -> WebResult<(StatusCode, axum::Json<Incident>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_incident(&a, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents",
    params(("q" = Option<String>, Query, description = "full text, Japanese or English"), ("status" = Option<String>, Query), ("severity" = Option<String>, Query),
        ("tlp" = Option<String>, Query), ("constituency" = Option<String>, Query), ("owner" = Option<String>, Query, description = "user name, or none"),
        ("sort" = Option<String>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = List<Incident>)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> WebResult<axum::Json<List<Incident>>> {
    let q = resolve_filters(&s.app, &pairs, list_params(&pairs)?).await?;
    Ok(axum::Json(page(s.app.list_incidents(&a, &q).await?)))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", params(("id" = String, Path, description = "id or reference")),
    responses((status = 200, body = Incident), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Incident>> {
    Ok(axum::Json(s.app.get_incident(&a, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/incidents/{id}", tag = "incidents", params(("id" = String, Path)), request_body = IncidentPatch,
    responses((status = 200, body = Incident), (status = 409, description = "stale version"), (status = 422)))]
pub async fn patch(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<IncidentPatch>,
) -> WebResult<axum::Json<Incident>> {
    Ok(axum::Json(s.app.update_incident(&a, &id, p).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The surviving incident (id or reference).
    pub into: String,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/merge", tag = "incidents", params(("id" = String, Path)), request_body = MergeInput,
    responses((status = 200, body = Incident, description = "the survivor")))]
pub async fn merge(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(m): Json<MergeInput>,
) -> WebResult<axum::Json<Incident>> {
    Ok(axum::Json(s.app.merge_incident(&a, &id, &m.into).await?))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/history", tag = "incidents", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AuditEntry>)))]
pub async fn history(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<AuditEntry>>> {
    Ok(axum::Json(s.app.incident_history(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/reports", tag = "incidents", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Report>)))]
pub async fn reports(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<Report>>> {
    Ok(axum::Json(s.app.reports_of_incident(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/children", tag = "incidents", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Incident>)))]
pub async fn children(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<Incident>>> {
    Ok(axum::Json(s.app.child_incidents(&a, &id).await?))
}
