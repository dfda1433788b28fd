//! IMAP polling against a real dovecot (`scripts/lib/imap.sh`) on every backend: messages
//! delivered into the maildir become reports once, even with two pollers ("nodes") on one
//! database, and are flagged or moved afterwards.

use hikeshi_core::ports::ListQuery;
use hikeshi_jobs::imap::{ImapPoller, ImapSettings, PollStats};
use hikeshi_testkit::{TestApp, for_each_backend};
use std::path::PathBuf;
use std::time::Duration;

const REPORT_JA: &[u8] = include_bytes!("fixtures/report-iso2022jp.eml");

struct Server {
    host: String,
    port: u16,
    user: String,
    password: String,
    maildir: PathBuf,
}

fn server(test: &str) -> Option<Server> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (
        get("HIKESHI_TEST_IMAP_HOST"),
        get("HIKESHI_TEST_IMAP_PORT").and_then(|p| p.parse().ok()),
        get("HIKESHI_TEST_IMAP_USER"),
        get("HIKESHI_TEST_IMAP_PASSWORD"),
        get("HIKESHI_TEST_IMAP_MAILDIR"),
    ) {
        (Some(host), Some(port), Some(user), Some(password), Some(maildir)) => Some(Server {
            host,
            port,
            user,
            password,
            maildir: PathBuf::from(maildir),
        }),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: HIKESHI_TEST_IMAP_* not set under CI (run ./scripts/test.sh)");
            }
            eprintln!(
                "skipped: {test}: no IMAP server (HIKESHI_TEST_IMAP_* not set; run through ./scripts/test.sh)"
            );
            None
        }
    }
}

/// A maildir++ folder `.NAME` that dovecot shows as mailbox NAME (writable by its user).
fn folder(s: &Server, name: &str) -> PathBuf {
    let d = s.maildir.join(format!(".{name}"));
    for sub in ["cur", "new", "tmp"] {
        let p = d.join(sub);
        std::fs::create_dir_all(&p).expect("mkdir");
        let _ = std::process::Command::new("chmod")
            .args(["0777", &p.display().to_string(), &d.display().to_string()])
            .status();
    }
    d
}

fn deliver(dir: &std::path::Path, name: &str, raw: &[u8]) {
    let tmp = dir.join("tmp").join(name);
    std::fs::write(&tmp, raw).expect("write");
    let _ = std::process::Command::new("chmod")
        .args(["0666", &tmp.display().to_string()])
        .status();
    std::fs::rename(&tmp, dir.join("new").join(name)).expect("deliver");
}

