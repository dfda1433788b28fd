//! Notifications: in-app on assignment (list, mark read), webhooks managed through the API,
//! and real delivery by HTTP POST to a receiver on 127.0.0.1 — with retries on failure and
//! the hard rule that text of TLP:AMBER, AMBER+STRICT and RED records never leaves.

use super::*;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use hikeshi_core::model::Role;
use hikeshi_notify::http::HttpPoster;
use hikeshi_testkit::for_each_backend;
use jiff::SignedDuration;
use std::sync::{Arc, Mutex};

/// What the receiver got: (hook name, content type, body).
pub(super) type Got = Arc<Mutex<Vec<(String, String, String)>>>;

/// A real HTTP server on 127.0.0.1 that records each POST; `/hook/fail` answers 500.
pub(super) async fn receiver() -> (String, Got) {
    let got: Got = Arc::default();
    async fn hook(
        State(got): State<Got>,
        Path(name): Path<String>,
        headers: HeaderMap,
        body: String,
    ) -> StatusCode {
        let ct = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let fail = name == "fail";
        got.lock().expect("lock").push((name, ct, body));
        if fail {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        }
    }
    let app = axum::Router::new()
        .route("/hook/{name}", axum::routing::post(hook))
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), got)
}

#[tokio::test]
async fn assignment_reaches_the_owner_in_app_and_webhooks_without_protected_text() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        t.with_constituency("c").await;
        t.with_constituency("d").await;
        let lead = t.with_user("rei", Role::Lead, &["c"]).await;
        let u = t.with_user("hiro", Role::Handler, &["c"]).await;
        let (base, got) = receiver().await;

        // Webhook settings: one per format for constituency c, a failing one, one for d.
        for f in ["json", "slack", "mattermost", "teams"] {
            ok(
                t.post("/api/v1/webhooks", &lead, json!({"name": f, "url": format!("{base}/hook/{f}"), "format": f, "constituency": "c", "events": ["assignment"]}))
                    .await,
                StatusCode::CREATED,
            );
        }
        let failing = ok(
            t.post("/api/v1/webhooks", tok, json!({"name": "down", "url": format!("{base}/hook/fail"), "constituency": "c"})).await,
            StatusCode::CREATED,
        );
        ok(
            t.post("/api/v1/webhooks", tok, json!({"name": "other", "url": format!("{base}/hook/other"), "constituency": "d"})).await,
            StatusCode::CREATED,
        );
        problem(
            &t.post("/api/v1/webhooks", &lead, json!({"name": "x", "url": "ftp://x", "constituency": "c"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("url"),
        );
        problem(
            &t.post("/api/v1/webhooks", &lead, json!({"name": "x", "url": format!("{base}/x"), "events": ["nope"], "constituency": "c"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("events"),
        );
        problem(
            &t.post("/api/v1/webhooks", &lead, json!({"name": "x", "url": format!("{base}/x"), "format": "irc", "constituency": "c"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("format"),
        );
        problem(
            &t.post("/api/v1/webhooks", &lead, json!({"name": "x", "url": format!("{base}/x"), "constituency": "d"})).await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.post("/api/v1/webhooks", &u, json!({"name": "x", "url": format!("{base}/x"), "constituency": "c"})).await,
            StatusCode::FORBIDDEN,
            None,
        );
        assert_eq!(ok(t.get("/api/v1/webhooks", &lead).await, StatusCode::OK).as_array().map(Vec::len), Some(5));

        // Four incidents assigned to hiro: GREEN (text may leave) and the three restricted TLPs.
        let tlps = ["green", "amber", "amber+strict", "red"];
        let mut refs = Vec::new();
        for tlp in tlps {
            let i = incident(
                &t,
                &lead,
                json!({"title": format!("SECRET-{tlp} 標的型メール"), "description": "DESCRIPTION-社外秘",
                    "tlp": tlp, "constituency": "c", "owner": "hiro", "named_users": ["hiro"]}),
            )
            .await;
            refs.push(s(&i["ref"]));
        }
        // Taking one's own incident tells nobody.
        incident(&t, &u, json!({"title": "mine", "constituency": "c", "owner": "me"})).await;

        let mine = ok(t.get("/api/v1/notifications?unread=true", &u).await, StatusCode::OK);
        let list = mine.as_array().expect("list");
        assert_eq!(list.len(), 4);
        for n in list {
            assert_eq!(n["event"], json!("assignment"));
            let text = s(&n["text"]);
            let green = n["ref"] == json!(refs[0]);
            assert_eq!(text.contains("SECRET"), green, "{text}");
            assert!(!text.contains("DESCRIPTION"));
        }
        problem(&t.get("/api/v1/notifications?unread=maybe", &u).await, StatusCode::BAD_REQUEST, Some("unread"));
        problem(&t.get("/api/v1/notifications?colour=red", &u).await, StatusCode::BAD_REQUEST, Some("colour"));
        let marked = ok(t.post("/api/v1/notifications/read", &u, json!({"ids": [list[0]["id"].clone()]})).await, StatusCode::OK);
        assert_eq!(marked["marked"], json!(1));
        assert_eq!(ok(t.get("/api/v1/notifications?unread=true", &u).await, StatusCode::OK).as_array().map(Vec::len), Some(3));
        assert_eq!(ok(t.post("/api/v1/notifications/read", &u, json!({})).await, StatusCode::OK)["marked"], json!(3));
        assert!(ok(t.get("/api/v1/notifications", &lead).await, StatusCode::OK).as_array().expect("l").is_empty());

        // Delivery: real POSTs to the receiver.
        let poster = HttpPoster::default();
        let run = t.app.deliver_webhooks(&poster, 100).await.expect("deliver");
        assert_eq!((run.sent, run.retrying, run.failed), (16, 4, 0));
        let bodies = got.lock().expect("lock").clone();
        assert_eq!(bodies.len(), 20);
        assert!(bodies.iter().all(|(n, _, _)| n != "other"));
        for (name, ct, body) in &bodies {
            assert_eq!(ct, "application/json");
            let v: Value = serde_json::from_str(body).expect("JSON body");
            assert!(v.is_object());
            assert!(!body.contains("DESCRIPTION") && !body.contains("社外秘"), "{name}: {body}");
            let which = refs.iter().position(|r| body.contains(r.as_str())).expect("a reference");
            assert!(body.contains(&format!("/incidents/{}", refs[which])), "link: {body}");
            assert_eq!(body.contains("SECRET") || body.contains("標的型"), which == 0, "{name} {}: {body}", tlps[which]);
        }
        // Nothing more is due; the failed ones come back after the backoff, not before.
        let again = t.app.deliver_webhooks(&poster, 100).await.expect("deliver");
        assert_eq!((again.sent, again.retrying), (0, 0));
        t.clock.advance(SignedDuration::from_secs(61));
        let retry = t.app.deliver_webhooks(&poster, 100).await.expect("deliver");
        assert_eq!((retry.sent, retry.retrying), (0, 4));
        let d = ok(
            t.get(&format!("/api/v1/webhooks/{}/deliveries", s(&failing["id"])), tok).await,
            StatusCode::OK,
        );
        assert_eq!(d[0]["attempts"], json!(2));
        assert_eq!(d[0]["last_error"], json!("HTTP 500"));
        assert_eq!(d[0]["status"], json!("pending"));
        // Switched off: no more messages queued for it.
        ok(t.patch(&format!("/api/v1/webhooks/{}", s(&failing["id"])), tok, json!({"active": false, "version": 1})).await, StatusCode::OK);

        // The function the SLA and deadline clocks call: a breach, to the owner and the hooks
        // that take every event (the failing one is off now).
        let rei = t.actor("rei").await;
        let red = t.app.get_incident(&rei, &refs[3]).await.expect("red incident");
        let owner = red.owner.expect("owner");
        t.app.notify("sla.breach", &red, &[owner], "resolution SLA breached").await.expect("notify");
        let breach = ok(t.get("/api/v1/notifications?unread=true", &u).await, StatusCode::OK);
        assert_eq!(breach[0]["event"], json!("sla.breach"));
        assert!(!s(&breach[0]["text"]).contains("SECRET"));
    })
    .await;
}
