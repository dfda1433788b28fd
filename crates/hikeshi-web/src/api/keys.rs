//! `/api/v1/keys`: the OpenPGP keyring (admin), and the team's public key published without
//! authentication at `/.well-known/openpgpkey/hikeshi.asc` and through the Web Key Directory
//! (direct method: `/.well-known/openpgpkey/hu/{hash}`, with an empty `policy`).

use crate::error::WebResult;
use crate::extract::{Body, Caller};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hikeshi_core::model::PgpKey;

#[utoipa::path(get, path = "/api/v1/keys", tag = "admin", responses((status = 200, body = Vec<PgpKey>)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<PgpKey>>> {
    Ok(axum::Json(s.app.list_pgp_keys(&a).await?))
}

/// Adds a contact's public key (ASCII-armored or binary OpenPGP in the body); a key with the
/// same fingerprint is replaced.
#[utoipa::path(post, path = "/api/v1/keys", tag = "admin",
    request_body(content = String, content_type = "application/pgp-keys"),
    responses((status = 201, body = PgpKey), (status = 422)))]
pub async fn add(
    State(s): State<AppState>,
    Caller(a): Caller,
    Body(body): Body,
) -> WebResult<(StatusCode, axum::Json<PgpKey>)> {
    let k = s.app.import_contact_key(&a, &body).await?;
    Ok((StatusCode::CREATED, axum::Json(k)))
}

#[utoipa::path(delete, path = "/api/v1/keys/{fingerprint}", tag = "admin", params(("fingerprint" = String, Path)),
    responses((status = 204), (status = 404)))]
pub async fn remove(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(fpr): Path<String>,
) -> WebResult<StatusCode> {
    s.app.remove_pgp_key(&a, &fpr).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The team's public key, ASCII-armored (no authentication; 404 until a team key is
/// installed with `hikeshi key import --team`).
#[utoipa::path(get, path = "/.well-known/openpgpkey/hikeshi.asc", tag = "system", security(()),
    responses((status = 200, content_type = "application/pgp-keys"), (status = 404)))]
pub async fn team_key(State(s): State<AppState>) -> WebResult<Response> {
    let k = s
        .app
        .team_public_key()
        .await?
        .ok_or(hikeshi_core::Error::NotFound)?;
    let mut r = k.armored.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pgp-keys"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(r)
}

/// Web Key Directory, direct method: the team key (binary) when `hash` is the z-base-32 SHA-1
/// of one of its addresses' local part.
#[utoipa::path(get, path = "/.well-known/openpgpkey/hu/{hash}", tag = "system", security(()), params(("hash" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)))]
pub async fn wkd(State(s): State<AppState>, Path(hash): Path<String>) -> WebResult<Response> {
    let bytes = s.app.team_key_for_wkd(&hash).await?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(r)
}

/// The WKD policy file (empty: no special policy); its presence announces the directory.
#[utoipa::path(get, path = "/.well-known/openpgpkey/policy", tag = "system", security(()), responses((status = 200)))]
pub async fn wkd_policy() -> Response {
    let mut r = String::new().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    r
}

/// The decrypted form of a report's message (the raw form stays at `/raw`); 404 when the
/// message was not encrypted or could not be decrypted.
#[utoipa::path(get, path = "/api/v1/reports/{id}/decrypted", tag = "reports", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)))]
pub async fn decrypted_download(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let bytes = s.app.decrypted_mail_of_report(&a, &id).await?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"decrypted.eml\""),
    );
    Ok(r)
}
