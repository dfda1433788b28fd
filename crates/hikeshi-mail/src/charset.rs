//! Charset labels and byte → text decoding, around `encoding_rs`.
//!
//! mail-parser already decodes the labels it knows (its `Shift_JIS` decoder is
//! encoding_rs's WHATWG Shift_JIS, which *is* Windows-31J/CP932). This module
//! covers what it does not: labels such as `cp932` or `iso-2022-jp-ms`, unknown
//! labels, and undeclared 8-bit text, which it would turn into U+FFFD.

use std::borrow::Cow;

use encoding_rs::{EUC_JP, Encoding, ISO_2022_JP, SHIFT_JIS, UTF_8, WINDOWS_1252};

/// Result of decoding bytes whose charset may be wrong or missing.
pub(crate) struct Decoded {
    pub text: String,
    /// Set when the label was unknown or absent and the charset was guessed.
    pub guessed: Option<&'static str>,
    /// True when some bytes could not be decoded (U+FFFD was inserted).
    pub had_errors: bool,
}

/// Maps a MIME charset label to an encoding, treating every Shift_JIS alias
/// as CP932 (as real mailers do) and the Microsoft/JIS variants of
/// ISO-2022-JP and EUC-JP as their base encoding.
pub(crate) fn lookup(label: &str) -> Option<&'static Encoding> {
    let label = normalise(label);
    let enc = match label.as_str() {
        "shift_jis" | "shift-jis" | "sjis" | "x-sjis" | "cp932" | "ms932" | "windows-31j"
        | "x-ms-cp932" | "ms_kanji" | "csshiftjis" | "cswindows31j" | "ibm-943" | "ibm943"
        | "x-shift_jis" | "shift_jisx0213" | "shift_jis-2004" | "x-sjis-2004" => SHIFT_JIS,
        "iso-2022-jp"
        | "csiso2022jp"
        | "iso-2022-jp-ms"
        | "iso-2022-jp-1"
        | "iso-2022-jp-2"
        | "iso-2022-jp-3"
        | "iso-2022-jp-2004"
        | "x-windows-iso2022jp"
        | "cp50220"
        | "cp50221"
        | "cp50222"
        | "jis"
        | "x-jis" => ISO_2022_JP,
        "euc-jp"
        | "x-euc-jp"
        | "eucjp"
        | "eucjp-ms"
        | "euc-jp-ms"
        | "cp51932"
        | "x-eucjp"
        | "euc-jis-2004"
        | "euc-jisx0213"
        | "cseucpkdfmtjapanese" => EUC_JP,
        "utf8" | "utf-8" | "x-utf8" | "unicode-1-1-utf-8" => UTF_8,
        "us-ascii" | "ascii" | "ansi_x3.4-1968" | "iso646-us" | "cp367" => UTF_8,
        other => return Encoding::for_label_no_replacement(other.as_bytes()),
    };
    Some(enc)
}

fn normalise(label: &str) -> String {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    // RFC 2231 / RFC 2184 language suffix: `iso-2022-jp*ja`.
    let label = label.split('*').next().unwrap_or(label);
    label.to_ascii_lowercase()
}

/// Decodes `bytes` with the declared label, falling back to a guess when the
/// label is unknown or absent.
pub(crate) fn decode(label: Option<&str>, bytes: &[u8]) -> Decoded {
    if let Some(enc) = label.and_then(lookup) {
        // A declared ASCII/UTF-8 label with bytes that are not UTF-8 (or that
        // carry ISO-2022-JP escapes) is mislabelled: guess instead.
        if enc == UTF_8 && (std::str::from_utf8(bytes).is_err() || has_jis_escape(bytes)) {
            return sniff(bytes);
        }
        let (text, _, had_errors) = if enc == ISO_2022_JP {
            let squashed = squash_jis_escapes(bytes);
            let (text, had_errors) = enc.decode_without_bom_handling(&squashed);
            (Cow::Owned(text.into_owned()), enc, had_errors)
        } else {
            enc.decode(bytes)
        };
        return Decoded {
            text: text.into_owned(),
            guessed: None,
            had_errors,
        };
    }
    sniff(bytes)
}

/// True when the bytes contain an ISO-2022-JP designation (`ESC $ B`, `ESC $ @`, `ESC ( J`).
pub(crate) fn has_jis_escape(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| w[0] == 0x1b && ((w[1] == b'$' && matches!(w[2], b'B' | b'@')) || w == b"\x1b(J"))
}

fn is_jis_escape(w: &[u8]) -> bool {
    matches!(
        w,
        [0x1b, b'(', b'B' | b'J' | b'I'] | [0x1b, b'$', b'@' | b'B']
    )
}

/// encoding_rs follows WHATWG and turns an escape sequence that directly
/// follows another one into U+FFFD. Joined encoded words (`… ESC ( B` +
/// `ESC $ B …`) and some mailers produce exactly that, and Python and real
/// mail clients accept it: drop the redundant first escape.
pub(crate) fn squash_jis_escapes(bytes: &[u8]) -> Cow<'_, [u8]> {
    let redundant = |i: usize| {
        bytes.get(i + 3) == Some(&0x1b) && bytes.get(i..i + 3).is_some_and(is_jis_escape)
    };
    if !(0..bytes.len()).any(|i| bytes[i] == 0x1b && redundant(i)) {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == 0x1b && redundant(i) {
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Cow::Owned(out)
}

/// Guesses the charset of undeclared bytes: UTF-8, ISO-2022-JP, CP932, EUC-JP,
/// then Windows-1252 (which decodes anything).
pub(crate) fn sniff(bytes: &[u8]) -> Decoded {
    if has_jis_escape(bytes) {
        let squashed = squash_jis_escapes(bytes);
        let (text, had_errors) = ISO_2022_JP.decode_without_bom_handling(&squashed);
        return Decoded {
            text: text.into_owned(),
            guessed: Some("ISO-2022-JP"),
            had_errors,
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            guessed: Some("UTF-8"),
            had_errors: false,
        };
    }
    // EUC-JP kana bytes are also valid Shift_JIS half-width katakana: when
    // both decode, prefer the one with fewer half-width kana / private-use chars.
    let sjis = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes);
    let euc = EUC_JP.decode_without_bom_handling_and_without_replacement(bytes);
    let oddness = |t: &str| {
        t.chars()
            .filter(|c| matches!(c, '\u{FF61}'..='\u{FF9F}' | '\u{E000}'..='\u{F8FF}'))
            .count()
    };
    let pick = match (sjis, euc) {
        (Some(s), Some(e)) if oddness(&e) < oddness(&s) => Some((e, "EUC-JP")),
        (Some(s), _) => Some((s, "Shift_JIS (CP932)")),
        (None, Some(e)) => Some((e, "EUC-JP")),
        (None, None) => None,
    };
    if let Some((text, name)) = pick {
        return Decoded {
            text: text.into_owned(),
            guessed: Some(name),
            had_errors: false,
        };
    }
    let (text, had_errors) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        guessed: Some("windows-1252"),
        had_errors,
    }
}

/// Whether mail-parser's own decoder handles this label (so its text can be kept).
pub(crate) fn mail_parser_knows(label: &str) -> bool {
    mail_parser::decoders::charsets::map::charset_decoder(label.trim().as_bytes()).is_some()
}
