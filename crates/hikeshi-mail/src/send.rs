//! Outbound mail (feature `send`): a [`Draft`] rendered to RFC 5322 bytes with lettre's
//! builder (UTF-8; non-ASCII subjects as RFC 2047 encoded words, bodies as quoted-printable
//! or base64 as lettre decides), and an SMTP client (plain, STARTTLS or implicit TLS, with
//! AUTH) that sends given bytes. Building and sending are separate so that the caller can
//! seal (sign/encrypt) the built bytes in between.

use lettre::address::{Address as LAddress, Envelope};
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::{Duration, SystemTime};

/// What went wrong building or sending.
#[derive(Debug)]
pub struct SendError {
    /// A permanent failure (bad address, 5xx answer): retrying will not help.
    pub permanent: bool,
    pub message: String,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SendError {}

fn permanent(m: impl Into<String>) -> SendError {
    SendError {
        permanent: true,
        message: m.into(),
    }
}

/// A message to build. Ids are without angle brackets.
#[derive(Debug, Clone)]
pub struct Draft {
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// The Date header (from the caller's clock).
    pub date: SystemTime,
    /// Adds `Auto-Submitted: auto-replied` (RFC 3834) for acknowledgements.
    pub auto_reply: bool,
    /// Encode subject and body as ISO-2022-JP (RFC 1468, 7bit; what many Japanese mail
    /// clients expect) when every character fits; otherwise, and for ASCII text, UTF-8.
    pub iso_2022_jp: bool,
}

/// The built message: envelope and RFC 5322 bytes.
#[derive(Debug, Clone)]
pub struct Built {
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
}

fn mailbox(s: &str, field: &str) -> Result<Mailbox, SendError> {
    s.parse::<Mailbox>()
        .map_err(|e| permanent(format!("{field}: not an address {s:?}: {e}")))
}

/// `text` in ISO-2022-JP, or `None` when a character does not fit (e.g. emoji, ①).
fn jis(text: &str) -> Option<Vec<u8>> {
    let (bytes, _, unmappable) = encoding_rs::ISO_2022_JP.encode(text);
    (!unmappable).then(|| bytes.into_owned())
}

/// An unstructured header value as RFC 2047 `=?ISO-2022-JP?B?…?=` words of at most 75
/// characters, each a complete ISO-2022-JP sequence (ending in ASCII), folded with CRLF SP.
fn jis_words(text: &str) -> Option<String> {
    use base64::Engine;
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    for chunk in chars.chunks(12) {
        let bytes = jis(&chunk.iter().collect::<String>())?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        words.push(format!("=?ISO-2022-JP?B?{b64}?="));
    }
    Some(words.join("\r\n "))
}

/// Subject (encoded) and body for ISO-2022-JP, when asked for, needed (not ASCII) and possible.
fn jis_parts(d: &Draft, body: &str) -> Option<(String, Vec<u8>)> {
    if !d.iso_2022_jp || (d.subject.is_ascii() && body.is_ascii()) {
        return None;
    }
    let body = jis(body)?;
    let seven_bit = body.iter().all(|&c| c != 0 && c < 0x80);
    if !seven_bit || body.split(|&c| c == b'\n').any(|l| l.len() > 998) {
        return None;
    }
    Some((jis_words(&d.subject)?, body))
}

/// Builds the message (text/plain, UTF-8 or ISO-2022-JP: see [`Draft::iso_2022_jp`]).
pub fn build(d: &Draft) -> Result<Built, SendError> {
    let body = d.body.replace("\r\n", "\n").replace('\n', "\r\n");
    let jp = jis_parts(d, &body);
    let mut b = Message::builder().from(mailbox(&d.from, "from")?);
    b = match &jp {
        Some((subject, _)) => b.raw_header(HeaderValue::dangerous_new_pre_encoded(
            HeaderName::new_from_ascii_str("Subject"),
            d.subject.clone(),
            subject.clone(),
        )),
        None => b.subject(d.subject.clone()),
    };
    let mut b = b
        .date(d.date)
        .message_id(Some(format!("<{}>", d.message_id)));
    for t in &d.to {
        b = b.to(mailbox(t, "to")?);
    }
    for c in &d.cc {
        b = b.cc(mailbox(c, "cc")?);
    }
    if let Some(r) = &d.in_reply_to {
        b = b.in_reply_to(format!("<{r}>"));
    }
    if !d.references.is_empty() {
        let refs: Vec<String> = d.references.iter().map(|r| format!("<{r}>")).collect();
        b = b.references(refs.join(" "));
    }
    if d.auto_reply {
        b = b.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-replied".into(),
        ));
    }
    let m = match jp {
        Some((_, bytes)) => {
            let ct = ContentType::parse("text/plain; charset=ISO-2022-JP")
                .map_err(|e| permanent(format!("content type: {e}")))?;
            // 7bit with ESC sequences (which lettre's own 7bit check refuses); checked above:
            // ASCII bytes, no NUL, lines of at most 998 bytes.
            b.header(ct).body(Body::dangerous_pre_encoded(
                bytes,
                ContentTransferEncoding::SevenBit,
            ))
        }
        None => b.header(ContentType::TEXT_PLAIN).body(body),
    }
    .map_err(|e| permanent(format!("building the message: {e}")))?;
    Ok(Built {
        envelope: m.envelope().clone(),
        bytes: m.formatted(),
    })
}

