//! `POST /api/v1/alerts`: deduplication by (source, key) within a window, scopes, input
//! errors, and concurrent posts of one key.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_core::app::{AlertPolicy, NewAlert};
use hikeshi_core::model::Role;
use hikeshi_testkit::for_each_backend;
use jiff::SignedDuration;
use tower::ServiceExt;

fn alert(key: &str) -> Value {
    json!({
        "source": "suricata-dc1",
        "title": "ET SCAN Nmap from 198.51.100.7",
        "severity": "medium",
        "description": "Port scan against the web tier",
        "observables": [{"type": "ipv4", "value": "198.51.100.7"}, {"type": "domain", "value": "Scanner.Example.COM"}],
        "occurred_at": "2026-04-01T00:00:00Z",
        "dedup_key": key,
    })
}

#[tokio::test]
async fn same_key_within_the_window_counts_on_one_report() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let first = ok(
            t.post("/api/v1/alerts", tok, alert("scan-1")).await,
            StatusCode::CREATED,
        );
        assert_eq!(first["created"], json!(true));
        assert_eq!(first["series"]["count"], json!(1));
        t.clock.advance(SignedDuration::from_hours(5));
        let again = ok(
            t.post("/api/v1/alerts", tok, alert("scan-1")).await,
            StatusCode::OK,
        );
        assert_eq!(again["ref"], first["ref"]);
        assert_eq!(again["created"], json!(false));
        assert_eq!(again["series"]["count"], json!(2));
        assert_ne!(again["series"]["last_seen"], again["series"]["first_seen"]);
        // Another key, or the same key from another source: another report.
        let other = ok(
            t.post("/api/v1/alerts", tok, alert("scan-2")).await,
            StatusCode::CREATED,
        );
        assert_ne!(other["ref"], first["ref"]);
        let mut b = alert("scan-1");
        b["source"] = json!("zeek");
        let z = ok(t.post("/api/v1/alerts", tok, b).await, StatusCode::CREATED);
        assert_ne!(z["ref"], first["ref"]);
        // The window (24 h by default) runs from the first alert of the series.
        t.clock.advance(SignedDuration::from_hours(19) + SignedDuration::from_secs(1));
        let later = ok(
            t.post("/api/v1/alerts", tok, alert("scan-1")).await,
            StatusCode::CREATED,
        );
        assert_ne!(later["ref"], first["ref"]);
        assert_eq!(later["series"]["count"], json!(1));
        let next = ok(
            t.post("/api/v1/alerts", tok, alert("scan-1")).await,
            StatusCode::OK,
        );
        assert_eq!(next["ref"], later["ref"]);
        assert_eq!(t.count("reports").await, 4);
        // The report shows its series, its typed observables, and text extraction finds them.
        let r = ok(
            t.get(&format!("/api/v1/reports/{}", s(&first["ref"])), tok)
                .await,
            StatusCode::OK,
        );
        assert_eq!(r["alert"]["count"], json!(2));
        assert_eq!(r["structured"]["format"], json!("alert"));
        assert_eq!(
            r["structured"]["observables"],
            json!([{"type": "ipv4", "value": "198.51.100.7"}, {"type": "domain", "value": "scanner.example.com"}])
        );
        assert_eq!(r["reporter_type"], json!("automated"));
        assert!(s(&r["content"]).contains("198.51.100.7"));
        let h = ok(
            t.get(&format!("/api/v1/reports/{}/history", s(&first["ref"])), tok)
                .await,
            StatusCode::OK,
        );
        let actions: Vec<String> = h
            .as_array()
            .expect("history")
            .iter()
            .map(|e| s(&e["action"]))
            .collect();
        assert_eq!(actions, vec!["report.create", "alert.repeat"]);
    })
    .await;
}

