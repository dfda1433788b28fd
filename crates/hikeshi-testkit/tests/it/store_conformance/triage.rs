//! Triage, SLA and deadline clocks: every store method of the issue #6 block, on every
//! backend.

use super::fx::*;
use hikeshi_core::deadlines::DeadlineClock;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::observables::{Kind, NewObservable, WarningList};
use hikeshi_core::ports::Store;
use hikeshi_core::sla::{ClockKind, ClockState, SlaClock};
use hikeshi_core::triage::{
    ConfigVersion, NotificationRequest, Outcome, TriageRecord, TriageWrite,
};
use hikeshi_testkit::for_each_db;
use jiff::Timestamp;
use serde_json::json;

fn observed(kind: Kind, value: &str) -> Vec<NewObservable> {
    let warn = WarningList::builtin();
    vec![NewObservable::new(
        kind,
        value.into(),
        Tlp::Amber,
        t0(),
        &warn,
    )]
}

fn clock(target: &str, kind: ClockKind, next: Option<Timestamp>) -> SlaClock {
    SlaClock {
        id: format!("{target}:{}", kind.as_str()),
        target_kind: TargetKind::Report,
        target_id: target.into(),
        constituency: None,
        kind,
        priority: 3,
        calendar: "jp-business".into(),
        budget_secs: 3600,
        started_at: t0(),
        elapsed_secs: 0,
        running_since: Some(t0()),
        state: ClockState::Running,
        stopped_at: None,
        warn_at: next,
        breach_at: next.map(|t| t + jiff::SignedDuration::from_mins(12)),
        next_event_at: next,
        warned: false,
        breached: false,
        escalate_to: Some(UserId::new(5)),
    }
}

fn deadline(id: &str, incident: IncidentId, due: Option<Timestamp>) -> DeadlineClock {
    DeadlineClock {
        id: id.into(),
        incident,
        preset: "jp-appi".into(),
        regime: "APPI".into(),
        deadline: "final".into(),
        stage: "確報".into(),
        recipient: "PPC".into(),
        clock_start: "became_aware".into(),
        clock_start_at: t0(),
        due_at: due,
        due_display: "2026-05-01T23:59:59+09:00".into(),
        hard: true,
        unverified: true,
        status: "draft".into(),
        submitted_at: None,
        attachment: None,
        warn_at: due,
        next_event_at: due,
        warned: false,
        breached: false,
        created_by: UserId::new(1),
        created_at: t0(),
        version: 1,
    }
}

fn note(key: &str) -> NotificationRequest {
    NotificationRequest {
        id: format!("n-{key}"),
        dedup_key: key.into(),
        kind: "sla.warning".into(),
        target_kind: TargetKind::Report,
        target_id: "r".into(),
        recipient: Some(UserId::new(9)),
        payload: json!({"clock": key}),
        created_at: t0(),
        status: "pending".into(),
    }
}

