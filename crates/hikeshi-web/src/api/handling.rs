//! Playbooks and tasks, and the handling loop (plans, verify steps, reviews).

use crate::error::WebResult;
use crate::extract::{Body, Caller, Json, QueryParams};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use hikeshi_core::app::{
    ApplyPlaybook, Handling, NewPlan, NewPlaybook, NewReview, NewVerification, TaskPatch,
};
use hikeshi_core::model::{Attachment, Playbook, ResponsePlan, Review, Task, Verification};
use serde::{Deserialize, Serialize};

type Created<T> = WebResult<(StatusCode, axum::Json<T>)>;

fn created<T>(v: T) -> Created<T> {
    Ok((StatusCode::CREATED, axum::Json(v)))
}

#[utoipa::path(post, path = "/api/v1/playbooks", tag = "handling", request_body = NewPlaybook,
    responses((status = 201, body = Playbook), (status = 409, description = "slug taken"), (status = 422)))]
pub async fn create_playbook(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(p): Json<NewPlaybook>,
) -> Created<Playbook> {
    created(s.app.create_playbook(&a, p).await?)
}

#[utoipa::path(get, path = "/api/v1/playbooks", tag = "handling", responses((status = 200, body = Vec<Playbook>, description = "newest version of each")))]
pub async fn playbooks(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<Playbook>>> {
    Ok(axum::Json(s.app.playbooks(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/playbooks/{slug}", tag = "handling", params(("slug" = String, Path)),
    responses((status = 200, body = Vec<Playbook>, description = "every version, oldest first")))]
pub async fn playbook_versions(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(slug): Path<String>,
) -> WebResult<axum::Json<Vec<Playbook>>> {
    Ok(axum::Json(s.app.playbook_versions(&a, &slug).await?))
}

#[utoipa::path(post, path = "/api/v1/playbooks/{slug}/revisions", tag = "handling", params(("slug" = String, Path)), request_body = NewPlaybook,
    responses((status = 201, body = Playbook, description = "the new version"), (status = 422, description = "reason missing")))]
pub async fn revise_playbook(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(slug): Path<String>,
    Json(p): Json<NewPlaybook>,
) -> Created<Playbook> {
    created(s.app.revise_playbook(&a, &slug, p).await?)
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/playbooks", tag = "handling", params(("id" = String, Path)), request_body = ApplyPlaybook,
    responses((status = 201, body = Vec<Task>)))]
pub async fn apply_playbook(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<ApplyPlaybook>,
) -> Created<Vec<Task>> {
    created(s.app.apply_playbook(&a, &id, p).await?)
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/tasks", tag = "handling", params(("id" = String, Path)), responses((status = 200, body = Vec<Task>)))]
pub async fn tasks(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<Task>>> {
    Ok(axum::Json(s.app.tasks(&a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "handling", params(("id" = String, Path)), responses((status = 200, body = Task)))]
pub async fn get_task(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Task>> {
    Ok(axum::Json(s.app.get_task(&a, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "handling", params(("id" = String, Path)), request_body = TaskPatch,
    responses((status = 200, body = Task), (status = 409), (status = 422)))]
pub async fn patch_task(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<TaskPatch>,
) -> WebResult<axum::Json<Task>> {
    Ok(axum::Json(s.app.update_task(&a, &id, p).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EvidenceName {
    /// File name to record.
    pub name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub task: Task,
    pub attachment: Attachment,
}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/evidence", tag = "handling", params(("id" = String, Path), EvidenceName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 201, body = Evidence)))]
pub async fn add_evidence(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<EvidenceName>,
    headers: HeaderMap,
    Body(body): Body,
) -> Created<Evidence> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let (task, attachment) = s.app.add_task_evidence(&a, &id, &q.name, ct, &body).await?;
    created(Evidence { task, attachment })
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/plans", tag = "handling", params(("id" = String, Path)), request_body = NewPlan,
    responses((status = 201, body = ResponsePlan)))]
pub async fn add_plan(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<NewPlan>,
) -> Created<ResponsePlan> {
    created(s.app.add_plan(&a, &id, p).await?)
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/verifications", tag = "handling", params(("id" = String, Path)), request_body = NewVerification,
    responses((status = 201, body = Verification)))]
pub async fn add_verification(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(v): Json<NewVerification>,
) -> Created<Verification> {
    created(s.app.add_verification(&a, &id, v).await?)
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/reviews", tag = "handling", params(("id" = String, Path)), request_body = NewReview,
    responses((status = 201, body = Review)))]
pub async fn add_review(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(r): Json<NewReview>,
) -> Created<Review> {
    created(s.app.add_review(&a, &id, r).await?)
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/handling", tag = "handling", params(("id" = String, Path)),
    responses((status = 200, body = Handling)))]
pub async fn handling(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Handling>> {
    Ok(axum::Json(s.app.handling(&a, &id).await?))
}
