//! `hikeshi bench mail`: messages per second through bulk mbox import and through
//! `hikeshi mailgate` (a process per message against a served router), each beside a
//! baseline from the same run: parsing alone for import, and spawning the binary with
//! `--version` for mailgate. RSS before/after. Prints JSON.

use crate::commands::app;
use anyhow::{Context, Result};
use hikeshi_core::app::NewToken;
use hikeshi_jobs::import::{ImportOptions, import_mbox};
use hikeshi_mail::mbox::append_mboxrd;
use hikeshi_store::{Options, SqlStore};
use hikeshi_web::{AppState, WebConfig};
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const JA: &str = "弊社のウェブサーバに対して不審なアクセスがありました。ログを確認したところ、管理画面への総当たり攻撃と思われます。";
const EN: &str = "We observed repeated login attempts against our mail gateway from the address below. Please investigate.";

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    let s = base64::engine::general_purpose::STANDARD.encode(bytes);
    s.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// One generated message: charset by `i % 4`, size by chance, an attachment on one in ten.
fn message(i: usize, r: &mut Rng) -> Vec<u8> {
    let reps = match r.next() % 10 {
        0 => 60, // ~6-10 KB
        1..=3 => 10,
        _ => 2,
    };
    let ip = format!("203.0.113.{}", i % 250);
    let (subject_hdr, ctype, cte, body): (String, &str, &str, Vec<u8>) = match i % 4 {
        0 => {
            let text = format!("{}\r\n送信元: {ip}\r\n", JA.repeat(reps));
            let subj = encoding_rs::ISO_2022_JP
                .encode(&format!("不正アクセスの報告 {i}"))
                .0
                .into_owned();
            let (body, _, _) = encoding_rs::ISO_2022_JP.encode(&text);
            (
                format!("=?ISO-2022-JP?B?{}?=", b64(&subj)),
                "text/plain; charset=ISO-2022-JP",
                "7bit",
                body.into_owned(),
            )
        }
        1 => {
            let text = format!("{}\r\n送信元: {ip}\r\n", JA.repeat(reps));
            let (body, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
            let subj = format!("フィッシングサイトの件 {i}");
            (
                format!("=?UTF-8?B?{}?=", b64(subj.as_bytes())),
                "text/plain; charset=Shift_JIS",
                "8bit",
                body.into_owned(),
            )
        }
        2 => {
            let text = format!("{}\r\nsource: {ip}\r\n", JA.repeat(reps));
            (
                format!(
                    "=?UTF-8?B?{}?=",
                    b64(format!("マルウェア感染の疑い {i}").as_bytes())
                ),
                "text/plain; charset=UTF-8",
                "base64",
                b64(text.as_bytes()).into_bytes(),
            )
        }
        _ => {
            let text = format!("{}\r\nsource: {ip}\r\n", EN.repeat(reps));
            (
                format!("Brute force from {ip} #{i}"),
                "text/plain; charset=us-ascii",
                "7bit",
                text.into_bytes(),
            )
        }
    };
    let head = format!(
        "From: reporter{}@example{}.jp\r\nTo: cert@team.example\r\nSubject: {subject_hdr}\r\nDate: Wed, 01 Apr 2026 09:00:00 +0900\r\nMessage-ID: <bench-{i}@example.jp>\r\nMIME-Version: 1.0\r\n",
        i % 500,
        i % 7
    );
    let mut out = head.into_bytes();
    if r.next().is_multiple_of(10) {
        let mut att = vec![0u8; 20_000];
        for b in att.iter_mut() {
            *b = r.next() as u8;
        }
        out.extend_from_slice(b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n");
        out.extend_from_slice(
            format!("Content-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n").as_bytes(),
        );
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\r\n--b1\r\nContent-Type: application/octet-stream; name=\"capture.pcap\"\r\nContent-Disposition: attachment; filename=\"capture.pcap\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        out.extend_from_slice(b64(&att).as_bytes());
        out.extend_from_slice(b"\r\n--b1--\r\n");
    } else {
        out.extend_from_slice(
            format!("Content-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n").as_bytes(),
        );
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn rss_mb() -> (f64, f64) {
    super::rss_mb()
}

async fn fresh_store(dir: &std::path::Path, name: &str, url: Option<&str>) -> Result<SqlStore> {
    let url = match url {
        Some(u) => u.to_string(),
        None => format!("sqlite://{}", dir.join(name).display()),
    };
    Ok(SqlStore::open(
        &url,
        &Options {
            durable: false,
            max_connections: 16,
        },
    )
    .await?)
}

pub async fn run(messages: usize, gate_messages: usize, database_url: Option<&str>) -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("hikeshi-bench-mail-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let (rss0, _) = rss_mb();
    // The corpus: one mbox of `messages` messages.
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    let mut mbox = Vec::new();
    let mut msgs = Vec::with_capacity(messages);
    for i in 0..messages {
        let m = message(i, &mut r);
        append_mboxrd(&mut mbox, "reporter@example.jp", &m);
        msgs.push(m);
    }
    let mbox_path = tmp.join("bench.mbox");
    std::fs::write(&mbox_path, &mbox)?;
    let mbox_mb = mbox.len() as f64 / 1e6;
    drop(mbox);

    // Baseline: parsing alone, same messages, one core.
    let t = Instant::now();
    let mut chars = 0usize;
    for m in &msgs {
        chars += hikeshi_mail::parse(m).text.len();
    }
    let parse_rate = messages as f64 / t.elapsed().as_secs_f64();
    let _ = chars;

    // Bulk import into a fresh database.
    let store = fresh_store(&tmp, "import.db", database_url).await?;
    let settings = hikeshi_core::outbound::OutboundSettings {
        acknowledge: false,
        ..Default::default()
    };
    let import_app = app(&store).with_outbound(settings);
    let t = Instant::now();
    let stats = import_mbox(
        &import_app,
        &mbox_path,
        &ImportOptions {
            progress: false,
            ..Default::default()
        },
    )
    .await?;
    let import_secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        stats.imported as usize == messages,
        "imported {} of {messages}",
        stats.imported
    );
    let (rss_import, hwm_import) = rss_mb();
    store.close().await;

    // mailgate: a process per message, against the router served here.
    let gate_store = fresh_store(&tmp, "gate.db", None).await?;
    let gate_app = app(&gate_store).with_outbound(hikeshi_core::outbound::OutboundSettings {
        acknowledge: false,
        ..Default::default()
    });
    let sys = gate_app.system_actor();
    let admin = gate_app
        .bootstrap_admin(Some("bench-admin-password".into()))
        .await?
        .map(|b| b.username)
        .unwrap_or_else(|| "admin".into());
    let (_, token) = gate_app
        .create_token(
            &sys,
            NewToken {
                user: Some(admin),
                name: None,
                scopes: vec!["read".into(), "write".into()],
            },
        )
        .await?;
    let router = hikeshi_web::router(AppState {
        app: gate_app.clone(),
        config: WebConfig::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let exe = std::env::current_exe().context("current exe")?;
    let n = gate_messages.min(messages).max(1);
    let spawn_one = move |args: &[&str], stdin: Option<&[u8]>| -> Result<std::process::Output> {
        let mut c = Command::new(&exe)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(s) = stdin
            && let Some(mut w) = c.stdin.take()
        {
            w.write_all(s)?;
        }
        drop(c.stdin.take());
        Ok(c.wait_with_output()?)
    };
    let url = format!("http://{addr}");
    let msgs2 = msgs[..n].to_vec();
    let token2 = token.clone();
    let (gate_secs, base_secs) = tokio::task::spawn_blocking(move || -> Result<(f64, f64)> {
        let t = Instant::now();
        for _ in 0..n {
            let o = spawn_one(&["--version"], None)?;
            anyhow::ensure!(o.status.success(), "--version failed");
        }
        let base = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for m in &msgs2 {
            let o = spawn_one(&["mailgate", "--url", &url, "--token", &token2], Some(m))?;
            anyhow::ensure!(
                o.status.success(),
                "mailgate exit {:?}: {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            );
        }
        Ok((t.elapsed().as_secs_f64(), base))
    })
    .await??;
    let (rss_end, hwm_end) = rss_mb();
    gate_store.close().await;
    let _ = std::fs::remove_dir_all(&tmp);
    let r1 = |v: f64| (v * 10.0).round() / 10.0;
    let report = json!({
        "bench": "mail",
        "note": "shared 2-core machine; other jobs ran at the same time, figures are noisy",
        "corpus": {"messages": messages, "mbox_mb": r1(mbox_mb), "mix": "ISO-2022-JP / Shift_JIS 8bit / UTF-8 base64 / ASCII, 10% with a 20 KB attachment, 10% ~6-10 KB bodies"},
        "database": if database_url.is_some() { "given URL" } else { "SQLite (fresh file, synchronous=NORMAL)" },
        "bulk_import": {
            "msgs_per_s": r1(messages as f64 / import_secs),
            "seconds": r1(import_secs),
            "baseline_parse_only_msgs_per_s": r1(parse_rate),
            "ratio_to_parse_only": (messages as f64 / import_secs / parse_rate * 1000.0).round() / 1000.0,
            "goal_msgs_per_s": 500,
        },
        "mailgate": {
            "messages": n,
            "msgs_per_s": r1(n as f64 / gate_secs),
            "baseline_process_spawn_per_s": r1(n as f64 / base_secs),
            "note": "one `hikeshi mailgate` process per message, sequential, as an MTA pipe runs it",
        },
        "rss_mb": {"start": r1(rss0), "after_import": r1(rss_import), "peak_after_import": r1(hwm_import), "end": r1(rss_end), "peak": r1(hwm_end)},
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
