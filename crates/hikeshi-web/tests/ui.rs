#![allow(clippy::unwrap_used)]
//! The web UI end to end over a temporary SQLite database: sign-in, CSRF, both languages,
//! escaping, scoping, conflicts and the message catalogue.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hikeshi_core::app::{App, NewConstituency, NewIncident, NewReport, NewUser};
use hikeshi_core::model::Role;
use hikeshi_core::ports::Clock;
use hikeshi_web::ui::i18n::{Lang, catalogue};
use hikeshi_web::{AppState, WebConfig};
use std::sync::Arc;
use tower::ServiceExt;

struct Wall;
impl Clock for Wall {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

struct T {
    router: Router,
    app: App,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PW: &str = "correct horse battery";

async fn setup() -> T {
    let dir = std::env::temp_dir().join(format!("hikeshi-ui-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("db.sqlite").display());
    let store = hikeshi_store::SqlStore::open(&url, &Default::default())
        .await
        .unwrap();
    let app = App::new(Arc::new(store), Arc::new(Wall));
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

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Resp {
    fn cookie(&self, name: &str) -> Option<String> {
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

    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The first hidden CSRF field of the page.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

async fn send(t: &T, req: Request<Body>) -> Resp {
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

async fn get(t: &T, path: &str, cookies: &str) -> Resp {
    let req = Request::get(path)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .unwrap();
    send(t, req).await
}

fn form(pairs: &[(&str, &str)]) -> String {
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

async fn post(t: &T, path: &str, cookies: &str, pairs: &[(&str, &str)]) -> Resp {
    let req = Request::post(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(pairs)))
        .unwrap();
    send(t, req).await
}

/// Signs in through the form; returns the cookie header and the session's CSRF token.
async fn login(t: &T, user: &str) -> (String, String) {
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

#[tokio::test]
async fn login_flow_and_logout() {
    let t = setup().await;
    let r = get(&t, "/incidents?status=open", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=/incidents%3Fstatus%3Dopen");
    let page = get(&t, "/login", "").await;
    let token = page.cookie("hikeshi_login_csrf").unwrap();
    let c = format!("hikeshi_login_csrf={token}");
    let bad = post(
        &t,
        "/login",
        &c,
        &[
            ("csrf", &token),
            ("username", "alice"),
            ("password", "nope"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains("Wrong user name or password"));
    assert!(bad.body.contains("value=\"alice\""));
    let (cookies, csrf) = login(&t, "alice").await;
    let home = get(&t, "/", &cookies).await;
    assert!(home.body.contains("My open incidents") && home.body.contains("alice"));
    let out = post(&t, "/logout", &cookies, &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(get(&t, "/", &cookies).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forms_without_csrf_are_refused() {
    let t = setup().await;
    let nocookie = post(
        &t,
        "/login",
        "",
        &[("csrf", "x"), ("username", "alice"), ("password", PW)],
    )
    .await;
    assert_eq!(nocookie.status, StatusCode::FORBIDDEN);
    assert!(nocookie.cookie("hikeshi_session").is_none());
    let (cookies, _) = login(&t, "alice").await;
    let r = post(
        &t,
        "/incidents",
        &cookies,
        &[("title", "x"), ("severity", "low"), ("tlp", "amber")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(
        &t,
        "/incidents",
        &cookies,
        &[("csrf", "wrong"), ("title", "x")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Reload the page"));
}

#[tokio::test]
async fn login_is_rate_limited_per_user() {
    let t = setup().await;
    let page = get(&t, "/login", "").await;
    let token = page.cookie("hikeshi_login_csrf").unwrap();
    let c = format!("hikeshi_login_csrf={token}");
    let mut last = StatusCode::OK;
    for _ in 0..11 {
        let r = post(
            &t,
            "/login",
            &c,
            &[("csrf", &token), ("username", "bob"), ("password", "x")],
        )
        .await;
        last = r.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let r = post(
        &t,
        "/login",
        &c,
        &[("csrf", &token), ("username", "bob"), ("password", PW)],
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Too many attempts"));
}

#[tokio::test]
async fn pages_render_in_both_languages() {
    let t = setup().await;
    let admin = t.app.resolve_user("admin").await.unwrap();
    let actor = t.app.actor_for(&admin, hikeshi_core::access::Scopes::ALL);
    let rep = NewReport {
        subject: "Phishing 報告".into(),
        content: "本文 body".into(),
        constituency: Some("a".into()),
        ..Default::default()
    };
    let rep = t.app.create_report(&actor, rep).await.unwrap();
    let inc = NewIncident {
        title: "不正アクセス".into(),
        constituency: Some("a".into()),
        ..Default::default()
    };
    let inc = t.app.create_incident(&actor, inc).await.unwrap();
    let (cookies, _) = login(&t, "admin").await;
    let pages = [
        "/".to_string(),
        "/incidents".into(),
        format!("/incidents/{}", inc.reference),
        format!("/incidents/{}", inc.id),
        "/incidents/new".into(),
        "/reports".into(),
        format!("/reports/{}", rep.reference),
        "/search?q=不正".into(),
        "/admin".into(),
        "/help".into(),
    ];
    for (lang, word) in [("en", "Incidents"), ("ja", "インシデント")] {
        let c = format!("{cookies}; hikeshi_lang={lang}");
        for p in &pages {
            let r = get(&t, p, &c).await;
            assert_eq!(r.status, StatusCode::OK, "{lang} {p}: {}", r.body);
            assert!(r.body.contains(&format!("<html lang=\"{lang}\">")), "{p}");
            assert!(r.body.contains(word), "{lang} {p}");
            assert!(!r.body.contains("??"), "missing message on {p} ({lang})");
            let csp = r.headers.get("content-security-policy").unwrap();
            assert!(csp.to_str().unwrap().contains("script-src 'self'"));
        }
    }
    let search = get(&t, "/search?q=不正", &cookies).await;
    assert!(search.body.contains("<mark>不正</mark>アクセス"));
    let ja = Request::get("/login")
        .header(header::ACCEPT_LANGUAGE, "ja-JP,ja;q=0.9,en;q=0.5")
        .body(Body::empty())
        .unwrap();
    assert!(send(&t, ja).await.body.contains("ログイン"));
}

#[tokio::test]
async fn script_in_a_title_is_text() {
    let t = setup().await;
    let (cookies, csrf) = login(&t, "alice").await;
    let title = "<script>alert(1)</script> & \"quotes\"";
    let r = post(
        &t,
        "/incidents",
        &cookies,
        &[
            ("csrf", &csrf),
            ("title", title),
            ("severity", "high"),
            ("tlp", "red"),
            ("constituency", "a"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&t, r.location(), &cookies).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert"));
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
    );
    assert!(page.body.contains("tlp-banner tlp-red"));
    let list = get(&t, "/incidents", &cookies).await;
    assert!(!list.body.contains("<script>alert"));
}

#[tokio::test]
async fn another_constituency_is_not_found() {
    let t = setup().await;
    let (bob, bob_csrf) = login(&t, "bob").await;
    let r = post(
        &t,
        "/incidents",
        &bob,
        &[
            ("csrf", &bob_csrf),
            ("title", "B only"),
            ("severity", "low"),
            ("tlp", "amber"),
            ("constituency", "b"),
        ],
    )
    .await;
    let path = r.location().to_string();
    let (alice, _) = login(&t, "alice").await;
    let r = get(&t, &path, &alice).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Not found") && r.body.contains("<html"));
}

#[tokio::test]
async fn bad_input_and_stale_versions_show_the_form_again() {
    let t = setup().await;
    let (c, csrf) = login(&t, "alice").await;
    let r = post(
        &t,
        "/incidents",
        &c,
        &[
            ("csrf", &csrf),
            ("title", " "),
            ("severity", "low"),
            ("tlp", "amber"),
            ("constituency", "a"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("role=\"alert\""));
    let r = post(
        &t,
        "/incidents",
        &c,
        &[
            ("csrf", &csrf),
            ("title", "ok"),
            ("severity", "low"),
            ("tlp", "amber"),
            ("constituency", "a"),
            ("due", "not a date"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &t,
        "/incidents",
        &c,
        &[
            ("csrf", &csrf),
            ("title", "Stale"),
            ("severity", "low"),
            ("tlp", "amber"),
            ("constituency", "a"),
        ],
    )
    .await;
    let path = r.location().to_string();
    let edit = |v: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("version", v.into()),
            ("title", "Edited title".into()),
            ("description", "d".into()),
            ("severity", "high".into()),
            ("tlp", "amber".into()),
            ("due", String::new()),
        ]
    };
    let pairs = edit("1");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        post(&t, &format!("{path}/edit"), &c, &pairs).await.status,
        StatusCode::SEE_OTHER
    );
    let r = post(&t, &format!("{path}/edit"), &c, &pairs).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Someone else changed this record"));
    assert!(r.body.contains("<details open>"));
    let r = post(
        &t,
        &format!("{path}/status"),
        &c,
        &[("csrf", &csrf), ("status", "resolved")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &t,
        &format!("{path}/status"),
        &c,
        &[("csrf", &csrf), ("status", "closed")],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "open → closed is not allowed"
    );
    let r = post(
        &t,
        &format!("{path}/status"),
        &c,
        &[
            ("csrf", &csrf),
            ("status", "resolved"),
            ("resolution", "fixed"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn static_files_are_cached_and_typed() {
    let t = setup().await;
    for (path, ct) in [
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
        ("/static/htmx-2.0.11.min.js", "text/javascript"),
    ] {
        let r = get(&t, path, "").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(ct)
        );
        assert!(
            r.headers[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
    }
    assert_eq!(
        get(&t, "/static/nope.js", "").await.status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn catalogues_define_the_same_keys() {
    let en: Vec<_> = catalogue(Lang::En).keys().collect();
    let ja: Vec<_> = catalogue(Lang::Ja).keys().collect();
    assert!(en.len() > 100);
    assert_eq!(en, ja);
    for l in Lang::ALL {
        assert!(catalogue(l).values().all(|v| !v.is_empty()));
    }
}