#[tokio::test]
async fn config_versions_are_kept_and_stale_saves_conflict() {
    for_each_db(|db| async move {
        let s = db.open().await;
        assert_eq!(s.config("rules", None).await.expect("config"), None);
        let c = ConfigVersion {
            kind: "rules".into(),
            version: 0,
            body: json!({"rules": [{"id": "規則"}]}),
            created_by: "lead".into(),
            created_at: t0(),
        };
        let a = || audit("triage.rules.save", TargetKind::System, "triage-rules");
        assert_eq!(s.save_config(&c, None, &a()).await.expect("v1"), 1);
        assert_eq!(s.save_config(&c, Some(1), &a()).await.expect("v2"), 2);
        assert!(matches!(
            s.save_config(&c, Some(1), &a()).await,
            Err(hikeshi_core::Error::Conflict { current: 2 })
        ));
        let cur = s.config("rules", None).await.expect("cur").expect("some");
        assert_eq!(
            (cur.version, cur.body.clone(), cur.created_at),
            (2, c.body.clone(), t0())
        );
        assert_eq!(
            s.config("rules", Some(1))
                .await
                .expect("v1")
                .map(|c| c.version),
            Some(1)
        );
        assert_eq!(s.config("sla", None).await.expect("other kind"), None);
        let all = s.config_versions("rules").await.expect("versions");
        assert_eq!(
            all.iter().map(|c| c.version).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(
            db.count("audit_log WHERE action = 'triage.rules.save'")
                .await,
            2
        );
    })
    .await;
}

#[tokio::test]
async fn a_triaged_report_is_one_transaction() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let i = s
            .insert_incident(
                &incident("campaign", by, None, Tlp::Amber, t0()),
                &audit("incident.create", TargetKind::Incident, "i"),
            )
            .await
            .expect("incident");
        let r = report("phishing", by, None, t0());
        let outcome = Outcome {
            matched: vec!["phish".into()],
            priority: 2,
            ..Outcome::default()
        };
        let w = TriageWrite {
            record: Some(TriageRecord {
                report: r.id,
                rules_version: 7,
                outcome: outcome.clone(),
                linked: Some(i.id),
                at: t0(),
            }),
            link: Some(i.id),
            notifications: vec![note("triage:a")],
            clocks: vec![clock(&r.id.to_string(), ClockKind::Triage, Some(t0()))],
            deadlines: vec![deadline("d-1", i.id, Some(t0()))],
            observed: observed(Kind::Ipv4, "45.33.32.156"),
            jobs: vec![],
            ..TriageWrite::default()
        };
        let meta = MailMeta {
            raw_id: "raw-9".into(),
            message_id: None,
            from: Some("a@example.jp".into()),
            to: vec![],
            auto_generated: false,
            auto_reason: None,
            signature: "none".into(),
            language: "ja".into(),
            malformed: vec![],
            headers: vec![],
        };
        let stored = s
            .insert_report_triaged(
                &r,
                Some((&meta, &[])),
                &w,
                &audit("report.create", TargetKind::Report, r.id),
            )
            .await
            .expect("insert");
        assert!(stored.reference.starts_with('R'));
        assert_eq!(stored.incidents, vec![i.id]);
        let got = s.get_report(r.id).await.expect("get").expect("some");
        assert_eq!(got.incidents, vec![i.id]);
        let rec = s.triage_of(r.id).await.expect("triage").expect("some");
        assert_eq!(
            (rec.rules_version, rec.outcome, rec.linked),
            (7, outcome, Some(i.id))
        );
        assert_eq!(s.triage_of(ReportId::new(1)).await.expect("none"), None);
        assert_eq!(
            s.mail_meta(&[r.id.to_string()]).await.expect("meta").len(),
            1
        );
        assert_eq!(
            s.clocks_of(&[r.id.to_string()])
                .await
                .expect("clocks")
                .len(),
            1
        );
        assert_eq!(s.deadlines_of(i.id).await.expect("deadlines").len(), 1);
        let obs = s.observables_of(&r.id.to_string()).await.expect("obs");
        assert_eq!(obs.len(), 1, "observables in the report's transaction");
        assert_eq!(
            s.notification_requests(None, 10)
                .await
                .expect("notes")
                .len(),
            1
        );
        // A failure part-way writes nothing: the same deadline id again.
        let r2 = report("again", by, None, t0());
        let w2 = TriageWrite {
            deadlines: vec![deadline("d-1", i.id, None)],
            observed: observed(Kind::Domain, "rollback.example.jp"),
            ..TriageWrite::default()
        };
        assert!(
            s.insert_report_triaged(
                &r2,
                None,
                &w2,
                &audit("report.create", TargetKind::Report, r2.id)
            )
            .await
            .is_err()
        );
        assert_eq!(s.get_report(r2.id).await.expect("get"), None);
        assert!(
            s.find_value(Kind::Domain, "rollback.example.jp")
                .await
                .expect("find")
                .is_none(),
            "observables rolled back with the report"
        );
    })
    .await;
}

