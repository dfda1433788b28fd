//! Triage rules (versions, dry run, applied on API and mail intake), SLA clocks (shown on
//! reads, swept into warning and breach requests once), deadline clocks and presets. The
//! clock is the test's `FixedClock`: nothing sleeps.

use super::*;
use axum::http::Method;
use hikeshi_core::model::Role;
use hikeshi_testkit::for_each_backend;
use jiff::SignedDuration;

async fn put(t: &TestApp, path: &str, tok: &str, body: Value) -> Reply {
    t.call(Method::PUT, path, Some(tok), Some(body)).await
}

fn rules() -> Value {
    json!({
        "watchlists": {"brands": ["example-bank.jp"]},
        "rules": [
            {"id": "spam", "when": {"keywords_any": ["viagra", "casino"]},
             "then": {"reject": "spam"}, "stop": true},
            {"id": "phishing", "when": {"keywords_any": ["phishing", "フィッシング"]},
             "then": {"classification": "fraud/phishing", "tags": ["phishing"], "queue": "fraud"}},
            {"id": "brand", "when": {"domain_on_watchlist": "brands"},
             "then": {"impact": "high", "urgency": "high", "owner": "lead1", "notify": ["lead1"], "tlp": "red"}},
            {"id": "fraud-any", "when": {"classification": ["fraud"]}, "then": {"tags": ["fraud"], "severity": "high"}}
        ]
    })
}

#[tokio::test]
async fn rules_are_versioned_checked_and_guarded() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        t.with_constituency("acme").await;
        t.with_user("lead1", Role::Lead, &["acme"]).await;
        t.with_user("h1", Role::Handler, &["acme"]).await;
        let handler = t.token_for("h1", &["read", "write"]).await;
        let empty = ok(t.get("/api/v1/triage/rules", &tok).await, StatusCode::OK);
        assert_eq!(empty["version"], json!(0));
        let v1 = ok(
            put(&t, "/api/v1/triage/rules", &tok, rules()).await,
            StatusCode::OK,
        );
        assert_eq!(v1["version"], json!(1));
        let mut second = rules();
        second["version"] = json!(1);
        second["rules"].as_array_mut().expect("rules").pop();
        let v2 = ok(
            put(&t, "/api/v1/triage/rules", &tok, second.clone()).await,
            StatusCode::OK,
        );
        assert_eq!(v2["version"], json!(2));
        // Stale: the caller read version 1.
        problem(
            &put(&t, "/api/v1/triage/rules", &tok, second).await,
            StatusCode::CONFLICT,
            None,
        );
        let versions = ok(
            t.get("/api/v1/triage/rules/versions", &tok).await,
            StatusCode::OK,
        );
        assert_eq!(
            versions.as_array().map(Vec::len),
            Some(2),
            "old versions kept"
        );
        let old = ok(
            t.get("/api/v1/triage/rules?version=1", &tok).await,
            StatusCode::OK,
        );
        assert_eq!(old["body"]["rules"].as_array().map(Vec::len), Some(4));
        assert_eq!(
            t.count("audit_log WHERE action = 'triage.rules.save'")
                .await,
            2
        );
        // Handlers may not edit the team's criteria.
        problem(
            &put(&t, "/api/v1/triage/rules", &handler, rules()).await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.get("/api/v1/triage/rules", &handler).await,
            StatusCode::FORBIDDEN,
            None,
        );
        // Bad input names the field and writes nothing.
        for (body, field) in [
            (
                json!({"rules": [{"id": "x", "then": {"priority": 7}}]}),
                "rules[0].then.priority",
            ),
            (
                json!({"rules": [{"id": "x", "then": {"owner": "nobody"}}]}),
                "rules[0].then.owner",
            ),
            (
                json!({"rules": [{"id": "x", "when": {"channel": ["pigeon"]}}]}),
                "rules[0].when.channel[0]",
            ),
            (
                json!({"rules": [{"id": "x", "when": {"bogus": 1}}]}),
                "bogus",
            ),
            (
                json!({"rules": [{"id": "x", "then": {"deadlines": ["no-such-law"]}}]}),
                "rules[0].then.deadlines",
            ),
        ] {
            let r = put(&t, "/api/v1/triage/rules", &tok, body).await;
            assert!(r.0.is_client_error(), "{}", r.1);
            assert!(
                r.1["field"].as_str().is_some_and(|f| f.ends_with(field)),
                "names {field}: {}",
                r.1
            );
        }
        assert_eq!(t.count("triage_config").await, 2);
    })
    .await;
}

