//! Outbound correspondence from a record: `POST/GET /api/v1/{incidents|reports}/{id}/mail`.

use crate::error::WebResult;
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hikeshi_core::app::{NewMail, SentMail};

fn kind_ok(kind: &str) -> WebResult<()> {
    match kind {
        "incidents" | "reports" => Ok(()),
        _ => Err(hikeshi_core::Error::NotFound.into()),
    }
}

/// Writes to the reporter, to all correspondents, or to a third party (on an
/// investigation). Queued and sent by the job runner; recorded on the record at once.
#[utoipa::path(post, path = "/api/v1/{kind}/{id}/mail", tag = "mail",
    params(("kind" = String, Path, description = "incidents or reports"), ("id" = String, Path)),
    request_body = NewMail, responses((status = 202, body = SentMail)))]
pub async fn send(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
    Json(m): Json<NewMail>,
) -> WebResult<(StatusCode, axum::Json<SentMail>)> {
    kind_ok(&kind)?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(s.app.send_mail(&a, &id, m).await?),
    ))
}

/// Messages we sent (or queued) on this record, oldest first.
#[utoipa::path(get, path = "/api/v1/{kind}/{id}/mail", tag = "mail",
    params(("kind" = String, Path), ("id" = String, Path)), responses((status = 200, body = Vec<SentMail>)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
) -> WebResult<axum::Json<Vec<SentMail>>> {
    kind_ok(&kind)?;
    Ok(axum::Json(s.app.mail_of(&a, &id).await?))
}