#[tokio::test]
async fn clocks_upsert_list_sweep_and_record_idempotently() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let early = at("2026-04-01T01:00:00Z");
        let late = at("2026-04-09T01:00:00Z");
        let mut a = clock("ra", ClockKind::FirstResponse, Some(early));
        let b = clock("rb", ClockKind::Triage, Some(late));
        let paused = SlaClock {
            state: ClockState::Paused,
            running_since: None,
            warn_at: None,
            breach_at: None,
            next_event_at: None,
            ..clock("rc", ClockKind::Triage, None)
        };
        s.put_clocks(&[a.clone(), b.clone(), paused.clone()])
            .await
            .expect("put");
        assert_eq!(
            s.clocks_of(&["ra".into(), "rc".into()]).await.expect("of"),
            vec![a.clone(), paused]
        );
        a.elapsed_secs = 99;
        s.put_clocks(std::slice::from_ref(&a))
            .await
            .expect("upsert");
        assert_eq!(
            s.clocks_of(&["ra".into()]).await.expect("of")[0].elapsed_secs,
            99
        );
        let near = s
            .clocks_near_breach(at("2026-04-02T00:00:00Z"), 10)
            .await
            .expect("near");
        assert_eq!(
            near.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            vec!["ra:first_response"]
        );
        let id = |i: i64| IncidentId::new(i as u64 * 1000);
        let d1 = deadline("d-early", id(1), Some(early));
        let d2 = deadline("d-none", id(1), None);
        s.insert_deadlines(
            &[d1.clone(), d2.clone()],
            &audit("deadline.attach", TargetKind::Incident, id(1)),
        )
        .await
        .expect("deadlines");
        let (cs, ds) = s
            .pending_events(at("2026-04-02T00:00:00Z"), 100)
            .await
            .expect("pending");
        assert_eq!((cs.len(), ds.len()), (1, 1));
        let mut c = cs[0].clone();
        c.warned = true;
        c.next_event_at = c.breach_at;
        let mut d = ds[0].clone();
        d.warned = true;
        d.breached = true;
        d.next_event_at = None;
        let n = s
            .record_sweep(
                &[c.clone()],
                &[d],
                &[note("sla:a:warning"), note("deadline:d:warning")],
            )
            .await
            .expect("record");
        assert_eq!(n, 2);
        // The same events again record nothing new.
        assert_eq!(
            s.record_sweep(&[c], &[], &[note("sla:a:warning")])
                .await
                .expect("again"),
            0
        );
        let (cs, ds) = s
            .pending_events(at("2026-04-01T01:05:00Z"), 100)
            .await
            .expect("pending");
        assert_eq!(
            (cs.len(), ds.len()),
            (0, 0),
            "the warning is recorded, the breach not yet due"
        );
        let notes = s.notification_requests(None, 100).await.expect("notes");
        assert_eq!(notes.len(), 2);
        assert!(
            notes
                .iter()
                .all(|n| n.recipient.is_some() && n.status == "pending")
        );
        assert_eq!(
            notes[1].payload,
            json!({"clock": "sla:a:warning"}),
            "ordered by id"
        );
        assert_eq!(
            s.notification_requests(Some(&notes[0].id), 100)
                .await
                .expect("after")
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn deadlines_update_due_list_and_presets() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let inc = IncidentId::new(1000);
        let a = || audit("deadline.attach", TargetKind::Incident, inc);
        let d = deadline("d-1", inc, Some(at("2026-05-01T15:00:00Z")));
        let later = deadline("d-2", inc, Some(at("2026-06-01T15:00:00Z")));
        s.insert_deadlines(&[later.clone(), d.clone()], &a())
            .await
            .expect("insert");
        assert_eq!(s.get_deadline("d-1").await.expect("get"), Some(d.clone()));
        assert_eq!(s.get_deadline("nope").await.expect("get"), None);
        let due = s
            .deadlines_due(at("2026-12-01T00:00:00Z"), 10)
            .await
            .expect("due");
        assert_eq!(
            due.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            vec!["d-1", "d-2"]
        );
        let mut sub = d.clone();
        sub.status = "submitted".into();
        sub.attachment = Some(AttachmentId::new(7));
        sub.submitted_at = Some(t0());
        sub.version = 2;
        s.update_deadline(&sub, 1, &a()).await.expect("update");
        assert!(matches!(
            s.update_deadline(&sub, 1, &a()).await,
            Err(hikeshi_core::Error::Conflict { .. })
        ));
        assert_eq!(s.get_deadline("d-1").await.expect("get"), Some(sub));
        let due = s
            .deadlines_due(at("2026-12-01T00:00:00Z"), 10)
            .await
            .expect("due");
        assert_eq!(due.len(), 1, "submitted deadlines leave the due list");
        assert_eq!(s.deadlines_of(inc).await.expect("of").len(), 2);

        let p = json!({"id": "contract-x", "regime": "契約"});
        s.insert_preset(
            "contract-x",
            &p,
            &audit("deadline.preset.add", TargetKind::System, "p"),
        )
        .await
        .expect("preset");
        assert!(matches!(
            s.insert_preset(
                "contract-x",
                &p,
                &audit("deadline.preset.add", TargetKind::System, "p")
            )
            .await,
            Err(hikeshi_core::Error::Duplicate { .. })
        ));
        assert_eq!(s.custom_presets().await.expect("presets"), vec![p]);
    })
    .await;
}
