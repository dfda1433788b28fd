//! The public form's acknowledgement mail against the real SMTP sink (`scripts/lib/smtp.sh`),
//! on every backend: queued with the report, sent once by the job runner in the visitor's
//! language with the tracking reference, never repeating what was typed, and limited per
//! address like mail acknowledgements.

use hikeshi_core::app::WebReport;
use hikeshi_core::outbound::OutboundSettings;
use hikeshi_jobs::RunStats;
use hikeshi_testkit::mail::smtp_sink;
use hikeshi_testkit::{TestApp, for_each_backend};

const SECRET: &str = "SECRET-DETAIL-4242";

fn form(email: &str, lang: &str) -> WebReport {
    WebReport {
        name: "Hanako".into(),
        email: email.into(),
        description: format!("{SECRET}: our server talks to 45.33.32.156"),
        lang: lang.into(),
        ..Default::default()
    }
}

async fn submit(t: &TestApp, w: WebReport) -> String {
    let r = t
        .app
        .submit_web_report(w, vec![], "203.0.113.9")
        .await
        .expect("form");
    assert!(r.filed);
    r.reference
}

async fn pending(t: &TestApp) -> usize {
    t.app
        .store
        .list_jobs(Some("pending"), 1000)
        .await
        .expect("jobs")
        .len()
}

#[tokio::test]
async fn web_form_reports_are_acknowledged_by_mail() {
    let Some(sink) = smtp_sink("web_form_reports_are_acknowledged_by_mail") else {
        return;
    };
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(OutboundSettings {
                from: "cert@team.example.jp".into(),
                team: "Team CSIRT".into(),
                our_addresses: vec!["@team.example.jp".into()],
                ..Default::default()
            });
            let to = format!("hanako.weback.{:?}@example.jp", t.backend).to_ascii_lowercase();
            let reference = submit(&t, form(&to.to_ascii_uppercase(), "ja")).await;
            // Queued with the report, not yet sent.
            assert_eq!(pending(&t).await, 1);
            assert!(sink.received_for(&to).is_empty());
            let stats = sink.runner(&t).run_pending().await.expect("run");
            assert_eq!(
                stats,
                RunStats {
                    done: 1,
                    retried: 0,
                    dead: 0
                }
            );
            assert_eq!(
                sink.runner(&t).run_pending().await.expect("run"),
                RunStats::default()
            );
            let got = sink.received_for(&to);
            assert_eq!(got.len(), 1, "exactly one acknowledgement");
            let ack = &got[0];
            assert_eq!(ack.mail_from, "cert@team.example.jp");
            let subject = &ack.parsed.subject;
            assert!(
                subject.starts_with(&format!("[Hikeshi #{reference}]")),
                "{subject}"
            );
            assert!(subject.contains("ご報告を受け付けました"), "{subject}");
            assert!(
                ack.parsed.text.contains(&format!("受付番号 {reference}")),
                "{}",
                ack.parsed.text
            );
            assert!(ack.parsed.is_auto_generated(), "Auto-Submitted");
            let raw = String::from_utf8_lossy(&ack.raw);
            assert!(
                !raw.contains(SECRET) && !ack.parsed.text.contains(SECRET),
                "no report text"
            );
            assert!(!ack.parsed.text.contains("45.33.32.156"), "no report text");

            // English, and the per-address limit (3 an hour by default): the fourth report
            // from the same address gets no acknowledgement job.
            let second = submit(&t, form(&to, "en")).await;
            submit(&t, form(&to, "en")).await;
            sink.runner(&t).run_pending().await.expect("run");
            let got = sink.received_for(&to);
            assert_eq!(got.len(), 3);
            let en = got
                .iter()
                .find(|m| m.parsed.subject.contains(&second))
                .expect("second ack");
            assert!(
                en.parsed.subject.contains("Your report was received"),
                "{}",
                en.parsed.subject
            );
            assert!(
                en.parsed.text.contains(&format!("reference {second}")),
                "{}",
                en.parsed.text
            );
            submit(&t, form(&to, "en")).await;
            assert_eq!(pending(&t).await, 0, "over the limit: nothing queued");
            sink.runner(&t).run_pending().await.expect("run");
            assert_eq!(sink.received_for(&to).len(), 3);
            // Our own addresses are never acknowledged.
            submit(&t, form("soc@team.example.jp", "en")).await;
            assert_eq!(pending(&t).await, 0);
        }
    })
    .await;
}
