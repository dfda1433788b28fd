//! Sign-in and out, and the language switch. The login form is protected by a
//! double-submit token: a random value in a cookie and in a hidden field.

use super::ctx::{Anon, Ctx, LANG_COOKIE, TZ_COOKIE, Ui, safe_next};
use super::errors::{Fields, Out, check_csrf, render};
use super::limit::Limiter;
use crate::extract::{SESSION_COOKIE, cookie};
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

pub const LOGIN_CSRF_COOKIE: &str = "hikeshi_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub ctx: Ctx,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
}

fn set_cookie(r: &mut Response, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn login_form(
    mut ctx: Ctx,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
) -> Response {
    ctx.csrf = hex(&hikeshi_core::secrets::random_bytes::<16>());
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={}; Path=/login; HttpOnly; SameSite=Strict",
        ctx.csrf
    );
    let mut r = render(
        status,
        &LoginPage {
            ctx,
            next,
            username,
            error,
        },
    );
    set_cookie(&mut r, cookie);
    r
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub async fn login_page(Anon(ctx): Anon, Query(q): Query<HashMap<String, String>>) -> Response {
    let next = safe_next(q.get("next").map(String::as_str).unwrap_or("/"));
    login_form(ctx, StatusCode::OK, next, String::new(), None)
}

pub async fn login(
    State(s): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    Anon(ctx): Anon,
    parts: Parts,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let next = safe_next(f.get("next"));
    let username = f.get("username").to_string();
    let expected = cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || f.get("csrf") != expected {
        let msg = ctx.t("err.csrf").to_string();
        return login_form(ctx, StatusCode::FORBIDDEN, next, username, Some(msg));
    }
    let mut keys = vec![format!("user:{}", username.to_lowercase())];
    if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        keys.push(format!("ip:{}", addr.ip()));
    }
    if !limiter.allow(&keys, Instant::now()) {
        let msg = ctx.t("login.too-many").to_string();
        return login_form(
            ctx,
            StatusCode::TOO_MANY_REQUESTS,
            next,
            username,
            Some(msg),
        );
    }
    match s.app.login(&username, f.get("password")).await {
        Ok((secret, _, _)) => {
            let secure = if s.config.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let mut r = Redirect::to(&next).into_response();
            set_cookie(
                &mut r,
                format!(
                    "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                    hikeshi_core::app::SESSION_HOURS * 3600
                ),
            );
            set_cookie(
                &mut r,
                format!("{LOGIN_CSRF_COOKIE}=; Path=/login; HttpOnly; Max-Age=0"),
            );
            r
        }
        Err(hikeshi_core::Error::Unauthenticated) => {
            let msg = ctx.t("login.failed").to_string();
            login_form(ctx, StatusCode::UNAUTHORIZED, next, username, Some(msg))
        }
        Err(e) => super::errors::page(&ctx, e),
    }
}

#[derive(Template)]
#[template(path = "logout.html")]
pub struct LogoutPage {
    pub ctx: Ctx,
}

/// `GET /logout` asks to confirm (a link must not sign anyone out).
pub async fn logout_page(ui: Ui) -> Out {
    super::errors::ok(&LogoutPage { ctx: ui.ctx })
}

pub async fn logout(ui: Ui, parts: Parts, Form(f): Form<Vec<(String, String)>>) -> Out {
    check_csrf(&ui, &Fields(f))?;
    if let Some(secret) = cookie(&parts, SESSION_COOKIE) {
        ui.app
            .logout(secret)
            .await
            .map_err(|e| super::errors::page(&ui.ctx, e))?;
    }
    let mut r = Redirect::to("/login").into_response();
    set_cookie(
        &mut r,
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(r)
}

/// `GET /lang?to=ja&next=/incidents`: remembers the language for a year; `tz=Area/City`
/// (or empty, for the language's default) does the same for the time zone.
pub async fn switch_lang(Query(q): Query<HashMap<String, String>>) -> Out {
    let next = safe_next(q.get("next").map(String::as_str).unwrap_or("/"));
    let mut r = Redirect::to(&next).into_response();
    if let Some(lang) = q.get("to").and_then(|l| super::i18n::Lang::parse(l)) {
        set_cookie(
            &mut r,
            format!(
                "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                lang.code()
            ),
        );
    }
    match q.get("tz").map(|t| t.trim()) {
        Some("") => set_cookie(&mut r, format!("{TZ_COOKIE}=; Path=/; Max-Age=0")),
        Some(tz) if jiff::tz::TimeZone::get(tz).is_ok() => set_cookie(
            &mut r,
            format!("{TZ_COOKIE}={tz}; Path=/; SameSite=Lax; Max-Age=31536000"),
        ),
        _ => {}
    }
    Ok(r)
}
