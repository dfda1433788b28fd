//! Japanese mail out in ISO-2022-JP when configured, against the real SMTP sink on every
//! backend: what arrived is 7bit ISO-2022-JP, our parser and Python's `email` package (an
//! outside decoder) both read the Japanese back, and it still signs (PGP/MIME) cleanly.

use crate::mailout::{ingest, settings};
use hikeshi_jobs::{Runner, SmtpMailer};
use hikeshi_pgp::{SigStatus, generate, process_inbound};
use hikeshi_testkit::for_each_backend;
use hikeshi_testkit::mail::smtp_sink;
use std::process::Command;
use std::sync::Arc;

const REPORT_JA: &[u8] = include_bytes!("fixtures/report-iso2022jp.eml");

/// Python's own reading of the message's subject and first text/plain part, when python3 is
/// there (it is: the SMTP sink runs on it); `None` after saying "skipped".
fn python_reads(raw: &[u8]) -> Option<(String, String)> {
    let script = r#"
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
part = next(p for p in m.walk() if p.get_content_type() == "text/plain")
sys.stdout.write(str(m["subject"]) + "\n" + part.get_content_charset() + "\n" + part.get_content())
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(raw)?;
            c.wait_with_output()
        });
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8(o.stdout).expect("utf-8 from python");
            let (subject, rest) = text.split_once('\n').expect("subject line");
            Some((subject.to_string(), rest.to_string()))
        }
        Ok(o) => panic!("python3 could not read the message: {o:?}"),
        Err(e) => {
            eprintln!("skipped: outside decode with python3 ({e})");
            None
        }
    }
}

#[tokio::test]
async fn japanese_mail_goes_out_in_iso_2022_jp_when_configured() {
    let test = "japanese_mail_goes_out_in_iso_2022_jp_when_configured";
    let Some(sink) = smtp_sink(test) else { return };
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(settings());
            let from = format!("jis.{:?}@example.jp", t.backend).to_ascii_lowercase();
            let raw = String::from_utf8_lossy(REPORT_JA)
                .replace("__FROM__", &from)
                .replace("__MSGID__", &format!("jis-{:?}@example.jp", t.backend))
                .into_bytes();
            let landed = ingest(&t, &raw).await;
            // Signed too, to show the ISO-2022-JP part survives PGP/MIME untouched.
            let team = generate(
                "Team <cert@team.example>",
                t.app.now().as_second() - 60,
                None,
            )
            .expect("keygen");
            t.app
                .install_team_key(
                    &t.admin_actor().await,
                    team.armored().expect("armor").as_bytes(),
                    "",
                )
                .await
                .expect("team key");
            let mailer = SmtpMailer::new(&sink.settings)
                .expect("settings")
                .with_iso_2022_jp(true);
            let stats = Runner::new(t.app.clone(), Arc::new(mailer))
                .run_pending()
                .await
                .expect("run");
            assert_eq!(stats.done, 1);
            let got = sink.received_for(&from);
            assert_eq!(got.len(), 1);
            let ack = &got[0];
            assert!(ack.raw.iter().all(|&b| b < 0x80), "7bit on the wire");
            let wire = String::from_utf8_lossy(&ack.raw).to_ascii_lowercase();
            assert!(wire.contains("charset=iso-2022-jp"), "{wire}");
            assert!(wire.contains("subject: =?iso-2022-jp?b?"), "{wire}");
            assert!(wire.contains("multipart/signed"), "{wire}");
            let at = t.app.now().as_second();
            assert_eq!(
                process_inbound(&ack.raw, &[team.public()], None, at)
                    .verification
                    .status,
                SigStatus::Good
            );
            let subject = format!(
                "[Hikeshi #{}] 受付のお知らせ: 不正アクセスの報告",
                landed.reference
            );
            let line = format!("受付番号 {}", landed.reference);
            assert_eq!(ack.parsed.subject, subject);
            assert!(ack.parsed.text.contains(&line), "{}", ack.parsed.text);
            if let Some((py_subject, py_body)) = python_reads(&ack.raw) {
                assert_eq!(py_subject, subject);
                let (charset, body) = py_body.split_once('\n').expect("charset line");
                assert_eq!(charset, "iso-2022-jp");
                assert!(body.contains(&line), "{body}");
            }
        }
    })
    .await;
}