#[tokio::test]
async fn windows_are_per_source() {
    for_each_backend(|t| async move {
        let admin = t.admin_actor().await;
        let mut policy = AlertPolicy::default();
        policy
            .per_source
            .insert("noisy".into(), SignedDuration::from_mins(10));
        let input = |source: &str| NewAlert {
            source: source.into(),
            title: "t".into(),
            dedup_key: Some("k".into()),
            ..Default::default()
        };
        let a = t.app.ingest_alert(&admin, input("noisy"), &policy).await;
        let b = t.app.ingest_alert(&admin, input("quiet"), &policy).await;
        t.clock.advance(SignedDuration::from_mins(11));
        let a2 = t.app.ingest_alert(&admin, input("noisy"), &policy).await;
        let b2 = t.app.ingest_alert(&admin, input("quiet"), &policy).await;
        let (a, b, a2, b2) = (
            a.expect("a"),
            b.expect("b"),
            a2.expect("a2"),
            b2.expect("b2"),
        );
        assert!(a2.created, "the noisy source's 10-minute window closed");
        assert_ne!(a2.reference, a.reference);
        assert!(!b2.created, "the default 24 h window is still open");
        assert_eq!((b2.reference, b2.series.count), (b.reference, 2));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_posts_of_one_key_make_one_report() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..24 {
            let router = t.router.clone();
            let tok = tok.clone();
            set.spawn(async move {
                let req = Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/alerts")
                    .header(header::AUTHORIZATION, format!("Bearer {tok}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(alert("flood").to_string()))
                    .expect("request");
                router.oneshot(req).await.expect("infallible").status()
            });
        }
        let mut created = 0;
        while let Some(st) = set.join_next().await {
            let st = st.expect("task");
            assert!(st == StatusCode::CREATED || st == StatusCode::OK, "{st}");
            created += usize::from(st == StatusCode::CREATED);
        }
        assert_eq!(created, 1, "exactly one post opened the report");
        assert_eq!(t.count("reports").await, 1);
        assert_eq!(t.count("alert_series").await, 1);
        let page = ok(t.get("/api/v1/reports", &tok).await, StatusCode::OK);
        assert_eq!(page["items"][0]["alert"]["count"], json!(24));
    })
    .await;
}

#[tokio::test]
async fn scopes_and_bad_input() {
    for_each_backend(|t| async move {
        t.with_constituency("dc").await;
        t.with_user("siem", Role::Handler, &["dc"]).await;
        let alerts_only = t.token_for("siem", &["alerts:write"]).await;
        let read_only = t.token_for("siem", &["read"]).await;
        let tok = t.admin_token();
        let landed = ok(
            t.post("/api/v1/alerts", &alerts_only, alert("a")).await,
            StatusCode::CREATED,
        );
        // A constituency member's alert lands in their constituency.
        let r = ok(
            t.get(&format!("/api/v1/reports/{}", s(&landed["ref"])), tok)
                .await,
            StatusCode::OK,
        );
        assert!(r["constituency"].is_string(), "{r}");
        // An alerts-only token posts alerts and nothing else.
        problem(
            &t.get("/api/v1/reports", &alerts_only).await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.post("/api/v1/reports", &alerts_only, json!({"subject": "x"}))
                .await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.post("/api/v1/alerts", &read_only, alert("a")).await,
            StatusCode::FORBIDDEN,
            None,
        );
        let mut bad = alert("b");
        bad["observables"] = json!([{"type": "ipv4", "value": "not-an-ip"}]);
        problem(
            &t.post("/api/v1/alerts", tok, bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("observables[0].value"),
        );
        let mut bad = alert("b");
        bad["observables"] = json!([{"type": "port", "value": "80"}]);
        problem(
            &t.post("/api/v1/alerts", tok, bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("observables[0].type"),
        );
        let mut bad = alert("b");
        bad["title"] = json!(" ");
        problem(
            &t.post("/api/v1/alerts", tok, bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("title"),
        );
        let mut bad = alert("b");
        bad["severity"] = json!("apocalyptic");
        let r = t.post("/api/v1/alerts", tok, bad).await;
        assert!(r.0.is_client_error(), "{:?}", r.1);
        let mut bad = alert("b");
        bad["colour"] = json!("red");
        let r = t.post("/api/v1/alerts", tok, bad).await;
        assert!(r.0.is_client_error(), "{:?}", r.1);
        assert_eq!(t.count("reports").await, 1, "bad input never writes");
        // Without a key, the title and observables make one.
        let mut k = alert("x");
        k.as_object_mut().expect("object").remove("dedup_key");
        let one = ok(
            t.post("/api/v1/alerts", tok, k.clone()).await,
            StatusCode::CREATED,
        );
        let two = ok(t.post("/api/v1/alerts", tok, k).await, StatusCode::OK);
        assert_eq!(one["ref"], two["ref"]);
    })
    .await;
}
