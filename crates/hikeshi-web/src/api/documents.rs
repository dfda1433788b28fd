//! `POST /api/v1/reports/document`: one machine-readable report (X-ARF JSON, IODEF XML).

use crate::error::{WebError, WebResult};
use crate::extract::{Body, Caller, QueryParams};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use hikeshi_core::model::Report;
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentParams {
    /// `xarf` or `iodef`; by default from the content type (`application/json` → xarf,
    /// `application/iodef+xml` or `application/xml` → iodef).
    pub format: Option<String>,
}

/// Validates the document against its format (X-ARF: the bundled schemas, formats
/// asserted) and files it as a new report with its typed observables; a refused document
/// is a 422 naming `document` with the reasons.
#[utoipa::path(post, path = "/api/v1/reports/document", tag = "reports", params(DocumentParams),
    request_body(content = String, content_type = "application/json"),
    responses((status = 201, body = Report), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    headers: HeaderMap,
    QueryParams(p): QueryParams<DocumentParams>,
    Body(body): Body,
) -> WebResult<(StatusCode, axum::Json<Report>)> {
    let format = match p.format {
        Some(f) => f,
        None => {
            let ct = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ct.contains("json") {
                "xarf".into()
            } else if ct.contains("xml") {
                "iodef".into()
            } else {
                return Err(WebError::bad_request(
                    "format",
                    "give ?format=xarf|iodef or a JSON/XML content type",
                ));
            }
        }
    };
    let r = s.app.ingest_document(&a, &format, &body).await?;
    Ok((StatusCode::CREATED, axum::Json(r)))
}
