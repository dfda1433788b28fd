//! Observables follow reports into incidents: `link_report_observed` and
//! `merge_incidents_observed` write the link or merge and the incident's new observables in
//! one transaction; a failed merge writes neither.

use super::fx::*;
use hikeshi_core::Error;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::observables::{Kind, NewObservable, WarningList};
use hikeshi_core::ports::Store;
use hikeshi_testkit::for_each_db;

fn obs(kind: Kind, value: &str) -> NewObservable {
    NewObservable::new(
        kind,
        value.into(),
        Tlp::Amber,
        t0(),
        &WarningList::builtin(),
    )
}

fn values(list: &[hikeshi_core::observables::Observable]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|o| o.value.clone()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn links_and_merges_carry_observables() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let by = UserId::new(1);
        let ia = |t: &str| audit("c", TargetKind::Incident, t);
        let surv = s
            .insert_incident(&incident("survivor", by, None, Tlp::Green, t0()), &ia("s"))
            .await
            .expect("insert");
        let merged = s
            .insert_incident(&incident("merged", by, None, Tlp::Green, t0()), &ia("m"))
            .await
            .expect("insert");
        let r = s
            .insert_report(
                &report("r", by, None, t0()),
                &audit("c", TargetKind::Report, "r"),
            )
            .await
            .expect("report");
        let carried = vec![
            obs(Kind::Ipv4, "45.33.32.156"),
            obs(Kind::Domain, "c2.example.jp"),
        ];
        s.link_report_observed(
            r.id,
            surv.id,
            &carried,
            &audit("report.link", TargetKind::Report, r.id),
        )
        .await
        .expect("link");
        let got = s.get_report(r.id).await.expect("get").expect("report");
        assert_eq!(got.incidents, vec![surv.id]);
        assert_eq!(got.status, ReportStatus::Open);
        let on = s
            .observables_of(&surv.id.to_string())
            .await
            .expect("observables");
        assert_eq!(values(&on), vec!["45.33.32.156", "c2.example.jp"]);
        assert_eq!(on[0].record.kind, "incident");

        // A stale merge writes nothing, observables included.
        let mut m = merged.clone();
        m.merged_into = Some(surv.id);
        m.status = IncidentStatus::Resolved;
        m.version = 2;
        let mut sv = surv.clone();
        sv.version = 2;
        let more = vec![
            obs(Kind::Sha256, &"ab".repeat(32)),
            obs(Kind::Ipv4, "45.33.32.156"),
        ];
        let stale = s
            .merge_incidents_observed(&sv, 1, &m, 0, &[ia("merge")], &more)
            .await;
        assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
        assert_eq!(
            s.observables_of(&surv.id.to_string())
                .await
                .expect("list")
                .len(),
            2
        );
        s.merge_incidents_observed(&sv, 1, &m, 1, &[ia("merge")], &more)
            .await
            .expect("merge");
        let on = s
            .observables_of(&surv.id.to_string())
            .await
            .expect("observables");
        assert_eq!(on.len(), 3, "{on:?}");
        let ip = on.iter().find(|o| o.value == "45.33.32.156").expect("ip");
        assert_eq!(ip.sightings, 2, "a known value adds its sightings");
        // Without observables they behave as link_report / merge_incidents.
        let r2 = s
            .insert_report(
                &report("r2", by, None, t0()),
                &audit("c", TargetKind::Report, "r2"),
            )
            .await
            .expect("report");
        s.link_report_observed(r2.id, surv.id, &[], &audit("l", TargetKind::Report, r2.id))
            .await
            .expect("link");
        assert_eq!(
            s.reports_of_incident(surv.id).await.expect("reports").len(),
            2
        );
    })
    .await;
}
