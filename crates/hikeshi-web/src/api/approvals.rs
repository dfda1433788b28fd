//! Approvals and delegations.

use crate::error::WebResult;
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hikeshi_core::app::{ApprovalDecision, NewApproval, NewDelegation};
use hikeshi_core::ids::CountermeasureId;
use hikeshi_core::model::{Approval, Delegation};
use serde::Serialize;

#[utoipa::path(post, path = "/api/v1/approvals", tag = "approvals", request_body = NewApproval,
    responses((status = 201, body = Approval), (status = 422)))]
pub async fn request(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(n): Json<NewApproval>,
) -> WebResult<(StatusCode, axum::Json<Approval>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.request_approval(&a, n).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/approvals", tag = "approvals",
    responses((status = 200, body = Vec<Approval>, description = "pending requests the caller may decide, directly or as a delegate")))]
pub async fn pending(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<Approval>>> {
    Ok(axum::Json(s.app.pending_approvals(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "approvals", params(("id" = String, Path)), responses((status = 200, body = Approval)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Approval>> {
    Ok(axum::Json(s.app.get_approval(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/approvals/{id}/decision", tag = "approvals", params(("id" = String, Path)), request_body = ApprovalDecision,
    responses((status = 200, body = Approval), (status = 403), (status = 422)))]
pub async fn decide(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(d): Json<ApprovalDecision>,
) -> WebResult<axum::Json<Approval>> {
    Ok(axum::Json(s.app.decide_approval(&a, &id, d).await?))
}

#[utoipa::path(get, path = "/api/v1/countermeasures/{id}/approvals", tag = "approvals", params(("id" = String, Path)), responses((status = 200, body = Vec<Approval>)))]
pub async fn of_countermeasure(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<Approval>>> {
    let id = CountermeasureId::parse(&id).ok_or(hikeshi_core::Error::NotFound)?;
    Ok(axum::Json(s.app.approvals_of_countermeasure(&a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/delegations", tag = "approvals", request_body = NewDelegation,
    responses((status = 201, body = Delegation), (status = 422)))]
pub async fn delegate(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(d): Json<NewDelegation>,
) -> WebResult<(StatusCode, axum::Json<Delegation>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_delegation(&a, d).await?),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Delegations {
    /// Given by the caller.
    pub given: Vec<Delegation>,
    /// Given to the caller, in force now.
    pub received: Vec<Delegation>,
}

#[utoipa::path(get, path = "/api/v1/delegations", tag = "approvals", responses((status = 200, body = Delegations)))]
pub async fn delegations(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Delegations>> {
    let (given, received) = s.app.delegations(&a).await?;
    Ok(axum::Json(Delegations { given, received }))
}
