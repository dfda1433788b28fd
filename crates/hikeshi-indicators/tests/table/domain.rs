//! Table cases: domain.

use super::check;

#[test]
fn domain() {
    check("example.com", &["domain:example.com@0..11"]);
    check("Example.COM", &["domain:example.com@0..11"]);
    check("www.example.co.jp", &["domain:www.example.co.jp@0..17"]);
    check("report.pdf", &[]);
    check("invoice.exe", &[]);
    check("document.zip", &[]);
    check("clip.mov", &[]);
    check("setup.sh", &[]);
    check("github.io", &["domain:github.io@0..9"]);
    check("co.jp", &[]);
    check("example.com.", &["domain:example.com@0..11"]);
    check("example.local", &[]);
    check("e.g. this", &[]);
    check("see example.com.Xyzzy", &["domain:example.com@4..15"]);
    check("user.name(x)", &[]);
    check("mail.google.com", &["domain:mail.google.com@0..15"]);
    check("a-b.example.org", &["domain:a-b.example.org@0..15"]);
    check("-bad.example.org", &["domain:bad.example.org@1..16"]);
    check("xn--80ak6aa92e.com", &["domain:xn--80ak6aa92e.com@0..18"]);
    check("foo_bar.example.com", &["domain:foo_bar.example.com@0..19"]);
    check("example..com", &[]);
    check("node.js and vue.js", &[]);
    check("README.md", &[]);
    check("city.kawasaki.jp", &["domain:city.kawasaki.jp@0..16"]);
    check("127.0.0.1.nip.io", &["domain:127.0.0.1.nip.io@0..16"]);
    check(
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
        &[],
    );
    check("evil.zip/path", &[]);
    check("example.com/path", &["domain:example.com@0..11"]);
    check("www.evil.mov", &["domain:www.evil.mov@0..12"]);
    check("1.2.3.4.example.com", &["domain:1.2.3.4.example.com@0..19"]);
    check("bad-.example", &[]);
    check("example.com:8080", &["domain:example.com@0..11"]);
    check(
        "bit.ly/abc and t.co",
        &["domain:bit.ly@0..6", "domain:t.co@15..19"],
    );
    check("libc.so.6 loaded", &[]);
    check("Calculator.app crashed", &[]);
    check("evil.cc", &["domain:evil.cc@0..7"]);
    check(
        "Received: from mx.example.org (mx.example.org [203.0.113.5])",
        &[
            "domain:mx.example.org@15..29",
            "domain:mx.example.org@31..45",
            "ipv4:203.0.113.5@47..58",
        ],
    );
}