/// How to reach the SMTP server.
#[derive(Clone, Default)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `none` (plain, loopback only), `starttls` (required) or `tls` (implicit, port 465).
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout: Option<Duration>,
    /// Extra CA certificates (PEM) trusted for the server's certificate, besides the Mozilla
    /// roots — for a server with a certificate from the organisation's own CA.
    pub ca_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .finish()
    }
}

/// A pooled SMTP client.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpSender {
    pub fn new(s: &SmtpSettings) -> Result<SmtpSender, SendError> {
        let tls = match s.security.as_str() {
            "none" => Tls::None,
            "starttls" | "tls" => {
                let mut b = TlsParameters::builder(s.host.clone());
                if let Some(pem) = &s.ca_pem {
                    let ca = Certificate::from_pem(pem)
                        .map_err(|e| permanent(format!("smtp ca_file: {e}")))?;
                    b = b.add_root_certificate(ca);
                }
                let p = b.build().map_err(|e| permanent(format!("smtp tls: {e}")))?;
                if s.security == "tls" {
                    Tls::Wrapper(p)
                } else {
                    Tls::Required(p)
                }
            }
            other => {
                return Err(permanent(format!(
                    "smtp security {other:?}: expected none, starttls or tls"
                )));
            }
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
            .port(s.port)
            .tls(tls)
            .timeout(s.timeout.or(Some(Duration::from_secs(30))));
        if let (Some(u), Some(p)) = (&s.username, &s.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(SmtpSender {
            transport: b.build(),
        })
    }

    /// Sends the bytes as they are to the envelope's recipients.
    pub async fn send(&self, envelope: &Envelope, bytes: &[u8]) -> Result<(), SendError> {
        self.transport
            .send_raw(envelope, bytes)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: format!("smtp: {e}"),
            })
    }
}

