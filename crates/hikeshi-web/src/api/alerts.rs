//! `POST /api/v1/alerts`: alerts from SIEMs, IDSs and feeds, deduplicated per source and key.

use crate::error::WebResult;
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use hikeshi_core::app::{AlertLanded, NewAlert};

/// One alert. The same `dedup_key` from the same `source` within the source's window
/// (default 24 h) counts on the report it opened (200) instead of making a new one (201).
/// Needs a token with the `alerts:write` (or `write`) scope.
#[utoipa::path(post, path = "/api/v1/alerts", tag = "reports", request_body = NewAlert,
    responses((status = 201, body = AlertLanded, description = "a new report"),
        (status = 200, body = AlertLanded, description = "counted on the open report of this key"),
        (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(input): Json<NewAlert>,
) -> WebResult<(StatusCode, axum::Json<AlertLanded>)> {
    let landed = s.app.ingest_alert(&a, input, &s.config.alerts).await?;
    let status = if landed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(landed)))
}
