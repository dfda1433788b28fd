//! Observables: the value dictionary, links with sightings, record counts, updates and
//! deletes, bulk batches, and correlation reads (same value, same /24 and /48, bounded, with
//! the facts of the records found). Observables written in a report's own transaction are
//! tested with the triage write (`triage.rs`).

use super::fx::*;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::observables::{Kind, NewObservable, RecordRef, WarningList};
use hikeshi_core::ports::Store;
use hikeshi_testkit::for_each_db;
use jiff::SignedDuration;

fn obs(kind: Kind, value: &str) -> NewObservable {
    NewObservable::new(
        kind,
        value.into(),
        Tlp::Amber,
        t0(),
        &WarningList::builtin(),
    )
}

fn rec(kind: TargetKind, id: &str) -> RecordRef {
    RecordRef {
        kind,
        id: id.into(),
    }
}

#[tokio::test]
async fn links_count_records_and_sightings() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let (a, b) = ("rec-a", "rec-b");
        let batch = vec![
            (
                rec(TargetKind::Report, a),
                vec![
                    obs(Kind::Ipv4, "45.33.32.156"),
                    obs(Kind::Ipv4, "45.33.32.156"),
                    obs(Kind::Domain, "evil.example.jp"),
                    obs(Kind::Ipv4, "8.8.8.8"),
                ],
            ),
            (
                rec(TargetKind::Incident, b),
                vec![obs(Kind::Ipv4, "45.33.32.156")],
            ),
        ];
        s.add_observables(&batch, &[audit("observable.add", TargetKind::Report, a)])
            .await
            .expect("add");
        let got = s.observables_of(a).await.expect("list");
        assert_eq!(got.len(), 3, "{got:?}");
        let ip = got.iter().find(|o| o.value == "45.33.32.156").expect("ip");
        assert_eq!((ip.kind.as_str(), ip.sightings, ip.records), ("ipv4", 2, 2));
        assert_eq!(ip.record.kind, "report");
        assert!(!ip.warning_listed && ip.prefix.is_some());
        let dns = got.iter().find(|o| o.value == "8.8.8.8").expect("resolver");
        assert!(dns.warning_listed, "8.8.8.8 is on the warning list");
        // The same value again on the same record: one link, more sightings, later last_seen.
        let mut again = obs(Kind::Ipv4, "45.33.32.156");
        again.seen_at = t0() + SignedDuration::from_hours(1);
        again.ioc = true;
        s.add_observables(&[(rec(TargetKind::Report, a), vec![again])], &[])
            .await
            .expect("add again");
        let ip = s
            .get_observable(&ip.id)
            .await
            .expect("get")
            .expect("present");
        assert_eq!((ip.sightings, ip.records), (3, 2));
        assert!(ip.ioc);
        assert_eq!(ip.first_seen, t0());
        assert_eq!(ip.last_seen, t0() + SignedDuration::from_hours(1));
        assert_eq!(db.count("obs_values").await, 3);
        assert_eq!(db.count("obs_links").await, 4);
        assert_eq!(db.count("audit_log").await, 1);
        assert!(s.get_observable("9-9").await.expect("get").is_none());
        assert!(s.get_observable("nonsense").await.expect("get").is_none());
    })
    .await;
}