/// An envelope for these addresses (`Name <addr>` or a bare address), used to send bytes
/// that were protected after building with the same recipients.
pub fn envelope(from: &str, to: &[String]) -> Result<Envelope, SendError> {
    let parse = |s: &str| -> Result<LAddress, SendError> {
        s.parse::<Mailbox>()
            .map(|m| m.email)
            .map_err(|e| permanent(format!("not an address {s:?}: {e}")))
    };
    let rcpts = to.iter().map(|t| parse(t)).collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(parse(from)?), rcpts).map_err(|e| permanent(format!("envelope: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_subject_and_body_round_trip() {
        let d = Draft {
            from: "CSIRT <cert@team.example>".into(),
            to: vec!["taro@example.jp".into()],
            cc: vec![],
            subject: "[Hikeshi #R2026-0001] 受付のお知らせ: 不正アクセスの報告".into(),
            body: "ご報告ありがとうございます。\n受付番号 R2026-0001".into(),
            message_id: "abc@team.example".into(),
            in_reply_to: Some("orig@example.jp".into()),
            references: vec!["orig@example.jp".into()],
            date: SystemTime::UNIX_EPOCH + Duration::from_secs(1_775_000_000),
            auto_reply: true,
            iso_2022_jp: false,
        };
        let b = build(&d).expect("builds");
        let text = String::from_utf8_lossy(&b.bytes);
        assert!(text.contains("Auto-Submitted: auto-replied"), "{text}");
        assert!(text.contains("In-Reply-To: <orig@example.jp>"), "{text}");
        let p = crate::parse(&b.bytes);
        assert_eq!(p.subject, d.subject);
        assert!(p.text.contains("受付番号 R2026-0001"), "{}", p.text);
        assert_eq!(p.message_id.as_deref(), Some("abc@team.example"));
        assert_eq!(
            crate::find_tag(&p.subject, "Hikeshi").as_deref(),
            Some("R2026-0001")
        );
        assert!(p.is_auto_generated());
    }

    #[test]
    fn bad_addresses_are_permanent() {
        let mut d = Draft {
            from: "cert@team.example".into(),
            to: vec!["not an address".into()],
            cc: vec![],
            subject: "x".into(),
            body: "y".into(),
            message_id: "m@team.example".into(),
            in_reply_to: None,
            references: vec![],
            date: SystemTime::UNIX_EPOCH,
            auto_reply: false,
            iso_2022_jp: false,
        };
        assert!(build(&d).is_err_and(|e| e.permanent));
        d.to = vec!["a@b.example".into()];
        assert!(build(&d).is_ok());
    }
}

#[cfg(test)]
mod jis_tests {
    use super::*;

    fn draft(subject: &str, body: &str) -> Draft {
        Draft {
            from: "CSIRT <cert@team.example>".into(),
            to: vec!["taro@example.jp".into()],
            cc: vec![],
            subject: subject.into(),
            body: body.into(),
            message_id: "j1@team.example".into(),
            in_reply_to: None,
            references: vec![],
            date: SystemTime::UNIX_EPOCH + Duration::from_secs(1_775_000_000),
            auto_reply: false,
            iso_2022_jp: true,
        }
    }

    #[test]
    fn japanese_goes_out_as_iso_2022_jp_and_parses_back() {
        let subject = "[TLP:GREEN] [Hikeshi #2026-0042] 不正アクセスに関するご連絡（フィッシングサイトの停止のお願い）";
        let body = "お世話になっております。\n貴社サーバ 192.0.2.1 上のフィッシングサイトの停止をお願いします。\n";
        let b = build(&draft(subject, body)).expect("builds");
        assert!(b.bytes.iter().all(|&c| c < 0x80), "7bit only");
        let text = String::from_utf8_lossy(&b.bytes);
        assert!(
            text.to_ascii_lowercase().contains("charset=iso-2022-jp"),
            "{text}"
        );
        assert!(text.contains("Subject: =?ISO-2022-JP?B?"), "{text}");
        assert!(text.contains("Content-Transfer-Encoding: 7bit"), "{text}");
        for line in text.lines().filter(|l| l.contains("=?ISO-2022-JP?B?")) {
            assert!(line.len() <= 78, "folded: {line}");
        }
        let p = crate::parse(&b.bytes);
        assert_eq!(p.subject, subject);
        assert_eq!(p.text.replace("\r\n", "\n"), body);
    }

    #[test]
    fn falls_back_to_utf8_when_a_character_does_not_fit() {
        for (subject, body) in [("𠮷野家の件", "本文"), ("件名", "絵文字 🔥 を含む本文")]
        {
            let b = build(&draft(subject, body)).expect("builds");
            let text = String::from_utf8_lossy(&b.bytes).to_ascii_lowercase();
            assert!(!text.contains("iso-2022-jp"), "{text}");
            let p = crate::parse(&b.bytes);
            assert_eq!((p.subject.as_str(), p.text.trim_end()), (subject, body));
        }
        // ASCII needs no ISO-2022-JP either.
        let b = build(&draft("Hello", "Plain text")).expect("builds");
        assert!(
            !String::from_utf8_lossy(&b.bytes)
                .to_ascii_lowercase()
                .contains("iso-2022-jp")
        );
    }
}
