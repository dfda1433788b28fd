//! MIME structure: multiparts, HTML-only, forwarded, reports, broken input.

use crate::common::{Expect, b64_body, check, encode, mail, word};
use encoding_rs::ISO_2022_JP;
use hikeshi_mail::{AutoReason, parse};
use sha2::{Digest, Sha256};

fn pdf() -> Vec<u8> {
    (0..1000u32).map(|i| (i * 7 % 251) as u8).collect()
}

fn nested_mixed_alternative() -> Vec<u8> {
    let mut body = "--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n\
--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain text part 本文\r\n\
--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML part</p>\r\n\
--inner--\r\n\
--outer\r\nContent-Type: application/pdf; name=\"evidence.pdf\"\r\n\
Content-Disposition: attachment; filename=\"evidence.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
        .as_bytes()
        .to_vec();
    body.extend(b64_body(&pdf()));
    body.extend_from_slice(b"--outer--\r\n");
    mail(
        &[
            "From: \"Reporter\" <rep@example.net>",
            "Subject: nested",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=outer",
        ],
        &body,
    )
}

fn forwarded_iso_2022_jp() -> Vec<u8> {
    let inner = [
        format!(
            "From: phish@bad.example\r\nSubject: {}\r\nMessage-ID: <inner@bad.example>\r\n\
Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n",
            word("ISO-2022-JP", &encode(ISO_2022_JP, "アカウント確認"))
        )
        .into_bytes(),
        encode(ISO_2022_JP, "パスワードを入力してください\r\n"),
    ]
    .concat();
    let mut body = b"--b1\r\nContent-Type: text/plain\r\n\r\nSee the attached phish.\r\n\
--b1\r\nContent-Type: message/rfc822\r\n\r\n"
        .to_vec();
    body.extend(inner);
    body.extend_from_slice(b"\r\n--b1--\r\n");
    mail(
        &[
            "From: user@example.jp",
            "Subject: Fwd: phishing",
            "Content-Type: multipart/mixed; boundary=b1",
        ],
        &body,
    )
}

