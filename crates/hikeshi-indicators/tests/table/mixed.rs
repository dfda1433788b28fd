//! Table cases: mixed.

use super::check;

#[test]
fn mixed() {
    check("", &[]);
    check("   \n\t ", &[]);
    check("no indicators here.", &[]);
    check(
        "IP 192.0.2.1, host evil.example.com, hash d41d8cd98f00b204e9800998ecf8427e",
        &[
            "ipv4:192.0.2.1@3..12",
            "domain:evil.example.com@19..35",
            "md5:d41d8cd98f00b204e9800998ecf8427e@42..74",
        ],
    );
    check(
        "Version 1.2.3.4 fixes CVE-2024-0001 on 192.0.2.1",
        &["cve:CVE-2024-0001@22..35", "ipv4:192.0.2.1@39..48"],
    );
    check("🔥192.0.2.1🔥", &["ipv4:192.0.2.1@1..10"]);
    check("é192.0.2.1", &["ipv4:192.0.2.1@1..10"]);
    check("café.example.com", &["domain:example.com@5..16"]);
    check(
        "a\tb 192.0.2.1\r\nexample.org",
        &["ipv4:192.0.2.1@4..13", "domain:example.org@15..26"],
    );
    check(
        "From: Taro <taro@example.jp>\nIP: 198.51.100.7\nURL: hxxps://bad[.]example[.]com/x",
        &[
            "email:taro@example.jp@12..27",
            "domain:example.jp@17..27",
            "ipv4:198.51.100.7@33..45",
            "url:https://bad.example.com/x@51..80",
            "domain:bad.example.com@59..78",
        ],
    );
    check(" 192.0.2.1 ", &["ipv4:192.0.2.1@1..10"]);
    check(
        "[click](https://evil.example.com/login?next=/home)",
        &[
            "url:https://evil.example.com/login?next=/home@8..49",
            "domain:evil.example.com@16..32",
        ],
    );
    check(
        "<a href=\"http://evil.example.com/x\">link</a>",
        &[
            "url:http://evil.example.com/x@9..34",
            "domain:evil.example.com@16..32",
        ],
    );
    check(
        "バージョン 10.0.0.1 のサーバ 10.0.0.2",
        &["ipv4:10.0.0.2@20..28"],
    );
    check("tel: 03-1234-5678, date 2024-11-22 10:00:00+09:00", &[]);
}
