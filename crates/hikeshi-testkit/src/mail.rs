//! The real SMTP sink the tests send to (`scripts/lib/smtp.sh`: aiosmtpd on 127.0.0.1,
//! one `PORT-NNNNNN.eml` + `.json` per message received, from the plain, STARTTLS
//! and TLS sinks alike) and a job runner over it.

use crate::TestApp;
use hikeshi_jobs::{Runner, SmtpMailer};
use hikeshi_mail::ParsedMessage;
use hikeshi_mail::send::SmtpSettings;
use std::path::PathBuf;
use std::sync::Arc;

/// The SMTP sink from `HIKESHI_TEST_SMTP_*`, or `None` after printing "skipped: …".
pub fn smtp_sink(test: &str) -> Option<Sink> {
    let host = std::env::var("HIKESHI_TEST_SMTP_HOST").ok()?;
    let port = std::env::var("HIKESHI_TEST_SMTP_PORT").ok();
    let dir = std::env::var("HIKESHI_TEST_SMTP_DIR").ok();
    match (port.and_then(|p| p.parse().ok()), dir) {
        (Some(port), Some(dir)) => Some(Sink {
            settings: SmtpSettings {
                host,
                port,
                security: "none".into(),
                username: std::env::var("HIKESHI_TEST_SMTP_USER").ok(),
                password: std::env::var("HIKESHI_TEST_SMTP_PASSWORD").ok(),
                timeout: None,
                ca_pem: None,
            },
            dir: PathBuf::from(dir),
        }),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: HIKESHI_TEST_SMTP_* not set under CI (run ./scripts/test.sh)");
            }
            eprintln!(
                "skipped: {test}: no SMTP sink (HIKESHI_TEST_SMTP_HOST/PORT/DIR not set; run through ./scripts/test.sh)"
            );
            None
        }
    }
}

/// Where to send, and where what arrived is.
#[derive(Debug, Clone)]
pub struct Sink {
    pub settings: SmtpSettings,
    pub dir: PathBuf,
}

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// The user the client authenticated as (SMTP AUTH), if it did.
    pub auth: Option<String>,
    /// The session was encrypted (STARTTLS or implicit TLS).
    pub tls: bool,
    pub raw: Vec<u8>,
    pub parsed: ParsedMessage,
}

impl Sink {
    /// Everything received for this envelope recipient (case-insensitive), in arrival order.
    pub fn received_for(&self, rcpt: &str) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        names.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        names.sort();
        let mut out = Vec::new();
        for eml in names {
            let Ok(meta) = std::fs::read(eml.with_extension("json")) else {
                continue;
            };
            let Ok(meta) = serde_json::from_slice::<serde_json::Value>(&meta) else {
                continue;
            };
            let rcpts: Vec<String> = meta["rcpt_tos"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if !rcpts.iter().any(|r| r.eq_ignore_ascii_case(rcpt)) {
                continue;
            }
            let raw = std::fs::read(&eml).unwrap_or_default();
            out.push(Received {
                mail_from: meta["mail_from"].as_str().unwrap_or_default().to_string(),
                rcpt_tos: rcpts,
                auth: meta["auth"].as_str().map(str::to_string),
                tls: meta["tls"].as_bool().unwrap_or(false),
                parsed: hikeshi_mail::parse(&raw),
                raw,
            });
        }
        out
    }

    /// A job runner for this app that sends through the sink.
    pub fn runner(&self, t: &TestApp) -> Runner {
        let mailer = SmtpMailer::new(&self.settings).expect("smtp settings");
        Runner::new(t.app.clone(), Arc::new(mailer))
    }
}
