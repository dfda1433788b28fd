//! Lists: keyset paging, visibility filtering (the same rules as `Actor::can_see`), search.

use super::fx::*;
use hikeshi_core::access::Visibility;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::ports::{ListQuery, Sort, Store};
use hikeshi_store::SqlStore;
use hikeshi_testkit::for_each_db;
use jiff::SignedDuration;
use std::collections::BTreeSet;

fn admin_vis() -> Visibility {
    vis(UserId::new(99), true, &[], false)
}

async fn titles(s: &SqlStore, v: &Visibility, q: &ListQuery) -> BTreeSet<String> {
    s.list_incidents(v, q)
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|i| i.title)
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn paging_has_no_duplicates_or_omissions_in_every_sort() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let mut all = Vec::new();
        // Pairs share a creation time: the id breaks the tie.
        for n in 0..9i64 {
            let when = t0() + SignedDuration::from_secs(n / 2);
            let mut i = incident(&format!("n{n}"), by, None, Tlp::Green, when);
            i.updated_at = when + SignedDuration::from_secs(100 - n);
            all.push(
                s.insert_incident(&i, &audit("c", TargetKind::Incident, i.id))
                    .await
                    .expect("insert")
                    .id,
            );
            let r = report(&format!("r{n}"), by, None, when);
            s.insert_report(&r, &audit("c", TargetKind::Report, r.id))
                .await
                .expect("insert report");
        }
        for sort in [
            Sort::CreatedDesc,
            Sort::CreatedAsc,
            Sort::UpdatedDesc,
            Sort::UpdatedAsc,
        ] {
            let (mut seen, mut seen_r) = (Vec::new(), Vec::new());
            let mut q = ListQuery {
                sort,
                limit: 2,
                ..Default::default()
            };
            let mut qr = q.clone();
            for _ in 0..20 {
                let p = s.list_incidents(&admin_vis(), &q).await.expect("page");
                assert!(p.items.len() <= 2);
                seen.extend(p.items.iter().map(|i| (i.id, i.created_at, i.updated_at)));
                let Some(next) = p.next else { break };
                q.after = Some(next);
            }
            for _ in 0..20 {
                let p = s.list_reports(&admin_vis(), &qr).await.expect("page");
                seen_r.extend(p.items.iter().map(|r| r.id));
                let Some(next) = p.next else { break };
                qr.after = Some(next);
            }
            let ids: BTreeSet<IncidentId> = seen.iter().map(|x| x.0).collect();
            assert_eq!(
                (seen.len(), ids.len()),
                (9, 9),
                "{sort:?}: duplicates or omissions"
            );
            assert_eq!(ids, all.iter().copied().collect());
            assert_eq!(
                seen_r.iter().collect::<BTreeSet<_>>().len(),
                9,
                "{sort:?} reports"
            );
            let key = |x: &(IncidentId, jiff::Timestamp, jiff::Timestamp)| match sort {
                Sort::CreatedDesc | Sort::CreatedAsc => (x.1, x.0),
                _ => (x.2, x.0),
            };
            let desc = matches!(sort, Sort::CreatedDesc | Sort::UpdatedDesc);
            assert!(
                seen.windows(2).all(|w| if desc {
                    key(&w[0]) > key(&w[1])
                } else {
                    key(&w[0]) < key(&w[1])
                }),
                "{sort:?} order"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn lists_filter_by_visibility() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let (ca, cb) = (ConstituencyId::new(1), ConstituencyId::new(2));
        let (creator, named, handler, global) = (
            UserId::new(1),
            UserId::new(2),
            UserId::new(3),
            UserId::new(4),
        );
        let mut red = incident("red", creator, Some(ca), Tlp::Red, t0());
        red.named_users = vec![named];
        for i in [
            incident("a", creator, Some(ca), Tlp::Amber, t0()),
            incident("b", creator, Some(cb), Tlp::Clear, t0()),
            incident("none", creator, None, Tlp::Green, t0()),
            red,
        ] {
            s.insert_incident(&i, &audit("c", TargetKind::Incident, i.id))
                .await
                .expect("insert");
        }
        let cases: &[(&str, Visibility, &[&str])] = &[
            ("handler of A", vis(handler, false, &[ca], false), &["a"]),
            (
                "member of no constituency",
                vis(handler, false, &[], false),
                &[],
            ),
            ("global", vis(global, true, &[], false), &["a", "b", "none"]),
            (
                "named on red, scoped to B",
                vis(named, false, &[cb], false),
                &["b", "red"],
            ),
            ("creator", vis(creator, false, &[], false), &["red"]),
        ];
        for (who, v, want) in cases {
            assert_eq!(titles(&s, v, &query(50)).await, set(want), "{who}");
        }

        let (reporter, other) = (UserId::new(10), UserId::new(11));
        // Reporters see what they filed, wherever they filed it (even without a constituency).
        for (subject, by, c) in [
            ("mine", reporter, Some(ca)),
            ("theirs", other, Some(ca)),
            ("to B", reporter, Some(cb)),
            ("unrouted", reporter, None),
        ] {
            let r = report(subject, by, c, t0());
            s.insert_report(&r, &audit("c", TargetKind::Report, r.id))
                .await
                .expect("insert");
        }
        let subjects = |p: hikeshi_core::ports::Page<Report>| {
            p.items
                .into_iter()
                .map(|r| r.subject)
                .collect::<BTreeSet<_>>()
        };
        let own = vis(reporter, false, &[ca], true);
        assert_eq!(
            subjects(s.list_reports(&own, &query(50)).await.expect("list")),
            set(&["mine", "to B", "unrouted"])
        );
        assert_eq!(
            subjects(
                s.list_reports(&vis(handler, false, &[ca], false), &query(50))
                    .await
                    .expect("list")
            ),
            set(&["mine", "theirs"])
        );
    })
    .await;
}

