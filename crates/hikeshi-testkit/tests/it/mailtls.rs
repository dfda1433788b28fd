//! SMTP transport security against the real aiosmtpd sinks (`scripts/lib/smtp.sh`), on every
//! backend: STARTTLS and implicit TLS, both with AUTH, the server's certificate checked against
//! the CA given in the settings (`ca_file`) — refused without it, never downgraded.

use crate::mailout::{Jobs, addr, ingest, plain, settings};
use hikeshi_jobs::{Runner, SmtpMailer};
use hikeshi_mail::send::SmtpSettings;
use hikeshi_testkit::for_each_backend;
use hikeshi_testkit::mail::smtp_sink;
use jiff::SignedDuration;
use std::sync::Arc;

#[tokio::test]
async fn smtp_over_starttls_and_implicit_tls_with_auth_trusting_the_configured_ca() {
    let test = "smtp_over_starttls_and_implicit_tls_with_auth_trusting_the_configured_ca";
    let Some(sink) = smtp_sink(test) else { return };
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (Some(starttls), Some(tls), Some(ca)) = (
        get("HIKESHI_TEST_SMTP_STARTTLS_PORT").and_then(|p| p.parse::<u16>().ok()),
        get("HIKESHI_TEST_SMTP_TLS_PORT").and_then(|p| p.parse::<u16>().ok()),
        get("HIKESHI_TEST_CA"),
    ) else {
        eprintln!(
            "skipped: {test}: no TLS SMTP sinks (HIKESHI_TEST_SMTP_STARTTLS_PORT/TLS_PORT, HIKESHI_TEST_CA)"
        );
        return;
    };
    let ca = std::fs::read(ca).expect("read the test CA");
    for_each_backend(move |t| {
        let (sink, ca) = (sink.clone(), ca.clone());
        async move {
            let t = t.with_outbound(settings());
            for (mode, port) in [("starttls", starttls), ("tls", tls)] {
                let who = addr("smtptls", t.backend, mode);
                let mut s = SmtpSettings {
                    port,
                    security: mode.into(),
                    ..sink.settings.clone()
                };
                let runner = |s: &SmtpSettings| {
                    Runner::new(
                        t.app.clone(),
                        Arc::new(SmtpMailer::new(s).expect("settings")),
                    )
                };
                ingest(
                    &t,
                    &plain(&who, "Over TLS", "", &format!("{mode}@example.jp")),
                )
                .await;
                // The sink's certificate comes from the test CA: untrusted without it.
                let stats = runner(&s).run_pending().await.expect("run");
                assert_eq!(stats.retried, 1, "{mode}: {stats:?}");
                let job = &t.store_jobs(Some("pending")).await[0];
                assert!(
                    job.last_error
                        .as_deref()
                        .unwrap_or_default()
                        .contains("smtp"),
                    "{job:?}"
                );
                assert!(sink.received_for(&who).is_empty());
                s.ca_pem = Some(ca.clone());
                t.clock.advance(SignedDuration::from_mins(1));
                let stats = runner(&s).run_pending().await.expect("run");
                assert_eq!(stats.done, 1, "{mode}: {:?}", t.store_jobs(None).await);
                let got = sink.received_for(&who);
                assert_eq!(got.len(), 1, "{mode}");
                assert!(got[0].tls, "{mode}: the sink saw TLS");
                assert_eq!(
                    got[0].auth, sink.settings.username,
                    "{mode}: with SMTP AUTH"
                );
                assert!(got[0].parsed.subject.contains("Over TLS"));
            }
        }
    })
    .await;
}
