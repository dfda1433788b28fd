//! Table cases: defanged.

use super::check;

#[test]
fn defanged() {
    check(
        "hxxp://evil[.]com/payload",
        &["url:http://evil.com/payload@0..25", "domain:evil.com@7..17"],
    );
    check(
        "hxxps://evil[.]com",
        &["url:https://evil.com@0..18", "domain:evil.com@8..18"],
    );
    check(
        "HXXPS://EVIL[.]COM/Path",
        &["url:https://evil.com/Path@0..23", "domain:evil.com@8..18"],
    );
    check(
        "hxxp[:]//evil[.]com",
        &["url:http://evil.com@0..19", "domain:evil.com@9..19"],
    );
    check(
        "hxxps[://]evil[.]com/a",
        &["url:https://evil.com/a@0..22", "domain:evil.com@10..20"],
    );
    check("evil[dot]com", &["domain:evil.com@0..12"]);
    check("evil(dot)com", &["domain:evil.com@0..12"]);
    check("evil{.}com", &["domain:evil.com@0..10"]);
    check("evil(.)com", &["domain:evil.com@0..10"]);
    check("evil[DOT]com", &["domain:evil.com@0..12"]);
    check(
        "user[at]example[.]com",
        &["email:user@example.com@0..21", "domain:example.com@8..21"],
    );
    check(
        "user[@]example.com",
        &["email:user@example.com@0..18", "domain:example.com@7..18"],
    );
    check(
        "user(at)example(.)com",
        &["email:user@example.com@0..21", "domain:example.com@8..21"],
    );
    check("192[.]0[.]2[.]1", &["ipv4:192.0.2.1@0..15"]);
    check("evil[.]zip", &["domain:evil.zip@0..10"]);
    check("invoice.zip", &[]);
    check("www.evil.zip", &["domain:www.evil.zip@0..12"]);
    check(
        "hxxp://evil.zip/",
        &["url:http://evil.zip/@0..16", "domain:evil.zip@7..15"],
    );
    check(
        "mail from a@evil.zip",
        &["email:a@evil.zip@10..20", "domain:evil.zip@12..20"],
    );
    check("evil [.] com", &[]);
    check(
        "hxxp://198[.]51[.]100[.]7/x",
        &["url:http://198.51.100.7/x@0..27", "ipv4:198.51.100.7@7..25"],
    );
    check(
        "evil[.]example[.]co[.]jp",
        &["domain:evil.example.co.jp@0..24"],
    );
    check("[.]", &[]);
    check("2001[:]db8[:][:]1", &["ipv6:2001:db8::1@0..17"]);
    check("[evil[.]com]", &["domain:evil.com@1..11"]);
    check(
        "(hxxp://evil[.]com/a)",
        &["url:http://evil.com/a@1..20", "domain:evil.com@8..18"],
    );
    check(
        "hXXp://evil[.]com",
        &["url:http://evil.com@0..17", "domain:evil.com@7..17"],
    );
    check("evil[.]com[/]x", &["domain:evil.com@0..10"]);
    check("ｅｖｉｌ［ｄｏｔ］ｃｏｍ", &["domain:evil.com@0..12"]);
    check("198.51.100[.]0/24", &["cidr:198.51.100.0/24@0..17"]);
}
