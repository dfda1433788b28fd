//! Users, constituencies, API tokens, audit verification.

use crate::error::WebResult;
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hikeshi_core::app::{ConstituencyPatch, NewConstituency, NewToken, NewUser, UserPatch};
use hikeshi_core::audit::Verdict;
use hikeshi_core::ids::{TokenId, UserId};
use hikeshi_core::model::{ApiToken, Constituency, User};
use serde::Serialize;

#[utoipa::path(get, path = "/api/v1/users", tag = "admin", responses((status = 200, body = Vec<User>)))]
pub async fn users(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<User>>> {
    Ok(axum::Json(s.app.list_users(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUser, responses((status = 201, body = User)))]
pub async fn create_user(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(u): Json<NewUser>,
) -> WebResult<(StatusCode, axum::Json<User>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_user(&a, u).await?),
    ))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", params(("id" = String, Path, description = "id or user name")), request_body = UserPatch,
    responses((status = 200, body = User)))]
pub async fn patch_user(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<UserPatch>,
) -> WebResult<axum::Json<User>> {
    let uid = match UserId::parse(&id) {
        Some(u) => u,
        None => {
            s.app
                .resolve_user(&id)
                .await
                .map_err(|_| hikeshi_core::Error::NotFound)?
                .id
        }
    };
    Ok(axum::Json(s.app.update_user(&a, uid, p).await?))
}

#[utoipa::path(get, path = "/api/v1/constituencies", tag = "admin", responses((status = 200, body = Vec<Constituency>)))]
pub async fn constituencies(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<Constituency>>> {
    Ok(axum::Json(s.app.list_constituencies(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/constituencies", tag = "admin", request_body = NewConstituency, responses((status = 201, body = Constituency)))]
pub async fn create_constituency(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(c): Json<NewConstituency>,
) -> WebResult<(StatusCode, axum::Json<Constituency>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_constituency(&a, c).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/constituencies/{slug}", tag = "admin", params(("slug" = String, Path)), responses((status = 200, body = Constituency)))]
pub async fn get_constituency(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(slug): Path<String>,
) -> WebResult<axum::Json<Constituency>> {
    let all = s.app.list_constituencies(&a).await?;
    let c = all
        .into_iter()
        .find(|c| c.slug == slug || c.id.to_string() == slug)
        .ok_or(hikeshi_core::Error::NotFound)?;
    Ok(axum::Json(c))
}

#[utoipa::path(patch, path = "/api/v1/constituencies/{slug}", tag = "admin", params(("slug" = String, Path)), request_body = ConstituencyPatch,
    responses((status = 200, body = Constituency)))]
pub async fn patch_constituency(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(slug): Path<String>,
    Json(p): Json<ConstituencyPatch>,
) -> WebResult<axum::Json<Constituency>> {
    Ok(axum::Json(s.app.update_constituency(&a, &slug, p).await?))
}

/// A new token: the secret is shown only in this response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: ApiToken,
    pub secret: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "admin", request_body = NewToken, responses((status = 201, body = CreatedToken)))]
pub async fn create_token(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(t): Json<NewToken>,
) -> WebResult<(StatusCode, axum::Json<CreatedToken>)> {
    let (token, secret) = s.app.create_token(&a, t).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedToken { token, secret }),
    ))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin", responses((status = 200, body = Vec<ApiToken>)))]
pub async fn tokens(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<ApiToken>>> {
    Ok(axum::Json(s.app.list_tokens(&a).await?))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "admin", params(("id" = String, Path)), responses((status = 204)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<StatusCode> {
    let id = TokenId::parse(&id).ok_or(hikeshi_core::Error::NotFound)?;
    s.app.revoke_token(&a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditReport {
    pub intact: bool,
    pub entries: Option<i64>,
    pub first_bad_seq: Option<i64>,
    pub first_bad_id: Option<String>,
    pub reason: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "admin", responses((status = 200, body = AuditReport)))]
pub async fn verify_audit(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<AuditReport>> {
    a.require_admin()?;
    Ok(axum::Json(match s.app.verify_audit().await? {
        Verdict::Intact { entries } => AuditReport {
            intact: true,
            entries: Some(entries),
            first_bad_seq: None,
            first_bad_id: None,
            reason: None,
        },
        Verdict::Broken { seq, id, reason } => AuditReport {
            intact: false,
            entries: None,
            first_bad_seq: Some(seq),
            first_bad_id: Some(id),
            reason: Some(reason),
        },
    }))
}
