//! The tamper-evident audit chain against real tampering: rows edited, deleted from the
//! middle, and cut off at the end, with plain SQL behind the application's back.

use hikeshi_core::audit::Verdict;
use hikeshi_testkit::{TestApp, for_each_backend};
use serde_json::json;

/// Some ordinary work, then the chain sealed and checked. Returns the number of entries.
async fn busy_day(t: &TestApp) -> i64 {
    let tok = t.admin_token();
    t.with_constituency("a").await;
    for n in 0..3 {
        let (st, i, _) = t
            .post(
                "/api/v1/incidents",
                tok,
                json!({"title": format!("事案 {n}"), "constituency": "a"}),
            )
            .await;
        assert_eq!(st, axum::http::StatusCode::CREATED, "{i}");
        let id = i["id"].as_str().unwrap_or_default().to_string();
        t.patch(
            &format!("/api/v1/incidents/{id}"),
            tok,
            json!({"status": "analysing"}),
        )
        .await;
    }
    match t.app.verify_audit().await.expect("verify") {
        Verdict::Intact { entries } => {
            assert!(entries >= 9, "{entries} entries");
            entries
        }
        broken => panic!("untouched chain reported {broken:?}"),
    }
}

/// Tampering statements given the chain length, and the first seq that must be reported.
type Tamper = fn(i64) -> (Vec<String>, i64);

fn cases() -> Vec<(&'static str, Tamper)> {
    vec![
        ("actor edited", |_| {
            (
                vec!["UPDATE audit_log SET actor = 'mallory' WHERE seq = 3".into()],
                3,
            )
        }),
        ("payload edited", |_| {
            (
                vec![
                    "UPDATE audit_log SET after_json = '{\"title\":\"改竄\"}' WHERE seq = 5".into(),
                ],
                5,
            )
        }),
        ("hash rewritten", |_| {
            (
                vec![format!(
                    "UPDATE audit_log SET hash = '{}' WHERE seq = 2",
                    "0".repeat(64)
                )],
                2,
            )
        }),
        ("middle row deleted", |_| {
            (vec!["DELETE FROM audit_log WHERE seq = 4".into()], 4)
        }),
        ("last rows deleted", |n| {
            (
                vec![format!("DELETE FROM audit_log WHERE seq > {}", n - 2)],
                n - 1,
            )
        }),
    ]
}

#[tokio::test]
async fn an_untouched_chain_verifies_and_keeps_verifying() {
    for_each_backend(|t| async move {
        let n = busy_day(&t).await;
        t.post(
            "/api/v1/incidents",
            t.admin_token(),
            json!({"title": "later"}),
        )
        .await;
        assert_eq!(
            t.app.verify_audit().await.expect("verify"),
            Verdict::Intact { entries: n + 1 }
        );
        let (_, report, _) = t.get("/api/v1/audit/verify", t.admin_token()).await;
        assert_eq!(
            (report["intact"].clone(), report["entries"].clone()),
            (json!(true), json!(n + 1))
        );
    })
    .await;
}

#[tokio::test]
async fn tampering_is_reported_at_the_right_entry() {
    for (what, tamper) in cases() {
        for_each_backend(move |t| async move {
            let n = busy_day(&t).await;
            let (statements, want) = tamper(n);
            for sql in &statements {
                assert!(t.db.exec(sql).await > 0, "{what}: {sql} changed nothing");
            }
            match t.app.verify_audit().await.expect("verify") {
                Verdict::Broken { seq, .. } => assert_eq!(seq, want, "{what}"),
                Verdict::Intact { .. } => panic!("{what}: tampering not detected"),
            }
            let (_, report, _) = t.get("/api/v1/audit/verify", t.admin_token()).await;
            assert_eq!(
                (report["intact"].clone(), report["first_bad_seq"].clone()),
                (json!(false), json!(want)),
                "{what}"
            );
        })
        .await;
    }
}