#[tokio::test]
async fn update_and_delete_observables() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let batch = vec![
            (
                rec(TargetKind::Report, "r1"),
                vec![obs(Kind::Sha256, &"ab".repeat(32))],
            ),
            (
                rec(TargetKind::Report, "r2"),
                vec![obs(Kind::Sha256, &"ab".repeat(32))],
            ),
        ];
        s.add_observables(&batch, &[]).await.expect("add");
        let mut o = s.observables_of("r1").await.expect("list").remove(0);
        o.ioc = true;
        o.tlp = Tlp::Red;
        o.tags = vec!["c2".into(), "フィッシング".into()];
        s.update_observable(&o, &audit("observable.promote", TargetKind::Report, "r1"))
            .await
            .expect("update");
        let got = s.get_observable(&o.id).await.expect("get").expect("there");
        assert_eq!(
            (got.ioc, got.tlp, got.tags.clone()),
            (true, Tlp::Red, o.tags.clone())
        );
        s.delete_observable(&o, &audit("observable.delete", TargetKind::Report, "r1"))
            .await
            .expect("delete");
        assert!(s.observables_of("r1").await.expect("list").is_empty());
        let left = s.observables_of("r2").await.expect("list");
        assert_eq!(left[0].records, 1, "the value's record count dropped");
        assert!(matches!(
            s.delete_observable(&o, &audit("observable.delete", TargetKind::Report, "r1"))
                .await,
            Err(hikeshi_core::Error::NotFound)
        ));
        assert!(matches!(
            s.update_observable(&o, &audit("x", TargetKind::Report, "r1"))
                .await,
            Err(hikeshi_core::Error::NotFound)
        ));
        assert_eq!(db.count("audit_log").await, 2);
    })
    .await;
}

#[tokio::test]
async fn correlation_reads_are_bounded() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let mut batch = Vec::new();
        for i in 0..5 {
            batch.push((
                rec(TargetKind::Report, &format!("r{i}")),
                vec![obs(Kind::Domain, "shared.example.jp")],
            ));
        }
        batch.push((
            rec(TargetKind::Report, "v4a"),
            vec![obs(Kind::Ipv4, "45.33.32.1")],
        ));
        batch.push((
            rec(TargetKind::Report, "v4b"),
            vec![obs(Kind::Ipv4, "45.33.32.200")],
        ));
        batch.push((
            rec(TargetKind::Report, "v4c"),
            vec![obs(Kind::Ipv4, "45.33.33.1")],
        ));
        batch.push((
            rec(TargetKind::Incident, "v6a"),
            vec![obs(Kind::Ipv6, "2a01:4f8:1:2::1")],
        ));
        batch.push((
            rec(TargetKind::Report, "v6b"),
            vec![obs(Kind::Ipv6, "2a01:4f8:1:ff::9")],
        ));
        s.add_observables(&batch, &[]).await.expect("add");
        let v = s
            .find_value(Kind::Domain, "shared.example.jp")
            .await
            .expect("find")
            .expect("stored");
        assert_eq!(v.records, 5);
        assert!(
            s.find_value(Kind::Domain, "other.jp")
                .await
                .expect("find")
                .is_none()
        );
        let network = |v: hikeshi_core::observables::ValueStats| {
            let s = &s;
            async move {
                let rows = s
                    .correlation_rows(&[(v.id, v.prefix)], 3, 10)
                    .await
                    .expect("rows");
                let same: Vec<String> = rows
                    .iter()
                    .filter(|r| !r.network)
                    .map(|r| r.record_id.clone())
                    .collect();
                let near: Vec<(String, String)> = rows
                    .iter()
                    .filter(|r| r.network)
                    .map(|r| (r.record_kind.clone(), r.record_id.clone()))
                    .collect();
                (same, near)
            }
        };
        let (same, _) = network(v).await;
        assert_eq!(same.len(), 3, "limited per value");
        assert!(same.contains(&"r4".to_string()), "newest links first");
        let a = s.find_value(Kind::Ipv4, "45.33.32.1").await.expect("f");
        let (same, near) = network(a.expect("a")).await;
        assert_eq!(same, vec!["v4a".to_string()]);
        assert_eq!(
            near,
            vec![("report".to_string(), "v4b".to_string())],
            "same /24 only"
        );
        let six = s
            .find_value(Kind::Ipv6, "2a01:4f8:1:2::1")
            .await
            .expect("f");
        let (_, near) = network(six.expect("6")).await;
        assert_eq!(
            near,
            vec![("report".to_string(), "v6b".to_string())],
            "same /48"
        );
    })
    .await;
}

