//! Machine-readable reports: X-ARF documents through the API, X-ARF and ARF mail through
//! mail intake, each becoming a report with its structured details and typed observables.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_core::app::NewConstituency;
use hikeshi_testkit::for_each_backend;
use std::path::PathBuf;

const XARF: &str = r#"{"xarf_version": "4.2.0", "report_id": "9ac39cd1-85f3-4c31-ae87-a0a95f3ebc83",
 "timestamp": "2025-01-11T09:21:23Z",
 "reporter": {"org": "Monitor", "contact": "abuse@monitor.example.com", "domain": "monitor.example.com"},
 "sender": {"org": "Monitor", "contact": "abuse@monitor.example.com", "domain": "monitor.example.com"},
 "source_identifier": "192.0.2.155", "source_port": 4444, "category": "connection", "type": "port_scan",
 "destination_ip": "203.0.113.100", "protocol": "tcp", "destination_ports": [22, 23], "scan_type": "tcp_syn",
 "first_seen": "2025-01-11T08:45:00Z", "evidence_source": "firewall_logs"}"#;

const ARF: &str = "From: <abuse@isp.example.com>\r\nTo: <abuse@team.example.org>\r\nSubject: FW: Earn money\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nAn abuse report for mail from 192.0.2.155.\r\n\
--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\n\
Version: 1\r\nSource-IP: 192.0.2.155\r\nReported-Domain: spam.example.org\r\n\r\n\
--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: <spammer@spam.example.org>\r\nSubject: Earn money\r\n\r\nSpam\r\n--b--\r\n";

async fn post_bytes(t: &TestApp, path: &str, ct: &str, body: &[u8]) -> Reply {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", t.admin_token()))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body.to_vec()))
        .expect("request");
    t.raw(req).await
}

async fn with_netblock(t: &TestApp) -> String {
    let c = t
        .app
        .create_constituency(
            &t.admin_actor().await,
            NewConstituency {
                slug: "docnet".into(),
                name: "Documentation net".into(),
                netblocks: vec!["192.0.2.0/24".into()],
                ..Default::default()
            },
        )
        .await
        .expect("constituency");
    c.id.to_string()
}

async fn report(t: &TestApp, reference: &Value) -> Value {
    ok(
        t.get(
            &format!("/api/v1/reports/{}", s(reference)),
            t.admin_token(),
        )
        .await,
        StatusCode::OK,
    )
}

fn has(r: &Value, kind: &str, value: &str) -> bool {
    r["structured"]["observables"]
        .as_array()
        .is_some_and(|a| a.iter().any(|o| o["type"] == kind && o["value"] == value))
}

