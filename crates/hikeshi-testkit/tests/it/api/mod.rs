//! The JSON API through the real router: the behaviour clients rely on.

mod access;
mod alerts;
mod approvals;
mod delivery;
mod edges;
mod handling;
mod incidents;
mod input;
mod intake_triage;
mod notify;
mod observables;
mod pasted;
mod pgp;
mod session;
mod structured;
mod triage;
mod webform;
mod work;

use axum::http::StatusCode;
use hikeshi_testkit::{Reply, TestApp, content_type};
use serde_json::{Value, json};

/// Percent-encodes a query value (UTF-8 bytes).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Asserts an RFC 9457 problem with this status and, if given, this offending field.
#[track_caller]
pub fn problem(r: &Reply, status: StatusCode, field: Option<&str>) {
    let (st, body, h) = r;
    assert_eq!(*st, status, "body: {body}");
    assert!(
        content_type(h).starts_with("application/problem+json"),
        "content type {:?} for {body}",
        content_type(h)
    );
    if let Some(f) = field {
        assert_eq!(body["field"], json!(f), "problem names the field: {body}");
    }
}

/// Asserts a status and returns the body.
#[track_caller]
pub fn ok(r: Reply, status: StatusCode) -> Value {
    assert_eq!(r.0, status, "body: {}", r.1);
    r.1
}

/// Creates an incident as `token`; returns its JSON.
pub async fn incident(t: &TestApp, token: &str, body: Value) -> Value {
    ok(
        t.post("/api/v1/incidents", token, body).await,
        StatusCode::CREATED,
    )
}

/// The titles of `GET /api/v1/incidents?…` as `token`.
pub async fn titles(t: &TestApp, token: &str, query: &str) -> Vec<String> {
    let body = ok(
        t.get(&format!("/api/v1/incidents{query}"), token).await,
        StatusCode::OK,
    );
    let mut v: Vec<String> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

pub fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}
