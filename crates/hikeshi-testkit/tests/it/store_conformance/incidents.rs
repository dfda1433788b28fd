//! Incidents and reports: references, round trips, optimistic concurrency, links, merge.

use super::fx::*;
use hikeshi_core::Error;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::ports::Store;
use hikeshi_testkit::for_each_db;

fn a(action: &str, id: impl ToString) -> AuditEntry {
    audit(action, TargetKind::Incident, id)
}

#[tokio::test]
async fn incident_round_trip_and_microseconds() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let i = incident(
            "フィッシング",
            by,
            Some(ConstituencyId::new(2)),
            Tlp::Amber,
            t0(),
        );
        let stored = s.insert_incident(&i, &a("c", i.id)).await.expect("insert");
        assert_eq!(stored.reference, "2026-0001");
        assert_eq!(
            s.get_incident(i.id).await.expect("get"),
            Some(stored.clone())
        );
        assert_eq!(
            s.incident_by_ref("2026-0001").await.expect("by ref"),
            Some(stored.clone())
        );
        assert_eq!(s.incident_by_ref("2026-9999").await.expect("by ref"), None);
        assert_eq!(s.get_incident(IncidentId::new(1)).await.expect("get"), None);

        let nanos = at("2026-05-05T05:05:05.123456789Z");
        let j = incident("nanos", by, None, Tlp::Clear, nanos);
        s.insert_incident(&j, &a("c", j.id)).await.expect("insert");
        let got = s.get_incident(j.id).await.expect("get").expect("present");
        assert_eq!(got.created_at, at("2026-05-05T05:05:05.123456Z"));
        assert_eq!(got.due_at, Some(at("2026-05-05T05:05:05.123456Z")));
    })
    .await;
}

#[tokio::test]
async fn references_are_per_year_increasing_and_never_reused() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let mut refs = Vec::new();
        for when in [
            "2026-01-01T00:00:00Z",
            "2026-12-31T14:59:59Z",
            "2027-01-01T00:00:00Z",
            "2026-06-01T00:00:00Z",
        ] {
            let i = incident("x", by, None, Tlp::Clear, at(when));
            refs.push(
                s.insert_incident(&i, &a("c", i.id))
                    .await
                    .expect("insert")
                    .reference,
            );
        }
        assert_eq!(refs, ["2026-0001", "2026-0002", "2027-0001", "2026-0003"]);
        // A failed insert (duplicate id) does not make a committed reference reappear.
        let dup = s
            .get_incident(
                s.incident_by_ref("2026-0001")
                    .await
                    .expect("ref")
                    .expect("present")
                    .id,
            )
            .await
            .expect("get")
            .expect("present");
        assert!(s.insert_incident(&dup, &a("c", dup.id)).await.is_err());
        let next = incident("y", by, None, Tlp::Clear, at("2026-07-01T00:00:00Z"));
        let r = s
            .insert_incident(&next, &a("c", next.id))
            .await
            .expect("insert")
            .reference;
        assert!(!refs.contains(&r) && r.as_str() > "2026-0003", "{r}");

        let mut rrefs = Vec::new();
        for when in [
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2027-02-01T00:00:00Z",
        ] {
            let rep = report("r", by, None, at(when));
            rrefs.push(
                s.insert_report(&rep, &audit("c", TargetKind::Report, rep.id))
                    .await
                    .expect("insert")
                    .reference,
            );
        }
        assert_eq!(rrefs, ["R2026-0001", "R2026-0002", "R2027-0001"]);
    })
    .await;
}

