//! Per-request page context: language, time zone, the signed-in user and the CSRF token.
//! `Ui` is the extractor every signed-in page takes; without a session it redirects to
//! `/login`.

use super::i18n::{self, Lang};
use crate::extract::{SESSION_COOKIE, cookie};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use hikeshi_core::access::Actor;
use hikeshi_core::app::App;
use hikeshi_core::model::Role;
use jiff::Timestamp;
use jiff::tz::TimeZone;

pub const LANG_COOKIE: &str = "hikeshi_lang";
pub const TZ_COOKIE: &str = "hikeshi_tz";

/// What every template needs.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub tz: TimeZone,
    pub tz_name: String,
    /// Path and query of this request (for the language switch's way back).
    pub here: String,
    pub username: String,
    pub is_admin: bool,
    pub csrf: String,
    /// Short hash of the static files, for cache busting.
    pub assets: &'static str,
}

impl Ctx {
    pub fn from_parts(parts: &Parts) -> Ctx {
        let lang = cookie(parts, LANG_COOKIE)
            .and_then(Lang::parse)
            .unwrap_or_else(|| {
                let h = parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                Lang::negotiate(h)
            });
        let tz_name = cookie(parts, TZ_COOKIE)
            .map(|v| v.replace("%2F", "/"))
            .filter(|n| TimeZone::get(n).is_ok())
            .unwrap_or_else(|| lang.default_tz().to_string());
        let tz = TimeZone::get(&tz_name).unwrap_or(TimeZone::UTC);
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ctx {
            lang,
            tz,
            tz_name,
            here,
            username: String::new(),
            is_admin: false,
            csrf: String::new(),
            assets: super::assets::version(),
        }
    }

    /// A message from the catalogue.
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    /// A message with placeables.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::tf(self.lang, key, args)
    }

    /// Date and time in the user's zone, e.g. `2026-05-01 09:30`.
    pub fn date(&self, ts: &Timestamp) -> String {
        ts.to_zoned(self.tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn opt_date(&self, ts: &Option<Timestamp>) -> String {
        ts.as_ref().map(|t| self.date(t)).unwrap_or_default()
    }

    /// The value for an `<input type="datetime-local">`.
    pub fn date_input(&self, ts: &Option<Timestamp>) -> String {
        ts.as_ref()
            .map(|t| {
                t.to_zoned(self.tz.clone())
                    .strftime("%Y-%m-%dT%H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    }

    /// Reads a `datetime-local` value in the user's zone.
    pub fn parse_date(&self, s: &str) -> Option<Timestamp> {
        let dt: jiff::civil::DateTime = s.trim().parse().ok()?;
        dt.to_zoned(self.tz.clone()).ok().map(|z| z.timestamp())
    }

    /// The other language (for the switch).
    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::En => Lang::Ja,
            Lang::Ja => Lang::En,
        }
    }

    /// `here`, URL-encoded for a `next=` parameter.
    pub fn here_enc(&self) -> String {
        enc(&self.here)
    }

    pub fn is_active(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.here == "/"
        } else {
            self.here.starts_with(prefix)
        }
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A same-site path to go back to; anything else becomes `/`.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// A signed-in page request.
pub struct Ui {
    pub app: App,
    pub actor: Actor,
    pub ctx: Ctx,
    pub htmx: bool,
}

impl FromRequestParts<AppState> for Ui {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let mut ctx = Ctx::from_parts(parts);
        let htmx = parts.headers.contains_key("hx-request");
        // After signing in, come back here; a form's target cannot be revisited by GET.
        let next = if parts.method == axum::http::Method::GET && !htmx {
            ctx.here_enc()
        } else {
            "/".to_string()
        };
        let login = format!("/login?next={next}");
        let to_login = move || -> Response {
            if htmx {
                // htmx would swap the login page into a fragment; make it navigate instead.
                let mut r = axum::http::StatusCode::UNAUTHORIZED.into_response();
                if let Ok(v) = axum::http::HeaderValue::from_str(&login) {
                    r.headers_mut().insert("hx-redirect", v);
                }
                r
            } else {
                Redirect::to(&login).into_response()
            }
        };
        let Some(secret) = cookie(parts, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match s.app.session_actor(secret).await {
            Ok((actor, session)) => {
                ctx.username = actor.username.clone();
                ctx.is_admin = actor.role == Role::Admin;
                ctx.csrf = session.csrf;
                Ok(Ui {
                    app: s.app.clone(),
                    actor,
                    ctx,
                    htmx,
                })
            }
            Err(hikeshi_core::Error::Unauthenticated) => Err(to_login()),
            Err(e) => Err(super::errors::page(&ctx, e)),
        }
    }
}

/// Language and zone only: for the login page and errors before sign-in.
pub struct Anon(pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for Anon {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Anon(Ctx::from_parts(parts)))
    }
}
