//! Sign-in, sign-out, CSRF and the login rate limit.

use crate::*;
use axum::http::StatusCode;

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