#[tokio::test]
async fn xarf_document_through_the_api() {
    for_each_backend(|t| async move {
        let cid = with_netblock(&t).await;
        let created = ok(
            post_bytes(
                &t,
                "/api/v1/reports/document",
                "application/json",
                XARF.as_bytes(),
            )
            .await,
            StatusCode::CREATED,
        );
        let r = report(&t, &created["ref"]).await;
        assert_eq!(r["structured"]["format"], json!("xarf"));
        assert!(
            has(&r, "ipv4", "192.0.2.155") && has(&r, "ipv4", "203.0.113.100"),
            "{r}"
        );
        assert_eq!(
            r["constituency"],
            json!(cid),
            "routed by the source IP's netblock"
        );
        assert_eq!(
            r["structured"]["details"]["rsit"],
            json!("information-gathering/scanner")
        );
        assert!(
            r["tags"]
                .as_array()
                .expect("tags")
                .contains(&json!("rsit:information-gathering/scanner"))
        );
        assert!(
            s(&r["content"]).contains("192.0.2.155"),
            "indicators in the text too"
        );
        assert_eq!(r["reporter"], json!("abuse@monitor.example.com"));
        // Refused documents name the document and write nothing.
        let mut bad: Value = serde_json::from_str(XARF).expect("fixture");
        bad["source_port"] = json!(70000);
        problem(
            &post_bytes(
                &t,
                "/api/v1/reports/document?format=xarf",
                "application/octet-stream",
                bad.to_string().as_bytes(),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document"),
        );
        problem(
            &post_bytes(
                &t,
                "/api/v1/reports/document",
                "application/json",
                b"{broken",
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document"),
        );
        problem(
            &post_bytes(
                &t,
                "/api/v1/reports/document?format=stix",
                "application/json",
                XARF.as_bytes(),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("format"),
        );
        problem(
            &post_bytes(
                &t,
                "/api/v1/reports/document",
                "text/plain",
                XARF.as_bytes(),
            )
            .await,
            StatusCode::BAD_REQUEST,
            Some("format"),
        );
        assert_eq!(t.count("reports").await, 1);
        assert_eq!(t.count("report_details").await, 1);
    })
    .await;
}

#[tokio::test]
async fn xarf_and_arf_mail_become_structured_reports() {
    for_each_backend(|t| async move {
        let cid = with_netblock(&t).await;
        let mail = format!(
            "From: abuse@monitor.example.com\r\nTo: cert@team.example.org\r\nSubject: abuse report\r\n\
             X-XARF: PLAIN\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nSee the attached report.\r\n--b\r\n\
             Content-Type: application/json\r\nContent-Disposition: attachment; filename=\"report.json\"\r\n\r\n{XARF}\r\n--b--\r\n"
        );
        let landed = ok(
            post_bytes(&t, "/api/v1/reports/raw", "message/rfc822", mail.as_bytes()).await,
            StatusCode::CREATED,
        );
        let r = report(&t, &landed["ref"]).await;
        assert_eq!(r["structured"]["format"], json!("xarf"), "{r}");
        assert_eq!(r["channel"], json!("email"));
        assert!(has(&r, "ipv4", "192.0.2.155"));
        assert_eq!(r["constituency"], json!(cid));
        assert_eq!(r["attachments"][0]["name"], json!("report.json"), "the JSON part is kept");
        assert!(s(&r["content"]).contains("See the attached report."), "the mail text is kept");

        let landed = ok(
            post_bytes(&t, "/api/v1/reports/raw", "message/rfc822", ARF.as_bytes()).await,
            StatusCode::CREATED,
        );
        let r = report(&t, &landed["ref"]).await;
        assert_eq!(r["structured"]["format"], json!("arf"), "{r}");
        assert_eq!(r["structured"]["details"]["document"]["feedback_type"], json!("abuse"));
        assert!(has(&r, "ipv4", "192.0.2.155") && has(&r, "domain", "spam.example.org"), "{r}");
        assert!(s(&r["subject"]).starts_with("ARF abuse: 192.0.2.155"));

        // A mail claiming X-ARF but breaking its rules is still a report, with a note.
        let broken = "From: a@monitor.example.com\r\nTo: cert@team.example.org\r\nSubject: x\r\nX-XARF: PLAIN\r\n\
                      Content-Type: application/json\r\n\r\n{\"xarf_version\": \"4.2.0\"}";
        let landed = ok(
            post_bytes(&t, "/api/v1/reports/raw", "message/rfc822", broken.as_bytes()).await,
            StatusCode::CREATED,
        );
        let r = report(&t, &landed["ref"]).await;
        assert!(r["structured"].is_null());
        let notes = r["mail"]["malformed"].to_string();
        assert!(notes.contains("structured report refused"), "{notes}");
        assert_eq!(t.count("reports").await, 3);
    })
    .await;
}

fn corpus() -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../../../shared/corpus"),
        here.join("../../shared/corpus"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// Every ARF sample of the corpus through mail intake, and every xarf-spec v4 sample
/// through the document API.
#[tokio::test]
async fn corpus_samples_through_intake() {
    let Some(c) = corpus() else {
        eprintln!("skipped: corpus not found");
        return;
    };
    for_each_backend(move |t| {
        let c = c.clone();
        async move {
            let arf = c.join("stalwart-mail-auth-arf/resources/arf");
            let mut n = 0;
            for i in 1..=5 {
                let raw = std::fs::read(arf.join(format!("00{i}.eml"))).expect("eml");
                let landed = ok(
                    post_bytes(&t, "/api/v1/reports/raw", "message/rfc822", &raw).await,
                    StatusCode::CREATED,
                );
                let r = report(&t, &landed["ref"]).await;
                assert_eq!(r["structured"]["format"], json!("arf"), "00{i}.eml: {r}");
                n += 1;
            }
            let v4 = c.join("xarf-spec/samples/v4");
            let mut files: Vec<PathBuf> = std::fs::read_dir(&v4)
                .expect("v4 samples")
                .flatten()
                .map(|e| e.path())
                .collect();
            files.sort();
            for f in files {
                let bytes = std::fs::read(&f).expect("sample");
                let r =
                    post_bytes(&t, "/api/v1/reports/document", "application/json", &bytes).await;
                assert_eq!(r.0, StatusCode::CREATED, "{}: {}", f.display(), r.1);
                n += 1;
            }
            assert_eq!(t.count("report_details").await, n);
        }
    })
    .await;
}

const IODEF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<IODEF-Document version="2.00" xml:lang="en" xmlns="urn:ietf:params:xml:ns:iodef-2.0">
  <Incident purpose="reporting" restriction="amber">
    <IncidentID name="csirt.example.com">189493</IncidentID>
    <GenerationTime>2015-10-02T11:18:00-05:00</GenerationTime>
    <Description>Scan of our web servers</Description>
    <Contact role="creator" type="organization"><ContactName>CSIRT</ContactName>
      <Email><EmailTo>contact@csirt.example.com</EmailTo></Email></Contact>
    <EventData><Flow><System category="source"><Node>
      <Address category="ipv4-addr">192.0.2.200</Address></Node></System></Flow></EventData>
  </Incident>
</IODEF-Document>"#;

#[tokio::test]
async fn iodef_document_through_the_api() {
    for_each_backend(|t| async move {
        let cid = with_netblock(&t).await;
        let created = ok(
            post_bytes(
                &t,
                "/api/v1/reports/document",
                "application/iodef+xml",
                IODEF.as_bytes(),
            )
            .await,
            StatusCode::CREATED,
        );
        let r = report(&t, &created["ref"]).await;
        assert_eq!(r["structured"]["format"], json!("iodef"));
        assert!(has(&r, "ipv4", "192.0.2.200"), "{r}");
        assert!(
            !has(&r, "email", "contact@csirt.example.com"),
            "the reporter's contact is not an observable"
        );
        assert_eq!(r["constituency"], json!(cid));
        assert_eq!(
            r["subject"],
            json!("IODEF reporting: Scan of our web servers")
        );
        problem(
            &post_bytes(
                &t,
                "/api/v1/reports/document?format=iodef",
                "application/xml",
                IODEF.replace("2.00", "1.00").as_bytes(),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document"),
        );
        assert_eq!(t.count("reports").await, 1);
    })
    .await;
}
