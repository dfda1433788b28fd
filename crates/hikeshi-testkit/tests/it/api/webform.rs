//! The public report form over HTTP (no login): a report with its attachment in the triage
//! queue, the honeypot, CSRF, bad input shown again with what was typed, the per-IP limit.

use super::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use hikeshi_testkit::for_each_backend;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

const BOUNDARY: &str = "----hikeshi-test-boundary";

fn ip(last: u8) -> SocketAddr {
    SocketAddr::from(([203, 0, 113, last], 40000))
}

/// `GET /report` in a language; returns the page and the CSRF token (cookie = field).
async fn open_form(t: &TestApp, lang: &str) -> (String, String) {
    let req = Request::builder()
        .uri("/report")
        .header(header::ACCEPT_LANGUAGE, lang)
        .body(Body::empty())
        .expect("request");
    let (st, body, h) = t.raw(req).await;
    assert_eq!(st, StatusCode::OK);
    let cookie = h
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("hikeshi_report_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("csrf cookie")
        .to_string();
    let html = s(&body);
    assert!(
        html.contains(&format!("name=\"csrf\" value=\"{cookie}\"")),
        "token in the form"
    );
    (html, cookie)
}

fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn submit(
    t: &TestApp,
    cookie: Option<&str>,
    from: SocketAddr,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (StatusCode, String) {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/report")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, format!("hikeshi_report_csrf={c}"));
    }
    let mut req = b
        .body(Body::from(multipart(fields, files)))
        .expect("request");
    req.extensions_mut().insert(ConnectInfo(from));
    let (st, body, _) = t.raw(req).await;
    (st, s(&body))
}

fn tracking_ref(html: &str) -> String {
    let start = html.find("id=\"tracking-ref\">").expect("reference shown") + 18;
    html[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .to_string()
}

const DESCRIPTION: &str =
    "フィッシングサイトを見つけました: hxxp://login-bank[.]example.com/verify\nfrom 198.51.100.23";

fn good(csrf: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf", csrf),
        ("name", "山田 太郎"),
        ("email", "taro@example.co.jp"),
        ("organisation", "Example K.K."),
        ("incident_type", "fraud/phishing"),
        ("description", DESCRIPTION),
        ("website", ""),
        ("lang", "ja"),
    ]
}

#[tokio::test]
async fn a_report_with_its_attachment_lands_in_the_triage_queue() {
    for_each_backend(|t| async move {
        let (html, csrf) = open_form(&t, "ja,en;q=0.5").await;
        assert!(
            html.contains("インシデントの報告"),
            "Japanese by Accept-Language"
        );
        assert!(
            html.contains("value=\"fraud/phishing\""),
            "RSIT types offered"
        );
        let (_, en_csrf) = open_form(&t, "en").await;
        assert!(!en_csrf.is_empty());
        let evidence: &[u8] =
            b"Received: from mail.example.net\r\nSubject: verify your account\r\n";
        let (st, page) = submit(
            &t,
            Some(&csrf),
            ip(1),
            &good(&csrf),
            &[("mail.eml", evidence)],
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{page}");
        let reference = tracking_ref(&page);
        assert!(reference.starts_with('R'), "{reference}");
        let r = ok(
            t.get(&format!("/api/v1/reports/{reference}"), t.admin_token())
                .await,
            StatusCode::OK,
        );
        assert_eq!(r["channel"], json!("web"));
        assert_eq!(r["status"], json!("new"));
        assert!(r["owner"].is_null());
        assert_eq!(r["reporter"], json!("山田 太郎 <taro@example.co.jp>"));
        assert!(
            r["tags"]
                .as_array()
                .expect("tags")
                .contains(&json!("rsit:fraud/phishing"))
        );
        assert_eq!(r["attachments"][0]["name"], json!("mail.eml"));
        assert_eq!(
            r["attachments"][0]["sha256"],
            json!(hex::encode(Sha256::digest(evidence)))
        );
        let obs = r["structured"]["observables"].to_string();
        assert!(
            obs.contains("http://login-bank.example.com/verify") && obs.contains("198.51.100.23"),
            "{obs}"
        );
        assert_eq!(
            r["structured"]["details"]["organisation"],
            json!("Example K.K.")
        );
        let queue = ok(
            t.get("/api/v1/reports?status=new&owner=none", t.admin_token())
                .await,
            StatusCode::OK,
        );
        assert_eq!(queue["items"][0]["ref"], json!(reference));
        let (st, body, _) = t
            .get_bytes(
                &format!("/api/v1/attachments/{}", s(&r["attachments"][0]["id"])),
                t.admin_token(),
            )
            .await;
        assert_eq!((st, body.as_slice()), (StatusCode::OK, evidence));
    })
    .await;
}

#[tokio::test]
async fn honeypot_csrf_and_bad_input_never_make_a_report() {
    for_each_backend(|t| async move {
        let (_, csrf) = open_form(&t, "en").await;
        // The honeypot: a receipt that looks the same, a rejection kept aside, no report.
        let mut spam = good(&csrf);
        spam.retain(|(k, _)| *k != "website");
        spam.push(("website", "http://cheap-pills.example.com"));
        let (st, page) = submit(&t, Some(&csrf), ip(2), &spam, &[]).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        assert!(tracking_ref(&page).starts_with("W-"));
        assert_eq!(t.count("reports").await, 0);
        assert_eq!(t.count("form_rejections").await, 1);
        // No token, or a token that is not the cookie's: refused, with what was typed.
        let (st, page) = submit(&t, None, ip(2), &good(&csrf), &[]).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        assert!(
            page.contains("login-bank[.]example.com"),
            "typed text shown again"
        );
        let (st, _) = submit(&t, Some("forged"), ip(2), &good(&csrf), &[]).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // Equal in cookie and field but not signed by this installation: refused too.
        let forged = "00112233445566778899aabbccddeeff.00112233445566778899aabbccddeeff";
        let (st, _) = submit(&t, Some(forged), ip(2), &good(forged), &[]).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // Bad input: the form again, the message naming the field by its label, all typed
        // text kept (and escaped).
        let mut bad = good(&csrf);
        bad.retain(|(k, _)| !matches!(*k, "email" | "lang" | "description"));
        bad.push(("email", "not-an-address"));
        bad.push((
            "description",
            "<script>alert(1)</script> seen at 198.51.100.23",
        ));
        let (st, page) = submit(&t, Some(&csrf), ip(2), &bad, &[]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("E-mail address"), "message names the field");
        assert!(page.contains("value=\"not-an-address\""));
        assert!(page.contains("山田 太郎") && page.contains("Example K.K."));
        assert!(
            page.contains("&#60;script&#62;alert(1)&#60;/script&#62; seen at 198.51.100.23"),
            "escaped"
        );
        assert!(!page.contains("<script>alert"));
        assert!(
            page.contains("value=\"fraud/phishing\" selected"),
            "choice kept"
        );
        let mut bad = good(&csrf);
        bad.retain(|(k, _)| *k != "description");
        bad.push(("description", "   "));
        let (st, page) = submit(&t, Some(&csrf), ip(2), &bad, &[]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("taro@example.co.jp"));
        assert_eq!(t.count("reports").await, 0);
    })
    .await;
}

#[tokio::test]
async fn each_address_is_limited() {
    for_each_backend(|t| async move {
        let (_, csrf) = open_form(&t, "en").await;
        for _ in 0..10 {
            let (st, _) = submit(&t, Some("wrong"), ip(3), &good(&csrf), &[]).await;
            assert_eq!(st, StatusCode::FORBIDDEN);
        }
        let (st, page) = submit(&t, Some(&csrf), ip(3), &good(&csrf), &[]).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{page}");
        assert!(page.contains("Too many reports"));
        let (st, _) = submit(&t, Some(&csrf), ip(4), &good(&csrf), &[]).await;
        assert_eq!(st, StatusCode::OK, "another address is not limited");
        assert_eq!(t.count("reports").await, 1);
    })
    .await;
}
