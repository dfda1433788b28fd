//! Unit tests of the private helpers: charset labels, ISO-2022-JP escape
//! squashing, header decoding and the nesting guard.

use crate::{charset, guard, header};

fn check_header(raw: &str, want: &str, notes: usize) {
    let got = header::decode_value(raw.as_bytes());
    assert_eq!(got.text, want, "{raw:?}");
    assert_eq!(got.notes.len(), notes, "{raw:?}: {:?}", got.notes);
}

#[test]
fn header_values() {
    let cases: &[(&str, &str, usize)] = &[
        (" plain text\r\n", "plain text", 0),
        (" a\r\n\tfolded\r\n  line", "a\tfolded  line", 0),
        (" =?UTF-8?Q?caf=C3=A9_au_lait?=", "café au lait", 0),
        (" =?utf-8?b?5pel5pys?= =?utf-8?b?6Kqe?=", "日本語", 0),
        (" Re: =?UTF-8?B?5pel?= text", "Re: 日 text", 0),
        (" =?UTF-8?B?5pel?=\r\n =?ISO-8859-1?Q?=E9?=", "日é", 0),
        (" =?x-bogus?Q?abc?=", "abc", 1),
        (" =?UTF-8?B?!!!?=", "=?UTF-8?B?!!!?=", 1),
        (" =?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated", 0),
        (" =??Q?x?=", "=??Q?x?=", 0),
        (" =?UTF-8*ja?Q?lang?=", "lang", 0),
        (" =?UTF-8?Q?a=ZZb?=", "a=ZZb", 0),
        ("", "", 0),
    ];
    for (raw, want, notes) in cases {
        check_header(raw, want, *notes);
    }
}

#[test]
fn charset_labels() {
    use encoding_rs::{EUC_JP, ISO_2022_JP, SHIFT_JIS, UTF_8, WINDOWS_1252};
    let cases = [
        ("Shift_JIS", Some(SHIFT_JIS)),
        ("\"cp932\"", Some(SHIFT_JIS)),
        ("Windows-31J", Some(SHIFT_JIS)),
        ("x-sjis", Some(SHIFT_JIS)),
        ("iso-2022-jp*ja", Some(ISO_2022_JP)),
        ("ISO-2022-JP-MS", Some(ISO_2022_JP)),
        ("eucJP-ms", Some(EUC_JP)),
        ("US-ASCII", Some(UTF_8)),
        ("latin1", Some(WINDOWS_1252)),
        ("x-unknown", None),
        ("", None),
    ];
    for (label, want) in cases {
        assert_eq!(charset::lookup(label), want, "{label}");
    }
}

#[test]
fn jis_escape_squashing_and_sniffing() {
    let joined = b"\x1b$B$\"\x1b(B\x1b$B$$\x1b(B";
    assert_eq!(
        charset::squash_jis_escapes(joined).as_ref(),
        b"\x1b$B$\"\x1b$B$$\x1b(B"
    );
    assert_eq!(charset::decode(Some("iso-2022-jp"), joined).text, "あい");
    let untouched = b"\x1b$B$\"\x1b(B";
    assert!(matches!(
        charset::squash_jis_escapes(untouched),
        std::borrow::Cow::Borrowed(_)
    ));
    let cases: &[(&[u8], &str, &str)] = &[
        (b"\x87\x40\x81\x60", "①\u{FF5E}", "Shift_JIS (CP932)"),
        (b"\x93\xfa\x96\x7b", "日本", "Shift_JIS (CP932)"),
        (b"\xc6\xfc\xcb\xdc", "日本", "EUC-JP"),
        (b"\xa4\xa2\xa4\xa4\xa4\xa6", "あいう", "EUC-JP"),
        ("ok ✓".as_bytes(), "ok ✓", "UTF-8"),
        (b"caf\xe9 \xff", "café ÿ", "windows-1252"),
    ];
    for (bytes, want, guess) in cases {
        let d = charset::sniff(bytes);
        assert_eq!(
            (d.text.as_str(), d.guessed),
            (*want, Some(*guess)),
            "{bytes:?}"
        );
    }
}

#[test]
fn nesting_guard() {
    assert!(guard::defuse(b"Content-Type: message/rfc822\r\n\r\n").is_none());
    let deep = "Content-Type: Message/RFC822\r\n\r\n".repeat(guard::MAX_NESTING_TYPES + 3);
    let defused = guard::defuse(deep.as_bytes()).unwrap_or_default();
    assert_eq!(defused.len(), deep.len());
    let text = String::from_utf8_lossy(&defused);
    assert_eq!(text.matches("message/x-deep").count(), 3);
    assert_eq!(
        text.to_ascii_lowercase().matches("message/rfc822").count(),
        guard::MAX_NESTING_TYPES
    );
}
