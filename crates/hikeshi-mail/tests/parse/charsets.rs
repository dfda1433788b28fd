//! Japanese charsets, encoded words and transfer encodings.

use crate::common::{Expect, b64_body, check, encode, mail, mail_bytes, qp_body, word};
use encoding_rs::{EUC_JP, ISO_2022_JP, SHIFT_JIS};
use hikeshi_mail::{Lang, find_tag};

/// ① ㈱ ～ as CP932 bytes (NEC row 13 and 0x8160), then テスト.
fn cp932_bytes() -> Vec<u8> {
    let mut b = b"\x87\x40\x87\x8a\x81\x60".to_vec();
    b.extend(encode(SHIFT_JIS, "テスト本文"));
    b
}
const CP932_TEXT: &str = "①㈱\u{FF5E}テスト本文";

#[test]
fn shift_jis_cp932_extensions_under_every_label_and_encoding() {
    let labels = [
        "Shift_JIS",
        "shift_jis",
        "\"Shift_JIS\"",
        "x-sjis",
        "cp932",
        "CP932",
        "windows-31j",
        "Windows-31J",
        "ms932",
    ];
    for label in labels {
        for cte in ["8bit", "base64", "quoted-printable"] {
            let body = match cte {
                "base64" => b64_body(&cp932_bytes()),
                "quoted-printable" => qp_body(&cp932_bytes()),
                _ => cp932_bytes(),
            };
            let ct = format!("Content-Type: text/plain; charset={label}");
            let cte_h = format!("Content-Transfer-Encoding: {cte}");
            let raw = mail(&["From: a@example.jp", "Subject: x", &ct, &cte_h], &body);
            check(
                &format!("{label}/{cte}"),
                &raw,
                &Expect {
                    text: &[CP932_TEXT],
                    not_text: &["\u{FFFD}", "\u{301C}"],
                    clean: true,
                    lang: Some(Lang::Ja),
                    ..Default::default()
                },
            );
        }
    }
}

#[test]
fn shift_jis_subject_words_under_cp932_labels() {
    for label in ["Shift_JIS", "cp932", "x-sjis", "windows-31j"] {
        let subject = format!("Subject: {}", word(label, &cp932_bytes()));
        let raw = mail(&["From: a@example.jp", &subject], b"body\r\n");
        check(
            label,
            &raw,
            &Expect {
                subject: Some(CP932_TEXT),
                clean: true,
                ..Default::default()
            },
        );
    }
}

#[test]
fn iso_2022_jp_subjects() {
    let jis = |s: &str| encode(ISO_2022_JP, s);
    // Self-contained words, folded over three lines.
    let split = format!(
        "Subject: {}\r\n {}\r\n\t{}",
        word("ISO-2022-JP", &jis("[Hikeshi #2026-0042] ")),
        word("ISO-2022-JP", &jis("不正アクセスの")),
        word("iso-2022-jp", &jis("報告について")),
    );
    // One ISO-2022-JP byte string cut in the middle of a two-byte character.
    let whole = jis("Re: 不正アクセスの報告");
    let cut = 4 + 3 + 4 + 1; // "Re: " + ESC $ B + two chars + half a char
    let cut_words = format!(
        "Subject: {}\r\n {}",
        word("ISO-2022-JP", &whole[..cut]),
        word("ISO-2022-JP", &whole[cut..])
    );
    // UTF-8 split inside a character (seen from PHP mailers).
    let utf8 = "返信: 【Hikeshi＃2026-0042】件名".as_bytes();
    let utf8_words = format!(
        "Subject: {} {}",
        word("UTF-8", &utf8[..5]),
        word("UTF-8", &utf8[5..])
    );
    let raw_jis = [b"Subject: ".as_slice(), &jis("生のJIS件名")].concat();
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "split",
            mail(&[&split], b"x\r\n"),
            "[Hikeshi #2026-0042] 不正アクセスの報告について",
        ),
        (
            "cut",
            mail(&[&cut_words], b"x\r\n"),
            "Re: 不正アクセスの報告",
        ),
        (
            "utf8-cut",
            mail(&[&utf8_words], b"x\r\n"),
            "返信: 【Hikeshi＃2026-0042】件名",
        ),
        ("raw-jis", mail_bytes(&[&raw_jis], b"x\r\n"), "生のJIS件名"),
    ];
    for (name, raw, subject) in cases {
        let m = check(
            name,
            &raw,
            &Expect {
                subject: Some(subject),
                ..Default::default()
            },
        );
        if name != "raw-jis" && name != "cut" {
            assert_eq!(
                find_tag(&m.subject, "Hikeshi").as_deref(),
                Some("2026-0042")
            );
        }
    }
}

