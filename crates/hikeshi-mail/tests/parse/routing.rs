//! Reply routing (tags), "from us", and HTML → text.

use crate::common::mail;
use hikeshi_mail::{find_tag, html_to_text, is_from_us, parse};

#[test]
fn find_tag_table() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("[Hikeshi #2026-0042]", "Hikeshi", Some("2026-0042")),
        (
            "Re: [Hikeshi #2026-0042] Phishing report",
            "Hikeshi",
            Some("2026-0042"),
        ),
        (
            "AW: Fwd: RE:[hikeshi#2026-0042]",
            "Hikeshi",
            Some("2026-0042"),
        ),
        (
            "返信: [ Hikeshi # 2026-0042 ] 報告",
            "Hikeshi",
            Some("2026-0042"),
        ),
        (
            "転送：［Ｈｉｋｅｓｈｉ　＃２０２６－００４２］",
            "Hikeshi",
            Some("2026-0042"),
        ),
        ("【Hikeshi #2026-0042】", "Hikeshi", Some("2026-0042")),
        (
            "[JPCERT #2026-0007] other prefix",
            "JPCERT",
            Some("2026-0007"),
        ),
        ("[CSIRT-X #A12]", "CSIRT-X", Some("A12")),
        ("[Other #2026-0042]", "Hikeshi", None),
        ("[Hikeshi 2026-0042]", "Hikeshi", None),
        ("[Hikeshi #]", "Hikeshi", None),
        ("[Hikeshi #abc]", "Hikeshi", None),
        ("[Hikeshi #2026-0042", "Hikeshi", None),
        (
            "[Hikeshi #bad id] then [Hikeshi #2026-0043]",
            "Hikeshi",
            Some("2026-0043"),
        ),
        ("", "Hikeshi", None),
        ("[Hikeshi #1]", "", None),
    ];
    for (subject, prefix, want) in cases {
        assert_eq!(
            find_tag(subject, prefix).as_deref(),
            *want,
            "{subject:?} / {prefix:?}"
        );
    }
}

#[test]
fn is_from_us_table() {
    let m = parse(&mail(
        &[
            "From: CERT Team <Cert@Example.JP>",
            "Sender: robot@mx.example.jp",
            "Return-Path: <bounce@hikeshi.example>",
        ],
        b"x",
    ));
    let cases: &[(&[&str], bool)] = &[
        (&["cert@example.jp"], true),
        (&["<cert@example.jp>"], true),
        (&["robot@mx.example.jp"], true),
        (&["bounce@hikeshi.example"], true),
        (&["@example.jp"], true),
        (&["@example.org", "other@example.jp"], false),
        (&[""], false),
        (&[], false),
    ];
    for (ours, want) in cases {
        assert_eq!(is_from_us(&m, ours), *want, "{ours:?}");
    }
}

#[test]
fn html_to_text_table() {
    let cases: &[(&str, &str)] = &[
        ("<p>a</p><p>b</p>", "a\nb"),
        ("line1<br>line2<BR/>line3", "line1\nline2\nline3"),
        ("<script>var x = '<p>';</script>ok", "ok"),
        ("<STYLE>p { }</STYLE><!-- hidden <b> -->seen", "seen"),
        (
            "a &amp; b &lt;c&gt; &#x3042;&#12354; &nbsp;&unknown; &",
            "a & b <c> ああ &unknown; &",
        ),
        ("<pre>  keep\n   spacing</pre>", "keep\n   spacing"),
        (
            "<a href='https://x.example/?a=1&amp;b=2'>link</a>",
            "link <https://x.example/?a=1&b=2>",
        ),
        (
            "<a href=\"https://same.example\">https://same.example</a>",
            "https://same.example",
        ),
        ("<a href=\"javascript:alert(1)\">js</a>", "js"),
        (
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
            "a b\nc",
        ),
        ("x < y and y > z", "x < y and y > z"),
        ("<div>unclosed <b", "unclosed"),
        ("<script>never closed", ""),
        ("日本語<br>テキスト", "日本語\nテキスト"),
        ("   many     spaces\n\n\n  here ", "many spaces here"),
    ];
    for (html, want) in cases {
        assert_eq!(html_to_text(html), *want, "{html:?}");
    }
}