#[tokio::test]
async fn bulk_batches_keep_record_counts_exact() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let first = vec![
            (
                rec(TargetKind::Report, "b1"),
                vec![obs(Kind::Domain, "a.example.jp")],
            ),
            (rec(TargetKind::Report, "empty"), vec![]),
        ];
        s.add_observables(&first, &[]).await.expect("first");
        // An old record with an old and a new value, the same record named twice, and a
        // new record with the old value: only new (value, record) pairs count.
        let second = vec![
            (
                rec(TargetKind::Report, "b1"),
                vec![
                    obs(Kind::Domain, "a.example.jp"),
                    obs(Kind::Domain, "b.example.jp"),
                ],
            ),
            (
                rec(TargetKind::Report, "b1"),
                vec![obs(Kind::Domain, "b.example.jp")],
            ),
            (
                rec(TargetKind::Incident, "b2"),
                vec![obs(Kind::Domain, "a.example.jp")],
            ),
        ];
        s.add_observables(&second, &[]).await.expect("second");
        let a = s.find_value(Kind::Domain, "a.example.jp").await.expect("a");
        let b = s.find_value(Kind::Domain, "b.example.jp").await.expect("b");
        assert_eq!(a.expect("a").records, 2);
        assert_eq!(b.expect("b").records, 1);
        let got = s.observables_of("b1").await.expect("list");
        let sightings: Vec<(&str, i64)> = got
            .iter()
            .map(|o| (o.value.as_str(), o.sightings))
            .collect();
        assert_eq!(sightings, vec![("a.example.jp", 2), ("b.example.jp", 2)]);
        assert_eq!(
            db.count("obs_records").await,
            2,
            "no number for a record without observables"
        );
        assert_eq!(db.count("obs_links").await, 3);
        // Values that need escaping in the batch's JSON survive as they were.
        let odd = "https://例え.jp/a\"b\\c?q=1&x=\u{1F600}";
        s.add_observables(
            &[(rec(TargetKind::Report, "b3"), vec![obs(Kind::Url, odd)])],
            &[],
        )
        .await
        .expect("odd");
        let got = s.observables_of("b3").await.expect("list");
        assert_eq!(got[0].value, odd);
    })
    .await;
}

/// A batch above the bulk threshold (50,000 links: the SQLite writer's cache is widened for
/// it) where most links share their attributes and are written as (value, record) pairs,
/// and a few differ: each keeps its own.
#[tokio::test]
async fn a_bulk_batch_keeps_each_links_own_attributes() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let later = t0() + SignedDuration::from_hours(2);
        let warn = WarningList::builtin();
        let domain = |v: String| NewObservable::new(Kind::Domain, v, Tlp::Amber, t0(), &warn);
        let batch: Vec<_> = (0..6_000)
            .map(|r| {
                let mut o: Vec<NewObservable> = (0..10)
                    .map(|k| domain(format!("v{}.example.jp", (r * 7 + k) % 9_000)))
                    .collect();
                match r {
                    0 => o[0].tags = vec!["phishing".into()],
                    1 => o[0].seen_at = later,
                    2 => o[0].ioc = true,
                    3 => o[0].tlp = Tlp::Red,
                    4 => o.push(domain(format!("v{}.example.jp", 4 * 7))),
                    _ => {}
                }
                (rec(TargetKind::Report, &format!("bulk-{r}")), o)
            })
            .collect();
        s.add_observables(&batch, &[]).await.expect("bulk");
        assert_eq!(db.count("obs_links").await, 60_000);
        assert_eq!(db.count("obs_records").await, 6_000);
        let one = |r: usize, v: String| {
            let s = &s;
            async move {
                s.observables_of(&format!("bulk-{r}"))
                    .await
                    .expect("list")
                    .into_iter()
                    .find(|o| o.value == v)
                    .expect("link")
            }
        };
        let v = |r: usize| format!("v{}.example.jp", r * 7);
        let tagged = one(0, v(0)).await;
        assert_eq!(tagged.tags, vec!["phishing".to_string()]);
        let late = one(1, v(1)).await;
        assert_eq!((late.first_seen, late.last_seen), (later, later));
        assert!(one(2, v(2)).await.ioc);
        assert_eq!(one(3, v(3)).await.tlp, Tlp::Red);
        assert_eq!(one(4, v(4)).await.sightings, 2, "mentioned twice");
        let plain = one(5, v(5)).await;
        assert_eq!(
            (
                plain.first_seen,
                plain.sightings,
                plain.tlp,
                plain.ioc,
                plain.tags.len()
            ),
            (t0(), 1, Tlp::Amber, false, 0)
        );
        // Each value's record count is the number of records naming it.
        let named = (0..6_000)
            .filter(|r| (0..10).any(|k| (r * 7 + k) % 9_000 == 70))
            .count();
        let stats = s
            .find_value(Kind::Domain, "v70.example.jp")
            .await
            .expect("find");
        assert_eq!(stats.expect("v70").records, named as i64);
        // The writer goes on with small batches afterwards.
        s.add_observables(
            &[(
                rec(TargetKind::Report, "after"),
                vec![obs(Kind::Domain, "after.example.jp")],
            )],
            &[],
        )
        .await
        .expect("after");
        assert_eq!(db.count("obs_links").await, 60_001);
    })
    .await;
}

