//! Decoding of unstructured header values (Subject and the display list).
//!
//! mail-parser decodes each RFC 2047 encoded word on its own and reads raw
//! 8-bit header bytes as lossy UTF-8. Real Japanese mail breaks both rules:
//! mailers split one multi-byte character over two encoded words, and older
//! ones put raw ISO-2022-JP or Shift_JIS bytes straight into `Subject:`. So the
//! display value is decoded here from the raw header bytes: adjacent encoded
//! words of the same charset are joined before charset decoding, and bare
//! non-UTF-8 bytes are decoded by guessing (and flagged).

use crate::charset;

/// A decoded header value and what looked wrong on the way.
pub(crate) struct HeaderText {
    pub text: String,
    pub notes: Vec<String>,
}

enum Segment<'a> {
    Literal(&'a [u8]),
    Word { charset: &'a str, bytes: Vec<u8> },
}

/// Decodes a raw (possibly folded) header value.
pub(crate) fn decode_value(raw: &[u8]) -> HeaderText {
    let unfolded: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    let value = unfolded.trim_ascii();
    let mut notes = Vec::new();
    let segments = split(value, &mut notes);
    let mut text = String::with_capacity(value.len());
    let mut i = 0;
    while i < segments.len() {
        match &segments[i] {
            Segment::Literal(bytes) => {
                let between_words = i > 0
                    && matches!(segments[i - 1], Segment::Word { .. })
                    && matches!(segments.get(i + 1), Some(Segment::Word { .. }));
                if !(between_words && bytes.iter().all(u8::is_ascii_whitespace)) {
                    push_literal(&mut text, bytes, &mut notes);
                }
                i += 1;
            }
            Segment::Word { charset: label, .. } => {
                // Join this word with following same-charset words (skipping
                // the whitespace between them, as RFC 2047 §6.2 says).
                let mut joined = Vec::new();
                let mut j = i;
                while j < segments.len() {
                    match &segments[j] {
                        Segment::Word { charset: l, bytes } if l.eq_ignore_ascii_case(label) => {
                            joined.extend_from_slice(bytes);
                            j += 1;
                        }
                        Segment::Literal(ws)
                            if ws.iter().all(u8::is_ascii_whitespace)
                                && matches!(segments.get(j + 1), Some(Segment::Word { charset: l, .. }) if l.eq_ignore_ascii_case(label)) =>
                        {
                            j += 1;
                        }
                        _ => break,
                    }
                }
                let decoded = charset::decode(Some(label), &joined);
                if let Some(guess) = decoded.guessed {
                    notes.push(format!(
                        "encoded word with unknown charset {label:?}, decoded as {guess}"
                    ));
                } else if decoded.had_errors {
                    notes.push(format!("encoded word not valid {label}"));
                }
                text.push_str(&decoded.text);
                i = j;
            }
        }
    }
    HeaderText { text, notes }
}

fn push_literal(text: &mut String, bytes: &[u8], notes: &mut Vec<String>) {
    match std::str::from_utf8(bytes) {
        Ok(s) if !charset::has_jis_escape(bytes) => text.push_str(s),
        _ => {
            let decoded = charset::sniff(bytes);
            if !bytes.is_ascii() {
                notes.push(format!(
                    "8-bit bytes in header, decoded as {}",
                    decoded.guessed.unwrap_or("?")
                ));
            }
            text.push_str(&decoded.text);
        }
    }
}

/// Splits a value into literal runs and decoded encoded words.
fn split<'a>(value: &'a [u8], notes: &mut Vec<String>) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    while i + 1 < value.len() {
        if value[i] == b'='
            && value[i + 1] == b'?'
            && let Some((word, end)) = encoded_word(value, i, notes)
        {
            if lit_start < i {
                out.push(Segment::Literal(&value[lit_start..i]));
            }
            out.push(word);
            i = end;
            lit_start = end;
            continue;
        }
        i += 1;
    }
    if lit_start < value.len() {
        out.push(Segment::Literal(&value[lit_start..]));
    }
    out
}

/// Parses `=?charset?E?text?=` at `start`; returns the word and the end offset.
fn encoded_word<'a>(
    v: &'a [u8],
    start: usize,
    notes: &mut Vec<String>,
) -> Option<(Segment<'a>, usize)> {
    let cs_start = start + 2;
    let cs_len = v.get(cs_start..)?.iter().position(|b| *b == b'?')?;
    let charset = std::str::from_utf8(&v[cs_start..cs_start + cs_len]).ok()?;
    if charset.is_empty()
        || charset
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b == b'=')
    {
        return None;
    }
    let enc = *v.get(cs_start + cs_len + 1)?;
    if v.get(cs_start + cs_len + 2) != Some(&b'?') {
        return None;
    }
    let text_start = cs_start + cs_len + 3;
    let rest = v.get(text_start..)?;
    let text_len = rest.windows(2).position(|w| w == b"?=")?;
    let text = &rest[..text_len];
    let bytes = match enc {
        b'B' | b'b' => {
            let compact: Vec<u8> = text
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            match mail_parser::decoders::base64::base64_decode(&compact) {
                Some(bytes) => bytes,
                None => {
                    notes.push("invalid base64 in encoded word".to_owned());
                    return None;
                }
            }
        }
        b'Q' | b'q' => q_decode(text),
        _ => return None,
    };
    Some((Segment::Word { charset, bytes }, text_start + text_len + 2))
}

fn q_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = text
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 3;
                    continue;
                }
                out.push(b'=');
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The raw bytes of parameter `name` (`filename`, `name`) in a raw
/// `Content-Disposition`/`Content-Type` value, quoted or not. Used when a
/// mailer put raw 8-bit or ISO-2022-JP bytes into a file name, which
/// mail-parser reads as lossy UTF-8.
pub(crate) fn raw_param<'a>(value: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let mut i = 0;
    while i < value.len() {
        let at_start = i == 0 || matches!(value[i - 1], b';' | b' ' | b'\t' | b'\n' | b'\r');
        let rest = &value[i..];
        let matches_name = rest
            .get(..name.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()));
        if at_start && matches_name {
            let after = rest[name.len()..].trim_ascii_start();
            if let Some(v) = after.strip_prefix(b"=") {
                let v = v.trim_ascii_start();
                return Some(match v.strip_prefix(b"\"") {
                    Some(q) => q.split(|b| *b == b'"').next().unwrap_or_default(),
                    None => v
                        .split(|b| matches!(b, b';' | b' ' | b'\t' | b'\r' | b'\n'))
                        .next()
                        .unwrap_or_default(),
                });
            }
        }
        i += 1;
    }
    None
}
