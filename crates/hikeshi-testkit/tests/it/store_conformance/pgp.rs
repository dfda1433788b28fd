//! OpenPGP tables: keyring upsert/list/delete, the single team-key row, per-message results.

use super::fx::*;
use hikeshi_core::Error;
use hikeshi_core::model::*;
use hikeshi_core::ports::Store;
use hikeshi_testkit::for_each_db;

fn key(fpr: &str, email: &str, expires: Option<jiff::Timestamp>) -> PgpKey {
    PgpKey {
        fingerprint: fpr.into(),
        user_ids: vec![format!("連絡先 <{email}>")],
        emails: vec![email.into()],
        created_at: t0(),
        expires_at: expires,
        armored: format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n{fpr}\n"),
        added_by: "admin".into(),
        added_at: t0(),
    }
}

#[tokio::test]
async fn keyring_upsert_list_delete() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let a = key("AAAA", "a@example.jp", None);
        let b = key("BBBB", "b@example.jp", Some(at("2030-01-01T00:00:00Z")));
        s.upsert_pgp_key(&b, &audit("pgp_key.add", TargetKind::System, "b"))
            .await
            .expect("add b");
        s.upsert_pgp_key(&a, &audit("pgp_key.add", TargetKind::System, "a"))
            .await
            .expect("add a");
        assert_eq!(
            s.pgp_keys().await.expect("list"),
            vec![a.clone(), b.clone()]
        );
        // Same fingerprint again: replaced, not duplicated.
        let mut a2 = a.clone();
        a2.expires_at = Some(at("2031-01-01T00:00:00Z"));
        a2.emails.push("a2@example.jp".into());
        s.upsert_pgp_key(&a2, &audit("pgp_key.add", TargetKind::System, "a"))
            .await
            .expect("replace a");
        assert_eq!(s.pgp_keys().await.expect("list"), vec![a2, b.clone()]);
        s.delete_pgp_key("AAAA", &audit("pgp_key.remove", TargetKind::System, "a"))
            .await
            .expect("delete");
        assert_eq!(s.pgp_keys().await.expect("list"), vec![b]);
        assert!(matches!(
            s.delete_pgp_key("AAAA", &audit("pgp_key.remove", TargetKind::System, "a"))
                .await,
            Err(Error::NotFound)
        ));
        assert_eq!(db.count("audit_log WHERE action LIKE 'pgp_key.%'").await, 4);
    })
    .await;
}

#[tokio::test]
async fn one_team_key_row_and_mail_results() {
    for_each_db(|db| async move {
        let s = db.open().await;
        assert_eq!(s.team_key().await.expect("none"), None);
        let first = TeamKeyRecord {
            public: key("1111", "cert@team.example", None),
            sealed_secret: vec![0, 1, 2, 255],
        };
        let second = TeamKeyRecord {
            public: key("2222", "cert@team.example", None),
            sealed_secret: (0..=255u8).collect(),
        };
        for k in [&first, &second] {
            s.set_team_key(k, &audit("pgp_team_key.install", TargetKind::System, "t"))
                .await
                .expect("install");
        }
        assert_eq!(s.team_key().await.expect("team"), Some(second));
        assert_eq!(db.count("pgp_team_key").await, 1);

        assert_eq!(s.mail_pgp("raw-1").await.expect("none"), None);
        let mut p = MailPgp {
            raw_id: "raw-1".into(),
            encrypted: true,
            decrypted: None,
            decrypt_error: Some("no team key is installed".into()),
            signature: "none".into(),
            signer: None,
        };
        s.insert_mail_pgp(&p).await.expect("insert");
        assert_eq!(s.mail_pgp("raw-1").await.expect("get"), Some(p.clone()));
        // Examined again (a retry): replaced.
        p.decrypted = Some("Subject: 件名\r\n\r\n本文".as_bytes().to_vec());
        p.decrypt_error = None;
        p.signature = "expired".into();
        p.signer = Some("ABCD".into());
        s.insert_mail_pgp(&p).await.expect("again");
        assert_eq!(s.mail_pgp("raw-1").await.expect("get"), Some(p));
        assert_eq!(db.count("mail_pgp").await, 1);
    })
    .await;
}
