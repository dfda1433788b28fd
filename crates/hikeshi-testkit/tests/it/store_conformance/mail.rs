//! Mail intake: raw messages kept as received, reports and entries from mail with their
//! facts and files in one transaction, routing by domain, attachments of many records.

use super::fx::*;
use super::work::sha;
use hikeshi_core::ids::*;
use hikeshi_core::model::*;
use hikeshi_core::ports::Store;
use hikeshi_core::triage::TriageWrite;
use hikeshi_testkit::for_each_db;

fn file(kind: TargetKind, target: &str, name: &str, bytes: &[u8]) -> (Attachment, Vec<u8>) {
    let a = Attachment {
        id: AttachmentId::new(ms(t0())),
        target_kind: kind,
        target_id: target.into(),
        name: name.into(),
        content_type: "application/pdf".into(),
        sha256: sha(bytes),
        size: bytes.len() as i64,
        created_by: UserId::new(1),
        created_at: t0(),
    };
    (a, bytes.to_vec())
}

fn meta(raw: &str) -> MailMeta {
    MailMeta {
        raw_id: raw.into(),
        message_id: Some("<abc@example.jp>".into()),
        from: Some("reporter@example.jp".into()),
        to: vec!["csirt@example.jp".into()],
        auto_generated: false,
        auto_reason: None,
        signature: "none".into(),
        language: "ja".into(),
        malformed: vec!["bad charset".into()],
        headers: vec![("Subject".into(), "不審なメール".into())],
    }
}

#[tokio::test]
async fn raw_messages_are_kept_as_received() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let bytes = "Subject: =?UTF-8?B?5LiN5a+p?=\r\n\r\n本文\r\n".as_bytes();
        let m = RawMessage {
            id: "raw-1".into(),
            sha256: sha(bytes),
            size: bytes.len() as i64,
            channel: "imap".into(),
            received_at: t0(),
        };
        s.insert_raw_message(&m, bytes).await.expect("insert");
        assert_eq!(
            s.raw_message("raw-1").await.expect("raw"),
            Some(bytes.to_vec())
        );
        assert_eq!(s.raw_message("raw-2").await.expect("raw"), None);
        assert!(
            s.insert_raw_message(&m, bytes).await.is_err(),
            "the same id twice"
        );
        s.finish_raw_message("raw-1", "processed", Some("record-1"), None)
            .await
            .expect("finish");
        assert_eq!(
            db.count("raw_messages WHERE status = 'processed' AND record_id = 'record-1'")
                .await,
            1
        );
        assert_eq!(
            s.raw_message("raw-1").await.expect("raw"),
            Some(bytes.to_vec()),
            "bytes unchanged"
        );
    })
    .await;
}

#[tokio::test]
async fn mail_reports_and_entries_keep_their_facts_and_files() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let r = report("不審なメール", UserId::new(1), None, t0());
        let files = [file(
            TargetKind::Report,
            &r.id.to_string(),
            "請求書.pdf",
            b"%PDF-1.7 ...",
        )];
        let stored = s
            .insert_report_triaged(
                &r,
                Some((&meta("raw-1"), &files)),
                &TriageWrite::default(),
                &audit("mail", TargetKind::Report, r.id),
            )
            .await
            .expect("report");
        assert_eq!(stored.reference, "R2026-0001");
        assert_eq!(s.get_report(r.id).await.expect("get"), Some(stored));
        assert_eq!(
            s.attachments_of(&r.id.to_string()).await.expect("files"),
            vec![files[0].0.clone()]
        );
        assert_eq!(
            s.blob(&files[0].0.sha256).await.expect("blob"),
            Some(files[0].1.clone())
        );

        let i = IncidentId::new(ms(t0()));
        let e = Entry {
            id: EntryId::new(ms(t0())),
            target_kind: TargetKind::Incident,
            target_id: i.to_string(),
            kind: "correspondence".into(),
            direction: Some(Direction::In),
            author: None,
            from: Some("isp@example.net".into()),
            to: vec![],
            subject: Some("Re: ご連絡".into()),
            body: "対応しました".into(),
            created_at: t0(),
        };
        let efiles = [file(
            TargetKind::Incident,
            &i.to_string(),
            "log.txt",
            b"log",
        )];
        s.insert_mail_entry(
            &e,
            &meta("raw-2"),
            &efiles,
            &audit("mail", TargetKind::Incident, i),
        )
        .await
        .expect("entry");
        assert_eq!(
            s.entries_of(&i.to_string()).await.expect("entries"),
            vec![e.clone()]
        );

        let mut got = s
            .mail_meta(&[r.id.to_string(), e.id.to_string(), "none".into()])
            .await
            .expect("meta");
        got.sort_by(|a, b| a.1.raw_id.cmp(&b.1.raw_id));
        assert_eq!(
            got,
            vec![
                (r.id.to_string(), meta("raw-1")),
                (e.id.to_string(), meta("raw-2"))
            ]
        );
        let many = s
            .attachments_of_many(&[r.id.to_string(), i.to_string()])
            .await
            .expect("many");
        assert_eq!(many.len(), 2);
        assert!(s.attachments_of_many(&[]).await.expect("none").is_empty());
    })
    .await;
}

#[tokio::test]
async fn constituency_for_domains_matches_domains_and_mail_domains() {
    for_each_db(|db| async move {
        let s = db.open().await;
        let c = constituency("acme");
        s.insert_constituency(&c, &audit("c", TargetKind::Constituency, c.id))
            .await
            .expect("insert");
        let cases: &[(&[&str], Option<ConstituencyId>)] = &[
            (&["www.acme.example", "acme.example"], Some(c.id)),
            (&["mail.acme.example"], Some(c.id)),
            (&["other.example", "example"], None),
            (&[], None),
        ];
        for (domains, want) in cases {
            let d: Vec<String> = domains.iter().map(|s| s.to_string()).collect();
            assert_eq!(
                s.constituency_for_domains(&d).await.expect("lookup"),
                *want,
                "{domains:?}"
            );
        }
    })
    .await;
}