#[tokio::test]
async fn correlation_rows_read_values_networks_and_facts_at_once() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let u = UserId::new(ms(t0()));
        let i = incident("調査", u, None, Tlp::Red, t0());
        let i = s
            .insert_incident(&i, &audit("incident.create", TargetKind::Incident, i.id))
            .await
            .expect("incident");
        let iid = i.id.to_string();
        let mut batch = Vec::new();
        for n in 0..4 {
            batch.push((
                rec(TargetKind::Report, &format!("x{n}")),
                vec![obs(Kind::Domain, "shared.example.jp")],
            ));
        }
        batch.push((
            rec(TargetKind::Incident, &iid),
            vec![
                obs(Kind::Domain, "shared.example.jp"),
                obs(Kind::Ipv4, "45.33.32.1"),
            ],
        ));
        batch.push((
            rec(TargetKind::Report, "near"),
            vec![obs(Kind::Ipv4, "45.33.32.200")],
        ));
        batch.push((
            rec(TargetKind::Report, "far"),
            vec![obs(Kind::Ipv4, "45.33.99.1")],
        ));
        s.add_observables(&batch, &[]).await.expect("add");
        let shared = s
            .find_value(Kind::Domain, "shared.example.jp")
            .await
            .expect("f")
            .expect("shared");
        let ip = s
            .find_value(Kind::Ipv4, "45.33.32.1")
            .await
            .expect("f")
            .expect("ip");
        let rows = s
            .correlation_rows(&[(shared.id, None), (ip.id, ip.prefix)], 3, 10)
            .await
            .expect("rows");
        let same_shared: Vec<_> = rows
            .iter()
            .filter(|r| r.value_id == shared.id && !r.network)
            .collect();
        assert_eq!(same_shared.len(), 3, "limited per value");
        // Newest links first: the incident and the last reports of the batch.
        assert!(same_shared.iter().any(|r| r.record_id == iid));
        assert!(!same_shared.iter().any(|r| r.record_id == "x0"));
        let mut net: Vec<(&str, bool)> = rows
            .iter()
            .filter(|r| r.value_id == ip.id && r.network)
            .map(|r| (r.record_id.as_str(), r.facts.is_some()))
            .collect();
        net.sort();
        assert_eq!(net, vec![("near", false)], "same /24, another value");
        let own: Vec<_> = rows
            .iter()
            .filter(|r| r.value_id == ip.id && !r.network)
            .collect();
        assert_eq!(own.len(), 1);
        let facts = own[0].facts.as_ref().expect("facts of the stored incident");
        assert_eq!(
            (
                own[0].record_kind.as_str(),
                facts.kind,
                facts.tlp,
                facts.created_by
            ),
            ("incident", TargetKind::Incident, Tlp::Red, u)
        );
        assert_eq!(facts.reference, i.reference);
        assert!(
            s.correlation_rows(&[], 3, 10)
                .await
                .expect("none")
                .is_empty()
        );
    })
    .await;
}