#[tokio::test]
async fn updates_check_the_version() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let i = s
            .insert_incident(&incident("v", by, None, Tlp::Green, t0()), &a("c", "x"))
            .await
            .expect("insert");
        let mut i2 = i.clone();
        i2.title = "更新".into();
        i2.status = IncidentStatus::Analysing;
        i2.named_users = vec![UserId::new(7)];
        i2.owner = None;
        i2.due_at = None;
        i2.version = 2;
        s.update_incident(&i2, 1, &a("u", i.id))
            .await
            .expect("update");
        assert_eq!(s.get_incident(i.id).await.expect("get"), Some(i2.clone()));
        assert!(matches!(
            s.update_incident(&i2, 1, &a("u", i.id)).await,
            Err(Error::Conflict { current: 2 })
        ));
        let mut ghost = i2.clone();
        ghost.id = IncidentId::new(5);
        assert!(matches!(
            s.update_incident(&ghost, 1, &a("u", ghost.id)).await,
            Err(Error::NotFound)
        ));

        let r = s
            .insert_report(
                &report("rep", by, None, t0()),
                &audit("c", TargetKind::Report, "r"),
            )
            .await
            .expect("insert");
        assert_eq!(s.get_report(r.id).await.expect("get"), Some(r.clone()));
        assert_eq!(
            s.report_by_ref(&r.reference).await.expect("by ref"),
            Some(r.clone())
        );
        let mut r2 = r.clone();
        r2.status = ReportStatus::Rejected;
        r2.reject_reason = Some("spam".into());
        r2.version = 2;
        s.update_report(&r2, 1, &audit("u", TargetKind::Report, r.id))
            .await
            .expect("update");
        assert_eq!(s.get_report(r.id).await.expect("get"), Some(r2.clone()));
        assert!(matches!(
            s.update_report(&r2, 1, &audit("u", TargetKind::Report, r.id))
                .await,
            Err(Error::Conflict { current: 2 })
        ));
        let mut ghost = r2.clone();
        ghost.id = ReportId::new(5);
        assert!(matches!(
            s.update_report(&ghost, 2, &audit("u", TargetKind::Report, ghost.id))
                .await,
            Err(Error::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn link_report_opens_it_and_lists_both_ways() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let i = s
            .insert_incident(&incident("i", by, None, Tlp::Green, t0()), &a("c", "x"))
            .await
            .expect("insert");
        let r = s
            .insert_report(
                &report("r", by, None, t0()),
                &audit("c", TargetKind::Report, "r"),
            )
            .await
            .expect("insert");
        s.link_report(r.id, i.id, &audit("l", TargetKind::Report, r.id))
            .await
            .expect("link");
        s.link_report(r.id, i.id, &audit("l", TargetKind::Report, r.id))
            .await
            .expect("link twice is fine");
        let got = s.get_report(r.id).await.expect("get").expect("present");
        assert_eq!(
            (got.incidents.clone(), got.status),
            (vec![i.id], ReportStatus::Open)
        );
        assert!(got.version > r.version);
        assert_eq!(
            s.reports_of_incident(i.id).await.expect("reports of"),
            vec![got]
        );
    })
    .await;
}

#[tokio::test]
async fn merge_moves_reports_children_work_entries_attachments() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let surv = s
            .insert_incident(
                &incident("survivor", by, None, Tlp::Green, t0()),
                &a("c", "s"),
            )
            .await
            .expect("insert");
        let merged = s
            .insert_incident(
                &incident("merged", by, None, Tlp::Green, t0()),
                &a("c", "m"),
            )
            .await
            .expect("insert");
        let mut child = incident("child", by, None, Tlp::Green, t0());
        child.parent = Some(merged.id);
        let child = s
            .insert_incident(&child, &a("c", "c"))
            .await
            .expect("insert");
        let r1 = s
            .insert_report(
                &report("r1", by, None, t0()),
                &audit("c", TargetKind::Report, "r1"),
            )
            .await
            .expect("insert");
        let r2 = s
            .insert_report(
                &report("r2", by, None, t0()),
                &audit("c", TargetKind::Report, "r2"),
            )
            .await
            .expect("insert");
        s.link_report(r1.id, merged.id, &a("l", r1.id))
            .await
            .expect("link");
        s.link_report(r2.id, merged.id, &a("l", r2.id))
            .await
            .expect("link");
        s.link_report(r2.id, surv.id, &a("l", r2.id))
            .await
            .expect("link");
        let w = super::work::Work::add(&s, merged.id).await;
        assert_eq!(
            s.child_incidents(merged.id).await.expect("children"),
            vec![child.clone()]
        );

        let mut m = merged.clone();
        m.merged_into = Some(surv.id);
        m.status = IncidentStatus::Resolved;
        m.version = 2;
        let mut sv = surv.clone();
        sv.version = 2;
        let stale = s.merge_incidents(&sv, 1, &m, 0, &[a("merge", m.id)]).await;
        assert!(
            matches!(stale, Err(Error::Conflict { current: 1 })),
            "{stale:?}"
        );
        s.merge_incidents(&sv, 1, &m, 1, &[a("merge", m.id), a("absorb", sv.id)])
            .await
            .expect("merge");

        assert_eq!(s.get_incident(merged.id).await.expect("get"), Some(m));
        assert_eq!(
            s.get_incident(surv.id).await.expect("get"),
            Some(sv.clone())
        );
        let mut reps: Vec<ReportId> = s
            .reports_of_incident(surv.id)
            .await
            .expect("reports")
            .iter()
            .map(|r| r.id)
            .collect();
        reps.sort();
        let mut want = vec![r1.id, r2.id];
        want.sort();
        assert_eq!(reps, want);
        assert!(
            s.reports_of_incident(merged.id)
                .await
                .expect("reports")
                .is_empty()
        );
        assert_eq!(
            s.get_report(r2.id)
                .await
                .expect("get")
                .expect("present")
                .incidents,
            vec![surv.id]
        );
        assert_eq!(
            s.child_incidents(surv.id)
                .await
                .expect("children")
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>(),
            vec![child.id]
        );
        w.assert_moved_to(&s, surv.id, merged.id).await;
    })
    .await;
}

