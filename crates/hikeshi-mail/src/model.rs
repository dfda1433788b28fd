//! The parsed-message types handed to the rest of Hikeshi.

use serde::Serialize;

/// A mailbox: addr-spec plus optional display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    /// Decoded display name, if any.
    pub name: Option<String>,
    /// The addr-spec (`local@domain`) exactly as written.
    pub addr: String,
}

/// A stored attachment: a non-body MIME leaf part, or a forwarded message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// File name from `Content-Disposition`/`Content-Type` (RFC 2231/2047 decoded).
    pub name: Option<String>,
    /// `type/subtype`, lower case.
    pub content_type: String,
    /// Size of the decoded content in bytes.
    pub size: u64,
    /// SHA-256 of the decoded content, lower-case hex.
    pub sha256: String,
    /// The decoded content (after base64/quoted-printable, before any charset decoding).
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// Why a message is considered machine-generated (RFC 3834): record it, never answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum AutoReason {
    /// Delivery status notification (RFC 3464 `multipart/report; report-type=delivery-status`),
    /// `X-Failed-Recipients`, or mail from `MAILER-DAEMON`.
    Bounce,
    /// Message disposition notification (read receipt, RFC 8098).
    DispositionNotification,
    /// Abuse feedback report (ARF, RFC 5965): useful input, but never answered.
    FeedbackReport,
    /// `Auto-Submitted: auto-replied`, or vendor auto-reply headers (`X-Autoreply`, …).
    AutoReply,
    /// Any other `Auto-Submitted` value than `no` (the value, lower case).
    AutoSubmitted(String),
    /// `Precedence: bulk`, `junk` or `list` (the value, lower case).
    Precedence(String),
    /// Mailing-list traffic (`List-Id`), which RFC 3834 §2 says not to answer.
    MailingList,
    /// Null reverse path (`Return-Path: <>`): an answer would go nowhere.
    NullSender,
}

/// Main language of the readable text, for search and display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Ja,
    En,
}

/// What kind of signature or encryption the message carries. Only a hint:
/// verification happens elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureHint {
    None,
    /// `multipart/signed; protocol="application/pgp-signature"` (RFC 3156).
    PgpMime,
    /// `-----BEGIN PGP SIGNED MESSAGE-----` in the text body.
    InlinePgp,
    /// `multipart/encrypted; protocol="application/pgp-encrypted"` or an inline PGP message.
    PgpEncrypted,
    /// S/MIME signed or enveloped data.
    Smime,
}

/// A parsed message. Produced by [`crate::parse`], which never fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedMessage {
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To` ids without angle brackets.
    pub in_reply_to: Vec<String>,
    /// `References` ids without angle brackets, oldest first.
    pub references: Vec<String>,
    /// Decoded subject (empty when absent).
    pub subject: String,
    pub from: Option<Address>,
    /// `Sender`, when present (checked by [`crate::is_from_us`]).
    pub sender: Option<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub reply_to: Vec<Address>,
    /// `Return-Path` addr-spec; `Some("")` for the null path `<>`.
    pub return_path: Option<String>,
    /// `Date` as RFC 3339, when it parsed.
    pub date: Option<String>,
    /// Best readable text: the text/plain body, else the HTML body converted to text.
    pub text: String,
    /// The HTML body as sent (not sanitised: never render it as is).
    pub html: Option<String>,
    /// All header fields of this message, in order, values decoded for display.
    pub headers: Vec<(String, String)>,
    pub attachments: Vec<Attachment>,
    /// `message/rfc822` parts, parsed recursively (bounded depth).
    pub forwarded: Vec<ParsedMessage>,
    /// First reason found for treating the message as machine-generated.
    pub auto_generated: Option<AutoReason>,
    /// What looked wrong; parsing went on regardless.
    pub malformed: Vec<String>,
    pub language: Lang,
    pub signature_hint: SignatureHint,
}

impl ParsedMessage {
    /// True for bounces, auto-replies and the rest of [`AutoReason`].
    pub fn is_auto_generated(&self) -> bool {
        self.auto_generated.is_some()
    }

    /// First value of a header field (case-insensitive name), decoded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// An empty message, used as the base of every parse.
    pub(crate) fn empty() -> Self {
        ParsedMessage {
            message_id: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
            subject: String::new(),
            from: None,
            sender: None,
            to: Vec::new(),
            cc: Vec::new(),
            reply_to: Vec::new(),
            return_path: None,
            date: None,
            text: String::new(),
            html: None,
            headers: Vec::new(),
            attachments: Vec::new(),
            forwarded: Vec::new(),
            auto_generated: None,
            malformed: Vec::new(),
            language: Lang::En,
            signature_hint: SignatureHint::None,
        }
    }
}
