//! Edges clients hit sooner or later: paging through the API, odd search strings, large
//! uploads, merging a parent into its child.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_testkit::{TestApp, for_each_backend};

#[tokio::test]
async fn cursor_paging_through_the_api() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        for n in 0..5 {
            incident(&t, tok, json!({"title": format!("p{n}")})).await;
            t.clock.advance(jiff::SignedDuration::from_millis(1500));
        }
        for sort in ["-created", "created", "-updated", "updated"] {
            let (mut seen, mut cursor) = (Vec::new(), String::new());
            for _ in 0..10 {
                let page = ok(
                    t.get(
                        &format!("/api/v1/incidents?limit=2&sort={sort}{cursor}"),
                        tok,
                    )
                    .await,
                    StatusCode::OK,
                );
                seen.extend(
                    page["items"]
                        .as_array()
                        .expect("items")
                        .iter()
                        .map(|i| s(&i["title"])),
                );
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = format!("&cursor={c}"),
                    None => break,
                }
            }
            let want: Vec<String> = (0..5).map(|n| format!("p{n}")).collect();
            let want = if sort.starts_with('-') {
                want.into_iter().rev().collect()
            } else {
                want
            };
            assert_eq!(seen, want, "sort {sort}");
        }
        problem(
            &t.get("/api/v1/incidents?cursor=garbage!", tok).await,
            StatusCode::BAD_REQUEST,
            Some("cursor"),
        );
        problem(
            &t.get("/api/v1/incidents?limit=0", tok).await,
            StatusCode::BAD_REQUEST,
            Some("limit"),
        );
        problem(
            &t.get("/api/v1/incidents?colour=red", tok).await,
            StatusCode::BAD_REQUEST,
            Some("colour"),
        );
    })
    .await;
}

#[tokio::test]
async fn odd_search_strings_are_data_not_syntax() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        incident(
            &t,
            tok,
            json!({"title": "100% 確実な \"攻撃\" a_b (NEAR) *star*"}),
        )
        .await;
        incident(&t, tok, json!({"title": "plain"})).await;
        let cases: &[(&str, usize)] = &[
            ("100%", 1),
            ("%", 1),
            ("_", 1),
            ("a_b", 1),
            ("\"攻撃\"", 1),
            ("(NEAR", 1),
            ("(NEAR)", 1),
            ("NEAR(", 0),
            ("*star*", 1),
            ("OR", 0),
            ("-plain", 0),
            ("\\", 0),
            ("'", 2), // quotes are dropped: no term left, no filter
            ("x\"y", 0),
            ("AND plain", 0),
            ("plain", 1),
        ];
        for (q, n) in cases {
            let r = t.get(&format!("/api/v1/incidents?q={}", enc(q)), tok).await;
            assert_eq!(r.0, StatusCode::OK, "q={q}: {}", r.1);
            assert_eq!(r.1["items"].as_array().map(Vec::len), Some(*n), "q={q}");
        }
    })
    .await;
}

fn upload(t: &TestApp, query: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/incidents/2026-0001/attachments{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {}", t.admin_token()))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes))
        .expect("request")
}

#[tokio::test]
async fn attachments_may_exceed_the_json_limit_up_to_their_own() {
    for_each_backend(|t| async move {
        incident(&t, t.admin_token(), json!({"title": "大きな証拠"})).await;
        let big = vec![7u8; 3 * 1024 * 1024];
        let a = ok(
            t.raw(upload(&t, "?name=big.bin", big)).await,
            StatusCode::CREATED,
        );
        assert_eq!(a["size"], json!(3 * 1024 * 1024));
    })
    .await;
}

#[tokio::test]
async fn upload_errors_are_problems_too() {
    for_each_backend(|t| async move {
        incident(&t, t.admin_token(), json!({"title": "x"})).await;
        problem(
            &t.raw(upload(&t, "", vec![1, 2, 3])).await,
            StatusCode::BAD_REQUEST,
            Some("name"),
        );
        let huge = vec![0u8; hikeshi_core::app::MAX_ATTACHMENT + 1];
        problem(
            &t.raw(upload(&t, "?name=huge.bin", huge)).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
        );
        assert_eq!(t.count("attachments").await, 0);
    })
    .await;
}

#[tokio::test]
async fn merging_a_parent_into_its_child_leaves_no_self_parent() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let parent = incident(&t, tok, json!({"title": "parent"})).await;
        let child = incident(
            &t,
            tok,
            json!({"title": "child", "parent": s(&parent["ref"])}),
        )
        .await;
        let r = t
            .post(
                &format!("/api/v1/incidents/{}/merge", s(&parent["id"])),
                tok,
                json!({"into": s(&child["ref"])}),
            )
            .await;
        let after = ok(
            t.get(&format!("/api/v1/incidents/{}", s(&child["id"])), tok)
                .await,
            StatusCode::OK,
        );
        assert_ne!(
            after["parent"], child["id"],
            "merge answered {} and made the survivor its own parent",
            r.0
        );
    })
    .await;
}

#[tokio::test]
async fn attachment_names_are_checked_and_safely_quoted_on_download() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        incident(&t, tok, json!({"title": "名前"})).await;
        for bad in ["", "../etc/passwd", "a\\b", &"x".repeat(256)] {
            let r = t
                .raw(upload(&t, &format!("?name={}", enc(bad)), vec![1]))
                .await;
            problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("name"));
        }
        assert_eq!(t.count("attachments").await, 0);
        let name = "報告書 \"最終\"; v2.pdf";
        let a = ok(
            t.raw(upload(
                &t,
                &format!("?name={}", enc(name)),
                b"%PDF".to_vec(),
            ))
            .await,
            StatusCode::CREATED,
        );
        assert_eq!(a["name"], json!(name));
        let (st, body, h) = t
            .get_bytes(&format!("/api/v1/attachments/{}", s(&a["id"])), tok)
            .await;
        assert_eq!((st, body.as_slice()), (StatusCode::OK, &b"%PDF"[..]));
        let disp = h
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let plain = disp
            .split("filename=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("");
        assert!(
            disp.starts_with("attachment;") && !plain.contains([';', '"', ' ']),
            "{disp}"
        );
        assert!(
            disp.contains(&format!(
                "filename*=UTF-8''{}",
                enc(name).replace('~', "%7E")
            )),
            "{disp}"
        );
    })
    .await;
}
