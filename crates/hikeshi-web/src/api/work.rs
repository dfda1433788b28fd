//! Comments/correspondence, attachments, investigations and countermeasures.

use crate::error::{WebError, WebResult};
use crate::extract::{Body, Caller, Json, QueryParams};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hikeshi_core::app::{
    CountermeasurePatch, InvestigationPatch, NewCountermeasure, NewEntry, NewInvestigation, Parent,
};
use hikeshi_core::ids::{AttachmentId, CountermeasureId, InvestigationId};
use hikeshi_core::model::{Attachment, Countermeasure, Entry, Investigation};
use serde::Deserialize;

fn parent(kind: &str) -> WebResult<Parent> {
    match kind {
        "incidents" => Ok(Parent::Incident),
        "reports" => Ok(Parent::Report),
        _ => Err(hikeshi_core::Error::NotFound.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/{kind}/{id}/entries", tag = "work", params(("kind" = String, Path, description = "incidents or reports"), ("id" = String, Path)),
    request_body = NewEntry, responses((status = 201, body = Entry)))]
pub async fn add_entry(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
    Json(e): Json<NewEntry>,
) -> WebResult<(StatusCode, axum::Json<Entry>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.add_entry(&a, parent(&kind)?, &id, e).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/{kind}/{id}/entries", tag = "work", params(("kind" = String, Path), ("id" = String, Path)), responses((status = 200, body = Vec<Entry>)))]
pub async fn entries(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult<axum::Json<Vec<Entry>>> {
    Ok(axum::Json(s.app.entries(&a, parent(&kind)?, &id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// File name to record.
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/{kind}/{id}/attachments", tag = "work", params(("kind" = String, Path), ("id" = String, Path), Upload),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 201, body = Attachment)))]
pub async fn upload(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
    QueryParams(u): QueryParams<Upload>,
    headers: HeaderMap,
    Body(body): Body,
) -> WebResult<(StatusCode, axum::Json<Attachment>)> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    Ok((
        StatusCode::CREATED,
        axum::Json(
            s.app
                .add_attachment(&a, parent(&kind)?, &id, &u.name, ct, &body)
                .await?,
        ),
    ))
}

#[utoipa::path(get, path = "/api/v1/{kind}/{id}/attachments", tag = "work", params(("kind" = String, Path), ("id" = String, Path)), responses((status = 200, body = Vec<Attachment>)))]
pub async fn attachments(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult<axum::Json<Vec<Attachment>>> {
    Ok(axum::Json(
        s.app.attachments(&a, parent(&kind)?, &id).await?,
    ))
}

/// Downloads are always `attachment` with a neutral type: never rendered inline.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "work", params(("id" = String, Path)), responses((status = 200, content_type = "application/octet-stream")))]
pub async fn download(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = AttachmentId::parse(&id).ok_or(hikeshi_core::Error::NotFound)?;
    let (att, bytes) = s.app.attachment_content(&a, id).await?;
    let safe: String = att
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disp = format!(
        "attachment; filename=\"{safe}\"; filename*=UTF-8''{}",
        percent(&att.name)
    );
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disp).map_err(|_| WebError::bad_request("name", "bad file name"))?,
    );
    h.insert(
        "x-content-sha256",
        HeaderValue::from_str(&att.sha256)
            .map_err(|_| WebError::bad_request("sha256", "bad digest"))?,
    );
    Ok(resp)
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/investigations", tag = "work", params(("id" = String, Path)), request_body = NewInvestigation,
    responses((status = 201, body = Investigation)))]
pub async fn create_investigation(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(v): Json<NewInvestigation>,
) -> WebResult<(StatusCode, axum::Json<Investigation>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_investigation(&a, &id, v).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/investigations", tag = "work", params(("id" = String, Path)), responses((status = 200, body = Vec<Investigation>)))]
pub async fn investigations(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<Investigation>>> {
    Ok(axum::Json(s.app.investigations_of(&a, &id).await?))
}

fn inv_id(id: &str) -> WebResult<InvestigationId> {
    Ok(InvestigationId::parse(id).ok_or(hikeshi_core::Error::NotFound)?)
}

#[utoipa::path(get, path = "/api/v1/investigations/{id}", tag = "work", params(("id" = String, Path)), responses((status = 200, body = Investigation)))]
pub async fn get_investigation(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Investigation>> {
    Ok(axum::Json(s.app.get_investigation(&a, inv_id(&id)?).await?))
}

#[utoipa::path(patch, path = "/api/v1/investigations/{id}", tag = "work", params(("id" = String, Path)), request_body = InvestigationPatch,
    responses((status = 200, body = Investigation)))]
pub async fn patch_investigation(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<InvestigationPatch>,
) -> WebResult<axum::Json<Investigation>> {
    Ok(axum::Json(
        s.app.update_investigation(&a, inv_id(&id)?, p).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/countermeasures", tag = "work", params(("id" = String, Path)), request_body = NewCountermeasure,
    responses((status = 201, body = Countermeasure)))]
pub async fn create_countermeasure(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(c): Json<NewCountermeasure>,
) -> WebResult<(StatusCode, axum::Json<Countermeasure>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_countermeasure(&a, &id, c).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/countermeasures", tag = "work", params(("id" = String, Path)), responses((status = 200, body = Vec<Countermeasure>)))]
pub async fn countermeasures(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<Countermeasure>>> {
    Ok(axum::Json(s.app.countermeasures_of(&a, &id).await?))
}

fn cm_id(id: &str) -> WebResult<CountermeasureId> {
    Ok(CountermeasureId::parse(id).ok_or(hikeshi_core::Error::NotFound)?)
}

#[utoipa::path(get, path = "/api/v1/countermeasures/{id}", tag = "work", params(("id" = String, Path)), responses((status = 200, body = Countermeasure)))]
pub async fn get_countermeasure(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Countermeasure>> {
    Ok(axum::Json(s.app.get_countermeasure(&a, cm_id(&id)?).await?))
}

#[utoipa::path(patch, path = "/api/v1/countermeasures/{id}", tag = "work", params(("id" = String, Path)), request_body = CountermeasurePatch,
    responses((status = 200, body = Countermeasure)))]
pub async fn patch_countermeasure(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<CountermeasurePatch>,
) -> WebResult<axum::Json<Countermeasure>> {
    Ok(axum::Json(
        s.app.update_countermeasure(&a, cm_id(&id)?, p).await?,
    ))
}