fn settings(s: &Server, mailbox: &str, move_to: Option<&str>) -> ImapSettings {
    ImapSettings {
        host: s.host.clone(),
        port: s.port,
        security: "none".into(),
        username: s.user.clone(),
        password: s.password.clone(),
        mailbox: mailbox.into(),
        move_to: move_to.map(str::to_string),
        channel: "imap:cert@team.example".into(),
        poll: Duration::from_secs(30),
        ca_pem: None,
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

fn count(dir: &std::path::Path) -> usize {
    ["cur", "new"]
        .iter()
        .map(|s| {
            std::fs::read_dir(dir.join(s))
                .map(|d| d.count())
                .unwrap_or(0)
        })
        .sum()
}

#[tokio::test]
async fn imap_mail_is_ingested_once_by_two_nodes_and_flagged() {
    let Some(srv) = server("imap_mail_is_ingested_once_by_two_nodes_and_flagged") else {
        return;
    };
    let srv = std::sync::Arc::new(srv);
    for_each_backend(move |t| {
        let srv = srv.clone();
        async move {
            let name = format!("flag-{:?}", t.backend);
            let dir = folder(&srv, &name);
            let ja = String::from_utf8_lossy(REPORT_JA)
                .replace("__FROM__", "taro@example.jp")
                .replace("__MSGID__", &format!("imap-ja-{name}@example.jp"))
                .into_bytes();
            deliver(&dir, "1000.a.test", &ja);
            deliver(&dir, "1001.b.test", b"From: bob@example.org\r\nTo: cert@team.example\r\nSubject: Scan from 198.51.100.7\r\n\r\nport scan\r\n");
            // Two nodes poll the same mailbox at the same time, on one database.
            let a = ImapPoller::new(t.app.clone(), settings(&srv, &name, None));
            let b = ImapPoller::new(t.app.clone(), settings(&srv, &name, None));
            let (ra, rb) = tokio::join!(a.poll_once(), b.poll_once());
            let (ra, rb) = (ra.expect("poll a"), rb.expect("poll b"));
            assert_eq!(ra.ingested + rb.ingested, 2, "{ra:?} {rb:?}");
            assert_eq!(subjects(&t).await, vec!["Scan from 198.51.100.7", "不正アクセスの報告"]);
            // Flagged: the next pass finds nothing new.
            assert_eq!(a.poll_once().await.expect("poll"), PollStats::default());
            assert_eq!(subjects(&t).await.len(), 2);
            // The acknowledgement was queued with the report.
            assert_eq!(t.app.store.list_jobs(Some("pending"), 10).await.expect("jobs").len(), 2);
        }
    })
    .await;
}

#[tokio::test]
async fn imap_mail_is_moved_and_claims_are_respected() {
    let Some(srv) = server("imap_mail_is_moved_and_claims_are_respected") else {
        return;
    };
    let srv = std::sync::Arc::new(srv);
    for_each_backend(move |t| {
        let srv = srv.clone();
        async move {
            let name = format!("move-{:?}", t.backend);
            let done = format!("done-{:?}", t.backend);
            let dir = folder(&srv, &name);
            let done_dir = folder(&srv, &done);
            deliver(
                &dir,
                "2000.a.test",
                b"From: c@example.org\r\nTo: cert@team.example\r\nSubject: one\r\n\r\nx\r\n",
            );
            deliver(
                &dir,
                "2001.b.test",
                b"From: d@example.org\r\nTo: cert@team.example\r\nSubject: two\r\n\r\ny\r\n",
            );
            let s = settings(&srv, &name, Some(&done));
            let first = ImapPoller::new(t.app.clone(), s.clone())
                .poll_once()
                .await
                .expect("poll");
            assert_eq!(first.ingested, 2);
            assert_eq!(count(&dir), 0, "moved out of the mailbox");
            assert_eq!(count(&done_dir), 2, "into the folder");
            assert_eq!(subjects(&t).await, vec!["one", "two"]);
            // A message another node has claimed is left alone.
            deliver(
                &dir,
                "2002.c.test",
                b"From: e@example.org\r\nTo: cert@team.example\r\nSubject: three\r\n\r\nz\r\n",
            );
            let key = s.key();
            let second = {
                // Claim UID 3 ourselves first, as if another node had it.
                let mb = uidvalidity(&srv, &name).await;
                assert!(
                    t.app
                        .store
                        .claim_imap_message(&key, mb, 3, t.app.now())
                        .await
                        .expect("claim")
                );
                ImapPoller::new(t.app.clone(), s.clone())
                    .poll_once()
                    .await
                    .expect("poll")
            };
            assert_eq!(
                second,
                PollStats {
                    ingested: 0,
                    skipped: 1
                }
            );
            assert_eq!(subjects(&t).await.len(), 2);
        }
    })
    .await;
}

/// The mailbox's UIDVALIDITY, asked over a raw IMAP connection.
async fn uidvalidity(s: &Server, mailbox: &str) -> i64 {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let tcp = tokio::net::TcpStream::connect((s.host.as_str(), s.port))
        .await
        .expect("connect");
    let (r, mut w) = tcp.into_split();
    let mut lines = BufReader::new(r).lines();
    lines.next_line().await.expect("greeting");
    w.write_all(
        format!(
            "a LOGIN {} {}\r\nb SELECT {mailbox}\r\nc LOGOUT\r\n",
            s.user, s.password
        )
        .as_bytes(),
    )
    .await
    .expect("send");
    while let Some(l) = lines.next_line().await.expect("read") {
        if let Some(rest) = l.split("UIDVALIDITY ").nth(1) {
            return rest
                .split(']')
                .next()
                .and_then(|v| v.trim().parse().ok())
                .expect("uidvalidity");
        }
    }
    panic!("no UIDVALIDITY for {mailbox}");
}

#[tokio::test]
async fn imap_polls_over_implicit_tls_and_starttls_trusting_the_configured_ca() {
    let test = "imap_polls_over_implicit_tls_and_starttls_trusting_the_configured_ca";
    let Some(srv) = server(test) else { return };
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (Some(tls_port), Some(ca)) = (
        get("HIKESHI_TEST_IMAP_TLS_PORT").and_then(|p| p.parse::<u16>().ok()),
        get("HIKESHI_TEST_CA"),
    ) else {
        eprintln!(
            "skipped: {test}: no IMAP TLS port or test CA (HIKESHI_TEST_IMAP_TLS_PORT, HIKESHI_TEST_CA)"
        );
        return;
    };
    let ca = std::fs::read(ca).expect("read the test CA");
    let srv = std::sync::Arc::new(srv);
    for_each_backend(move |t| {
        let (srv, ca) = (srv.clone(), ca.clone());
        async move {
            let name = format!("tls-{:?}", t.backend);
            let dir = folder(&srv, &name);
            let mut tls = settings(&srv, &name, None);
            (tls.security, tls.port) = ("tls".into(), tls_port);
            let mut starttls = settings(&srv, &name, None);
            starttls.security = "starttls".into();
            // Without the CA the server's certificate is not trusted: no plain fallback.
            deliver(&dir, "3000.a.test", b"From: f@example.org\r\nTo: cert@team.example\r\nSubject: over tls\r\n\r\nx\r\n");
            for s in [&tls, &starttls] {
                let e = ImapPoller::new(t.app.clone(), s.clone()).poll_once().await.unwrap_err();
                assert!(format!("{e:#}").contains("tls"), "{}: {e:#}", s.security);
            }
            assert!(subjects(&t).await.is_empty());
            tls.ca_pem = Some(ca.clone());
            starttls.ca_pem = Some(ca.clone());
            let got = ImapPoller::new(t.app.clone(), tls.clone()).poll_once().await.expect("poll over TLS");
            assert_eq!(got.ingested, 1);
            deliver(&dir, "3001.b.test", b"From: g@example.org\r\nTo: cert@team.example\r\nSubject: over starttls\r\n\r\ny\r\n");
            let got = ImapPoller::new(t.app.clone(), starttls).poll_once().await.expect("poll over STARTTLS");
            assert_eq!(got.ingested, 1);
            assert_eq!(subjects(&t).await, vec!["over starttls", "over tls"]);
        }
    })
    .await;
}
