//! Delivery of notification requests (SLA warnings and breaches, triage `notify`) through
//! every channel: in-app, webhooks (a real HTTP receiver on 127.0.0.1) and mail (the real
//! SMTP sink of `scripts/test.sh`), each request exactly once — also when two couriers race.
//! Time moves by the test's `FixedClock`; nothing sleeps.

use super::notify::receiver;
use super::*;
use axum::http::Method;
use hikeshi_core::app::{Fanout, NewUser};
use hikeshi_core::model::Role;
use hikeshi_core::outbound::OutboundSettings;
use hikeshi_notify::http::HttpPoster;
use hikeshi_testkit::mail::smtp_sink;
use hikeshi_testkit::{TestApp, for_each_backend};
use jiff::SignedDuration;

const SECRETS: &[&str] = &["SECRET", "標的型", "DESCRIPTION", "社外秘"];

fn leaks(text: &str) -> bool {
    SECRETS.iter().any(|s| text.contains(s))
}

/// A lead of `c` with an e-mail address (per backend, so runs sharing the sink stay apart).
async fn lead_with_mail(t: &TestApp, name: &str, test: &str) -> (String, String) {
    let addr = format!("{name}.{test}.{:?}@example.jp", t.backend).to_ascii_lowercase();
    t.app
        .create_user(
            &t.admin_actor().await,
            NewUser {
                username: name.into(),
                role: Some(Role::Lead),
                constituencies: vec!["c".into()],
                email: Some(addr.clone()),
                password: Some(format!("password-{name}")),
                ..Default::default()
            },
        )
        .await
        .expect("create lead");
    (t.token_for(name, &["read", "write"]).await, addr)
}

/// 24×7, resolution within 60 minutes at every priority (warning at 80 %: 48 minutes).
async fn hour_sla(t: &TestApp, tok: &str) {
    let targets: Vec<Value> = (1..=5)
        .map(|p| json!({"priority": p, "resolution_minutes": 60}))
        .collect();
    ok(
        t.call(
            Method::PUT,
            "/api/v1/sla/config",
            Some(tok),
            Some(json!({"config": {"policies": [{"calendar": "24x7", "targets": targets}]}})),
        )
        .await,
        StatusCode::OK,
    );
}