#[tokio::test]
async fn search_finds_japanese_and_english_with_and() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        for (title, desc) in [
            ("フィッシングサイトの報告", "銀行を装うサイト"),
            ("DDoS 攻撃", "大量の通信"),
            ("Phishing campaign", "credential harvesting via 攻撃 mail"),
            ("マルウェア感染", "EMOTET の疑い"),
        ] {
            let mut i = incident(title, by, None, Tlp::Green, t0());
            i.description = desc.into();
            s.insert_incident(&i, &audit("c", TargetKind::Incident, i.id))
                .await
                .expect("insert");
        }
        let r = report("不審なメール", by, None, t0());
        s.insert_report(&r, &audit("c", TargetKind::Report, r.id))
            .await
            .expect("insert");
        let cases: &[(&str, &[&str])] = &[
            ("フィッシング", &["フィッシングサイトの報告"]),
            ("攻撃", &["DDoS 攻撃", "Phishing campaign"]),
            ("phishing", &["Phishing campaign"]),
            ("PHISHING", &["Phishing campaign"]),
            ("phishing 攻撃", &["Phishing campaign"]),
            ("銀行 サイト", &["フィッシングサイトの報告"]),
            ("emotet", &["マルウェア感染"]),
            ("攻撃 存在しない", &[]),
            ("nothing-like-this", &[]),
        ];
        for (q, want) in cases {
            let lq = ListQuery {
                q: Some(q.to_string()),
                limit: 50,
                ..Default::default()
            };
            assert_eq!(titles(&s, &admin_vis(), &lq).await, set(want), "q={q}");
        }
        let lq = ListQuery {
            q: Some("不審".into()),
            limit: 50,
            ..Default::default()
        };
        let found = s.list_reports(&admin_vis(), &lq).await.expect("list").items;
        assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![r.id]);
    })
    .await;
}

/// SQLite writes search documents later, in bulk (store `indexer.rs`); a search must still see
/// every committed record, an update of a record still queued must not leave its old text
/// findable or the record listed twice, and the queue must drain. PostgreSQL indexes in the
/// writing transaction, so the same assertions hold trivially there.
#[tokio::test]
async fn search_sees_records_whose_documents_are_still_queued() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let mut ids = Vec::new();
        for n in 0..5 {
            let i = incident(
                &format!("queued ランサムウェア {n}"),
                by,
                None,
                Tlp::Green,
                t0() + SignedDuration::from_secs(n),
            );
            let stored = s
                .insert_incident(&i, &audit("c", TargetKind::Incident, i.id))
                .await
                .expect("insert");
            ids.push(stored);
        }
        // Update one before anything indexed it: its new text replaces the old one.
        let mut changed = ids[2].clone();
        changed.title = "renamed 標的型".into();
        changed.description = "text replaced".into();
        changed.version += 1;
        s.update_incident(
            &changed,
            ids[2].version,
            &audit("u", TargetKind::Incident, changed.id),
        )
        .await
        .expect("update");
        let lq = |q: &str| ListQuery {
            q: Some(q.into()),
            limit: 50,
            ..Default::default()
        };
        let found = s
            .list_incidents(&admin_vis(), &lq("ランサムウェア"))
            .await
            .expect("list");
        assert_eq!(found.items.len(), 4, "{:?}", found.items);
        let renamed = s
            .list_incidents(&admin_vis(), &lq("標的型"))
            .await
            .expect("list");
        assert_eq!(
            renamed.items.iter().map(|i| i.id).collect::<Vec<_>>(),
            vec![changed.id]
        );
        let all = s
            .list_incidents(&admin_vis(), &lq("queued"))
            .await
            .expect("list");
        assert_eq!(all.items.len(), 4);
        assert_eq!(s.search_backlog().await.expect("backlog"), 0);
        // Default order still follows creation (newest first) after deferred indexing.
        let titles: Vec<String> = found.items.iter().map(|i| i.title.clone()).collect();
        assert_eq!(titles[0], "queued ランサムウェア 4");
        assert_eq!(titles[3], "queued ランサムウェア 0");
    })
    .await;
}
