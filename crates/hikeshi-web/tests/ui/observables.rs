//! The "observables — seen before" card on report and incident pages.

use super::*;
use hikeshi_core::app::{NewIncident, NewObservables, NewReport};

#[tokio::test]
async fn report_and_incident_pages_show_observables_seen_before() {
    let t = setup().await;
    let alice = t.app.resolve_user("alice").await.unwrap();
    let actor = t.app.actor_for(&alice, hikeshi_core::access::Scopes::ALL);
    let report = |subject: &str, content: &str| NewReport {
        subject: subject.into(),
        content: content.into(),
        constituency: Some("a".into()),
        ..Default::default()
    };
    let first = t
        .app
        .create_report(&actor, report("first", "c2 45.33.32.156"))
        .await
        .unwrap();
    let second = t
        .app
        .create_report(
            &actor,
            report("second", "again ４５．３３．３２．１５６ and 8.8.8.8"),
        )
        .await
        .unwrap();
    let (cookies, _) = login(&t, "alice").await;
    let page = get(&t, &format!("/reports/{}", second.reference), &cookies).await;
    assert_eq!(page.status, StatusCode::OK);
    let card = &page.body[page.body.find("id=\"observables\"").expect("card")..];
    assert!(card.contains("<code>45.33.32.156</code>"), "{card}");
    assert!(
        card.contains(&format!("href=\"/reports/{}\"", first.reference)),
        "{card}"
    );
    assert!(card.contains("warning-list:resolver"), "8.8.8.8 is common");
    let i = t
        .app
        .create_incident(
            &actor,
            NewIncident {
                title: "調査".into(),
                constituency: Some("a".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    t.app
        .add_observables(
            &actor,
            "incidents",
            &i.reference,
            NewObservables {
                text: Some("45.33.32.9".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let page = get(&t, &format!("/incidents/{}", i.reference), &cookies).await;
    let card = &page.body[page.body.find("id=\"observables\"").expect("card")..];
    assert!(card.contains("<code>45.33.32.9</code>"));
    assert!(
        card.contains("45.33.32.0/24: 2"),
        "both reports in the /24: {card}"
    );
}