/// The create path differs by backend (one trigger-driven statement on SQLite, separate
/// statements on PostgreSQL); what it leaves behind must not: search text (tags included),
/// re-indexing on update, and the reference in the audit entry.
#[tokio::test]
async fn create_paths_index_and_audit_alike() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let mut i = incident("ランサムウェア感染", by, None, Tlp::Amber, t0());
        i.description = "経理部の端末".into();
        i.tags = vec!["encrypted-files".into(), "初動".into()];
        let mut entry = a("incident.create", i.id);
        entry.after = Some(serde_json::json!({"title": i.title}));
        let stored = s.insert_incident(&i, &entry).await.expect("insert");
        let everyone = vis(by, true, &[], false);
        let find = |q: &str| {
            let mut lq = query(10);
            lq.q = Some(q.into());
            lq
        };
        for q in [
            "ランサムウェア",
            "経理部",
            "encrypted-files",
            "初動",
            &stored.reference,
        ] {
            let page = s.list_incidents(&everyone, &find(q)).await.expect("search");
            assert_eq!(page.items.len(), 1, "{q:?} should find the new incident");
        }
        let mut edited = stored.clone();
        edited.title = "誤検知".into();
        edited.version += 1;
        s.update_incident(&edited, stored.version, &a("incident.update", i.id))
            .await
            .expect("update");
        assert_eq!(
            s.list_incidents(&everyone, &find("誤検知"))
                .await
                .expect("search")
                .items
                .len(),
            1
        );
        assert_eq!(
            s.list_incidents(&everyone, &find("ランサムウェア"))
                .await
                .expect("search")
                .items
                .len(),
            0
        );
        let history = s.history(&[i.id.to_string()]).await.expect("history");
        let created = history
            .iter()
            .find(|e| e.action == "incident.create")
            .expect("create entry");
        assert_eq!(
            created.after.as_ref().and_then(|v| v["ref"].as_str()),
            Some(stored.reference.as_str())
        );
        assert_eq!(
            created.after.as_ref().and_then(|v| v["title"].as_str()),
            Some("ランサムウェア感染")
        );
        s.seal_audit().await.expect("seal");
        let (chain, cp) = s.audit_chain().await.expect("chain");
        let verdict =
            hikeshi_core::audit::verify(&chain, cp.as_ref().map(|(n, h)| (*n, h.as_str())));
        assert!(
            matches!(verdict, hikeshi_core::audit::Verdict::Intact { entries: 2 }),
            "{verdict:?}"
        );
    })
    .await;
}

/// Concurrent creates (batched into shared transactions on SQLite) each get their own
/// answer: unique references, and a failing one does not take the others down.
#[tokio::test]
async fn concurrent_creates_get_unique_references_and_their_own_errors() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let dup = incident("duplicate", by, None, Tlp::Amber, t0());
        let mut set = tokio::task::JoinSet::new();
        for n in 0..40 {
            let s = s.clone();
            let i = if n == 7 || n == 23 {
                dup.clone()
            } else {
                incident(&format!("並行 {n}"), by, None, Tlp::Amber, t0())
            };
            set.spawn(async move { s.insert_incident(&i, &a("incident.create", i.id)).await });
        }
        let mut refs = Vec::new();
        let mut duplicates = 0;
        while let Some(r) = set.join_next().await {
            match r.expect("task") {
                Ok(i) => refs.push(i.reference),
                Err(Error::Duplicate { .. }) => duplicates += 1,
                Err(e) => panic!("unexpected error: {e}"),
            }
        }
        assert_eq!(
            duplicates, 1,
            "exactly the second copy of the duplicate fails"
        );
        assert_eq!(refs.len(), 39);
        refs.sort();
        refs.dedup();
        assert_eq!(refs.len(), 39, "references are unique");
        let everyone = vis(by, true, &[], false);
        assert_eq!(
            s.list_incidents(&everyone, &query(100))
                .await
                .expect("list")
                .items
                .len(),
            39
        );
    })
    .await;
}