#[test]
fn bodies_in_each_charset_and_encoding() {
    let euc = encode(EUC_JP, "日本語のテスト（EUC-JP）");
    let jis_circled = [
        b"\x1b$B-!-\"\x1b(B".as_slice(),
        &encode(ISO_2022_JP, "と丸数字"),
    ]
    .concat();
    let utf8 = "UTF-8 本文 — café".as_bytes();
    let cases: Vec<(&str, &str, &str, Vec<u8>, &str)> = vec![
        (
            "euc-jp",
            "EUC-JP",
            "8bit",
            euc.clone(),
            "日本語のテスト（EUC-JP）",
        ),
        (
            "euc-jp b64",
            "euc-jp",
            "base64",
            b64_body(&euc),
            "日本語のテスト",
        ),
        (
            "iso-2022-jp ①②",
            "ISO-2022-JP",
            "7bit",
            jis_circled,
            "①②と丸数字",
        ),
        (
            "utf-8 qp",
            "utf-8",
            "quoted-printable",
            qp_body(utf8),
            "UTF-8 本文 — café",
        ),
        (
            "utf-8 b64",
            "UTF-8",
            "base64",
            b64_body(utf8),
            "UTF-8 本文 — café",
        ),
        (
            "latin1 qp",
            "iso-8859-1",
            "quoted-printable",
            b"caf=E9\r\n".to_vec(),
            "café",
        ),
    ];
    for (name, label, cte, body, text) in cases {
        let ct = format!("Content-Type: text/plain; charset=\"{label}\"");
        let cte_h = format!("Content-Transfer-Encoding: {cte}");
        let raw = mail(&["From: b@example.org", "Subject: s", &ct, &cte_h], &body);
        check(
            name,
            &raw,
            &Expect {
                text: &[text],
                not_text: &["\u{FFFD}"],
                clean: true,
                ..Default::default()
            },
        );
    }
}

#[test]
fn unknown_missing_and_wrong_charsets_are_guessed_and_flagged() {
    let sjis = cp932_bytes();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "unknown label",
            mail(&["Content-Type: text/plain; charset=x-unknown-jp"], &sjis),
            "unknown charset",
        ),
        (
            "no label, 8-bit",
            mail(&["Content-Type: text/plain"], &sjis),
            "undeclared 8-bit charset",
        ),
        (
            "us-ascii label, 8-bit",
            mail(&["Content-Type: text/plain; charset=us-ascii"], &sjis),
            "undeclared 8-bit charset",
        ),
    ];
    for (name, raw, note) in cases {
        check(
            name,
            &raw,
            &Expect {
                text: &[CP932_TEXT],
                malformed: &[note],
                ..Default::default()
            },
        );
    }
    // No charset but ISO-2022-JP escapes: decoded, and 7-bit so not flagged.
    let raw = mail(&["Subject: j"], &encode(ISO_2022_JP, "エスケープだけ"));
    check(
        "undeclared jis",
        &raw,
        &Expect {
            text: &["エスケープだけ"],
            ..Default::default()
        },
    );
}

#[test]
fn eight_bit_headers_are_decoded_and_flagged() {
    let subject = [b"Subject: ".as_slice(), &encode(SHIFT_JIS, "生の件名①")].concat();
    let from = [
        b"From: ".as_slice(),
        &encode(SHIFT_JIS, "山田太郎"),
        b" <yamada@example.jp>",
    ]
    .concat();
    let raw = mail_bytes(&[&from, &subject], b"body\r\n");
    check(
        "8-bit headers",
        &raw,
        &Expect {
            subject: Some("生の件名①"),
            from: Some("yamada@example.jp"),
            from_name: Some("山田太郎"),
            malformed: &["Subject: 8-bit bytes in header", "From: 8-bit bytes"],
            ..Default::default()
        },
    );
    // RFC 6532 UTF-8 headers are fine and not flagged.
    let raw = mail(
        &["From: 佐藤 <sato@example.jp>", "Subject: 日本語の件名"],
        b"x",
    );
    check(
        "utf-8 headers",
        &raw,
        &Expect {
            subject: Some("日本語の件名"),
            from_name: Some("佐藤"),
            clean: true,
            ..Default::default()
        },
    );
}

#[test]
fn attachment_names_in_every_form() {
    let sjis = encode(SHIFT_JIS, "報告書①.pdf");
    let jis = encode(ISO_2022_JP, "報告書.pdf");
    let encoded = word("ISO-2022-JP", &encode(ISO_2022_JP, "ログ.txt"));
    let mut body = b"--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n".to_vec();
    for disposition in [
        [b"attachment; filename=\"".as_slice(), &sjis, b"\""].concat(),
        [b"attachment; filename=\"".as_slice(), &jis, b"\""].concat(),
        format!("attachment; filename=\"{encoded}\"").into_bytes(),
        b"attachment; filename*=UTF-8''%E8%A8%BC%E6%8B%A0.zip".to_vec(),
    ] {
        body.extend_from_slice(
            b"--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: ",
        );
        body.extend(disposition);
        body.extend_from_slice(b"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n");
    }
    body.extend_from_slice(b"--x--\r\n");
    let raw = mail(
        &[
            "Subject: names",
            "Content-Type: multipart/mixed; boundary=x",
        ],
        &body,
    );
    check(
        "file names",
        &raw,
        &Expect {
            attachments: Some(&[
                ("報告書①.pdf", 3),
                ("報告書.pdf", 3),
                ("ログ.txt", 3),
                ("証拠.zip", 3),
            ]),
            malformed: &["filename: 8-bit bytes in header, decoded as Shift_JIS (CP932)"],
            ..Default::default()
        },
    );
}