#[tokio::test]
async fn rules_apply_on_api_and_mail_intake_and_are_audited() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        t.with_constituency("acme").await;
        t.with_user("lead1", Role::Lead, &["acme"]).await;
        let i = incident(&t, &tok, json!({"title": "campaign", "constituency": "acme"})).await;
        let mut set = rules();
        set["rules"].as_array_mut().expect("rules").push(json!({
            "id": "campaign", "when": {"keywords_any": ["campaign-x"]},
            "then": {"link_incident": s(&i["ref"]), "deadlines": ["jp-appi"]}
        }));
        ok(put(&t, "/api/v1/triage/rules", &tok, set).await, StatusCode::OK);

        let spam = ok(t.post("/api/v1/reports", &tok, json!({"subject": "Cheap VIAGRA"})).await, StatusCode::CREATED);
        assert_eq!((spam["status"].clone(), spam["reject_reason"].clone()), (json!("rejected"), json!("spam")));

        let p = ok(
            t.post("/api/v1/reports", &tok, json!({"subject": "フィッシング報告",
                "content": "偽サイト hxxps://login.example-bank[.]jp/ です", "constituency": "acme"})).await,
            StatusCode::CREATED,
        );
        assert_eq!(p["tlp"], json!("red"));
        let tags: Vec<String> = p["tags"].as_array().expect("tags").iter().map(s).collect();
        assert_eq!(tags, vec!["phishing", "fraud", "queue:fraud"]);
        let tr = ok(t.get(&format!("/api/v1/reports/{}/triage", s(&p["id"])), &tok).await, StatusCode::OK);
        assert_eq!(tr["outcome"]["matched"], json!(["phishing", "brand", "fraud-any"]));
        assert_eq!((tr["outcome"]["priority"].clone(), tr["outcome"]["severity"].clone()), (json!(1), json!("high")));
        assert_eq!(tr["rules_version"], json!(1));
        // The rule's owner, and a notification request for the lead (delivered elsewhere).
        let lead = t.app.resolve_user("lead1").await.expect("lead");
        assert_eq!(p["owner"], json!(lead.id.to_string()));
        assert_eq!(t.count("notification_requests WHERE kind = 'triage.notify'").await, 1);
        // One audit entry for the create, carrying what triage did.
        let hist = ok(t.get(&format!("/api/v1/reports/{}/history", s(&p["id"])), &tok).await, StatusCode::OK);
        let created: Vec<&Value> = hist.as_array().expect("history").iter().filter(|e| e["action"] == json!("report.create")).collect();
        assert_eq!(created.len(), 1);
        assert_eq!(created[0]["after"]["triage"]["outcome"]["matched"][0], json!("phishing"));

        // Link to an open incident, with the rule's deadline clocks started at receipt.
        let c = ok(t.post("/api/v1/reports", &tok, json!({"subject": "campaign-x again", "constituency": "acme"})).await, StatusCode::CREATED);
        assert_eq!((c["status"].clone(), c["incidents"].clone()), (json!("open"), json!([i["id"].clone()])));
        let ds = ok(t.get(&format!("/api/v1/incidents/{}/deadlines", s(&i["id"])), &tok).await, StatusCode::OK);
        assert!(ds.as_array().is_some_and(|d| d.len() >= 2), "APPI 速報 and 確報: {ds}");

        // Mail intake takes the same path.
        let mail = "From: someone@example.net\r\nTo: csirt@acme.example\r\nSubject: casino bonus\r\n\r\nwin\r\n";
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/v1/reports/raw")
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", "message/rfc822")
            .body(axum::body::Body::from(mail))
            .expect("request");
        let landed = ok(t.raw(req).await, StatusCode::CREATED);
        let r = ok(t.get(&format!("/api/v1/reports/{}", s(&landed["id"])), &tok).await, StatusCode::OK);
        assert_eq!(r["status"], json!("rejected"), "spam rule applied to mail");
        assert_eq!(t.count("report_triage").await, 4);
    })
    .await;
}

