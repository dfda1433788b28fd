//! Handling tables: playbooks, tasks and evidence, plans, verify steps, reviews, approvals,
//! delegations, notifications, webhooks and the outbox — every method, on every backend.

use super::fx::*;
use hikeshi_core::Error;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::ports::Store;
use hikeshi_store::SqlStore;
use hikeshi_testkit::for_each_db;
use jiff::{SignedDuration, Timestamp};

fn a(action: &str, id: impl ToString) -> AuditEntry {
    audit(action, TargetKind::Incident, id)
}

fn later(mins: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_mins(mins))
        .expect("time")
}

fn playbook(slug: &str, version: i64, at: Timestamp) -> Playbook {
    Playbook {
        id: new_id(ms(at) + version as u64),
        slug: slug.into(),
        version,
        title_ja: "フィッシング対応".into(),
        title_en: "Phishing response".into(),
        classifications: vec!["phishing".into()],
        tasks: vec![PlaybookTask {
            title_ja: "テイクダウン依頼".into(),
            title_en: "Request takedown".into(),
            description: "ホスティング事業者へ".into(),
            checklist: vec!["URL 確認".into(), "依頼送付".into()],
            due_in_minutes: Some(240),
        }],
        reason: (version > 1).then(|| "レビューの結果".into()),
        created_by: UserId::new(1),
        created_at: at,
    }
}

async fn stored_incident(s: &SqlStore) -> Incident {
    let i = incident("標的型", UserId::new(1), None, Tlp::Amber, t0());
    s.insert_incident(&i, &a("c", i.id))
        .await
        .expect("incident")
}

