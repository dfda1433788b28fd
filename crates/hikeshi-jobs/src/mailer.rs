//! The `Mailer` port over lettre: build → seal → send.

use async_trait::async_trait;
use hikeshi_core::outbound::{Mailer, OutboundMail, Protection};
use hikeshi_core::{Error, Result};
use hikeshi_mail::send::{Built, Draft, SendError, SmtpSender, SmtpSettings, build};
use std::time::{Duration, SystemTime};

/// Sends through one SMTP server (pooled connections).
#[derive(Clone)]
pub struct SmtpMailer {
    sender: SmtpSender,
}

impl SmtpMailer {
    pub fn new(s: &SmtpSettings) -> Result<SmtpMailer> {
        Ok(SmtpMailer {
            sender: SmtpSender::new(s).map_err(|e| Error::validation("smtp", e.message))?,
        })
    }
}

fn err(e: SendError) -> Error {
    if e.permanent {
        Error::validation("mail", e.message)
    } else {
        Error::Internal(e.message)
    }
}

/// THE one place a built message is transformed before it is sent. Today the identity;
/// OpenPGP plugs in here: sign when `p.sign` and a team key is installed; encrypt to every
/// recipient whose key is known, and refuse (a permanent error) when `p.encrypt_required`
/// and a key is missing. The decision `p` comes from `hikeshi_core::outbound::protection_for`.
pub fn seal(built: Built, p: &Protection, m: &OutboundMail) -> Result<Built> {
    let _ = (p, m);
    Ok(built)
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, m: &OutboundMail) -> Result<Vec<u8>> {
        let micros = m.created_at.as_microsecond().max(0) as u64;
        let draft = Draft {
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
        };
        let built = seal(build(&draft).map_err(err)?, &m.protection, m)?;
        self.sender
            .send(&built.envelope, &built.bytes)
            .await
            .map_err(err)?;
        Ok(built.bytes)
    }
}