#[tokio::test]
async fn dry_run_reports_matches_and_writes_nothing() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        for subject in ["phishing 1", "casino", "hello", "phishing casino"] {
            t.clock.advance(SignedDuration::from_secs(1));
            ok(t.post("/api/v1/reports", &tok, json!({"subject": subject})).await, StatusCode::CREATED);
        }
        let before = (t.count("reports").await, t.count("audit_log").await, t.count("report_triage").await);
        let posted = json!({"rules": {"rules": [
            {"id": "spam", "when": {"keywords_any": ["casino"]}, "then": {"reject": "spam"}, "stop": true},
            {"id": "ph", "when": {"keywords_any": ["phishing"]}, "then": {"priority": 2}}
        ]}, "limit": 3});
        let d = ok(t.post("/api/v1/triage/dry-run", &tok, posted).await, StatusCode::OK);
        assert_eq!((d["reports"].clone(), d["matched"].clone()), (json!(3), json!(2)));
        // Newest first: "phishing casino" stops at spam; "hello" matches nothing.
        assert_eq!(d["items"][0]["outcome"]["matched"], json!(["spam"]));
        assert_eq!(d["items"][1]["outcome"]["matched"], json!([]));
        assert_eq!(d["items"][2]["outcome"]["matched"], json!(["spam"]));
        assert_eq!(d["per_rule"], json!([["spam", 2], ["ph", 0]]));
        let cur = ok(t.post("/api/v1/triage/dry-run", &tok, json!({})).await, StatusCode::OK);
        assert_eq!((cur["rules_version"].clone(), cur["reports"].clone(), cur["matched"].clone()), (json!(0), json!(4), json!(0)));
        problem(&t.post("/api/v1/triage/dry-run", &tok, json!({"limit": 0})).await, StatusCode::UNPROCESSABLE_ENTITY, Some("limit"));
        problem(
            &t.post("/api/v1/triage/dry-run", &tok, json!({"rules": {"rules": [{"id": "a", "then": {"priority": 0}}]}})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("rules.rules[0].then.priority"),
        );
        let after = (t.count("reports").await, t.count("audit_log").await, t.count("report_triage").await);
        assert_eq!(before, after, "a dry run writes nothing");
    })
    .await;
}

