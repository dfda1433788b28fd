//! Authentication: token scopes, revocation and disabled users, password sessions with
//! their CSRF token, expiry and logout; the security headers on every response.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_testkit::{ADMIN_PASSWORD, TestApp, for_each_backend};

#[tokio::test]
async fn a_read_only_token_cannot_write() {
    for_each_backend(|t| async move {
        let ro = t.token_for("admin", &["read"]).await;
        assert_eq!(
            ok(t.get("/api/v1/incidents", &ro).await, StatusCode::OK)["items"],
            json!([])
        );
        problem(
            &t.post("/api/v1/incidents", &ro, json!({"title": "x"}))
                .await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.post(
                "/api/v1/constituencies",
                &ro,
                json!({"slug": "x", "name": "x"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.get("/api/v1/incidents", "hks_not-a-token").await,
            StatusCode::UNAUTHORIZED,
            None,
        );
        problem(
            &t.call(Method::GET, "/api/v1/incidents", None, None).await,
            StatusCode::UNAUTHORIZED,
            None,
        );
        assert_eq!(t.count("incidents").await, 0);
    })
    .await;
}

fn with_cookie(path: &str, cookie: &str, csrf: Option<&str>, body: Value) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = csrf {
        b = b.header("x-csrf-token", c);
    }
    b.body(Body::from(body.to_string())).expect("request")
}

#[tokio::test]
async fn session_cookie_needs_the_csrf_token_for_writes() {
    for_each_backend(|t| async move {
        let bad = t
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"username": "admin", "password": "wrong-password"})),
            )
            .await;
        problem(&bad, StatusCode::UNAUTHORIZED, None);
        let (st, me, h) = t
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{me}");
        let set = h
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("set-cookie")
            .to_string();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let cookie = set.split(';').next().expect("name=value").to_string();
        assert!(cookie.starts_with("hikeshi_session=hks_"), "{cookie}");
        let csrf = s(&me["csrf"]);

        let get = Request::builder()
            .uri("/api/v1/me")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .expect("request");
        assert_eq!(
            ok(t.raw(get).await, StatusCode::OK)["username"],
            json!("admin")
        );
        let r = t
            .raw(with_cookie(
                "/api/v1/incidents",
                &cookie,
                None,
                json!({"title": "no csrf"}),
            ))
            .await;
        problem(&r, StatusCode::FORBIDDEN, None);
        let r = t
            .raw(with_cookie(
                "/api/v1/incidents",
                &cookie,
                Some("wrong"),
                json!({"title": "bad csrf"}),
            ))
            .await;
        problem(&r, StatusCode::FORBIDDEN, None);
        assert_eq!(t.count("incidents").await, 0);
        let r = t
            .raw(with_cookie(
                "/api/v1/incidents",
                &cookie,
                Some(&csrf),
                json!({"title": "with csrf"}),
            ))
            .await;
        assert_eq!(r.0, StatusCode::CREATED, "{}", r.1);
    })
    .await;
}

