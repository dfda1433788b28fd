//! `hikeshi import mbox|maildir`: batched back-fill through the intake path, resuming at
//! the position saved in the database, on every backend.

use hikeshi_core::outbound::OutboundSettings;
use hikeshi_core::ports::ListQuery;
use hikeshi_jobs::import::{ImportOptions, import_maildir, import_mbox};
use hikeshi_mail::mbox::append_mboxrd;
use hikeshi_testkit::{TestApp, for_each_backend};

const REPORT_JA: &[u8] = include_bytes!("fixtures/report-iso2022jp.eml");

fn msg(i: usize) -> Vec<u8> {
    format!(
        "From: r{i}@example.org\r\nTo: cert@team.example\r\nSubject: Report {i}\r\nMessage-ID: <m{i}@example.org>\r\n\r\nFrom here on, body {i}.\r\n"
    )
    .into_bytes()
}

fn opts() -> ImportOptions {
    ImportOptions {
        batch: 2,
        concurrency: 2,
        progress: false,
        ..Default::default()
    }
}

async fn subjects(t: &TestApp) -> Vec<String> {
    let admin = t.admin_actor().await;
    let q = ListQuery {
        limit: 100,
        ..Default::default()
    };
    let mut v: Vec<String> = t
        .app
        .list_reports(&admin, &q)
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|r| r.subject)
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn mbox_import_is_batched_and_resumes_where_it_stopped() {
    for_each_backend(|t| async move {
        let t = t.with_outbound(OutboundSettings {
            acknowledge: false,
            ..Default::default()
        });
        let dir = tempdir(&format!("mbox-{:?}", t.backend));
        let path = dir.join("in.mbox");
        let mut data = Vec::new();
        let ja: Vec<u8> = String::from_utf8_lossy(REPORT_JA)
            .replace("__FROM__", "taro@example.jp")
            .replace("__MSGID__", "ja@example.jp")
            .into_bytes();
        append_mboxrd(&mut data, "taro@example.jp", &ja);
        for i in 1..=4 {
            append_mboxrd(&mut data, "x@example.org", &msg(i));
        }
        std::fs::write(&path, &data).expect("write mbox");
        let s = import_mbox(&t.app, &path, &opts()).await.expect("import");
        assert_eq!((s.imported, s.failed), (5, 0));
        let got = subjects(&t).await;
        assert_eq!(got.len(), 5);
        assert!(got.contains(&"不正アクセスの報告".to_string()), "{got:?}");
        // "From here on" inside a body survives the mbox escaping.
        let admin = t.admin_actor().await;
        let q = ListQuery {
            limit: 100,
            ..Default::default()
        };
        let all = t.app.list_reports(&admin, &q).await.expect("list").items;
        let r = all
            .iter()
            .find(|r| r.subject == "Report 1")
            .expect("report 1");
        assert!(r.content.starts_with("From here on"), "{}", r.content);
        // A second run reads nothing: it resumes at the end.
        let again = import_mbox(&t.app, &path, &opts()).await.expect("import");
        assert_eq!(again.imported, 0);
        assert_eq!(again.resumed_at, data.len().to_string());
        // Appended mail is picked up from the saved position.
        for i in 5..=6 {
            append_mboxrd(&mut data, "x@example.org", &msg(i));
        }
        std::fs::write(&path, &data).expect("append");
        let more = import_mbox(&t.app, &path, &opts()).await.expect("import");
        assert_eq!(more.imported, 2);
        assert_eq!(subjects(&t).await.len(), 7);
        assert!(
            t.app
                .store
                .list_jobs(None, 10)
                .await
                .expect("jobs")
                .is_empty(),
            "history is never acknowledged"
        );
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test]
async fn maildir_import_resumes_by_file_name() {
    for_each_backend(|t| async move {
        let dir = tempdir(&format!("maildir-{:?}", t.backend));
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
        }
        std::fs::write(dir.join("cur/1000.a.host:2,S"), msg(1)).expect("w");
        std::fs::write(dir.join("cur/1001.b.host:2,"), msg(2)).expect("w");
        std::fs::write(dir.join("new/1002.c.host"), msg(3)).expect("w");
        let s = import_maildir(&t.app, &dir, &opts()).await.expect("import");
        assert_eq!(s.imported, 3);
        // new/ → cur/ (flags added) does not import it again; a new delivery does.
        std::fs::rename(dir.join("new/1002.c.host"), dir.join("cur/1002.c.host:2,S")).expect("mv");
        std::fs::write(dir.join("new/1003.d.host"), msg(4)).expect("w");
        let s = import_maildir(&t.app, &dir, &opts()).await.expect("import");
        assert_eq!(s.imported, 1);
        assert_eq!(
            subjects(&t).await,
            vec!["Report 1", "Report 2", "Report 3", "Report 4"]
        );
        assert!(
            import_maildir(&t.app, &dir.join("cur"), &opts())
                .await
                .is_err(),
            "not a maildir"
        );
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("hikeshi-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tempdir");
    d
}