#[tokio::test]
async fn sla_clocks_show_sweep_once_and_pause_while_waiting() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        t.with_constituency("acme").await;
        t.with_user("lead1", Role::Lead, &["acme"]).await;
        let lead = t.app.resolve_user("lead1").await.expect("lead");
        // Wed 2026-04-01 09:00 JST, priority 3: first response 4 business hours, warning at 80 %.
        let r = ok(
            t.post(
                "/api/v1/reports",
                &tok,
                json!({"subject": "x", "constituency": "acme"}),
            )
            .await,
            StatusCode::CREATED,
        );
        let got = ok(
            t.get(&format!("/api/v1/reports/{}", s(&r["id"])), &tok)
                .await,
            StatusCode::OK,
        );
        let fr = got["sla"]
            .as_array()
            .expect("sla")
            .iter()
            .find(|c| c["kind"] == json!("first_response"))
            .cloned()
            .expect("clock");
        assert_eq!(fr["due_at"], json!("2026-04-01T04:00:00Z"));
        assert_eq!(fr["warn_at"], json!("2026-04-01T03:12:00Z"));
        assert_eq!(fr["escalate_to"], json!(lead.id.to_string()));
        let sweep = || t.call(Method::POST, "/api/v1/sla/sweep", Some(&tok), None);
        assert_eq!(ok(sweep().await, StatusCode::OK)["recorded"], json!(0));
        t.clock.advance(SignedDuration::from_mins(200));
        let near = ok(
            t.get("/api/v1/sla/near-breach?within_minutes=0", &tok)
                .await,
            StatusCode::OK,
        );
        assert_eq!(near[0]["ref"], r["ref"]);
        assert_eq!(near[0]["sla"]["warning"], json!(true));
        assert_eq!(ok(sweep().await, StatusCode::OK)["recorded"], json!(1));
        assert_eq!(
            ok(sweep().await, StatusCode::OK)["recorded"],
            json!(0),
            "idempotent"
        );
        // 16:20 JST: past the first-response breach (13:00) and the triage warning (16:12).
        t.clock.advance(SignedDuration::from_hours(4));
        assert_eq!(
            ok(sweep().await, StatusCode::OK)["recorded"],
            json!(2),
            "first-response breach and triage warning"
        );
        let notes = ok(
            t.get("/api/v1/notification-requests", &tok).await,
            StatusCode::OK,
        );
        let kinds: Vec<String> = notes
            .as_array()
            .expect("notes")
            .iter()
            .map(|n| s(&n["kind"]))
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| *k == "sla.breach").count(),
            1,
            "{kinds:?}"
        );
        assert!(
            notes
                .as_array()
                .expect("notes")
                .iter()
                .all(|n| n["recipient"] == json!(lead.id.to_string()))
        );
        // Taking the report stops first response (missed); triage keeps running.
        let p = ok(
            t.patch(
                &format!("/api/v1/reports/{}", s(&r["id"])),
                &tok,
                json!({"owner": "me"}),
            )
            .await,
            StatusCode::OK,
        );
        let got = ok(
            t.get(&format!("/api/v1/reports/{}", s(&p["id"])), &tok)
                .await,
            StatusCode::OK,
        );
        let states: Vec<(String, String)> = got["sla"]
            .as_array()
            .expect("sla")
            .iter()
            .map(|c| (s(&c["kind"]), s(&c["state"])))
            .collect();
        assert_eq!(
            states,
            vec![
                ("first_response".into(), "missed".into()),
                ("triage".into(), "running".into())
            ]
        );

        // An incident's resolution clock pauses while waiting for an outside party.
        let i = incident(
            &t,
            &tok,
            json!({"title": "i", "constituency": "acme", "impact": "high", "urgency": "high"}),
        )
        .await;
        let v = ok(
            t.get(&format!("/api/v1/incidents/{}/sla", s(&i["id"])), &tok)
                .await,
            StatusCode::OK,
        );
        assert_eq!(
            (v["sla"][0]["kind"].clone(), v["sla"][0]["state"].clone()),
            (json!("resolution"), json!("running"))
        );
        let w = ok(
            t.patch(
                &format!("/api/v1/incidents/{}", s(&i["id"])),
                &tok,
                json!({"tags": ["waiting-external"]}),
            )
            .await,
            StatusCode::OK,
        );
        let v = ok(
            t.get(&format!("/api/v1/incidents/{}/sla", s(&w["id"])), &tok)
                .await,
            StatusCode::OK,
        );
        assert_eq!(
            (v["sla"][0]["state"].clone(), v["sla"][0]["due_at"].clone()),
            (json!("paused"), Value::Null)
        );
        problem(
            &t.get("/api/v1/sla/near-breach?within_minutes=-1", &tok)
                .await,
            StatusCode::BAD_REQUEST,
            Some("within_minutes"),
        );
    })
    .await;
}

