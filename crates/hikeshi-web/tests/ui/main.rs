#![allow(clippy::unwrap_used)]
//! The web UI end to end over a temporary SQLite database: sign-in, CSRF, both languages,
//! escaping, scoping, conflicts, lists and the message catalogue.
//! This file is the harness; the tests live in the modules.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hikeshi_core::app::{App, NewConstituency, NewUser};
use hikeshi_core::model::Role;
use hikeshi_core::ports::Clock;
use hikeshi_web::{AppState, WebConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tower::ServiceExt;

mod auth;
mod lists;
mod observables;
mod pages;
mod triage;

/// A clock that starts at a fixed time and moves one millisecond per reading, so records
/// get distinct, ordered timestamps.
struct Ticking(AtomicI64);
impl Clock for Ticking {
    fn now(&self) -> jiff::Timestamp {
        let ms = self.0.fetch_add(1, Ordering::Relaxed);
        jiff::Timestamp::from_millisecond(ms).unwrap()
    }
}

/// 2026-11-18T09:00:00Z.
const START_MS: i64 = 1_794_992_400_000;

pub(crate) struct T {
    router: Router,
    pub(crate) app: App,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) const PW: &str = "correct horse battery";

pub(crate) async fn setup() -> T {
    let dir = std::env::temp_dir().join(format!("hikeshi-ui-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("db.sqlite").display());
    let store = hikeshi_store::SqlStore::open(&url, &Default::default())
        .await
        .unwrap();
    let app = App::new(Arc::new(store), Arc::new(Ticking(AtomicI64::new(START_MS))));
    app.bootstrap_admin(Some(PW.into())).await.unwrap();
    let sys = app.system_actor();
    for slug in ["a", "b"] {
        let c = NewConstituency {
            slug: slug.into(),
            name: format!("Const {slug}"),
            ..Default::default()
        };
        app.create_constituency(&sys, c).await.unwrap();
    }
    for (name, c) in [("alice", "a"), ("bob", "b")] {
        let u = NewUser {
            username: name.into(),
            role: Some(Role::Handler),
            constituencies: vec![c.into()],
            password: Some(PW.into()),
            ..Default::default()
        };
        app.create_user(&sys, u).await.unwrap();
    }
    let router = hikeshi_web::router(AppState {
        app: app.clone(),
        config: WebConfig::default(),
    });
    T {
        router,
        app,
        _dir: TempDir(dir),
    }
}

pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: String,
}

impl Resp {
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                let kv = v.split(';').next()?;
                let (k, val) = kv.split_once('=')?;
                (k == name && !val.is_empty()).then(|| val.to_string())
            })
    }

    pub(crate) fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The first hidden CSRF field of the page.
    pub(crate) fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

pub(crate) async fn send(t: &T, req: Request<Body>) -> Resp {
    let r = t.router.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub(crate) async fn get(t: &T, path: &str, cookies: &str) -> Resp {
    let req = Request::get(path)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .unwrap();
    send(t, req).await
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) async fn post(t: &T, path: &str, cookies: &str, pairs: &[(&str, &str)]) -> Resp {
    let req = Request::post(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(pairs)))
        .unwrap();
    send(t, req).await
}

/// Signs in through the form; returns the cookie header and the session's CSRF token.
pub(crate) async fn login(t: &T, user: &str) -> (String, String) {
    let page = get(t, "/login", "").await;
    let token = page
        .cookie("hikeshi_login_csrf")
        .expect("login csrf cookie");
    assert_eq!(page.csrf(), token);
    let r = post(
        t,
        "/login",
        &format!("hikeshi_login_csrf={token}"),
        &[
            ("csrf", &token),
            ("username", user),
            ("password", PW),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cookies = format!("hikeshi_session={}", r.cookie("hikeshi_session").unwrap());
    let home = get(t, "/", &cookies).await;
    assert_eq!(home.status, StatusCode::OK);
    (cookies.clone(), home.csrf())
}
