//! Health, the no-op baseline, OpenAPI, sessions.

use crate::error::{WebError, WebResult};
use crate::extract::{Caller, Json, SESSION_COOKIE, cookie};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use hikeshi_core::model::Role;
use serde::{Deserialize, Serialize};

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "system", responses((status = 200), (status = 503)))]
pub async fn readyz(State(s): State<AppState>) -> Response {
    match s.app.store.count_users().await {
        Ok(_) => "ready".into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// Does nothing: the baseline every benchmark figure is compared with.
#[utoipa::path(get, path = "/api/v1/noop", tag = "system", responses((status = 200)))]
pub async fn noop() -> &'static str {
    "{}"
}

pub async fn openapi() -> Response {
    let mut r = crate::openapi::document().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub global: bool,
    /// Send this in `X-CSRF-Token` with every unsafe request made with the session cookie.
    pub csrf: Option<String>,
}

/// Password login for the browser: sets an HttpOnly, SameSite=Strict session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "system", request_body = LoginInput, responses((status = 200, body = Me), (status = 401)))]
pub async fn login(
    State(s): State<AppState>,
    axum::Extension(limiter): axum::Extension<std::sync::Arc<crate::ui::limit::Limiter>>,
    parts: Parts,
    Json(l): Json<LoginInput>,
) -> WebResult<Response> {
    let mut keys = vec![format!("user:{}", l.username.trim().to_lowercase())];
    if let Some(axum::extract::ConnectInfo(addr)) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        keys.push(format!("ip:{}", addr.ip()));
    }
    if !limiter.allow(&keys, std::time::Instant::now()) {
        return Err(WebError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many login attempts; wait a minute",
        ));
    }
    let (secret, session, actor) = s.app.login(&l.username, &l.password).await?;
    let secure = if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        hikeshi_core::app::SESSION_HOURS * 3600
    );
    let me = Me {
        id: actor.user.to_string(),
        username: actor.username,
        role: actor.role,
        global: actor.global,
        csrf: Some(session.csrf),
    };
    let mut r = axum::Json(me).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie)
            .map_err(|_| WebError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "cookie"))?,
    );
    Ok(r)
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "system", responses((status = 204)))]
pub async fn logout(State(s): State<AppState>, parts: Parts) -> WebResult<Response> {
    if let Some(secret) = cookie(&parts, SESSION_COOKIE) {
        // Like every unsafe request made with the cookie: the CSRF token must come along.
        if let Ok((_, session)) = s.app.session_actor(secret).await {
            let sent = parts
                .headers
                .get(crate::extract::CSRF_HEADER)
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
        s.app.logout(secret).await?;
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("hikeshi_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(r)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "system", responses((status = 200, body = Me)))]
pub async fn me(Caller(a): Caller) -> axum::Json<Me> {
    axum::Json(Me {
        id: a.user.to_string(),
        username: a.username,
        role: a.role,
        global: a.global,
        csrf: None,
    })
}
