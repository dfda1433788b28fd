//! hikeshi-mail: raw mail bytes → [`ParsedMessage`]. Pure: no database, no
//! network, no clock. Outbound building and the SMTP client are in [`send`] behind
//! the `send` feature (lettre), so the parser's users do not compile them.
//!
//! # API
//! - [`parse`]`(raw) -> ParsedMessage` never fails and never panics. The worst
//!   case is a message whose `malformed` notes say what went wrong and whose
//!   `text` is the raw bytes decoded as well as possible.
//! - [`find_tag`]`(subject, prefix)` finds `[Hikeshi #2026-0042]` in a decoded
//!   subject (routing of replies; `In-Reply-To`/`References` are in
//!   [`ParsedMessage::in_reply_to`] and [`ParsedMessage::references`] for the
//!   caller to match against the ids of messages we sent).
//! - [`is_from_us`]`(msg, our_addresses)`: mail from our own addresses must be
//!   recorded but never answered.
//! - [`html_to_text`]: the conversion used for HTML-only mail.
//! - [`ParsedMessage::auto_generated`] ([`AutoReason`]): bounces (DSN, RFC 3464),
//!   MDNs, ARF reports, `Auto-Submitted`, vendor auto-reply headers,
//!   `Precedence: bulk/junk/list`, `List-Id` and the null sender: record, never
//!   answer (RFC 3834).
//!
//! # Parsing
//! MIME structure, RFC 2047/2231 and transfer decoding come from
//! [mail-parser](https://docs.rs/mail-parser) 0.11 with `full_encoding`. Around
//! it, with encoding_rs:
//! - every Shift_JIS label (`Shift_JIS`, `x-sjis`, `cp932`, `windows-31j`, …)
//!   decodes as CP932/Windows-31J, so NEC/IBM extensions (①, ㈱) and `～`
//!   (0x8160 → U+FF5E) come out right; mail-parser does not know `cp932`;
//! - unknown or missing charsets on 8-bit text are guessed (ISO-2022-JP escapes,
//!   UTF-8, CP932, EUC-JP, then Windows-1252) and flagged;
//! - header values for display (and `subject`) are decoded from the raw bytes:
//!   adjacent encoded words of one charset are joined before decoding (a
//!   character split across two words survives), raw 8-bit or ISO-2022-JP
//!   bytes are decoded by guessing and flagged.
//!
//! Forwarded `message/rfc822` parts are parsed into [`ParsedMessage::forwarded`]
//! (up to 8 levels) and also listed as attachments (their bytes and SHA-256
//! are evidence). Attachments are every non-body leaf part, with the SHA-256 of
//! the transfer-decoded bytes.
//!
//! # Architecture invariants
//! - No I/O and no global state: the same bytes give the same result.
//! - Nothing is dropped: what cannot be decoded is kept raw and noted in
//!   [`ParsedMessage::malformed`].
//! - No signature verification and no HTML sanitising here: `html` is the sender's
//!   markup, for a sandboxed viewer only; `signature_hint` is only a hint.

mod charset;
mod classify;
mod convert;
mod guard;
mod header;
mod html;
pub mod mbox;
mod model;
#[cfg(feature = "send")]
pub mod send;
mod tag;
#[cfg(test)]
mod unit_tests;

pub use classify::is_from_us;
pub use html::html_to_text;
pub use model::{Address, Attachment, AutoReason, Lang, ParsedMessage, SignatureHint};
pub use tag::find_tag;

use mail_parser::MessageParser;

/// Parses a raw message (RFC 5322 + MIME). Never fails, never panics.
pub fn parse(raw: &[u8]) -> ParsedMessage {
    // mail-parser is well fuzzed, but a panic in it must not lose a report:
    // catch it and fall back to the raw text.
    let defused = guard::defuse(raw);
    let input = defused.as_deref().unwrap_or(raw);
    let parsed = std::panic::catch_unwind(|| {
        MessageParser::new()
            .parse(input)
            .map(|msg| convert::convert(&msg, 0))
    });
    match parsed {
        Ok(Some(mut msg)) => {
            if defused.is_some() {
                msg.malformed.push(format!(
                    "more than {} nested-message content types; the rest kept as attachments only",
                    guard::MAX_NESTING_TYPES
                ));
            }
            msg
        }
        Ok(None) => fallback(raw, "not parseable as a MIME message"),
        Err(_) => fallback(raw, "MIME parser failed; raw text kept"),
    }
}

fn fallback(raw: &[u8], why: &str) -> ParsedMessage {
    let mut msg = ParsedMessage::empty();
    let decoded = charset::sniff(raw);
    msg.text = decoded.text;
    msg.language = classify::language("", &msg.text);
    msg.malformed.push(why.to_owned());
    msg
}
