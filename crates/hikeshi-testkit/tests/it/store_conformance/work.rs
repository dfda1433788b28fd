//! Investigations, countermeasures, entries, attachments and blobs, the audit chain.

use super::fx::*;
use hikeshi_core::Error;
use hikeshi_core::audit::{Verdict, verify};
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::ports::{ListQuery, Store};
use hikeshi_store::SqlStore;
use hikeshi_testkit::for_each_db;
use sha2::{Digest, Sha256};

/// One of each kind of work on an incident.
pub struct Work {
    pub inv: Investigation,
    pub cm: Countermeasure,
    pub entry: Entry,
    pub att: Attachment,
}

pub fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn attachment(target: IncidentId, name: &str, bytes: &[u8]) -> Attachment {
    Attachment {
        id: AttachmentId::new(ms(t0())),
        target_kind: TargetKind::Incident,
        target_id: target.to_string(),
        name: name.into(),
        content_type: "application/octet-stream".into(),
        sha256: sha(bytes),
        size: bytes.len() as i64,
        created_by: UserId::new(1),
        created_at: t0(),
    }
}

impl Work {
    pub async fn add(s: &SqlStore, incident: IncidentId) -> Work {
        let by = UserId::new(1);
        let inv = Investigation {
            id: InvestigationId::new(ms(t0())),
            incident,
            title: "ISP への照会".into(),
            correspondents: vec!["abuse@isp.example".into()],
            status: InvestigationStatus::Open,
            created_by: by,
            created_at: t0(),
            updated_at: t0(),
            version: 1,
        };
        s.insert_investigation(&inv, &audit("i", TargetKind::Investigation, inv.id))
            .await
            .expect("investigation");
        let cm = Countermeasure {
            id: CountermeasureId::new(ms(t0())),
            incident,
            kind: CountermeasureKind::Block,
            what: "203.0.113.5".into(),
            location: "境界 FW".into(),
            status: CountermeasureStatus::PendingActivation,
            created_by: by,
            created_at: t0(),
            updated_at: t0(),
            version: 1,
        };
        s.insert_countermeasure(&cm, &audit("c", TargetKind::Countermeasure, cm.id))
            .await
            .expect("countermeasure");
        let entry = Entry {
            id: EntryId::new(ms(t0())),
            target_kind: TargetKind::Incident,
            target_id: incident.to_string(),
            kind: "correspondence".into(),
            direction: Some(Direction::Out),
            author: Some(by),
            from: Some("csirt@example.jp".into()),
            to: vec!["a@example.jp".into(), "b@example.jp".into()],
            subject: Some("件名".into()),
            body: "本文です".into(),
            created_at: t0(),
        };
        s.insert_entry(&entry, &audit("e", TargetKind::Incident, incident))
            .await
            .expect("entry");
        let att = attachment(incident, "evidence.bin", b"\x00\x01binary\xff");
        s.insert_attachment(
            &att,
            b"\x00\x01binary\xff",
            &audit("a", TargetKind::Incident, incident),
        )
        .await
        .expect("attachment");
        Work {
            inv,
            cm,
            entry,
            att,
        }
    }

