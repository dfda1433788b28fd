//! Outbound mail and background jobs: the records, the two ports ([`Mailer`], and the job
//! methods of the `Store`), the acknowledgement/correspondence templates, and the two
//! policy points the OpenPGP work plugs into:
//!
//! - [`protection_for`] is the ONE place that decides what a message needs (sign; encrypt
//!   required for TLP:AMBER and above, else when a key is known);
//! - `App::protect_outbound` (`app/protect.rs`) is the ONE place a built message is
//!   transformed before it goes out: signed with the team key, encrypted to the recipients'
//!   keys. The [`Mailer`] only builds and sends bytes; `App::send_outbound` calls build →
//!   protect → send.
//!
//! Nothing here sends or reads the clock: the job runner (`hikeshi-jobs`) drives it.

use crate::error::Result;
use crate::model::{Lang, TargetKind, Tlp};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;

/// Job kinds.
pub const JOB_ACK: &str = "mail.ack";
pub const JOB_SEND: &str = "mail.send";

/// A queued unit of background work. Stored in the caller's transaction; claimed by one
/// runner at a time (a lease); retried with exponential backoff; `dead` after
/// `max_attempts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    /// At most one job per key is ever stored (enqueueing again is a no-op).
    pub dedupe_key: Option<String>,
    /// `pending`, `running` (leased), `done` or `dead`.
    pub status: String,
    /// Attempts started so far (a claim counts as one).
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

/// Default attempts before a job is dead.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed job is leased to its runner; an expired lease is claimed again.
pub const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … capped at 6 h.
pub fn backoff(attempts: i64) -> SignedDuration {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = 30_i64.saturating_mul(1_i64 << exp).min(6 * 3600);
    SignedDuration::from_secs(secs)
}

/// What a message must have before it leaves (decided by [`protection_for`] only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Protection {
    /// Sign with the team key (when one is installed).
    pub sign: bool,
    /// Encryption to every recipient is mandatory: refuse to send without their keys.
    pub encrypt_required: bool,
}

/// The one place that decides protection from the TLP of what is sent.
/// TLP:AMBER and above must be encrypted (issue #4, item 7); below, encrypt when a key is known.
pub fn protection_for(tlp: Tlp) -> Protection {
    Protection {
        sign: true,
        encrypt_required: tlp.is_restricted(),
    }
}

/// `[TLP:AMBER] ` for the subject; nothing for CLEAR (an acknowledgement).
pub fn tlp_marker(tlp: Tlp) -> String {
    if tlp == Tlp::Clear {
        String::new()
    } else {
        format!("[TLP:{}] ", tlp.as_str().to_ascii_uppercase())
    }
}

/// A message we send (or sent): rendered text plus threading and protection facts. The
/// mailer turns it into RFC 5322 bytes; those bytes are stored once sent.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundMail {
    pub id: String,
    /// `<…>`-less Message-ID we generated (replies quoting it land on `target_id`).
    pub message_id: String,
    /// `ack` or `correspondence`.
    pub purpose: String,
    pub target_kind: TargetKind,
    pub target_id: String,
    /// The correspondence entry recording it on the record.
    pub entry_id: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub tlp: Tlp,
    pub lang: Lang,
    pub protection: Protection,
    /// `queued`, `sent`, or `failed` (its job died).
    pub status: String,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// The SMTP side, implemented outside the core (lettre in `hikeshi-mail`). It never decides
/// protection: the core protects what `build` returns before handing it to `send`.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Renders the message as RFC 5322 bytes, unprotected. A bad address is a
    /// `Validation` error (permanent).
    fn build(&self, m: &OutboundMail) -> Result<Vec<u8>>;
    /// Sends these bytes (as protected by the core) from `m.from` to `m.to` and `m.cc`. An
    /// error is temporary unless it is a `Validation` error: the job is retried.
    async fn send(&self, m: &OutboundMail, bytes: &[u8]) -> Result<()>;
}

