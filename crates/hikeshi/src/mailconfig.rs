//! The `[mail]`, `[smtp]` and `[[imap]]` sections of the configuration, and turning them
//! into the core's outbound settings and the SMTP mailer.

use anyhow::{Context, Result};
use hikeshi_core::outbound::{OutboundSettings, template_names};
use serde::Deserialize;
use std::path::PathBuf;

/// `[mail]`: what we send and how intake treats our own mail.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// From: of acknowledgements and correspondence.
    pub from: String,
    /// Team name in the templates.
    pub team: String,
    /// Our own addresses (`@domain` = the whole domain): mail from them is never answered.
    pub our_addresses: Vec<String>,
    /// Acknowledge new reports from people.
    pub acknowledge: bool,
    /// Acknowledgements per sender per hour.
    pub ack_per_hour: i64,
    /// Subject tag prefix: `[Hikeshi #R2026-0001]`.
    pub tag_prefix: String,
    /// Folder with template overrides (`ack.ja.txt`, `ack.en.txt`, `reply.ja.txt`, `reply.en.txt`).
    pub templates: Option<PathBuf>,
    /// Charset of Japanese mail: `utf-8` (default) or `iso-2022-jp` (falls back to UTF-8
    /// for a message with a character ISO-2022-JP lacks).
    pub japanese_charset: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        let d = OutboundSettings::default();
        MailConfig {
            from: d.from,
            team: d.team,
            our_addresses: vec![],
            acknowledge: d.acknowledge,
            ack_per_hour: d.ack_per_hour,
            tag_prefix: d.tag_prefix,
            templates: None,
            japanese_charset: "utf-8".into(),
        }
    }
}

/// `[smtp]`: the server outbound mail goes through. Absent: mail stays queued.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `starttls` (default), `tls` (implicit, usually port 465) or `none` (loopback relays only).
    #[serde(default = "default_security")]
    pub security: String,
    pub username: Option<String>,
    /// Prefer `password_file` or HIKESHI_SMTP_PASSWORD.
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    /// A CA certificate file (PEM) to trust for the server besides the public roots (a
    /// relay with a certificate from the organisation's own CA).
    pub ca_file: Option<PathBuf>,
}

/// Reads a PEM CA file named in the configuration.
fn read_ca(f: &Option<PathBuf>) -> Result<Option<Vec<u8>>> {
    f.as_ref()
        .map(|f| std::fs::read(f).with_context(|| format!("reading ca_file {}", f.display())))
        .transpose()
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("password_file", &self.password_file)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

fn default_smtp_port() -> u16 {
    587
}
fn default_security() -> String {
    "starttls".into()
}

/// `[[imap]]`: a mailbox to poll (one per constituency address, say).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    #[serde(default = "default_imap_port")]
    pub port: u16,
    /// `tls` (default, implicit), `starttls`, or `none` (loopback only).
    #[serde(default = "default_imap_security")]
    pub security: String,
    pub username: String,
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_inbox")]
    pub mailbox: String,
    /// Move processed mail here instead of flagging it `\Seen $Hikeshi`.
    pub move_to: Option<String>,
    /// Channel recorded with each message (default `imap:USERNAME`).
    pub channel: Option<String>,
    /// Seconds between checks when the server has no IDLE (and the IDLE timeout).
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    /// A CA certificate file (PEM) to trust for the server besides the public roots.
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("username", &self.username)
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

fn default_imap_port() -> u16 {
    993
}
fn default_imap_security() -> String {
    "tls".into()
}
fn default_inbox() -> String {
    "INBOX".into()
}
fn default_poll() -> u64 {
    60
}

impl ImapConfig {
    pub fn settings(&self) -> Result<hikeshi_jobs::imap::ImapSettings> {
        let password = match (&self.password_file, &self.password) {
            (Some(f), _) => std::fs::read_to_string(f)
                .with_context(|| format!("reading {}", f.display()))?
                .trim_end()
                .to_string(),
            (None, Some(p)) => p.clone(),
            (None, None) => anyhow::bail!("[[imap]] {}: password or password_file", self.username),
        };
        Ok(hikeshi_jobs::imap::ImapSettings {
            host: self.host.clone(),
            port: self.port,
            security: self.security.clone(),
            username: self.username.clone(),
            password,
            mailbox: self.mailbox.clone(),
            move_to: self.move_to.clone(),
            channel: self
                .channel
                .clone()
                .unwrap_or_else(|| format!("imap:{}", self.username)),
            poll: std::time::Duration::from_secs(self.poll_seconds.max(5)),
            ca_pem: read_ca(&self.ca_file)?,
        })
    }
}

pub const EXAMPLE: &str = r#"
# Outbound mail: acknowledgements and correspondence (hikeshi serve sends them).
[mail]
from = "cert@localhost"
team = "CSIRT"
# Mail from these is recorded but never answered; "@domain" covers a whole domain.
our_addresses = []
acknowledge = true
ack_per_hour = 3
tag_prefix = "Hikeshi"
# templates = "/etc/hikeshi/templates"   # ack.ja.txt, ack.en.txt, reply.ja.txt, reply.en.txt
japanese_charset = "utf-8"   # or "iso-2022-jp" (UTF-8 still when a character does not fit)

# Without [smtp], outbound mail stays queued until one is configured.
# [smtp]
# host = "smtp.example.jp"
# port = 587
# security = "starttls"    # starttls | tls | none
# username = "cert"
# password_file = "/run/secrets/smtp"   # or HIKESHI_SMTP_PASSWORD
# ca_file = "/etc/hikeshi/relay-ca.pem"  # trust this CA too (the public roots always)

# Mailboxes to poll (any number; every node polls, claims in the database keep each
# message to one node). IDLE is used when the server offers it.
# [[imap]]
# host = "imap.example.jp"
# port = 993
# security = "tls"         # tls | starttls | none
# username = "cert@example.jp"
# password_file = "/run/secrets/imap-cert"
# mailbox = "INBOX"
# move_to = "Processed"    # default: flag \Seen $Hikeshi and leave it
# channel = "cert@example.jp"
# poll_seconds = 60
# ca_file = "/etc/hikeshi/imap-ca.pem"
"#;

impl MailConfig {
    /// `japanese_charset` as the mailer's switch.
    pub fn iso_2022_jp(&self) -> Result<bool> {
        match self.japanese_charset.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(false),
            "iso-2022-jp" => Ok(true),
            other => anyhow::bail!(
                "[mail] japanese_charset = {other:?}: expected \"utf-8\" or \"iso-2022-jp\""
            ),
        }
    }

    /// The core's settings, with template overrides read from the folder.
    pub fn settings(&self) -> Result<OutboundSettings> {
        let mut templates = std::collections::HashMap::new();
        if let Some(dir) = &self.templates {
            for name in template_names() {
                let p = dir.join(format!("{name}.txt"));
                if p.exists() {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading template {}", p.display()))?;
                    templates.insert(name.to_string(), text);
                }
            }
        }
        Ok(OutboundSettings {
            from: self.from.clone(),
            team: self.team.clone(),
            our_addresses: self.our_addresses.clone(),
            acknowledge: self.acknowledge,
            ack_per_hour: self.ack_per_hour,
            tag_prefix: self.tag_prefix.clone(),
            templates,
        })
    }
}