#[tokio::test]
async fn sla_breach_reaches_the_lead_in_app_by_webhook_and_mail_once_without_amber_text() {
    const TEST: &str = "sla_breach_delivery";
    let sink = smtp_sink(TEST);
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(OutboundSettings {
                from: "cert@team.example".into(),
                ..Default::default()
            });
            t.app.set_public_url("https://hikeshi.test/");
            let tok = t.admin_token().to_string();
            t.with_constituency("c").await;
            let (lead, addr) = lead_with_mail(&t, "rei", TEST).await;
            hour_sla(&t, &tok).await;
            let (base, got) = receiver().await;
            for f in ["slack", "teams"] {
                ok(
                    t.post(
                        "/api/v1/webhooks",
                        &tok,
                        json!({"name": f, "url": format!("{base}/hook/{f}"),
                        "format": f, "constituency": "c", "events": ["sla.breach"]}),
                    )
                    .await,
                    StatusCode::CREATED,
                );
            }
            let i = incident(
                &t,
                &tok,
                json!({"title": "SECRET-amber 標的型メール", "description": "DESCRIPTION-社外秘",
                    "tlp": "amber", "constituency": "c"}),
            )
            .await;
            let reference = s(&i["ref"]);

            // Nothing is due yet; an hour and a minute later both the warning and the breach are.
            assert_eq!(
                t.app
                    .deliver_requests(100)
                    .await
                    .expect("deliver")
                    .delivered,
                0
            );
            t.clock.advance(SignedDuration::from_mins(61));
            let sweep = ok(
                t.call(Method::POST, "/api/v1/sla/sweep", Some(&tok), None)
                    .await,
                StatusCode::OK,
            );
            assert_eq!(sweep["recorded"], json!(2));
            let run = t.app.deliver_requests(100).await.expect("deliver");
            assert_eq!(
                (
                    run.delivered,
                    run.skipped,
                    run.in_app,
                    run.webhooks,
                    run.mails
                ),
                (2, 0, 2, 2, 2),
                "{run:?}"
            );

            // Twice delivers nothing more; neither does a claim on a delivered request.
            let counts = || async {
                (
                    t.count("notifications").await,
                    t.count("webhook_outbox").await,
                    t.count("outbound_mail").await,
                    t.count("jobs").await,
                )
            };
            let before = counts().await;
            let again = t.app.deliver_requests(100).await.expect("deliver");
            assert_eq!((again.delivered, again.skipped), (0, 0));
            ok(
                t.call(Method::POST, "/api/v1/sla/sweep", Some(&tok), None)
                    .await,
                StatusCode::OK,
            );
            assert_eq!(
                t.app
                    .deliver_requests(100)
                    .await
                    .expect("deliver")
                    .delivered,
                0
            );
            let reqs = ok(
                t.get("/api/v1/notification-requests", &tok).await,
                StatusCode::OK,
            );
            let reqs = reqs.as_array().expect("requests");
            assert_eq!(reqs.len(), 2);
            for r in reqs {
                assert_eq!(r["status"], json!("delivered"));
                let claimed = t
                    .app
                    .store
                    .write_fanout(Some(&s(&r["id"])), &Fanout::default())
                    .await
                    .expect("claim");
                assert!(!claimed, "a delivered request is not claimed again");
            }
            assert_eq!(counts().await, before);

            // In-app: the lead (escalation target) hears of both, without the protected text.
            let mine = ok(
                t.get("/api/v1/notifications?unread=true", &lead).await,
                StatusCode::OK,
            );
            let mut events: Vec<String> = mine
                .as_array()
                .expect("list")
                .iter()
                .map(|n| {
                    assert_eq!(n["ref"], json!(reference));
                    assert!(!leaks(&s(&n["text"])), "{n}");
                    s(&n["event"])
                })
                .collect();
            events.sort();
            assert_eq!(events, vec!["sla.breach", "sla.warning"]);

            // Webhooks: one Slack and one Teams message, a link and no protected text.
            let sent = t
                .app
                .deliver_webhooks(&HttpPoster::default(), 100)
                .await
                .expect("post");
            assert_eq!((sent.sent, sent.retrying, sent.failed), (2, 0, 0));
            let bodies = got.lock().expect("lock").clone();
            assert_eq!(bodies.len(), 2);
            for (name, _, body) in &bodies {
                assert!(!leaks(body), "{name}: {body}");
                let v: Value = serde_json::from_str(body).expect("JSON");
                let link = format!("https://hikeshi.test/incidents/{reference}");
                assert!(body.contains(&link), "{name}: {body}");
                match name.as_str() {
                    "slack" => assert_eq!(v["blocks"][0]["text"]["type"], json!("mrkdwn")),
                    "teams" => {
                        assert_eq!(v["type"], json!("message"));
                        assert_eq!(
                            v["attachments"][0]["contentType"],
                            json!("application/vnd.microsoft.card.adaptive")
                        );
                    }
                    other => panic!("unexpected hook {other}"),
                }
            }

            // Mail: through the job queue and the real SMTP sink.
            let Some(sink) = sink else { return };
            let stats = sink.runner(&t).run_pending().await.expect("jobs");
            assert_eq!(stats.done, 2, "{stats:?}");
            let mails = sink.received_for(&addr);
            assert_eq!(mails.len(), 2);
            let mut subjects = Vec::new();
            for m in &mails {
                let raw = String::from_utf8_lossy(&m.raw);
                let all = format!("{raw}\n{}\n{}", m.parsed.subject, m.parsed.text);
                assert!(!leaks(&all), "{all}");
                assert!(
                    m.parsed.subject.starts_with("[TLP:AMBER] "),
                    "{}",
                    m.parsed.subject
                );
                assert!(m.parsed.subject.contains(&reference));
                assert!(
                    m.parsed
                        .text
                        .contains(&format!("https://hikeshi.test/incidents/{reference}"))
                );
                assert_eq!(m.mail_from, "cert@team.example");
                subjects.push(m.parsed.subject.clone());
            }
            subjects.sort();
            assert!(
                subjects[0].contains("SLA breach approaching")
                    || subjects[1].contains("SLA breach approaching")
            );
            assert!(
                subjects.iter().any(|s| s.contains("SLA breached")),
                "{subjects:?}"
            );
            // Running the queue again sends nothing more.
            assert_eq!(sink.runner(&t).run_pending().await.expect("jobs").done, 0);
            assert_eq!(sink.received_for(&addr).len(), 2);
        }
    })
    .await;
}

#[tokio::test]
async fn two_couriers_deliver_each_request_once() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        t.with_constituency("c").await;
        let (lead, _) = lead_with_mail(&t, "rei", "two_couriers").await;
        hour_sla(&t, &tok).await;
        for n in 0..6 {
            incident(
                &t,
                &tok,
                json!({"title": format!("open {n}"), "tlp": "green", "constituency": "c"}),
            )
            .await;
        }
        t.clock.advance(SignedDuration::from_mins(61));
        let sweep = ok(
            t.call(Method::POST, "/api/v1/sla/sweep", Some(&tok), None)
                .await,
            StatusCode::OK,
        );
        assert_eq!(sweep["recorded"], json!(12));
        // Two nodes: two couriers over the same database at once.
        let other = t.app.clone();
        let (a, b) = tokio::join!(t.app.deliver_requests(100), other.deliver_requests(100));
        let (a, b) = (a.expect("a"), b.expect("b"));
        assert_eq!(a.delivered + b.delivered, 12, "{a:?} {b:?}");
        assert_eq!(a.in_app + b.in_app, 12);
        assert_eq!(t.count("notifications").await, 12);
        assert_eq!(t.count("outbound_mail").await, 12);
        // GREEN: the title may leave, so the in-app text carries it.
        let mine = ok(t.get("/api/v1/notifications", &lead).await, StatusCode::OK);
        assert!(
            mine.as_array()
                .expect("l")
                .iter()
                .all(|n| s(&n["text"]).contains("open "))
        );
    })
    .await;
}