fn dsn() -> Vec<u8> {
    mail(
        &[
            "From: Mail Delivery System <postmaster@mx.example.org>",
            "To: cert@example.jp",
            "Subject: Undelivered Mail Returned to Sender",
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"",
        ],
        b"--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n\
--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n\
Final-Recipient: rfc822; nobody@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
--r\r\nContent-Type: message/rfc822\r\n\r\nFrom: cert@example.jp\r\nSubject: [Hikeshi #2026-0001] ack\r\n\r\nhello\r\n\
--r--\r\n",
    )
}

#[test]
fn structure_cases() {
    let pdf_sha = hex::encode(Sha256::digest(pdf()));
    let m = check(
        "nested mixed/alternative",
        &nested_mixed_alternative(),
        &Expect {
            text: &["Plain text part 本文"],
            not_text: &["<p>"],
            has_html: Some(true),
            from: Some("rep@example.net"),
            from_name: Some("Reporter"),
            attachments: Some(&[("evidence.pdf", 1000)]),
            clean: true,
            ..Default::default()
        },
    );
    assert_eq!(m.attachments[0].sha256, pdf_sha);
    assert_eq!(m.attachments[0].content_type, "application/pdf");
    assert_eq!(m.attachments[0].bytes, pdf());

    let html_only = mail(
        &["Subject: html", "Content-Type: text/html; charset=utf-8"],
        b"<html><head><title>T</title><style>p{color:red}</style></head><body>\
<script>alert(1)</script><p>Hello &amp; welcome</p><div>Click <a href=\"http://evil.example/login\">here</a></div>\
</body></html>",
    );
    check(
        "html only",
        &html_only,
        &Expect {
            text: &["Hello & welcome\nClick here <http://evil.example/login>"],
            not_text: &["alert", "color", "<p>"],
            has_html: Some(true),
            clean: true,
            ..Default::default()
        },
    );

    let fwd = check(
        "forwarded iso-2022-jp",
        &forwarded_iso_2022_jp(),
        &Expect {
            text: &["See the attached phish."],
            forwarded: Some(&[("アカウント確認", "パスワードを入力してください")]),
            clean: true,
            ..Default::default()
        },
    );
    assert_eq!(
        fwd.forwarded[0].message_id.as_deref(),
        Some("inner@bad.example")
    );
    assert_eq!(fwd.attachments.len(), 1);
    assert_eq!(fwd.attachments[0].content_type, "message/rfc822");

    check(
        "dsn",
        &dsn(),
        &Expect {
            auto: Some(Some(AutoReason::Bounce)),
            forwarded: Some(&[("[Hikeshi #2026-0001] ack", "hello")]),
            ..Default::default()
        },
    );
}

#[test]
fn loop_protection_cases() {
    let cases: Vec<(&str, &[&str], Option<AutoReason>)> = vec![
        (
            "vacation",
            &["Auto-Submitted: auto-replied"],
            Some(AutoReason::AutoReply),
        ),
        (
            "auto-generated",
            &["Auto-Submitted: auto-generated; owner-email=x@y"],
            Some(AutoReason::AutoSubmitted("auto-generated".into())),
        ),
        ("auto-submitted no", &["Auto-Submitted: no"], None),
        (
            "precedence bulk",
            &["Precedence: bulk"],
            Some(AutoReason::Precedence("bulk".into())),
        ),
        (
            "precedence junk",
            &["Precedence: JUNK"],
            Some(AutoReason::Precedence("junk".into())),
        ),
        (
            "precedence list",
            &["Precedence: list"],
            Some(AutoReason::Precedence("list".into())),
        ),
        (
            "x-autoreply",
            &["X-Autoreply: yes"],
            Some(AutoReason::AutoReply),
        ),
        (
            "list-id",
            &["List-Id: <sec.lists.example>"],
            Some(AutoReason::MailingList),
        ),
        (
            "null sender",
            &["Return-Path: <>"],
            Some(AutoReason::NullSender),
        ),
        (
            "failed rcpts",
            &["X-Failed-Recipients: a@b"],
            Some(AutoReason::Bounce),
        ),
        ("human", &["Return-Path: <someone@example.org>"], None),
    ];
    for (name, extra, expected) in cases {
        let mut headers = vec!["From: someone@example.org", "Subject: Re: your report"];
        headers.extend_from_slice(extra);
        let raw = mail(&headers, b"I am away.\r\n");
        check(
            name,
            &raw,
            &Expect {
                auto: Some(expected),
                ..Default::default()
            },
        );
    }
    let daemon = mail(
        &["From: MAILER-DAEMON@mx.example", "Subject: failure"],
        b"x",
    );
    check(
        "mailer-daemon",
        &daemon,
        &Expect {
            auto: Some(Some(AutoReason::Bounce)),
            ..Default::default()
        },
    );
    let arf = mail(
        &["Content-Type: multipart/report; report-type=feedback-report; boundary=a"],
        b"--a\r\nContent-Type: text/plain\r\n\r\nabuse\r\n--a\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n\r\n--a--\r\n",
    );
    check(
        "arf",
        &arf,
        &Expect {
            auto: Some(Some(AutoReason::FeedbackReport)),
            ..Default::default()
        },
    );
}

#[test]
fn broken_mime_is_parsed_and_flagged() {
    let unclosed = mail(
        &["Subject: unclosed", "Content-Type: multipart/mixed; boundary=zz"],
        b"--zz\r\nContent-Type: text/plain\r\n\r\nfirst part survives\r\n--zz\r\nContent-Type: text/plain\r\n\r\nsecond too\r\n",
    );
    let bad_b64 = mail(
        &[
            "Subject: bad b64",
            "Content-Type: text/plain",
            "Content-Transfer-Encoding: base64",
        ],
        b"SGVsbG8g!!!not*base64***\r\n",
    );
    let no_boundary = mail(&["Content-Type: multipart/mixed"], b"just text\r\n");
    let lost_boundary = mail(
        &["Content-Type: multipart/mixed; boundary=nothere"],
        b"text without parts\r\n",
    );
    // (name, raw, expected notes, expected text)
    type Case<'a> = (&'a str, Vec<u8>, &'a [&'a str], &'a [&'a str]);
    let cases: Vec<Case<'_>> = vec![
        (
            "missing closing boundary",
            unclosed,
            &["closing boundary \"--zz--\" missing"],
            &["first part survives"],
        ),
        (
            "bad base64",
            bad_b64,
            &["could not be decoded"],
            &["not*base64"],
        ),
        (
            "multipart without boundary",
            no_boundary,
            &["without boundary"],
            &["just text"],
        ),
        (
            "boundary never found",
            lost_boundary,
            &["never found"],
            &["text without parts"],
        ),
        (
            "bad date",
            mail(&["Date: yesterday-ish", "Subject: d"], b"x"),
            &["Date"],
            &["x"],
        ),
    ];
    for (name, raw, notes, text) in cases {
        check(
            name,
            &raw,
            &Expect {
                malformed: notes,
                text,
                ..Default::default()
            },
        );
    }
    for raw in [
        &b""[..],
        b"\xff\xfe\x00garbage",
        b"no headers at all, just words",
    ] {
        let m = parse(raw);
        assert!(!m.malformed.is_empty(), "{raw:?} should be flagged: {m:#?}");
    }
}

#[test]
fn forwarded_depth_is_bounded_and_json_shape() {
    let mut raw = Vec::new();
    for i in 0..12 {
        raw.extend_from_slice(
            format!("Subject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n").as_bytes(),
        );
    }
    raw.extend_from_slice(b"Subject: bottom\r\n\r\nhello\r\n");
    let m = parse(&raw);
    let mut depth = 0;
    let mut cur = &m;
    while let Some(next) = cur.forwarded.first() {
        depth += 1;
        cur = next;
    }
    assert_eq!(depth, 8, "{m:#?}");
    assert!(
        m.malformed
            .iter()
            .any(|n| n.contains("nested deeper than 8")),
        "{:?}",
        m.malformed
    );

    let json = serde_json::to_value(parse(&nested_mixed_alternative())).unwrap_or_default();
    assert_eq!(json["subject"], "nested");
    assert_eq!(json["from"]["addr"], "rep@example.net");
    assert_eq!(json["attachments"][0]["name"], "evidence.pdf");
    assert_eq!(json["attachments"][0]["size"], 1000);
    assert_eq!(
        json["attachments"][0]["sha256"].as_str().map(str::len),
        Some(64)
    );
    assert!(json["attachments"][0].get("bytes").is_none());
    let dsn_json = serde_json::to_value(parse(&dsn())).unwrap_or_default();
    assert_eq!(dsn_json["auto_generated"]["kind"], "bounce");
}
