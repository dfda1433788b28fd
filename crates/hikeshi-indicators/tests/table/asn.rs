//! Table cases: asn.

use super::check;

#[test]
fn asn() {
    check("AS64500", &["asn:AS64500@0..7"]);
    check("ASN 64500", &["asn:AS64500@0..9"]);
    check("asn:64500", &["asn:AS64500@0..9"]);
    check("AS 64500", &["asn:AS64500@0..8"]);
    check("as 2 hosts", &[]);
    check("ASN: 64500", &["asn:AS64500@0..10"]);
    check("AS0", &[]);
    check("AS4294967296", &[]);
    check("AS4294967295", &["asn:AS4294967295@0..12"]);
    check("BGP AS15169.", &["asn:AS15169@4..11"]);
    check("AS1.10", &[]);
    check("ASN　64500", &["asn:AS64500@0..9"]);
    check("HAS64500", &[]);
    check("AS064500", &["asn:AS64500@0..8"]);
    check(
        "ASN 64500 AS64501",
        &["asn:AS64500@0..9", "asn:AS64501@10..17"],
    );
    check("(AS13335)", &["asn:AS13335@1..8"]);
    check("ASN x", &[]);
    check(
        "origin (ASN 64500) and [AS 64501]",
        &["asn:AS64500@8..17", "asn:AS64501@24..32"],
    );
    check("（ＡＳ　６４５００）", &["asn:AS64500@1..9"]);
}