/// Outbound settings handed to the `App` by the binary (from the TOML configuration).
#[derive(Debug, Clone)]
pub struct OutboundSettings {
    /// From: of everything we send (also one of `our_addresses`).
    pub from: String,
    /// Team name used in the templates.
    pub team: String,
    /// Our own addresses (`@domain` matches a whole domain): mail from them is never answered.
    pub our_addresses: Vec<String>,
    /// Send acknowledgements for new reports from people.
    pub acknowledge: bool,
    /// At most this many acknowledgements per sender per hour.
    pub ack_per_hour: i64,
    /// Subject tag prefix (`Hikeshi` → `[Hikeshi #R2026-0001]`).
    pub tag_prefix: String,
    /// Overriding templates by name (`ack.ja`, `reply.en`, …), from a folder.
    pub templates: HashMap<String, String>,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        OutboundSettings {
            from: "cert@localhost".into(),
            team: "CSIRT".into(),
            our_addresses: vec![],
            acknowledge: true,
            ack_per_hour: 3,
            tag_prefix: crate::app::DEFAULT_TAG_PREFIX.into(),
            templates: HashMap::new(),
        }
    }
}

/// Built-in templates: `Subject:` line, blank line, body. `{name}` placeholders.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("ack.en", include_str!("templates/ack.en.txt")),
    ("ack.ja", include_str!("templates/ack.ja.txt")),
    ("ack-web.en", include_str!("templates/ack-web.en.txt")),
    ("ack-web.ja", include_str!("templates/ack-web.ja.txt")),
    ("reply.en", include_str!("templates/reply.en.txt")),
    ("reply.ja", include_str!("templates/reply.ja.txt")),
];

/// The template names a folder may override.
pub fn template_names() -> Vec<&'static str> {
    BUILTIN_TEMPLATES.iter().map(|(n, _)| *n).collect()
}

/// Renders template `name.lang` (override first, then built in): (subject, body).
/// Unknown placeholders are left as written; values are inserted verbatim (plain text).
pub fn render(
    settings: &OutboundSettings,
    name: &str,
    lang: Lang,
    vars: &[(&str, &str)],
) -> (String, String) {
    let key = format!("{name}.{}", lang.as_str());
    let text = settings
        .templates
        .get(&key)
        .map(String::as_str)
        .or_else(|| {
            BUILTIN_TEMPLATES
                .iter()
                .find(|(n, _)| *n == key)
                .map(|(_, t)| *t)
        })
        .unwrap_or("Subject: {subject}\n\n{body}\n");
    let mut out = text.replace("\r\n", "\n");
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    let (head, body) = out.split_once("\n\n").unwrap_or(("", out.as_str()));
    let subject = head
        .lines()
        .find_map(|l| l.strip_prefix("Subject:"))
        .unwrap_or("")
        .trim()
        .to_string();
    (subject, body.trim_end().to_string() + "\n")
}

/// A Message-ID for something we send: unique, with the domain of our From address.
pub fn message_id(id: &str, from: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>'))
        .filter(|d| !d.is_empty())
        .unwrap_or("hikeshi.invalid");
    format!("{id}@{domain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), SignedDuration::from_secs(30));
        assert_eq!(backoff(2), SignedDuration::from_secs(60));
        assert_eq!(backoff(4), SignedDuration::from_secs(240));
        assert_eq!(backoff(40), SignedDuration::from_secs(6 * 3600));
    }

    #[test]
    fn templates_render_and_override() {
        let mut s = OutboundSettings::default();
        let (subj, body) = render(&s, "ack", Lang::Ja, &[("ref", "R2026-0001")]);
        assert!(subj.contains("受付"), "{subj}");
        assert!(body.contains("R2026-0001"), "{body}");
        s.templates
            .insert("ack.en".into(), "Subject: Got {ref}\n\nThanks {ref}".into());
        let (subj, body) = render(&s, "ack", Lang::En, &[("ref", "R1")]);
        assert_eq!((subj.as_str(), body.as_str()), ("Got R1", "Thanks R1\n"));
    }

    #[test]
    fn protection_follows_tlp() {
        assert!(protection_for(Tlp::Amber).encrypt_required);
        assert!(protection_for(Tlp::Red).encrypt_required);
        assert!(!protection_for(Tlp::Green).encrypt_required);
        assert_eq!(tlp_marker(Tlp::AmberStrict), "[TLP:AMBER+STRICT] ");
        assert_eq!(tlp_marker(Tlp::Clear), "");
        assert_eq!(
            message_id("x1", "CERT <cert@team.example>"),
            "x1@team.example"
        );
    }
}
