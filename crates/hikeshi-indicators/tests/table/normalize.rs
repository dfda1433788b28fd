//! Table cases: `normalize` (one value typed by a human) and `Kind`.

use hikeshi_indicators::{Item, Kind, normalize};

#[track_caller]
fn check_norm(input: &str, expected: Option<&str>) {
    let got = normalize(input).map(|(k, v)| format!("{}:{v}", k.as_str()));
    assert_eq!(got.as_deref(), expected, "input: {input:?}");
}

#[test]
fn normalize_values() {
    check_norm("hxxp://evil[.]com", Some("url:http://evil.com"));
    check_norm("2001:DB8::1", Some("ipv6:2001:db8::1"));
    check_norm("  Example.COM  ", Some("domain:example.com"));
    check_norm("evil.zip", Some("domain:evil.zip"));
    check_norm("setup.sh", Some("domain:setup.sh"));
    check_norm("1.2.3.4", Some("ipv4:1.2.3.4"));
    check_norm("v1.2.3.4", None);
    check_norm("ASN 64500", Some("asn:AS64500"));
    check_norm("as64500", Some("asn:AS64500"));
    check_norm("cve-2021-44228", Some("cve:CVE-2021-44228"));
    check_norm(
        "D41D8CD98F00B204E9800998ECF8427E",
        Some("md5:d41d8cd98f00b204e9800998ecf8427e"),
    );
    check_norm("user[at]example[.]com", Some("email:user@example.com"));
    check_norm("<evil.com>.", Some("domain:evil.com"));
    check_norm("not an indicator", None);
    check_norm("", None);
    check_norm("http://evil.com/a and more", None);
    check_norm("198.51.100.7/24", Some("cidr:198.51.100.7/24"));
    check_norm("１９８．５１．１００．７", Some("ipv4:198.51.100.7"));
    check_norm("report.pdf", None);
    check_norm("HTTP://[2001:DB8::1]/X", Some("url:http://[2001:db8::1]/X"));
    check_norm(
        "evil[.]example[.]co[.]jp",
        Some("domain:evil.example.co.jp"),
    );
    check_norm("::ffff:192.0.2.1", Some("ipv6:::ffff:192.0.2.1"));
    check_norm("「example.jp」", Some("domain:example.jp"));
}

#[test]
fn kind_names_round_trip() {
    for k in Kind::ALL {
        assert_eq!(Kind::parse(k.as_str()), Some(k));
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(json, format!("\"{}\"", k.as_str()));
    }
    assert_eq!(Kind::parse("IPV4"), None);
    assert_eq!(Kind::parse("hash"), None);
}

#[test]
fn item_wire_shape() {
    let item = Item {
        kind: Kind::Sha256,
        value: "ab".into(),
        start: 3,
        end: 15,
    };
    let json = serde_json::to_string(&item).unwrap();
    assert_eq!(json, r#"{"type":"sha256","value":"ab","start":3,"end":15}"#);
    let back: Item = serde_json::from_str(&json).unwrap();
    assert_eq!(back, item);
}