#[tokio::test]
async fn playbooks_are_versioned_and_tasks_round_trip() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let p1 = playbook("phishing", 1, t0());
        s.insert_playbook(&p1, &a("p", "x")).await.expect("v1");
        let dup = playbook("phishing", 1, later(1));
        assert!(matches!(
            s.insert_playbook(&dup, &a("p", "x")).await,
            Err(Error::Duplicate { .. })
        ));
        let p2 = playbook("phishing", 2, later(2));
        s.insert_playbook(&p2, &a("p", "x")).await.expect("v2");
        let other = playbook("ddos", 1, later(3));
        s.insert_playbook(&other, &a("p", "x"))
            .await
            .expect("other");
        assert_eq!(s.get_playbook(&p1.id).await.expect("get"), Some(p1.clone()));
        assert_eq!(s.get_playbook("nope").await.expect("get"), None);
        assert_eq!(
            s.playbook_versions("phishing").await.expect("versions"),
            vec![p1.clone(), p2.clone()]
        );
        assert_eq!(
            s.latest_playbooks().await.expect("latest"),
            vec![other.clone(), p2.clone()]
        );

        let i = stored_incident(&s).await;
        let tasks = hikeshi_core::app::tasks_from(&p2, i.id, Some(UserId::new(1)), t0(), ms(t0()));
        s.insert_tasks(&tasks, &a("t", i.id)).await.expect("tasks");
        let got = s.tasks_of(i.id).await.expect("tasks of");
        assert_eq!(got, tasks);
        assert_eq!(got[0].due_at, Some(later(240)));
        assert_eq!(
            s.get_task(&tasks[0].id).await.expect("get"),
            Some(tasks[0].clone())
        );

        let mut t = tasks[0].clone();
        t.status = TaskStatus::Done;
        t.checklist[0].done = true;
        t.notes = "完了".into();
        t.version = 2;
        s.update_task(&t, 1, &a("u", i.id)).await.expect("update");
        assert!(matches!(
            s.update_task(&t, 1, &a("u", i.id)).await,
            Err(Error::Conflict { .. })
        ));
        let att = Attachment {
            id: AttachmentId::new(ms(t0())),
            target_kind: TargetKind::Incident,
            target_id: i.id.to_string(),
            name: "log.txt".into(),
            content_type: "text/plain".into(),
            sha256: super::work::sha(b"evidence"),
            size: 8,
            created_by: UserId::new(1),
            created_at: t0(),
        };
        let mut with = t.clone();
        with.evidence.push(att.id);
        with.version = 3;
        s.add_task_evidence(&with, 2, &att, b"evidence", &a("e", i.id))
            .await
            .expect("evidence");
        assert_eq!(s.get_task(&t.id).await.expect("get"), Some(with.clone()));
        assert_eq!(
            s.attachments_of(&i.id.to_string()).await.expect("atts"),
            vec![att.clone()]
        );
        assert_eq!(
            s.blob(&att.sha256).await.expect("blob"),
            Some(b"evidence".to_vec())
        );
        // A stale version stores neither the task nor the attachment.
        let mut att2 = att.clone();
        att2.id = AttachmentId::new(ms(later(5)));
        assert!(matches!(
            s.add_task_evidence(&with, 2, &att2, b"x", &a("e", i.id))
                .await,
            Err(Error::Conflict { .. })
        ));
        assert_eq!(
            s.attachments_of(&i.id.to_string())
                .await
                .expect("atts")
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn plans_verifications_and_reviews() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let i = stored_incident(&s).await;
        let p = ResponsePlan {
            id: new_id(ms(t0())),
            incident: i.id,
            iteration: 1,
            objectives: "封じ込め".into(),
            strategy: Some(Strategy::ScopeFirst),
            risk: "情報流出が続く".into(),
            risk_tolerance: "監視下で 48 時間まで".into(),
            decided_by: UserId::new(1),
            created_at: t0(),
        };
        let q = ResponsePlan {
            id: new_id(ms(later(1))),
            strategy: None,
            iteration: 2,
            created_at: later(1),
            ..p.clone()
        };
        s.insert_plan(&p, &a("p", i.id)).await.expect("plan");
        s.insert_plan(&q, &a("p", i.id)).await.expect("plan 2");
        assert_eq!(s.plans_of(i.id).await.expect("plans"), vec![p, q]);
        let v = Verification {
            id: new_id(ms(t0())),
            incident: i.id,
            iteration: 1,
            outcome: VerifyOutcome::NotResolved,
            notes: "残存あり".into(),
            verified_by: UserId::new(1),
            created_at: t0(),
        };
        s.insert_verification(&v, &a("v", i.id))
            .await
            .expect("verify");
        assert_eq!(s.verifications_of(i.id).await.expect("list"), vec![v]);
        let r = Review {
            id: new_id(ms(t0())),
            incident: i.id,
            root_cause: "VPN 脆弱性".into(),
            why: "パッチ未適用".into(),
            changes: "パッチ手順を改訂".into(),
            reviewed_by: UserId::new(1),
            created_at: t0(),
        };
        s.insert_review(&r, &a("r", i.id)).await.expect("review");
        assert_eq!(s.reviews_of(i.id).await.expect("list"), vec![r]);
        assert!(
            s.reviews_of(IncidentId::new(1))
                .await
                .expect("none")
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn approvals_and_delegations() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let i = stored_incident(&s).await;
        let ap = Approval {
            id: new_id(ms(t0())),
            incident: i.id,
            action_kind: "countermeasure".into(),
            action_id: "cm-1".into(),
            required_role: Role::Lead,
            post_hoc: true,
            reason: "緊急遮断".into(),
            status: ApprovalStatus::Pending,
            requested_by: UserId::new(1),
            requested_at: t0(),
            decided_by: None,
            on_behalf_of: None,
            decided_at: None,
            comment: None,
            version: 1,
        };
        s.insert_approval(&ap, &a("a", i.id))
            .await
            .expect("approval");
        assert_eq!(s.get_approval(&ap.id).await.expect("get"), Some(ap.clone()));
        assert_eq!(
            s.pending_approvals(10).await.expect("pending"),
            vec![ap.clone()]
        );
        assert_eq!(
            s.approvals_of_action("cm-1").await.expect("of"),
            vec![ap.clone()]
        );
        let mut done = ap.clone();
        done.status = ApprovalStatus::Approved;
        done.decided_by = Some(UserId::new(3));
        done.on_behalf_of = Some(UserId::new(2));
        done.decided_at = Some(later(10));
        done.comment = Some("了承".into());
        done.version = 2;
        s.update_approval(&done, 1, &a("d", i.id))
            .await
            .expect("decide");
        assert!(matches!(
            s.update_approval(&done, 1, &a("d", i.id)).await,
            Err(Error::Conflict { .. })
        ));
        assert_eq!(s.get_approval(&ap.id).await.expect("get"), Some(done));
        assert!(s.pending_approvals(10).await.expect("pending").is_empty());

        let (boss, deputy) = (UserId::new(2), UserId::new(3));
        let d = Delegation {
            id: new_id(ms(t0())),
            delegator: boss,
            delegate: deputy,
            starts_at: later(60),
            ends_at: later(120),
            reason: "休暇".into(),
            created_at: t0(),
        };
        s.insert_delegation(&d, &a("g", i.id))
            .await
            .expect("delegation");
        let to = |t| s.delegations_to(deputy, t);
        assert!(to(later(59)).await.expect("before").is_empty());
        assert_eq!(to(later(60)).await.expect("start"), vec![d.clone()]);
        assert!(to(later(120)).await.expect("end is exclusive").is_empty());
        assert_eq!(s.delegations_by(boss).await.expect("by"), vec![d]);
        assert!(s.delegations_by(deputy).await.expect("by").is_empty());
    })
    .await;
}

