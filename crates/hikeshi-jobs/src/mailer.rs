//! The `Mailer` port over lettre: build, and send given bytes. The core protects (signs,
//! encrypts) the built bytes in between (`App::protect_outbound`); nothing here decides it.

use async_trait::async_trait;
use hikeshi_core::model::Lang;
use hikeshi_core::outbound::{Mailer, OutboundMail};
use hikeshi_core::{Error, Result};
use hikeshi_mail::send::{Draft, SendError, SmtpSender, SmtpSettings, build, envelope};
use std::time::{Duration, SystemTime};

/// Sends through one SMTP server (pooled connections).
#[derive(Clone)]
pub struct SmtpMailer {
    sender: SmtpSender,
    iso_2022_jp: bool,
}

impl SmtpMailer {
    pub fn new(s: &SmtpSettings) -> Result<SmtpMailer> {
        Ok(SmtpMailer {
            sender: SmtpSender::new(s).map_err(|e| Error::validation("smtp", e.message))?,
            iso_2022_jp: false,
        })
    }

    /// Japanese mail (`lang = ja`) in ISO-2022-JP instead of UTF-8, where every character
    /// fits (`[mail] japanese_charset = "iso-2022-jp"`).
    pub fn with_iso_2022_jp(mut self, on: bool) -> SmtpMailer {
        self.iso_2022_jp = on;
        self
    }
}

fn err(e: SendError) -> Error {
    if e.permanent {
        Error::validation("mail", e.message)
    } else {
        Error::Internal(e.message)
    }
}

fn draft(m: &OutboundMail, iso_2022_jp: bool) -> Draft {
    let micros = m.created_at.as_microsecond().max(0) as u64;
    Draft {
        from: m.from.clone(),
        to: m.to.clone(),
        cc: m.cc.clone(),
        subject: m.subject.clone(),
        body: m.body.clone(),
        message_id: m.message_id.clone(),
        in_reply_to: m.in_reply_to.clone(),
        references: m.references.clone(),
        date: SystemTime::UNIX_EPOCH + Duration::from_micros(micros),
        auto_reply: m.purpose == "ack",
        iso_2022_jp: iso_2022_jp && m.lang == Lang::Ja,
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    fn build(&self, m: &OutboundMail) -> Result<Vec<u8>> {
        build(&draft(m, self.iso_2022_jp))
            .map(|b| b.bytes)
            .map_err(err)
    }

    async fn send(&self, m: &OutboundMail, bytes: &[u8]) -> Result<()> {
        let rcpts: Vec<String> = m.to.iter().chain(m.cc.iter()).cloned().collect();
        let env = envelope(&m.from, &rcpts).map_err(err)?;
        self.sender.send(&env, bytes).await.map_err(err)
    }
}
