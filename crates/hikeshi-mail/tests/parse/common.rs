//! One `check` helper for every parse case, plus fixture builders.

use base64::Engine;
use hikeshi_mail::{AutoReason, Lang, ParsedMessage, SignatureHint, parse};

/// What a case expects; `None`/empty fields are not checked.
#[derive(Default)]
pub struct Expect<'a> {
    pub subject: Option<&'a str>,
    /// Substrings that must be in `text`.
    pub text: &'a [&'a str],
    /// Substrings that must not be in `text`.
    pub not_text: &'a [&'a str],
    pub has_html: Option<bool>,
    pub from: Option<&'a str>,
    pub from_name: Option<&'a str>,
    /// `(name, size)` of every attachment, in order (`""` for no name).
    pub attachments: Option<&'a [(&'a str, u64)]>,
    /// `(subject, text substring)` of every forwarded message, in order.
    pub forwarded: Option<&'a [(&'a str, &'a str)]>,
    pub auto: Option<Option<AutoReason>>,
    /// Substrings each of which must occur in some `malformed` note.
    pub malformed: &'a [&'a str],
    /// `malformed` must be empty.
    pub clean: bool,
    pub lang: Option<Lang>,
    pub sig: Option<SignatureHint>,
    pub in_reply_to: Option<&'a [&'a str]>,
    pub references: Option<&'a [&'a str]>,
}

pub fn check(name: &str, raw: &[u8], e: &Expect<'_>) -> ParsedMessage {
    let m = parse(raw);
    let ctx = |what: &str| format!("case {name}: {what}\nparsed: {m:#?}");
    if let Some(s) = e.subject {
        assert_eq!(m.subject, s, "{}", ctx("subject"));
    }
    for t in e.text {
        assert!(m.text.contains(t), "{}", ctx(&format!("text lacks {t:?}")));
    }
    for t in e.not_text {
        assert!(!m.text.contains(t), "{}", ctx(&format!("text has {t:?}")));
    }
    if let Some(h) = e.has_html {
        assert_eq!(m.html.is_some(), h, "{}", ctx("html presence"));
    }
    if let Some(f) = e.from {
        let got = m.from.as_ref().map(|a| a.addr.as_str());
        assert_eq!(got, Some(f), "{}", ctx("from"));
    }
    if let Some(n) = e.from_name {
        let got = m.from.as_ref().and_then(|a| a.name.as_deref());
        assert_eq!(got, Some(n), "{}", ctx("from name"));
    }
    if let Some(atts) = e.attachments {
        let got: Vec<(&str, u64)> = m
            .attachments
            .iter()
            .map(|a| (a.name.as_deref().unwrap_or(""), a.size))
            .collect();
        assert_eq!(got, atts, "{}", ctx("attachments"));
    }
    if let Some(fw) = e.forwarded {
        assert_eq!(m.forwarded.len(), fw.len(), "{}", ctx("forwarded count"));
        for (inner, (subject, text)) in m.forwarded.iter().zip(fw.iter()) {
            assert_eq!(&inner.subject, subject, "{}", ctx("forwarded subject"));
            assert!(inner.text.contains(text), "{}", ctx("forwarded text"));
        }
    }
    if let Some(a) = &e.auto {
        assert_eq!(&m.auto_generated, a, "{}", ctx("auto_generated"));
    }
    for note in e.malformed {
        assert!(
            m.malformed.iter().any(|n| n.contains(note)),
            "{}",
            ctx(&format!("no malformed note with {note:?}"))
        );
    }
    if e.clean {
        assert!(m.malformed.is_empty(), "{}", ctx("expected no notes"));
    }
    if let Some(l) = e.lang {
        assert_eq!(m.language, l, "{}", ctx("language"));
    }
    if let Some(s) = e.sig {
        assert_eq!(m.signature_hint, s, "{}", ctx("signature hint"));
    }
    if let Some(ids) = e.in_reply_to {
        assert_eq!(m.in_reply_to, ids, "{}", ctx("in_reply_to"));
    }
    if let Some(ids) = e.references {
        assert_eq!(m.references, ids, "{}", ctx("references"));
    }
    m
}

/// A message from header lines (already encoded) and a body, with CRLF.
pub fn mail(headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for h in headers {
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// Like [`mail`] but header bytes may be 8-bit.
pub fn mail_bytes(headers: &[&[u8]], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for h in headers {
        out.extend_from_slice(h);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Base64 wrapped at 76 columns with CRLF, as in a MIME body.
pub fn b64_body(bytes: &[u8]) -> Vec<u8> {
    let enc = b64(bytes);
    let mut out = Vec::new();
    for chunk in enc.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Quoted-printable (every non-ASCII byte and `=` escaped, soft breaks at 72).
pub fn qp_body(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut col = 0;
    for &b in bytes {
        let piece = if b == b'\n' {
            col = 0;
            out.extend_from_slice(b"\r\n");
            continue;
        } else if b == b'\r' {
            continue;
        } else if b == b'=' || !(0x20..0x7f).contains(&b) {
            format!("={b:02X}").into_bytes()
        } else {
            vec![b]
        };
        if col + piece.len() > 72 {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        col += piece.len();
        out.extend_from_slice(&piece);
    }
    out
}

pub fn encode(enc: &'static encoding_rs::Encoding, s: &str) -> Vec<u8> {
    enc.encode(s).0.into_owned()
}

/// `=?charset?B?...?=` of already-encoded bytes.
pub fn word(charset: &str, bytes: &[u8]) -> String {
    format!("=?{charset}?B?{}?=", b64(bytes))
}