    pub async fn assert_moved_to(&self, s: &SqlStore, to: IncidentId, from: IncidentId) {
        let ids = |v: &[Investigation]| v.iter().map(|x| x.id).collect::<Vec<_>>();
        assert_eq!(
            ids(&s.investigations_of(to).await.expect("investigations")),
            vec![self.inv.id]
        );
        assert_eq!(
            s.countermeasures_of(to)
                .await
                .expect("countermeasures")
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>(),
            vec![self.cm.id]
        );
        assert_eq!(
            s.entries_of(&to.to_string())
                .await
                .expect("entries")
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>(),
            vec![self.entry.id]
        );
        assert_eq!(
            s.attachments_of(&to.to_string())
                .await
                .expect("attachments")
                .iter()
                .map(|a| a.id)
                .collect::<Vec<_>>(),
            vec![self.att.id]
        );
        assert!(
            s.investigations_of(from)
                .await
                .expect("investigations")
                .is_empty()
        );
        assert!(
            s.entries_of(&from.to_string())
                .await
                .expect("entries")
                .is_empty()
        );
        assert!(
            s.attachments_of(&from.to_string())
                .await
                .expect("attachments")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn work_round_trips_and_versions() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let inc = IncidentId::new(ms(t0()));
        let w = Work::add(&s, inc).await;
        assert_eq!(
            s.get_investigation(w.inv.id).await.expect("get"),
            Some(w.inv.clone())
        );
        assert_eq!(
            s.investigations_of(inc).await.expect("of"),
            vec![w.inv.clone()]
        );
        assert_eq!(
            s.get_countermeasure(w.cm.id).await.expect("get"),
            Some(w.cm.clone())
        );
        assert_eq!(
            s.countermeasures_of(inc).await.expect("of"),
            vec![w.cm.clone()]
        );
        assert_eq!(
            s.entries_of(&inc.to_string()).await.expect("entries"),
            vec![w.entry.clone()]
        );
        assert_eq!(
            s.get_attachment(w.att.id).await.expect("get"),
            Some(w.att.clone())
        );
        assert_eq!(
            s.attachments_of(&inc.to_string()).await.expect("of"),
            vec![w.att.clone()]
        );
        assert_eq!(
            s.get_investigation(InvestigationId::new(1))
                .await
                .expect("get"),
            None
        );
        assert_eq!(
            s.get_countermeasure(CountermeasureId::new(1))
                .await
                .expect("get"),
            None
        );
        assert_eq!(
            s.get_attachment(AttachmentId::new(1)).await.expect("get"),
            None
        );

        let mut v = w.inv.clone();
        v.status = InvestigationStatus::Waiting;
        v.version = 2;
        s.update_investigation(&v, 1, &audit("u", TargetKind::Investigation, v.id))
            .await
            .expect("update");
        assert_eq!(
            s.get_investigation(v.id).await.expect("get"),
            Some(v.clone())
        );
        assert!(matches!(
            s.update_investigation(&v, 1, &audit("u", TargetKind::Investigation, v.id))
                .await,
            Err(Error::Conflict { current: 2 })
        ));
        v.id = InvestigationId::new(2);
        assert!(matches!(
            s.update_investigation(&v, 1, &audit("u", TargetKind::Investigation, v.id))
                .await,
            Err(Error::NotFound)
        ));

        let mut c = w.cm.clone();
        c.status = CountermeasureStatus::Active;
        c.version = 2;
        s.update_countermeasure(&c, 1, &audit("u", TargetKind::Countermeasure, c.id))
            .await
            .expect("update");
        assert_eq!(
            s.get_countermeasure(c.id).await.expect("get"),
            Some(c.clone())
        );
        assert!(matches!(
            s.update_countermeasure(&c, 1, &audit("u", TargetKind::Countermeasure, c.id))
                .await,
            Err(Error::Conflict { current: 2 })
        ));
        c.id = CountermeasureId::new(2);
        assert!(matches!(
            s.update_countermeasure(&c, 1, &audit("u", TargetKind::Countermeasure, c.id))
                .await,
            Err(Error::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn blobs_are_content_addressed() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let (i1, i2) = (IncidentId::new(1), IncidentId::new(2));
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let (a1, a2) = (
            attachment(i1, "a.bin", &bytes),
            attachment(i2, "b.bin", &bytes),
        );
        s.insert_attachment(&a1, &bytes, &audit("a", TargetKind::Incident, i1))
            .await
            .expect("first");
        s.insert_attachment(&a2, &bytes, &audit("a", TargetKind::Incident, i2))
            .await
            .expect("second, same bytes");
        assert_eq!(db.count("blobs").await, 1, "same bytes stored once");
        assert_eq!(db.count("attachments").await, 2);
        assert_eq!(
            s.blob(&sha(&bytes)).await.expect("blob"),
            Some(bytes.clone())
        );
        assert_eq!(s.blob(&sha(b"other")).await.expect("blob"), None);
        let empty = attachment(i1, "empty", b"");
        s.insert_attachment(&empty, b"", &audit("a", TargetKind::Incident, i1))
            .await
            .expect("empty file");
        assert_eq!(s.blob(&sha(b"")).await.expect("blob"), Some(vec![]));
    })
    .await;
}

#[tokio::test]
async fn audit_history_seal_and_chain() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let target = IncidentId::new(1).to_string();
        let mut written = Vec::new();
        for (n, action) in ["one", "two", "three"].iter().enumerate() {
            let mut e = audit(action, TargetKind::Incident, &target);
            e.at = t0()
                .checked_add(jiff::SignedDuration::from_secs(n as i64))
                .expect("time");
            s.append_audit(&e).await.expect("append");
            written.push(e);
        }
        let mut other = audit("elsewhere", TargetKind::System, "other");
        other.at = t0()
            .checked_add(jiff::SignedDuration::from_secs(10))
            .expect("time");
        s.append_audit(&other).await.expect("append");
        assert_eq!(
            s.history(std::slice::from_ref(&target))
                .await
                .expect("history"),
            written,
            "unsealed, oldest first"
        );
        assert_eq!(s.history(&[]).await.expect("empty history"), vec![]);

        assert_eq!(s.seal_audit().await.expect("seal"), 4);
        assert_eq!(s.seal_audit().await.expect("seal again"), 0);
        let (chain, cp) = s.audit_chain().await.expect("chain");
        assert_eq!(
            chain.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![Some(1), Some(2), Some(3), Some(4)]
        );
        assert!(
            chain
                .iter()
                .all(|e| e.hash.as_ref().is_some_and(|h| h.len() == 64))
        );
        let cp = cp.expect("checkpoint");
        assert_eq!((cp.0, Some(&cp.1)), (4, chain[3].hash.as_ref()));
        assert_eq!(
            verify(&chain, Some((cp.0, cp.1.as_str()))),
            Verdict::Intact { entries: 4 }
        );
        s.append_audit(&audit("later", TargetKind::System, "x"))
            .await
            .expect("append");
        assert_eq!(s.seal_audit().await.expect("seal"), 1);
        let (chain, cp) = s.audit_chain().await.expect("chain");
        assert_eq!(
            verify(&chain, cp.as_ref().map(|(q, h)| (*q, h.as_str()))),
            Verdict::Intact { entries: 5 }
        );
        let h = s
            .history(std::slice::from_ref(&target))
            .await
            .expect("history");
        assert_eq!(
            h.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![Some(1), Some(2), Some(3)]
        );
    })
    .await;
}

