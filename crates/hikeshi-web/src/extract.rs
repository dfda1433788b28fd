//! Request extractors: JSON bodies whose errors name the field, and the authenticated caller.

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use hikeshi_core::access::Actor;
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but every failure is a problem body naming the field.
pub struct Json<T>(pub T);

/// The field named in serde's "unknown field `x`" or "missing field `x`" messages.
fn named_field(msg: &str) -> Option<String> {
    let rest = msg
        .split("unknown field `")
        .nth(1)
        .or_else(|| msg.split("missing field `").nth(1))?;
    Some(rest.split('`').next()?.to_string())
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !ct.starts_with("application/json") && !ct.contains("+json") {
            return Err(WebError::field(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content-type",
                "expected application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    WebError::field(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body",
                        "request body is larger than the configured limit",
                    )
                } else {
                    WebError::bad_request("body", e.body_text())
                }
            })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(Json(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let msg = inner.to_string();
                let field = named_field(&msg)
                    .unwrap_or_else(|| if path == "." { "body".into() } else { path });
                let status = if inner.is_syntax() || inner.is_eof() {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                Err(WebError::field(status, field, msg))
            }
        }
    }
}

/// Name of the session cookie (`__Host-` needs HTTPS; the server usually runs behind TLS
/// termination, so the plain name is used and marked HttpOnly + SameSite=Strict).
pub const SESSION_COOKIE: &str = "hikeshi_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The authenticated caller: a Bearer token, or a session cookie (which, for unsafe
/// methods, must come with the session's CSRF token in `X-CSRF-Token`).
pub struct Caller(pub Actor);

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let v = auth.to_str().unwrap_or("");
            let token = v
                .strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .ok_or_else(|| WebError::from(hikeshi_core::Error::Unauthenticated))?;
            return Ok(Caller(state.app.token_actor(token).await?));
        }
        if let Some(secret) = cookie(parts, SESSION_COOKIE) {
            let (actor, session) = state.app.session_actor(secret).await?;
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if !safe {
                let sent = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if sent != session.csrf {
                    return Err(WebError::new(
                        StatusCode::FORBIDDEN,
                        "csrf",
                        "missing or wrong X-CSRF-Token",
                    ));
                }
            }
            return Ok(Caller(actor));
        }
        Err(hikeshi_core::Error::Unauthenticated.into())
    }
}

/// Query parameters (`?a=…`) whose failures are problems naming the parameter.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(QueryParams(v)),
            Err(e) => {
                let msg = e.body_text();
                let field = named_field(&msg).unwrap_or_else(|| "query".into());
                Err(WebError::bad_request(field, msg))
            }
        }
    }
}

/// A raw request body (uploads, mail) whose failures are problems.
pub struct Body(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    WebError::field(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body",
                        "request body is larger than the limit for this endpoint",
                    )
                } else {
                    WebError::bad_request("body", e.body_text())
                }
            })
    }
}
