//! Property tests for `extract` and `normalize`.

use std::net::Ipv4Addr;

use hikeshi_indicators::{Kind, extract, normalize};
use proptest::prelude::*;

/// Fragments that mix indicators, defanged forms, near misses and Japanese text.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("198.51.100.7".to_string()),
        Just("hxxps://evil[.]example[.]com/a?b=1".to_string()),
        Just("user[at]example[.]jp".to_string()),
        Just("2001:DB8::1".to_string()),
        Just("::ffff:192.0.2.1".to_string()),
        Just("10.0.0.0/8".to_string()),
        Just("d41d8cd98f00b204e9800998ecf8427e".to_string()),
        Just("CVE-2024-3400".to_string()),
        Just("ASN 64500".to_string()),
        Just("１９８．５１．１００．７".to_string()),
        Just("evil[.]zip".to_string()),
        Just("http://[fe80::1%25eth0]:80/x".to_string()),
        Just("version 2.4.1.0".to_string()),
        Just("。".to_string()),
        Just("不正アクセス".to_string()),
        Just("「".to_string()),
        Just("）".to_string()),
        Just("[.]".to_string()),
        Just("(".to_string()),
        "[a-f0-9]{1,70}",
        "[a-z0-9.:/@\\[\\]()-]{1,20}",
        "[ \\n\\t]{1,3}",
        any::<char>().prop_map(String::from),
    ]
}

fn mixed_text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..12).prop_map(|v| v.concat())
}

fn japanese_pad() -> impl Strategy<Value = String> {
    "[ぁ-んァ-ン一-龥、。「」 ]{0,12}"
}

fn ascii_pad() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![Just("from"), Just("host"), Just("src"), Just("attacker")],
        0..4,
    )
    .prop_map(|v| v.join(" "))
}

proptest! {
    #[test]
    fn never_panics_and_positions_are_valid(s in any::<String>()) {
        let n = s.chars().count();
        let items = extract(&s);
        for w in items.windows(2) {
            prop_assert!(w[0].start <= w[1].start);
        }
        for it in &items {
            prop_assert!(it.start < it.end && it.end <= n, "{it:?}");
        }
        let _ = normalize(&s);
    }

    #[test]
    fn mixed_text_positions_are_valid(s in mixed_text()) {
        let n = s.chars().count();
        for it in extract(&s) {
            prop_assert!(it.start < it.end && it.end <= n, "{it:?}");
        }
    }

    #[test]
    fn extracted_values_renormalise_to_themselves(s in mixed_text()) {
        for it in extract(&s) {
            prop_assert_eq!(normalize(&it.value), Some((it.kind, it.value.clone())), "from {:?}", s);
        }
    }

    #[test]
    fn normalize_is_idempotent(s in mixed_text()) {
        if let Some((kind, value)) = normalize(&s) {
            prop_assert_eq!(normalize(&value), Some((kind, value)));
        }
    }

    #[test]
    fn ip_in_japanese_padding_is_found(
        ip in any::<[u8; 4]>().prop_map(Ipv4Addr::from),
        pre in japanese_pad(),
        post in japanese_pad(),
        full_width in any::<bool>(),
    ) {
        let written = if full_width {
            ip.to_string().chars().map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c)).collect()
        } else {
            ip.to_string()
        };
        let text = format!("{pre}は{written}です{post}");
        let start = pre.chars().count() + 1;
        let items = extract(&text);
        let want = (Kind::Ipv4, ip.to_string(), start, start + written.chars().count());
        prop_assert!(
            items.iter().any(|i| (i.kind, i.value.clone(), i.start, i.end) == want),
            "{text:?} → {items:?}"
        );
    }

    #[test]
    fn ip_in_ascii_padding_is_found(
        ip in any::<[u8; 4]>().prop_map(Ipv4Addr::from),
        pre in ascii_pad(),
        post in ascii_pad(),
        defang in any::<bool>(),
    ) {
        let written = if defang { ip.to_string().replace('.', "[.]") } else { ip.to_string() };
        let text = format!("{pre} {written}, {post}");
        let start = pre.chars().count() + 1;
        let got: Vec<_> = extract(&text).into_iter().map(|i| (i.kind, i.value, i.start, i.end)).collect();
        prop_assert_eq!(got, vec![(Kind::Ipv4, ip.to_string(), start, start + written.chars().count())]);
    }

    #[test]
    fn no_hash_inside_longer_hex(hex in "[0-9a-f]{33,39}|[0-9a-f]{41,63}|[0-9a-f]{65,127}|[0-9a-f]{129,200}") {
        let items = extract(&hex);
        prop_assert!(items.iter().all(|i| !matches!(i.kind, Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512)), "{items:?}");
    }
}