impl SmtpConfig {
    pub fn settings(&self) -> Result<hikeshi_mail::send::SmtpSettings> {
        let password = match (&self.password_file, std::env::var("HIKESHI_SMTP_PASSWORD")) {
            (_, Ok(p)) if !p.is_empty() => Some(p),
            (Some(f), _) => Some(
                std::fs::read_to_string(f)
                    .with_context(|| format!("reading {}", f.display()))?
                    .trim_end()
                    .to_string(),
            ),
            _ => self.password.clone(),
        };
        Ok(hikeshi_mail::send::SmtpSettings {
            host: self.host.clone(),
            port: self.port,
            security: self.security.clone(),
            username: self.username.clone(),
            password,
            timeout: None,
            ca_pem: read_ca(&self.ca_file)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn japanese_charset_and_ca_files_are_read_and_checked() {
        let c: Config =
            toml::from_str("[mail]\njapanese_charset = \"ISO-2022-JP\"").expect("parses");
        assert!(c.mail.iso_2022_jp().expect("known"));
        assert!(!Config::default().mail.iso_2022_jp().expect("default"));
        let c: Config = toml::from_str("[mail]\njapanese_charset = \"sjis\"").expect("parses");
        assert!(
            c.mail
                .iso_2022_jp()
                .unwrap_err()
                .to_string()
                .contains("japanese_charset")
        );

        let ca = std::env::temp_dir().join(format!("hikeshi-ca-{}.pem", std::process::id()));
        std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\n").expect("write");
        let c: Config = toml::from_str(&format!(
            "[smtp]\nhost = \"relay.example\"\nca_file = {:?}\n[[imap]]\nhost = \"imap.example\"\nusername = \"u\"\npassword = \"p\"\nca_file = \"/nonexistent/ca.pem\"",
            ca.display().to_string()
        ))
        .expect("parses");
        let smtp = c.smtp.as_ref().expect("smtp").settings().expect("settings");
        assert_eq!(
            smtp.ca_pem.as_deref(),
            Some(&b"-----BEGIN CERTIFICATE-----\n"[..])
        );
        let e = c.imap[0].settings().unwrap_err();
        assert!(
            format!("{e:#}").contains("ca_file /nonexistent/ca.pem"),
            "{e:#}"
        );
        let _ = std::fs::remove_file(&ca);
    }
}