#[tokio::test]
async fn a_triage_notify_rule_tells_the_named_user_about_a_report() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        t.with_constituency("c").await;
        let (lead, _) = lead_with_mail(&t, "rei", "triage_notify").await;
        let (base, got) = receiver().await;
        ok(
            t.post(
                "/api/v1/webhooks",
                &tok,
                json!({"name": "all", "url": format!("{base}/hook/json"),
                "constituency": "c", "events": ["triage.notify"]}),
            )
            .await,
            StatusCode::CREATED,
        );
        ok(
            t.call(
                Method::PUT,
                "/api/v1/triage/rules",
                Some(&tok),
                Some(
                    json!({"rules": [{"id": "phish", "when": {"keywords_any": ["phish"]},
                    "then": {"notify": ["rei"]}}]}),
                ),
            )
            .await,
            StatusCode::OK,
        );
        let r = ok(
            t.post(
                "/api/v1/reports",
                &tok,
                json!({"subject": "phish SECRET-red", "content": "DESCRIPTION",
                "constituency": "c", "tlp": "red", "named_users": ["rei"]}),
            )
            .await,
            StatusCode::CREATED,
        );
        let run = t.app.deliver_requests(100).await.expect("deliver");
        assert_eq!(
            (run.delivered, run.in_app, run.webhooks),
            (1, 1, 1),
            "{run:?}"
        );
        let mine = ok(t.get("/api/v1/notifications", &lead).await, StatusCode::OK);
        assert_eq!(mine[0]["event"], json!("triage.notify"));
        assert_eq!(mine[0]["ref"], r["ref"]);
        assert_eq!(mine[0]["link"], json!(format!("/reports/{}", s(&r["ref"]))));
        assert!(!leaks(&s(&mine[0]["text"])));
        t.app
            .deliver_webhooks(&HttpPoster::default(), 10)
            .await
            .expect("post");
        let bodies = got.lock().expect("lock").clone();
        assert_eq!(bodies.len(), 1);
        assert!(!leaks(&bodies[0].2), "{}", bodies[0].2);
        assert!(bodies[0].2.contains(&s(&r["ref"])));
    })
    .await;
}

#[tokio::test]
async fn due_legal_deadlines_reach_who_attached_them_and_deadline_hooks() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        t.with_constituency("c").await;
        let (lead, _) = lead_with_mail(&t, "rei", "deadline_delivery").await;
        let (base, got) = receiver().await;
        ok(
            t.post("/api/v1/webhooks", &tok, json!({"name": "legal", "url": format!("{base}/hook/json"),
                "constituency": "c", "events": ["deadline.due"]}))
                .await,
            StatusCode::CREATED,
        );
        let i = incident(
            &t,
            &lead,
            json!({"title": "SECRET 個人データ漏えい", "description": "DESCRIPTION", "tlp": "amber", "constituency": "c"}),
        )
        .await;
        let ds = ok(
            t.post(&format!("/api/v1/incidents/{}/deadlines", s(&i["id"])), &lead, json!({"preset": "jp-appi"}))
                .await,
            StatusCode::CREATED,
        );
        // Stages due "without delay" have no computable due time, hence no events.
        let n = ds.as_array().expect("deadlines").iter().filter(|d| d["due_at"].is_string()).count();
        assert!(n >= 1, "{ds}");
        t.clock.advance(SignedDuration::from_hours(24 * 100));
        ok(t.call(Method::POST, "/api/v1/sla/sweep", Some(&tok), None).await, StatusCode::OK);
        let run = t.app.deliver_requests(1000).await.expect("deliver");
        assert_eq!(run.skipped, 0);
        let mine = ok(t.get("/api/v1/notifications", &lead).await, StatusCode::OK);
        let deadline_events: Vec<String> = mine
            .as_array()
            .expect("list")
            .iter()
            .filter(|n| s(&n["event"]).starts_with("deadline."))
            .map(|n| {
                assert!(!leaks(&s(&n["text"])), "{n}");
                s(&n["event"])
            })
            .collect();
        assert_eq!(deadline_events.iter().filter(|e| *e == "deadline.breach").count(), n, "{deadline_events:?}");
        assert_eq!(deadline_events.iter().filter(|e| *e == "deadline.warning").count(), n);
        // The hook on `deadline.due` takes both deadline events and nothing else.
        t.app.deliver_webhooks(&HttpPoster::default(), 100).await.expect("post");
        let bodies = got.lock().expect("lock").clone();
        assert_eq!(bodies.len(), 2 * n);
        for (_, _, b) in &bodies {
            let v: Value = serde_json::from_str(b).expect("JSON");
            assert!(s(&v["event"]).starts_with("deadline."), "{b}");
            assert!(!leaks(b), "{b}");
        }
    })
    .await;
}
