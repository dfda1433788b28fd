//! Table cases: email.

use super::check;

#[test]
fn email() {
    check(
        "contact: abuse@example.com.",
        &["email:abuse@example.com@9..26", "domain:example.com@15..26"],
    );
    check(
        "John.Doe+tag@Example.CO.JP",
        &[
            "email:john.doe+tag@example.co.jp@0..26",
            "domain:example.co.jp@13..26",
        ],
    );
    check(
        "<alice@example.org>",
        &["email:alice@example.org@1..18", "domain:example.org@7..18"],
    );
    check("user@localhost", &[]);
    check("user@report.pdf", &[]);
    check("@example.com", &["domain:example.com@1..12"]);
    check(
        ".user@example.com",
        &["email:user@example.com@1..17", "domain:example.com@6..17"],
    );
    check("a..b@example.com", &["domain:example.com@5..16"]);
    check(
        "mailto:info@example.net",
        &["email:info@example.net@7..23", "domain:example.net@12..23"],
    );
    check(
        "user@example.com.hk",
        &[
            "email:user@example.com.hk@0..19",
            "domain:example.com.hk@5..19",
        ],
    );
    check(
        "user@sub.example.com.",
        &[
            "email:user@sub.example.com@0..20",
            "domain:sub.example.com@5..20",
        ],
    );
    check("x@y", &[]);
    check(
        "user@evil.zip",
        &["email:user@evil.zip@0..13", "domain:evil.zip@5..13"],
    );
    check(
        "a@example.com,b@example.net",
        &[
            "email:a@example.com@0..13",
            "domain:example.com@2..13",
            "email:b@example.net@14..27",
            "domain:example.net@16..27",
        ],
    );
    check(
        "first_last-1@mail.example.com",
        &[
            "email:first_last-1@mail.example.com@0..29",
            "domain:mail.example.com@13..29",
        ],
    );
}