#[tokio::test]
async fn deadline_clocks_attach_list_submit_and_custom_presets() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        let i = incident(&t, &tok, json!({"title": "個人データ漏えい"})).await;
        let path = format!("/api/v1/incidents/{}/deadlines", s(&i["id"]));
        // Aware Wed 2026-04-01 10:00 JST: 速報 "promptly" (3–5 days advisory), 確報 30 days.
        let ds = ok(t.post(&path, &tok, json!({"preset": "jp-appi", "aware_at": "2026-04-01T01:00:00Z"})).await, StatusCode::CREATED);
        let ds = ds.as_array().expect("list").clone();
        let expected = hikeshi_calendar::cli::deadline_due("jp-appi", "2026-04-01T10:00:00+09:00").expect("cli");
        assert_eq!(ds.len(), expected.len());
        for (d, line) in ds.iter().zip(&expected) {
            assert_eq!(format!("{} {}", s(&d["deadline"]), s(&d["due_display"])), *line, "same as `hikeshi deadline due`");
            assert_eq!(d["status"], json!("draft"));
        }
        let due = ok(t.get("/api/v1/deadlines?due_before=2026-12-31T00:00:00Z", &tok).await, StatusCode::OK);
        assert!(due["items"].as_array().is_some_and(|v| !v.is_empty()));
        problem(&t.get("/api/v1/deadlines?due_before=tomorrow", &tok).await, StatusCode::BAD_REQUEST, Some("due_before"));
        problem(&t.post(&path, &tok, json!({"preset": "xx-none"})).await, StatusCode::UNPROCESSABLE_ENTITY, Some("preset"));
        // Submit with the document attached to the incident.
        let fixed = ds.iter().find(|d| !d["due_at"].is_null()).expect("a fixed deadline");
        let att = {
            let req = axum::http::Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/incidents/{}/attachments?name=report.pdf", s(&i["id"])))
                .header("authorization", format!("Bearer {tok}"))
                .header("content-type", "application/pdf")
                .body(axum::body::Body::from("%PDF-1.4"))
                .expect("request");
            ok(t.raw(req).await, StatusCode::CREATED)
        };
        let sub = format!("/api/v1/deadlines/{}/submit", s(&fixed["id"]));
        problem(&t.post(&sub, &tok, json!({"attachment": "nope"})).await, StatusCode::UNPROCESSABLE_ENTITY, Some("attachment"));
        let done = ok(t.post(&sub, &tok, json!({"attachment": s(&att["id"]), "version": 1})).await, StatusCode::OK);
        assert_eq!((done["status"].clone(), done["attachment"].clone()), (json!("submitted"), att["id"].clone()));
        problem(&t.post(&sub, &tok, json!({"attachment": s(&att["id"]), "version": 1})).await, StatusCode::CONFLICT, None);
        // Custom presets: stored, listed, flagged unverified unless every deadline is V.
        let custom = json!({
            "id": "contract-acme", "jurisdiction": "JP", "regime": "ACME 保守契約", "status": "in_force",
            "trigger": "security incident affecting ACME",
            "deadlines": [{"id": "notice", "stage_en": "Notice to ACME", "recipient": "ACME", "clock_start": "became_aware",
                "duration": {"amount": 24, "unit": "hours"}, "hard": true, "confidence": "S"}]
        });
        let p = ok(t.post("/api/v1/deadline-presets", &tok, custom.clone()).await, StatusCode::CREATED);
        assert_eq!((p["custom"].clone(), p["unverified"].clone()), (json!(true), json!(true)));
        problem(&t.post("/api/v1/deadline-presets", &tok, custom).await, StatusCode::CONFLICT, Some("id"));
        problem(&t.post("/api/v1/deadline-presets", &tok, json!({"id": "jp-appi"})).await, StatusCode::UNPROCESSABLE_ENTITY, None);
        let list = ok(t.get("/api/v1/deadline-presets", &tok).await, StatusCode::OK);
        let list = list.as_array().expect("presets");
        let builtin = hikeshi_calendar::deadline::builtin_presets().expect("presets").len();
        assert_eq!(list.len(), builtin + 1, "built-in presets and the custom one");
        assert!(list.iter().any(|p| p["id"] == json!("contract-acme") && p["custom"] == json!(true)));
        let c = ok(t.post(&path, &tok, json!({"preset": "contract-acme", "aware_at": "2026-04-01T01:00:00Z"})).await, StatusCode::CREATED);
        assert_eq!(c[0]["due_at"], json!("2026-04-02T01:00:00Z"));
        // The sweep warns at 75 % of the span and records the breach of the draft once.
        t.clock.set("2026-04-03T00:00:00Z".parse().expect("t"));
        let sw = ok(t.call(Method::POST, "/api/v1/sla/sweep", Some(&tok), None).await, StatusCode::OK);
        assert!(sw["recorded"].as_i64().is_some_and(|n| n >= 2), "{sw}");
        assert_eq!(t.count("notification_requests WHERE kind = 'deadline.breach'").await, 1);
    })
    .await;
}