#[tokio::test]
async fn notifications_webhooks_and_outbox() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let u = UserId::new(7);
        let ids = [new_id(ms(later(1))), new_id(ms(later(2)))];
        let note = |n: i64| Notification {
            id: ids[(n - 1) as usize].clone(),
            user: u,
            event: "assignment".into(),
            reference: "2026-0001".into(),
            link: "/incidents/2026-0001".into(),
            text: format!("割り当て {n}"),
            created_at: later(n),
            read_at: None,
        };
        let hook = Webhook {
            id: new_id(ms(t0())),
            constituency: Some(ConstituencyId::new(4)),
            name: "SOC Slack".into(),
            url: "https://hooks.example/T/B/secret".into(),
            format: WebhookFormat::Slack,
            events: vec!["assignment".into()],
            active: true,
            created_by: u,
            created_at: t0(),
            updated_at: t0(),
            version: 1,
        };
        s.insert_webhook(&hook, &a("w", "x")).await.expect("hook");
        assert_eq!(
            s.get_webhook(&hook.id).await.expect("get"),
            Some(hook.clone())
        );
        assert_eq!(s.webhooks().await.expect("all"), vec![hook.clone()]);
        let mut off = hook.clone();
        off.active = false;
        off.format = WebhookFormat::Teams;
        off.version = 2;
        s.update_webhook(&off, 1, &a("w", "x"))
            .await
            .expect("update");
        assert!(matches!(
            s.update_webhook(&off, 1, &a("w", "x")).await,
            Err(Error::Conflict { .. })
        ));
        assert_eq!(s.webhooks().await.expect("all"), vec![off]);

        let dids = [
            new_id(ms(later(1))),
            new_id(ms(later(5))),
            new_id(ms(later(9))),
        ];
        let delivery = |n: i64| Delivery {
            id: dids[match n {
                1 => 0,
                5 => 1,
                _ => 2,
            }]
            .clone(),
            webhook: hook.id.clone(),
            event: "assignment".into(),
            url: hook.url.clone(),
            content_type: "application/json".into(),
            body: format!("{{\"n\":{n}}}"),
            status: "pending".into(),
            attempts: 0,
            next_at: later(n),
            last_error: None,
            created_at: later(n),
            sent_at: None,
        };
        s.insert_notifications(&[note(1), note(2)], &[delivery(1), delivery(5)])
            .await
            .expect("notify");
        assert_eq!(
            s.notifications_of(u, false, 10).await.expect("list"),
            vec![note(2), note(1)]
        );
        assert_eq!(
            s.notifications_of(u, false, 1).await.expect("limit"),
            vec![note(2)]
        );
        assert_eq!(
            s.mark_notifications_read(u, &[note(1).id], later(9))
                .await
                .expect("mark"),
            1
        );
        assert_eq!(
            s.notifications_of(u, true, 10).await.expect("unread"),
            vec![note(2)]
        );
        assert_eq!(
            s.mark_notifications_read(UserId::new(8), &[], later(9))
                .await
                .expect("other"),
            0
        );
        assert_eq!(
            s.mark_notifications_read(u, &[], later(9))
                .await
                .expect("all"),
            1
        );
        assert!(
            s.notifications_of(u, true, 10)
                .await
                .expect("none")
                .is_empty()
        );

        assert_eq!(
            s.due_deliveries(later(4), 10).await.expect("due"),
            vec![delivery(1)]
        );
        // One courier takes it; a second (another node) does not; it is not due while leased.
        assert!(
            s.claim_delivery(&dids[0], later(1), later(9))
                .await
                .expect("claim")
        );
        assert!(
            !s.claim_delivery(&dids[0], later(1), later(9))
                .await
                .expect("taken")
        );
        assert!(
            s.due_deliveries(later(4), 10)
                .await
                .expect("due")
                .is_empty()
        );
        let mut sent = delivery(1);
        sent.status = "sent".into();
        sent.attempts = 1;
        sent.sent_at = Some(later(4));
        s.finish_delivery(&sent).await.expect("finish");
        let mut retry = delivery(5);
        retry.attempts = 1;
        retry.last_error = Some("HTTP 500".into());
        retry.next_at = later(30);
        s.finish_delivery(&retry).await.expect("finish");
        assert!(
            s.due_deliveries(later(29), 10)
                .await
                .expect("due")
                .is_empty()
        );
        assert_eq!(
            s.due_deliveries(later(30), 10).await.expect("due"),
            vec![retry.clone()]
        );
        assert_eq!(
            s.deliveries_of(&hook.id, 10).await.expect("of"),
            vec![retry, sent]
        );
        assert!(matches!(
            s.finish_delivery(&delivery(99)).await,
            Err(Error::NotFound)
        ));
    })
    .await;
}
