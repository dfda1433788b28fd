//! The one place where errors become HTTP responses: RFC 9457 `application/problem+json`
//! with a stable `code` and, for bad input, the offending `field`. Internal details are
//! logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hikeshi_core::Error;
use serde_json::json;

#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub field: Option<String>,
}

impl WebError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        WebError {
            status,
            code,
            detail: detail.into(),
            field: None,
        }
    }

    pub fn field(status: StatusCode, field: impl Into<String>, detail: impl Into<String>) -> Self {
        WebError {
            status,
            code: "validation",
            detail: detail.into(),
            field: Some(field.into()),
        }
    }

    pub fn bad_request(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::field(StatusCode::BAD_REQUEST, field, detail)
    }
}

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        let (status, field) = match &e {
            Error::NotFound => (StatusCode::NOT_FOUND, None),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, None),
            Error::Unauthenticated => (StatusCode::UNAUTHORIZED, None),
            Error::Conflict { .. } => (StatusCode::CONFLICT, Some("version".to_string())),
            Error::Duplicate { field } => (StatusCode::CONFLICT, Some(field.clone())),
            Error::InvalidTransition { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, Some("status".to_string()))
            }
            Error::Validation { field, .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field.clone()))
            }
            Error::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        };
        let detail = match &e {
            Error::Internal(_) => "internal error; see the server log".to_string(),
            Error::Validation { message, .. } => message.clone(),
            other => other.to_string(),
        };
        WebError {
            status,
            code: e.code(),
            detail,
            field,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let mut body = json!({
            "type": format!("https://hikeshi.dev/problems/{}", self.code),
            "title": title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        if let Some(f) = &self.field {
            body["field"] = json!(f);
        }
        let mut resp = (self.status, body.to_string()).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

pub type WebResult<T> = Result<T, WebError>;
