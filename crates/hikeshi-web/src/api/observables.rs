//! Observables on reports and incidents, with "seen before":
//! `GET/POST /{reports|incidents}/{id}/observables`, `POST …/observables/extract`,
//! `GET/PATCH/DELETE /observables/{id}`.

use crate::error::WebResult;
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hikeshi_core::app::{NewObservables, ObservablePatch, ObservableView};
use hikeshi_core::observables::Observable;
use serde::Serialize;

/// `{"items": [...]}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// Every observable of the record, each with the other visible reports and incidents that
/// have the same value or (IPs) the same /24 or /48; common values are marked, not correlated.
#[utoipa::path(get, path = "/api/v1/{kind}/{id}/observables", tag = "observables",
    params(("kind" = String, Path, description = "reports or incidents"), ("id" = String, Path, description = "id or reference")),
    responses((status = 200, body = Items<ObservableView>), (status = 404)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult<axum::Json<Items<ObservableView>>> {
    let items = s.app.observables_seen(&a, &kind, &id).await?;
    Ok(axum::Json(Items { items }))
}

/// Adds observables typed by hand (`items`) and/or every indicator in pasted `text`.
#[utoipa::path(post, path = "/api/v1/{kind}/{id}/observables", tag = "observables",
    params(("kind" = String, Path, description = "reports or incidents"), ("id" = String, Path)), request_body = NewObservables,
    responses((status = 201, body = Items<Observable>), (status = 422)))]
pub async fn add(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
    Json(input): Json<NewObservables>,
) -> WebResult<(StatusCode, axum::Json<Items<Observable>>)> {
    let items = s.app.add_observables(&a, &kind, &id, input).await?;
    Ok((StatusCode::CREATED, axum::Json(Items { items })))
}

/// Extracts again from the record's own text; adds the values not yet on it.
#[utoipa::path(post, path = "/api/v1/{kind}/{id}/observables/extract", tag = "observables",
    params(("kind" = String, Path, description = "reports or incidents"), ("id" = String, Path)),
    responses((status = 200, body = Items<Observable>)))]
pub async fn reextract(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult<axum::Json<Items<Observable>>> {
    let items = s.app.reextract_observables(&a, &kind, &id).await?;
    Ok(axum::Json(Items { items }))
}

#[utoipa::path(get, path = "/api/v1/observables/{id}", tag = "observables", params(("id" = String, Path)),
    responses((status = 200, body = Observable), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Observable>> {
    Ok(axum::Json(s.app.get_observable(&a, &id).await?))
}

/// Promote to IOC (`{"ioc": true}`), demote, change TLP or tags.
#[utoipa::path(patch, path = "/api/v1/observables/{id}", tag = "observables", params(("id" = String, Path)),
    request_body = ObservablePatch, responses((status = 200, body = Observable), (status = 404), (status = 422)))]
pub async fn patch(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<ObservablePatch>,
) -> WebResult<axum::Json<Observable>> {
    Ok(axum::Json(s.app.update_observable(&a, &id, p).await?))
}

#[utoipa::path(delete, path = "/api/v1/observables/{id}", tag = "observables", params(("id" = String, Path)),
    responses((status = 204), (status = 404)))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<StatusCode> {
    s.app.delete_observable(&a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
