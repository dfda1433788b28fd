//! `/triage` (ordered rules, JSON editor with validation errors in the form, dry run) and
//! `/due` (legal deadlines and SLA clocks due next).

use crate::*;
use axum::http::StatusCode;
use hikeshi_core::app::{AttachDeadlines, NewIncident, NewReport};

const RULES: &str = r#"{"rules": [
  {"id": "phish", "when": {"keywords_any": ["phishing"]}, "then": {"tags": ["phishing"], "priority": 2}},
  {"id": "spam", "when": {"keywords_any": ["casino"]}, "then": {"reject": "spam"}, "stop": true}
]}"#;

#[tokio::test]
async fn triage_rules_are_edited_as_json_with_errors_in_the_form_and_dry_run() {
    let t = setup().await;
    let admin = t.app.resolve_user("admin").await.unwrap();
    let actor = t.app.actor_for(&admin, hikeshi_core::access::Scopes::ALL);
    let rep = NewReport {
        subject: "Phishing site <b>bank</b>".into(),
        content: "phishing".into(),
        constituency: Some("a".into()),
        ..Default::default()
    };
    let rep = t.app.create_report(&actor, rep).await.unwrap();
    let (c, csrf) = login(&t, "admin").await;
    let page = get(&t, "/triage", &c).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"triage-form\""));
    assert!(
        page.body.contains(">0<") || page.body.contains(" 0</p>"),
        "version 0"
    );

    // A form without the CSRF token is refused.
    let r = post(&t, "/triage", &c, &[("rules", RULES), ("version", "0")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Not JSON: 422, the message names the field, the text stays in the editor (escaped).
    let r = post(
        &t,
        "/triage",
        &c,
        &[
            ("csrf", &csrf),
            ("rules", "{\"rules\": [<oops"),
            ("version", "0"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""));
    assert!(
        r.body.contains("oops") && !r.body.contains("<oops"),
        "kept and escaped"
    );
    // Valid JSON, invalid rule: the error names the rule's field.
    let bad = RULES.replace("\"priority\": 2", "\"priority\": 9");
    let r = post(
        &t,
        "/triage",
        &c,
        &[("csrf", &csrf), ("rules", &bad), ("version", "0")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("rules[0].then.priority"), "{}", r.body);
    assert_eq!(
        t.app.triage_rules(&actor, None).await.unwrap().version,
        0,
        "nothing saved"
    );

    // Dry run of the text: a table of what the rules would do; nothing saved.
    let r = post(
        &t,
        "/triage/dry-run",
        &c,
        &[("csrf", &csrf), ("rules", RULES)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"dry-run-items\""));
    assert!(r.body.contains(&format!("/reports/{}", rep.reference)));
    assert!(r.body.contains("tags: phishing"));
    assert_eq!(t.app.triage_rules(&actor, None).await.unwrap().version, 0);

    // Saved: version 1, the rules listed in order.
    let r = post(
        &t,
        "/triage",
        &c,
        &[("csrf", &csrf), ("rules", RULES), ("version", "0")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("role=\"status\""));
    let first = r.body.find("<td>phish</td>").expect("phish listed");
    let second = r.body.find("<td>spam</td>").expect("spam listed");
    assert!(first < second);
    assert_eq!(t.app.triage_rules(&actor, None).await.unwrap().version, 1);
    // A stale version is a conflict shown in the form.
    let r = post(
        &t,
        "/triage",
        &c,
        &[("csrf", &csrf), ("rules", RULES), ("version", "0")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Handlers may not manage rules.
    let (h, _) = login(&t, "alice").await;
    assert_eq!(get(&t, "/triage", &h).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn due_next_lists_legal_deadlines_and_sla_clocks() {
    let t = setup().await;
    let admin = t.app.resolve_user("admin").await.unwrap();
    let actor = t.app.actor_for(&admin, hikeshi_core::access::Scopes::ALL);
    let inc = NewIncident {
        title: "個人情報の漏えい".into(),
        constituency: Some("a".into()),
        ..Default::default()
    };
    let inc = t.app.create_incident(&actor, inc).await.unwrap();
    t.app
        .attach_deadlines(
            &actor,
            &inc.reference,
            AttachDeadlines {
                preset: "jp-appi".into(),
                aware_at: None,
            },
        )
        .await
        .unwrap();
    let (c, _) = login(&t, "admin").await;
    let r = get(&t, "/due", &c).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"due-deadlines\""), "{}", r.body);
    assert!(r.body.contains(&format!("/incidents/{}", inc.id)));
    // Bob (constituency b) sees none of it.
    let (b, _) = login(&t, "bob").await;
    let r = get(&t, "/due", &b).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("id=\"due-deadlines\""));
}