/// Read models: counts by status and severity, "due next", work lists across incidents —
/// all through the same visibility as the incident list — and saved searches per user.
#[tokio::test]
async fn counts_due_work_lists_and_saved_searches() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let (ca, cb) = (ConstituencyId::new(10), ConstituencyId::new(11));
        let mut ids = Vec::new();
        for (n, c) in [(1, ca), (2, ca), (3, cb)] {
            let mut i = incident(
                &format!("i{n}"),
                by,
                Some(c),
                Tlp::Amber,
                at(&format!("2026-04-0{n}T00:00:00Z")),
            );
            if n == 2 {
                i.status = IncidentStatus::Resolved;
            }
            let stored = s
                .insert_incident(&i, &audit("c", TargetKind::Incident, i.id))
                .await
                .expect("insert");
            ids.push(stored.id);
            for (k, kind) in [(0, "inv"), (1, "cm")] {
                let when = at(&format!("2026-04-0{n}T0{k}:30:00Z"));
                if kind == "inv" {
                    let v = Investigation {
                        id: InvestigationId::new(ms(when)),
                        incident: stored.id,
                        title: format!("v{n}"),
                        correspondents: vec![],
                        status: InvestigationStatus::Open,
                        created_by: by,
                        created_at: when,
                        updated_at: when,
                        version: 1,
                    };
                    s.insert_investigation(&v, &audit("v", TargetKind::Investigation, v.id))
                        .await
                        .expect("inv");
                } else {
                    let c = Countermeasure {
                        id: CountermeasureId::new(ms(when)),
                        incident: stored.id,
                        kind: CountermeasureKind::Block,
                        what: format!("c{n}"),
                        location: "fw".into(),
                        status: CountermeasureStatus::Active,
                        created_by: by,
                        created_at: when,
                        updated_at: when,
                        version: 1,
                    };
                    s.insert_countermeasure(&c, &audit("m", TargetKind::Countermeasure, c.id))
                        .await
                        .expect("cm");
                }
            }
        }
        let only_a = vis(UserId::new(2), false, &[ca], false);
        let counts = s.incident_counts(&only_a, 10_000).await.expect("counts");
        let capped = s
            .incident_counts(&vis(UserId::new(2), true, &[], false), 1)
            .await
            .expect("counts");
        assert_eq!(
            capped.iter().map(|(_, _, n)| n).sum::<i64>(),
            1,
            "the cap bounds the count"
        );
        let total: i64 = counts.iter().map(|(_, _, n)| n).sum();
        assert_eq!(
            total, 1,
            "active only, and constituency b is not counted: {counts:?}"
        );
        assert!(counts.contains(&(IncidentStatus::Open, Severity::High, 1)));
        let due = s.due_incidents(&only_a, 10).await.expect("due");
        assert_eq!(
            due.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
            vec!["i1"],
            "active and visible only"
        );
        let everyone = vis(UserId::new(2), true, &[], false);
        let due = s.due_incidents(&everyone, 10).await.expect("due");
        assert_eq!(
            due.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
            vec!["i1", "i3"],
            "soonest first"
        );

        let wq = |status: &[&str], limit: i64, after: Option<(i64, String)>| ListQuery {
            status: status.iter().map(|x| x.to_string()).collect(),
            limit,
            after,
            ..Default::default()
        };
        let invs = s
            .list_investigations(&only_a, &wq(&[], 10, None))
            .await
            .expect("invs");
        assert_eq!(
            invs.items
                .iter()
                .map(|v| v.title.as_str())
                .collect::<Vec<_>>(),
            vec!["v2", "v1"],
            "newest first, a only"
        );
        let page1 = s
            .list_countermeasures(&everyone, &wq(&["active"], 2, None))
            .await
            .expect("cms");
        assert_eq!(page1.items.len(), 2);
        let page2 = s
            .list_countermeasures(&everyone, &wq(&["active"], 2, page1.next.clone()))
            .await
            .expect("cms");
        assert_eq!(
            page2
                .items
                .iter()
                .map(|c| c.what.as_str())
                .collect::<Vec<_>>(),
            vec!["c1"]
        );
        assert!(page2.next.is_none());
        assert!(
            s.list_countermeasures(&everyone, &wq(&["removed"], 10, None))
                .await
                .expect("cms")
                .items
                .is_empty()
        );
        // Filters of the incident (constituency, incident text) and dates of the work item.
        let of_b = ListQuery {
            constituency: Some(cb),
            ..wq(&[], 10, None)
        };
        assert_eq!(
            s.list_investigations(&everyone, &of_b)
                .await
                .expect("invs")
                .items
                .iter()
                .map(|v| v.title.as_str())
                .collect::<Vec<_>>(),
            vec!["v3"]
        );
        let by_text = ListQuery {
            q: Some("i2".into()),
            ..wq(&[], 10, None)
        };
        assert_eq!(
            s.list_countermeasures(&everyone, &by_text)
                .await
                .expect("cms")
                .items
                .iter()
                .map(|c| c.what.as_str())
                .collect::<Vec<_>>(),
            vec!["c2"]
        );
        let since = ListQuery {
            created_from: Some(at("2026-04-02T00:00:00Z")),
            sort: hikeshi_core::ports::Sort::CreatedAsc,
            ..wq(&[], 10, None)
        };
        assert_eq!(
            s.list_investigations(&everyone, &since)
                .await
                .expect("invs")
                .items
                .iter()
                .map(|v| v.title.as_str())
                .collect::<Vec<_>>(),
            vec!["v2", "v3"],
            "oldest first from 2 April"
        );
        let mine = SavedSearch {
            id: "s1".into(),
            user: by,
            name: "重大".into(),
            path: "/incidents?severity=critical".into(),
            created_at: t0(),
        };
        s.insert_saved_search(&mine, &audit("s", TargetKind::User, by))
            .await
            .expect("save");
        assert_eq!(
            s.saved_searches(by).await.expect("list"),
            vec![mine.clone()]
        );
        assert!(
            s.saved_searches(UserId::new(2))
                .await
                .expect("list")
                .is_empty()
        );
        assert!(matches!(
            s.delete_saved_search(UserId::new(2), "s1", &audit("d", TargetKind::User, by))
                .await,
            Err(Error::NotFound)
        ));
        s.delete_saved_search(by, "s1", &audit("d", TargetKind::User, by))
            .await
            .expect("delete");
        assert!(s.saved_searches(by).await.expect("list").is_empty());
    })
    .await;
}
