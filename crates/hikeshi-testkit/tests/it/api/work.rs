//! Reports, comments and correspondence, attachments, investigations and countermeasures.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_testkit::for_each_backend;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn reports_are_created_linked_and_rejected() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let r = ok(
            t.post(
                "/api/v1/reports",
                tok,
                json!({"subject": "不審なメール", "content": "本文", "channel": "email"}),
            )
            .await,
            StatusCode::CREATED,
        );
        assert_eq!(
            (r["ref"].clone(), r["status"].clone()),
            (json!("R2026-0001"), json!("new"))
        );
        let i = incident(&t, tok, json!({"title": "対応"})).await;
        let linked = ok(
            t.post(
                &format!("/api/v1/reports/{}/incidents", s(&r["ref"])),
                tok,
                json!({"incident": s(&i["ref"])}),
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(
            (linked["status"].clone(), linked["incidents"].clone()),
            (json!("open"), json!([i["id"].clone()]))
        );
        problem(
            &t.post(
                &format!("/api/v1/reports/{}/incidents", s(&r["id"])),
                tok,
                json!({"incident": "2026-0404"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("incident"),
        );

        let spam = ok(
            t.post("/api/v1/reports", tok, json!({"subject": "spam"}))
                .await,
            StatusCode::CREATED,
        );
        let path = format!("/api/v1/reports/{}", s(&spam["id"]));
        problem(
            &t.patch(&path, tok, json!({"status": "rejected"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reject_reason"),
        );
        let rejected = ok(
            t.patch(
                &path,
                tok,
                json!({"status": "rejected", "reject_reason": "迷惑メール"}),
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(
            (
                rejected["status"].clone(),
                rejected["reject_reason"].clone()
            ),
            (json!("rejected"), json!("迷惑メール"))
        );
        problem(
            &t.patch(&path, tok, json!({"status": "resolved"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("status"),
        );
        assert_eq!(
            ok(t.get(&path, tok).await, StatusCode::OK)["status"],
            json!("rejected")
        );
    })
    .await;
}

#[tokio::test]
async fn comments_and_correspondence() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let i = incident(&t, tok, json!({"title": "連絡"})).await;
        let r = ok(t.post("/api/v1/reports", tok, json!({"subject": "報告"})).await, StatusCode::CREATED);
        for base in [format!("/api/v1/incidents/{}", s(&i["ref"])), format!("/api/v1/reports/{}", s(&r["ref"]))] {
            let entries = format!("{base}/entries");
            let c = ok(t.post(&entries, tok, json!({"body": "内部メモ"})).await, StatusCode::CREATED);
            assert_eq!((c["kind"].clone(), c["direction"].clone()), (json!("comment"), Value::Null));
            // Entries list oldest first; ids within one instant are not ordered.
            t.clock.advance(jiff::SignedDuration::from_secs(1));
            let out = json!({"kind": "correspondence", "direction": "out", "to": ["abuse@isp.example"], "subject": "ご連絡", "body": "遮断をお願いします"});
            let m = ok(t.post(&entries, tok, out).await, StatusCode::CREATED);
            assert_eq!((m["direction"].clone(), m["to"].clone()), (json!("out"), json!(["abuse@isp.example"])));
            problem(&t.post(&entries, tok, json!({"kind": "correspondence", "body": "x"})).await, StatusCode::UNPROCESSABLE_ENTITY, Some("direction"));
            problem(&t.post(&entries, tok, json!({"kind": "gossip", "body": "x"})).await, StatusCode::UNPROCESSABLE_ENTITY, Some("kind"));
            problem(&t.post(&entries, tok, json!({"body": " "})).await, StatusCode::UNPROCESSABLE_ENTITY, Some("body"));
            let list = ok(t.get(&entries, tok).await, StatusCode::OK);
            assert_eq!(list.as_array().map(|a| a.iter().map(|e| e["id"].clone()).collect::<Vec<_>>()), Some(vec![c["id"].clone(), m["id"].clone()]));
        }
    })
    .await;
}

#[tokio::test]
async fn attachments_upload_and_download_with_their_digest() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let i = incident(&t, tok, json!({"title": "証拠"})).await;
        let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        let up = Request::builder()
            .method(Method::POST)
            .uri(format!(
                "/api/v1/incidents/{}/attachments?name=x.bin",
                s(&i["id"])
            ))
            .header(header::AUTHORIZATION, format!("Bearer {tok}"))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(bytes.clone()))
            .expect("request");
        let a = ok(t.raw(up).await, StatusCode::CREATED);
        let digest = hex::encode(Sha256::digest(&bytes));
        assert_eq!(
            (a["name"].clone(), a["sha256"].clone(), a["size"].clone()),
            (json!("x.bin"), json!(digest), json!(100_000))
        );
        let list = ok(
            t.get(
                &format!("/api/v1/incidents/{}/attachments", s(&i["ref"])),
                tok,
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(list[0]["id"], a["id"]);

        let (st, body, h) = t
            .get_bytes(&format!("/api/v1/attachments/{}", s(&a["id"])), tok)
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(hex::encode(Sha256::digest(&body)), digest);
        assert_eq!(body, bytes);
        assert_eq!(
            hikeshi_testkit::content_type(&h),
            "application/octet-stream"
        );
        let disp = h
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            disp.starts_with("attachment;") && disp.contains("x.bin"),
            "{disp}"
        );
        problem(
            &t.get(&format!("/api/v1/attachments/{}", uuid::Uuid::nil()), tok)
                .await,
            StatusCode::NOT_FOUND,
            None,
        );
    })
    .await;
}

/// Walks a state machine through PATCHes: (new status, expected HTTP status).
async fn walk(t: &hikeshi_testkit::TestApp, path: &str, steps: &[(&str, StatusCode)]) {
    let tok = t.admin_token();
    for (to, want) in steps {
        let r = t.patch(path, tok, json!({"status": to})).await;
        if *want == StatusCode::OK {
            assert_eq!(
                (r.0, r.1["status"].clone()),
                (StatusCode::OK, json!(to)),
                "to {to}: {}",
                r.1
            );
        } else {
            problem(&r, *want, Some("status"));
        }
    }
}

#[tokio::test]
async fn investigations_and_countermeasures_follow_their_state_machines() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let i = incident(&t, tok, json!({"title": "対策"})).await;
        let base = format!("/api/v1/incidents/{}", s(&i["id"]));
        let v = ok(
            t.post(
                &format!("{base}/investigations"),
                tok,
                json!({"title": "ISP への照会", "correspondents": ["abuse@isp.example"]}),
            )
            .await,
            StatusCode::CREATED,
        );
        assert_eq!(v["status"], json!("open"));
        let vp = format!("/api/v1/investigations/{}", s(&v["id"]));
        let bad = StatusCode::UNPROCESSABLE_ENTITY;
        walk(
            &t,
            &vp,
            &[
                ("waiting", StatusCode::OK),
                ("open", StatusCode::OK),
                ("resolved", StatusCode::OK),
                ("waiting", bad),
                ("open", StatusCode::OK),
                ("abandoned", StatusCode::OK),
            ],
        )
        .await;
        problem(
            &t.patch(&vp, tok, json!({"version": 1, "title": "stale"}))
                .await,
            StatusCode::CONFLICT,
            Some("version"),
        );
        let vs = ok(
            t.get(&format!("{base}/investigations"), tok).await,
            StatusCode::OK,
        );
        assert_eq!(vs[0]["status"], json!("abandoned"));

        let c = ok(
            t.post(
                &format!("{base}/countermeasures"),
                tok,
                json!({"kind": "block", "what": "203.0.113.5", "where": "境界 FW"}),
            )
            .await,
            StatusCode::CREATED,
        );
        assert_eq!(
            (c["status"].clone(), c["where"].clone()),
            (json!("pending-activation"), json!("境界 FW"))
        );
        let cp = format!("/api/v1/countermeasures/{}", s(&c["id"]));
        walk(
            &t,
            &cp,
            &[
                ("active", StatusCode::OK),
                ("pending-activation", bad),
                ("pending-removal", StatusCode::OK),
                ("removed", StatusCode::OK),
                ("pending-removal", bad),
                ("active", StatusCode::OK),
            ],
        )
        .await;
        problem(
            &t.post(
                &format!("{base}/countermeasures"),
                tok,
                json!({"kind": "nuke", "what": "x"}),
            )
            .await,
            bad,
            Some("kind"),
        );
        let cs = ok(
            t.get(&format!("{base}/countermeasures"), tok).await,
            StatusCode::OK,
        );
        assert_eq!(
            (cs[0]["status"].clone(), cs[0]["version"].clone()),
            (json!("active"), json!(5))
        );
    })
    .await;
}