#[tokio::test]
async fn security_headers_on_every_response() {
    for_each_backend(|t| async move {
        for (path, token) in [
            ("/api/v1/incidents", Some(t.admin_token())),
            ("/api/v1/nope", Some(t.admin_token())),
            ("/api/v1/incidents", None),
            ("/healthz", None),
        ] {
            let (_, _, h) = t.call(Method::GET, path, token, None).await;
            let csp = h
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert!(
                csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{path}: {csp:?}"
            );
            assert_eq!(
                h.get("x-content-type-options")
                    .and_then(|v| v.to_str().ok()),
                Some("nosniff"),
                "{path}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn revoked_tokens_and_disabled_users_are_locked_out() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        t.with_constituency("a").await;
        let h = t
            .with_user("h", hikeshi_core::model::Role::Handler, &["a"])
            .await;
        let spare = t.token_for("h", &["read"]).await;
        let mine = ok(t.get("/api/v1/tokens", &h).await, StatusCode::OK);
        let ro = mine
            .as_array()
            .expect("tokens")
            .iter()
            .find(|x| x["scopes"] == json!(["read"]))
            .expect("read token")
            .clone();
        assert_eq!(
            t.call(
                Method::DELETE,
                &format!("/api/v1/tokens/{}", s(&ro["id"])),
                Some(&h),
                None
            )
            .await
            .0,
            StatusCode::NO_CONTENT
        );
        problem(
            &t.get("/api/v1/me", &spare).await,
            StatusCode::UNAUTHORIZED,
            None,
        );
        assert_eq!(
            ok(t.get("/api/v1/me", &h).await, StatusCode::OK)["username"],
            json!("h")
        );
        ok(
            t.patch("/api/v1/users/h", tok, json!({"disabled": true}))
                .await,
            StatusCode::OK,
        );
        problem(
            &t.get("/api/v1/me", &h).await,
            StatusCode::UNAUTHORIZED,
            None,
        );
    })
    .await;
}

async fn login(t: &TestApp) -> (String, String) {
    let (st, me, h) = t
        .call(
            Method::POST,
            "/api/v1/session",
            None,
            Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{me}");
    let set = h
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("set-cookie");
    (
        set.split(';').next().expect("cookie").to_string(),
        s(&me["csrf"]),
    )
}

async fn me_with(t: &TestApp, cookie: &str) -> StatusCode {
    t.raw(
        Request::builder()
            .uri("/api/v1/me")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await
    .0
}

#[tokio::test]
async fn sessions_expire_and_end_at_logout() {
    for_each_backend(|t| async move {
        let (cookie, _) = login(&t).await;
        assert_eq!(me_with(&t, &cookie).await, StatusCode::OK);
        t.clock.advance(jiff::SignedDuration::from_hours(11));
        assert_eq!(me_with(&t, &cookie).await, StatusCode::OK);
        t.clock.advance(jiff::SignedDuration::from_hours(2));
        assert_eq!(
            me_with(&t, &cookie).await,
            StatusCode::UNAUTHORIZED,
            "expired after 12 hours"
        );

        let (cookie, csrf) = login(&t).await;
        let out = Request::builder()
            .method(Method::DELETE)
            .uri("/api/v1/session")
            .header(header::COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .body(Body::empty())
            .expect("request");
        let (st, _, h) = t.raw(out).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        assert!(
            h.get(header::SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|c| c.contains("Max-Age=0"))
        );
        assert_eq!(
            me_with(&t, &cookie).await,
            StatusCode::UNAUTHORIZED,
            "logged out"
        );
    })
    .await;
}

#[tokio::test]
async fn a_read_only_token_cannot_mint_tokens_or_change_the_account() {
    for_each_backend(|t| async move {
        let ro = t.token_for("admin", &["read"]).await;
        let mut wrong = Vec::new();
        let attempts = [
            (
                Method::POST,
                "/api/v1/tokens",
                json!({"scopes": ["read", "write", "admin"]}),
            ),
            (Method::POST, "/api/v1/tokens", json!({})),
            (
                Method::PATCH,
                "/api/v1/users/admin",
                json!({"password": "taken-over-123"}),
            ),
            (
                Method::PATCH,
                "/api/v1/users/admin",
                json!({"display_name": "mallory"}),
            ),
        ];
        for (method, path, body) in attempts {
            let r = t
                .call(method.clone(), path, Some(&ro), Some(body.clone()))
                .await;
            if r.0 != StatusCode::FORBIDDEN {
                wrong.push(format!("{method} {path} {body} -> {}", r.0));
            }
        }
        assert!(wrong.is_empty(), "a read-only token wrote: {wrong:#?}");
    })
    .await;
}

#[tokio::test]
async fn password_guessing_is_rate_limited_and_unknown_routes_answer_in_kind() {
    for_each_backend(|t| async move {
        let guess = json!({"username": "admin", "password": "wrong-password"});
        for _ in 0..10 {
            let (st, _, _) = t
                .call(Method::POST, "/api/v1/session", None, Some(guess.clone()))
                .await;
            assert_eq!(st, StatusCode::UNAUTHORIZED);
        }
        // The eleventh try in a minute is refused even with the right password.
        let right = json!({"username": "admin", "password": ADMIN_PASSWORD});
        let r = t
            .call(Method::POST, "/api/v1/session", None, Some(right))
            .await;
        problem(&r, StatusCode::TOO_MANY_REQUESTS, None);
        assert_eq!(r.1["code"], "rate_limited");

        let (st, body, h) = t.call(Method::GET, "/api/v1/nope", None, None).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert_eq!(
            h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{body}"
        );
        let (st, _, h) = t.call(Method::GET, "/no/such/page", None, None).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert!(
            h.get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|c| c.starts_with("text/html"))
        );
    })
    .await;
}
