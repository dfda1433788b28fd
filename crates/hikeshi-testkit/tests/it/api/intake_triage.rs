//! Structured channels enter the same triage queue as mail: an X-ARF document, an alert and
//! a web-form report are routed by their observables, matched by triage rules, get SLA
//! clocks and observables in the observables tables, and correlate with a mail report
//! carrying the same IP. Observables follow reports linked to (or merged into) incidents.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_core::app::{NewConstituency, WebReport};
use hikeshi_testkit::for_each_backend;

const IP: &str = "45.33.32.156";

fn xarf(ip: &str) -> String {
    format!(
        r#"{{"xarf_version": "4.2.0", "report_id": "9ac39cd1-85f3-4c31-ae87-a0a95f3ebc83",
 "timestamp": "2025-01-11T09:21:23Z",
 "reporter": {{"org": "Monitor", "contact": "abuse@monitor.example.com", "domain": "monitor.example.com"}},
 "sender": {{"org": "Monitor", "contact": "abuse@monitor.example.com", "domain": "monitor.example.com"}},
 "source_identifier": "{ip}", "source_port": 4444, "category": "connection", "type": "port_scan",
 "destination_ip": "203.0.113.100", "protocol": "tcp", "destination_ports": [22, 23], "scan_type": "tcp_syn",
 "first_seen": "2025-01-11T08:45:00Z", "evidence_source": "firewall_logs"}}"#
    )
}

/// A constituency owning 45.33.32.0/24 and a rule tagging reports with an IP in it.
async fn setup(t: &TestApp) -> String {
    let c = t
        .app
        .create_constituency(
            &t.admin_actor().await,
            NewConstituency {
                slug: "acme".into(),
                name: "Acme".into(),
                netblocks: vec!["45.33.32.0/24".into()],
                ..Default::default()
            },
        )
        .await
        .expect("constituency");
    let rules = json!({"rules": [
        {"id": "ours", "when": {"ip_in_constituency": "acme"}, "then": {"tags": ["ours"], "priority": 2, "tlp": "green"}}
    ]});
    ok(
        t.call(
            Method::PUT,
            "/api/v1/triage/rules",
            Some(t.admin_token()),
            Some(rules),
        )
        .await,
        StatusCode::OK,
    );
    c.id.to_string()
}

async fn post_document(t: &TestApp, body: &str) -> Value {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/reports/document")
        .header(header::AUTHORIZATION, format!("Bearer {}", t.admin_token()))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    ok(t.raw(req).await, StatusCode::CREATED)
}

/// The report as `GET /reports/{id}` shows it, after checking it was triaged by the rule,
/// routed to `cid`, has SLA clocks and carries `IP` as an observable.
async fn triaged(t: &TestApp, id: &str, cid: &str) -> Value {
    let tok = t.admin_token();
    let r = ok(
        t.get(&format!("/api/v1/reports/{id}"), tok).await,
        StatusCode::OK,
    );
    assert_eq!(r["constituency"], json!(cid), "routed by its IP: {r}");
    assert!(
        r["tags"].as_array().expect("tags").contains(&json!("ours")),
        "{r}"
    );
    let tr = ok(
        t.get(&format!("/api/v1/reports/{id}/triage"), tok).await,
        StatusCode::OK,
    );
    assert_eq!(tr["outcome"]["matched"], json!(["ours"]), "{tr}");
    assert_eq!(tr["outcome"]["priority"], json!(2));
    assert!(
        r["sla"].as_array().is_some_and(|a| !a.is_empty()),
        "SLA clocks started: {r}"
    );
    assert_eq!(r["tlp"], json!("green"), "set by the rule");
    let ip = r["observables"]
        .as_array()
        .expect("observables")
        .iter()
        .find(|o| o["type"] == "ipv4" && o["value"] == IP)
        .unwrap_or_else(|| panic!("{IP} missing: {r}"));
    assert_eq!(ip["tlp"], json!("green"), "the observable follows: {ip}");
    r
}

/// The `seen` block of `value` among the observables of record `kind/id`.
async fn seen(t: &TestApp, kind: &str, id: &str, value: &str) -> Value {
    let list = ok(
        t.get(&format!("/api/v1/{kind}/{id}/observables"), t.admin_token())
            .await,
        StatusCode::OK,
    );
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["value"] == json!(value))
        .unwrap_or_else(|| panic!("{value} not in {list}"))["seen"]
        .clone()
}

