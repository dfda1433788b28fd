//! Bad input never writes: each request is refused with a problem naming the field, and
//! the row counts do not move.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_testkit::for_each_backend;

/// One bad request: (what, path, content type, body, expected status, field named).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    String,
    StatusCode,
    Option<&'static str>,
);

fn cases() -> Vec<Case> {
    let inc = "/api/v1/incidents";
    let json = "application/json";
    let big = json!({"title": "big", "description": "あ".repeat(800_000)}).to_string();
    vec![
        (
            "malformed JSON",
            inc,
            json,
            r#"{"title": "x""#.into(),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            "not JSON at all",
            inc,
            json,
            "title=x".into(),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            "unknown field",
            inc,
            json,
            json!({"title": "x", "colour": "red"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("colour"),
        ),
        (
            "wrong type",
            inc,
            json,
            json!({"title": 5}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("title"),
        ),
        (
            "wrong type, nested",
            inc,
            json,
            json!({"title": "x", "tags": "not-a-list"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("tags"),
        ),
        (
            "invalid tlp",
            inc,
            json,
            json!({"title": "x", "tlp": "purple"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("tlp"),
        ),
        (
            "invalid severity",
            inc,
            json,
            json!({"title": "x", "severity": "apocalyptic"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("severity"),
        ),
        (
            "blank title",
            inc,
            json,
            json!({"title": "   "}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("title"),
        ),
        (
            "unknown constituency",
            inc,
            json,
            json!({"title": "x", "constituency": "nope"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("constituency"),
        ),
        (
            "oversize body",
            inc,
            json,
            big,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
        ),
        (
            "wrong content type",
            inc,
            "text/plain",
            json!({"title": "x"}).to_string(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
        ),
        (
            "no content type",
            inc,
            "",
            json!({"title": "x"}).to_string(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
        ),
        (
            "invalid CIDR",
            "/api/v1/constituencies",
            json,
            json!({"slug": "c", "name": "C", "netblocks": ["10.0.0.0/33"]}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("netblocks"),
        ),
        (
            "CIDR garbage",
            "/api/v1/constituencies",
            json,
            json!({"slug": "c", "name": "C", "netblocks": ["example.com"]}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("netblocks"),
        ),
        (
            "bad slug",
            "/api/v1/constituencies",
            json,
            json!({"slug": "Not A Slug", "name": "C"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("slug"),
        ),
    ]
}

#[tokio::test]
async fn bad_input_is_refused_with_a_problem_and_never_written() {
    for_each_backend(|t| async move {
        let tables = ["incidents", "constituencies", "audit_log"];
        let mut before = Vec::new();
        for table in tables {
            before.push(t.count(table).await);
        }
        for (what, path, ct, body, status, field) in cases() {
            let mut b = Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {}", t.admin_token()));
            if !ct.is_empty() {
                b = b.header(header::CONTENT_TYPE, ct);
            }
            let r = t.raw(b.body(Body::from(body)).expect("request")).await;
            assert_eq!(r.0, status, "{what}: {}", r.1);
            problem(&r, status, field);
        }
        for (table, n) in tables.iter().zip(before) {
            assert_eq!(t.count(table).await, n, "{table} changed");
        }
    })
    .await;
}

#[tokio::test]
async fn a_missing_required_field_is_named() {
    for_each_backend(|t| async move {
        let r = t
            .post(
                "/api/v1/incidents",
                t.admin_token(),
                json!({"description": "no title"}),
            )
            .await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("title"));
        assert_eq!(t.count("incidents").await, 0);
    })
    .await;
}

#[tokio::test]
async fn bad_patches_leave_the_record_unchanged() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let i = incident(&t, tok, json!({"title": "unchanged"})).await;
        let path = format!("/api/v1/incidents/{}", s(&i["id"]));
        let patches: &[(Value, StatusCode, &str)] = &[
            (
                json!({"tlp": "ultraviolet"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "tlp",
            ),
            (
                json!({"version": "one"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "version",
            ),
            (
                json!({"title": "x", "bogus": 1}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "bogus",
            ),
            (
                json!({"owner": "nobody-by-this-name"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "owner",
            ),
            (
                json!({"parent": s(&i["ref"])}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "parent",
            ),
        ];
        for (patch, status, field) in patches {
            problem(
                &t.patch(&path, tok, patch.clone()).await,
                *status,
                Some(field),
            );
        }
        assert_eq!(ok(t.get(&path, tok).await, StatusCode::OK), i);
    })
    .await;
}

#[tokio::test]
async fn duplicates_are_conflicts_naming_the_field() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        t.with_constituency("a").await;
        let users = t.count("users").await;
        let dup_user = json!({"username": "admin", "role": "handler", "password": "long-enough-1"});
        problem(
            &t.post("/api/v1/users", tok, dup_user).await,
            StatusCode::CONFLICT,
            Some("username"),
        );
        problem(
            &t.post(
                "/api/v1/constituencies",
                tok,
                json!({"slug": "a", "name": "again"}),
            )
            .await,
            StatusCode::CONFLICT,
            Some("slug"),
        );
        problem(
            &t.post(
                "/api/v1/users",
                tok,
                json!({"username": "x", "role": "handler", "password": "short"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("password"),
        );
        assert_eq!(
            (t.count("users").await, t.count("constituencies").await),
            (users, 1)
        );
    })
    .await;
}
