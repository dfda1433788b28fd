//! Notification delivery: pending requests oldest first, and the claim that writes a
//! request's fan-out exactly once, on every backend.

use super::fx::*;
use hikeshi_core::app::Fanout;
use hikeshi_core::ids::UserId;
use hikeshi_core::model::*;
use hikeshi_core::ports::Store;
use hikeshi_core::triage::NotificationRequest;
use hikeshi_testkit::for_each_db;
use jiff::SignedDuration;
use serde_json::json;

fn request(key: &str, mins: i64) -> NotificationRequest {
    NotificationRequest {
        id: format!("n-{key}"),
        dedup_key: key.into(),
        kind: "sla.breach".into(),
        target_kind: TargetKind::Incident,
        target_id: "i".into(),
        recipient: Some(UserId::new(9)),
        payload: json!({"clock": key}),
        created_at: t0() + SignedDuration::from_mins(mins),
        status: "pending".into(),
    }
}

fn note(id: &str, user: UserId) -> Notification {
    Notification {
        id: id.into(),
        user,
        event: "sla.breach".into(),
        reference: "2026-0001".into(),
        link: "/incidents/2026-0001".into(),
        text: "SLA breached: 2026-0001 (TLP:AMBER)".into(),
        created_at: t0(),
        read_at: None,
    }
}

#[tokio::test]
async fn pending_requests_are_claimed_once_with_their_fanout() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let n = s
            .record_sweep(
                &[],
                &[],
                &[request("b", 2), request("a", 1), request("c", 3)],
            )
            .await
            .expect("record");
        assert_eq!(n, 3);
        let ids: Vec<String> = s
            .pending_requests(2)
            .await
            .expect("pending")
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, vec!["n-a", "n-b"], "oldest first, limited");

        let u = UserId::new(42);
        let f = Fanout {
            notifications: vec![note("x1", u)],
            ..Default::default()
        };
        assert!(s.write_fanout(Some("n-a"), &f).await.expect("claim"));
        // Claimed already: false, and nothing is written.
        let again = Fanout {
            notifications: vec![note("x2", u)],
            ..Default::default()
        };
        assert!(!s.write_fanout(Some("n-a"), &again).await.expect("again"));
        assert!(
            !s.write_fanout(Some("n-missing"), &again)
                .await
                .expect("none")
        );
        let mine = s.notifications_of(u, false, 10).await.expect("notes");
        assert_eq!(
            mine.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(),
            vec!["x1"]
        );
        let left: Vec<String> = s
            .pending_requests(10)
            .await
            .expect("pending")
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(left, vec!["n-b", "n-c"]);
        let all = s.notification_requests(None, 10).await.expect("all");
        let a = all.iter().find(|r| r.id == "n-a").expect("a");
        assert_eq!(a.status, "delivered");
        // Without a claim the fan-out is simply written.
        assert!(s.write_fanout(None, &again).await.expect("plain"));
        assert_eq!(
            s.notifications_of(u, false, 10).await.expect("notes").len(),
            2
        );
    })
    .await;
}