fn refs(related: &Value) -> Vec<String> {
    let mut v: Vec<String> = related["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| s(&r["ref"]))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn structured_reports_enter_the_triage_queue() {
    for_each_backend(|t| async move {
        let cid = setup(&t).await;
        let tok = t.admin_token().to_string();
        let x = post_document(&t, &xarf(IP)).await;
        let xr = triaged(&t, &s(&x["id"]), &cid).await;
        assert_eq!(xr["structured"]["format"], json!("xarf"));

        let a = ok(
            t.post(
                "/api/v1/alerts",
                &tok,
                json!({"source": "ids", "title": "scan", "observables": [{"type": "ipv4", "value": IP}]}),
            )
            .await,
            StatusCode::CREATED,
        );
        triaged(&t, &s(&a["id"]), &cid).await;
        // A repeat only counts: no second triage record, no second observable link.
        let again = ok(
            t.post(
                "/api/v1/alerts",
                &tok,
                json!({"source": "ids", "title": "scan", "observables": [{"type": "ipv4", "value": IP}]}),
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(again["id"], a["id"]);
        assert_eq!(t.count("report_triage").await, 2);

        let receipt = t
            .app
            .submit_web_report(
                WebReport {
                    name: "Taro".into(),
                    email: "taro@example.jp".into(),
                    description: format!("Our server is attacked from {IP}"),
                    lang: "en".into(),
                    ..Default::default()
                },
                vec![],
                "203.0.113.9",
            )
            .await
            .expect("form");
        let w = triaged(&t, &receipt.reference, &cid).await;
        assert_eq!(w["channel"], json!("web"));

        // A mail report with the same IP sees all three, and they see it.
        let admin = t.admin_actor().await;
        let mail = format!(
            "From: someone@example.net\r\nTo: cert@team.example\r\nSubject: scan\r\n\r\nScanned by {IP}.\r\n"
        );
        let landed = t
            .app
            .ingest_mail(&admin, mail.as_bytes(), "test", "Hikeshi")
            .await
            .expect("mail");
        triaged(&t, &landed.id, &cid).await;
        let sv = seen(&t, "reports", &landed.id, IP).await;
        assert_eq!(sv["same_value"]["count"], json!(3), "{sv}");
        let mut want = vec![s(&x["ref"]), s(&a["ref"]), receipt.reference.clone()];
        want.sort();
        assert_eq!(refs(&sv["same_value"]), want);
        let back = seen(&t, "reports", &s(&x["id"]), IP).await;
        assert!(refs(&back["same_value"]).contains(&landed.reference), "{back}");
        // One create audit entry per report, with its triage part.
        assert_eq!(
            t.count("audit_log WHERE action = 'report.create'").await,
            4
        );
    })
    .await;
}

#[tokio::test]
async fn structured_mail_is_triaged_with_its_observables() {
    for_each_backend(|t| async move {
        let cid = setup(&t).await;
        let body = xarf(IP);
        let mail = format!(
            "From: abuse@monitor.example.com\r\nTo: cert@team.example.org\r\nSubject: abuse report\r\n\
             X-XARF: PLAIN\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nSee the attached report about 45.33.32.7.\r\n--b\r\n\
             Content-Type: application/json\r\nContent-Disposition: attachment; filename=\"report.json\"\r\n\r\n{body}\r\n--b--\r\n"
        );
        let admin = t.admin_actor().await;
        let landed = t
            .app
            .ingest_mail(&admin, mail.as_bytes(), "test", "Hikeshi")
            .await
            .expect("mail");
        assert!(!landed.reference.is_empty(), "{landed:?}");
        let r = triaged(&t, &landed.id, &cid).await;
        assert_eq!(r["structured"]["format"], json!("xarf"));
        assert_eq!(r["attachments"][0]["name"], json!("report.json"));
        let obs: Vec<String> = r["observables"]
            .as_array()
            .expect("observables")
            .iter()
            .map(|o| s(&o["value"]))
            .collect();
        assert!(obs.contains(&"45.33.32.7".to_string()), "the mail text's too: {obs:?}");
        assert_eq!(t.count("raw_messages WHERE status = 'processed'").await, 1);
    })
    .await;
}

fn values(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| s(&o["value"]))
        .collect()
}

#[tokio::test]
async fn observables_follow_reports_into_incidents() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        let report = |content: &str| {
            json!({"subject": "report", "content": content})
        };
        let r1 = ok(
            t.post("/api/v1/reports", &tok, report(&format!("scan from {IP}"))).await,
            StatusCode::CREATED,
        );
        let inc = incident(&t, &tok, json!({"title": "campaign"})).await;
        let (iid, iref) = (s(&inc["id"]), s(&inc["ref"]));
        ok(
            t.post(
                &format!("/api/v1/reports/{}/incidents", s(&r1["id"])),
                &tok,
                json!({"incident": iref}),
            )
            .await,
            StatusCode::OK,
        );
        let listed = ok(
            t.get(&format!("/api/v1/incidents/{iid}/observables"), &tok).await,
            StatusCode::OK,
        );
        assert!(values(&listed).contains(&IP.to_string()), "{listed}");
        // A later report with the same IP: seen on the report and on the incident.
        let r2 = ok(
            t.post("/api/v1/reports", &tok, report(&format!("again {IP}"))).await,
            StatusCode::CREATED,
        );
        let sv = seen(&t, "reports", &s(&r2["id"]), IP).await;
        assert_eq!(sv["same_value"]["count"], json!(2), "{sv}");
        assert_eq!(sv["same_value"]["incidents"], json!(1), "{sv}");
        let kinds: Vec<(String, String)> = sv["same_value"]["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(|r| (s(&r["kind"]), s(&r["ref"])))
            .collect();
        assert!(kinds.contains(&("incident".into(), iref.clone())), "{kinds:?}");
        assert!(kinds.contains(&("report".into(), s(&r1["ref"]))), "{kinds:?}");
        // Observables added to the linked report later follow it too.
        ok(
            t.post(
                &format!("/api/v1/reports/{}/observables", s(&r1["id"])),
                &tok,
                json!({"items": [{"value": "later-c2.example.net"}]}),
            )
            .await,
            StatusCode::CREATED,
        );
        let listed = ok(
            t.get(&format!("/api/v1/incidents/{iid}/observables"), &tok).await,
            StatusCode::OK,
        );
        assert!(values(&listed).contains(&"later-c2.example.net".to_string()), "{listed}");

        // Merging: the merged incident's observables (from its report) go to the survivor.
        let other = incident(&t, &tok, json!({"title": "dup"})).await;
        let r3 = ok(
            t.post("/api/v1/reports", &tok, report("C2 at c2-merged.example.org")).await,
            StatusCode::CREATED,
        );
        ok(
            t.post(
                &format!("/api/v1/reports/{}/incidents", s(&r3["id"])),
                &tok,
                json!({"incident": s(&other["ref"])}),
            )
            .await,
            StatusCode::OK,
        );
        ok(
            t.post(
                &format!("/api/v1/incidents/{}/merge", s(&other["id"])),
                &tok,
                json!({"into": iref}),
            )
            .await,
            StatusCode::OK,
        );
        let listed = ok(
            t.get(&format!("/api/v1/incidents/{iid}/observables"), &tok).await,
            StatusCode::OK,
        );
        assert!(values(&listed).contains(&"c2-merged.example.org".to_string()), "{listed}");

        // A triage rule linking a new report brings its observables along too.
        let rules = json!({"rules": [
            {"id": "campaign", "when": {"keywords_any": ["campaign-x"]}, "then": {"link_incident": iref}}
        ]});
        ok(
            t.call(Method::PUT, "/api/v1/triage/rules", Some(&tok), Some(rules)).await,
            StatusCode::OK,
        );
        let r4 = ok(
            t.post("/api/v1/reports", &tok, report("campaign-x from ruled.example.com")).await,
            StatusCode::CREATED,
        );
        assert_eq!(r4["incidents"], json!([iid]), "{r4}");
        let listed = ok(
            t.get(&format!("/api/v1/incidents/{iid}/observables"), &tok).await,
            StatusCode::OK,
        );
        assert!(values(&listed).contains(&"ruled.example.com".to_string()), "{listed}");
    })
    .await;
}
