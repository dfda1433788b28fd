//! Table cases: japanese.

use super::check;

#[test]
fn japanese() {
    check(
        "不正アクセス元は１９８．５１．１００．７です。",
        &["ipv4:198.51.100.7@8..20"],
    );
    check(
        "送信元IP：192.0.2.10、宛先：192.0.2.20。",
        &["ipv4:192.0.2.10@6..16", "ipv4:192.0.2.20@20..30"],
    );
    check(
        "「evil.example.com」からの通信",
        &["domain:evil.example.com@1..17"],
    );
    check(
        "（http://malware.example.net/a.exe）",
        &[
            "url:http://malware.example.net/a.exe@1..33",
            "domain:malware.example.net@8..27",
        ],
    );
    check("example。com", &[]);
    check("example．com", &["domain:example.com@0..11"]);
    check("ＥＶＩＬ．ＣＯＭ", &["domain:evil.com@0..8"]);
    check(
        "ｈｘｘｐ：／／ｅｖｉｌ［．］ｃｏｍ／ｘ",
        &["url:http://evil.com/x@0..19", "domain:evil.com@7..17"],
    );
    check(
        "攻撃者のメールアドレスはattacker@example.orgです",
        &[
            "email:attacker@example.org@12..32",
            "domain:example.org@21..32",
        ],
    );
    check(
        "ハッシュ値：d41d8cd98f00b204e9800998ecf8427e（MD5）",
        &["md5:d41d8cd98f00b204e9800998ecf8427e@6..38"],
    );
    check("CVE-2024-3400の脆弱性", &["cve:CVE-2024-3400@0..13"]);
    check("ＣＶＥ－２０２４－３４００", &["cve:CVE-2024-3400@0..13"]);
    check("AS番号はAS64500です", &["asn:AS64500@5..12"]);
    check(
        "【注意】https://phish.example.jp/login【重要】",
        &[
            "url:https://phish.example.jp/login@4..34",
            "domain:phish.example.jp@12..28",
        ],
    );
    check(
        "IPアドレス　198.51.100.23　からの攻撃",
        &["ipv4:198.51.100.23@7..20"],
    );
    check("サーバ(192.0.2.1)へ", &["ipv4:192.0.2.1@4..13"]);
    check("『203.0.113.7』", &["ipv4:203.0.113.7@1..12"]);
    check("198.51.100.7。", &["ipv4:198.51.100.7@0..12"]);
    check(
        "ドメインevil-site.co.jpを確認",
        &["domain:evil-site.co.jp@4..19"],
    );
    check(
        "ｅｖｉｌ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        &["email:evil@example.com@0..16", "domain:example.com@5..16"],
    );
    check("IPv6アドレス2001:db8::1を遮断", &["ipv6:2001:db8::1@8..19"]);
    check("２００１：ｄｂ８：：１", &["ipv6:2001:db8::1@0..11"]);
    check("ｱｸｾｽ元192.0.2.1", &["ipv4:192.0.2.1@5..14"]);
    check("①②③", &[]);
    check("ﬁle.example.com", &["domain:file.example.com@0..15"]);
    check(
        "http://example.com/です",
        &["url:http://example.com/@0..19", "domain:example.com@7..18"],
    );
    check(
        "http://example.com/path/パス/more",
        &[
            "url:http://example.com/path/@0..24",
            "domain:example.com@7..18",
        ],
    );
    check("１９２．０．２．０／２４", &["cidr:192.0.2.0/24@0..12"]);
    check(
        "SHA256：e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855です",
        &["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855@7..71"],
    );
    check("ＡＳＮ　６４５００", &["asn:AS64500@0..9"]);
    check(
        "user[at]example[.]jpに送信",
        &["email:user@example.jp@0..20", "domain:example.jp@8..20"],
    );
}
