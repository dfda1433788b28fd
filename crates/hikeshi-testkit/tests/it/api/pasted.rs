//! Issue #5 "done when", end to end through the API: a Japanese and an English report full
//! of defanged indicators yield the right observables, and each shows its history (first
//! and last seen, sightings, the other records that hold it) and its owner constituency.

use super::*;
use hikeshi_core::app::NewConstituency;
use hikeshi_testkit::for_each_backend;
use jiff::SignedDuration;

const EN: &str = "Phishing kit hosted at hxxps://secure-login[.]acme-bank[.]co[.]uk/auth and \
    hxxp://45[.]33[.]32[.]156/panel. Beacons go to 2a01:4f8:1:2::1 and c2[.]evil-domain[.]com, \
    mail came from phisher[at]evil-domain[.]com. Payload MD5 44d88612fea8a8f36de82e1278abb02f, \
    SHA-1 3395856ce81f2b7382dee72602f798b642f14140. It exploits CVE-2023-4966 from AS64500. \
    We saw 45.33.32.156 again today.";

const JA: &str = "お世話になっております。不審な通信先：hxxps://login-secure[.]acme-bank[.]co[.]uk/verify?id=3 \
    および ４５．３３．３２．１５６ を確認しました。送信元は attacker[@]phish-mail[.]jp、検体の SHA-256 は \
    e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 です。CVE-2024-3400 の悪用と思われます。";

fn item<'a>(list: &'a Value, kind: &str, value: &str) -> &'a Value {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["type"] == kind && o["value"] == value)
        .unwrap_or_else(|| panic!("{kind} {value} missing from {list}"))
}

#[tokio::test]
async fn pasted_reports_show_history_and_owner() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        t.app
            .create_constituency(
                &t.admin_actor().await,
                NewConstituency {
                    slug: "acme".into(),
                    name: "Acme Bank".into(),
                    netblocks: vec!["45.33.32.0/24".into()],
                    domains: vec!["acme-bank.co.uk".into()],
                    ..Default::default()
                },
            )
            .await
            .expect("constituency");
        let en = ok(
            t.post(
                "/api/v1/reports",
                &tok,
                json!({"subject": "phishing kit", "content": EN}),
            )
            .await,
            StatusCode::CREATED,
        );
        let en_id = s(&en["id"]);
        let list = ok(
            t.get(&format!("/api/v1/reports/{en_id}/observables"), &tok)
                .await,
            StatusCode::OK,
        );
        for (kind, value) in [
            ("url", "https://secure-login.acme-bank.co.uk/auth"),
            ("domain", "secure-login.acme-bank.co.uk"),
            ("url", "http://45.33.32.156/panel"),
            ("ipv4", "45.33.32.156"),
            ("ipv6", "2a01:4f8:1:2::1"),
            ("domain", "c2.evil-domain.com"),
            ("email", "phisher@evil-domain.com"),
            ("md5", "44d88612fea8a8f36de82e1278abb02f"),
            ("sha1", "3395856ce81f2b7382dee72602f798b642f14140"),
            ("cve", "CVE-2023-4966"),
            ("asn", "AS64500"),
        ] {
            let o = item(&list, kind, value);
            assert!(
                o["first_seen"].is_string() && o["last_seen"].is_string(),
                "{o}"
            );
        }
        let ip = item(&list, "ipv4", "45.33.32.156");
        assert_eq!(
            ip["sightings"],
            json!(2),
            "as the URL host and on its own: {ip}"
        );
        assert_eq!(ip["owner"]["slug"], json!("acme"));
        assert_eq!(
            en["constituency"], ip["owner"]["id"],
            "the report is routed to the owner"
        );
        assert_eq!(ip["owner"]["how"], json!("netblock"));
        assert_eq!(ip["owner"]["matched"], json!("45.33.32.0/24"));
        let d = item(&list, "domain", "secure-login.acme-bank.co.uk");
        assert_eq!(d["owner"]["slug"], json!("acme"));
        assert_eq!(d["owner"]["how"], json!("domain"));
        assert!(item(&list, "md5", "44d88612fea8a8f36de82e1278abb02f")["owner"].is_null());
        assert!(item(&list, "domain", "c2.evil-domain.com")["owner"].is_null());
        assert!(
            ip["owner"].get("contacts").is_none(),
            "no contacts on lists"
        );

        // A day later, the Japanese report: same IP (full-width), same owner; each report
        // names the other, and the lookup names the owner and both reports.
        t.clock.advance(SignedDuration::from_hours(24));
        let ja = ok(
            t.post(
                "/api/v1/reports",
                &tok,
                json!({"subject": "フィッシングサイトの報告", "content": JA}),
            )
            .await,
            StatusCode::CREATED,
        );
        let ja_id = s(&ja["id"]);
        let jl = ok(
            t.get(&format!("/api/v1/reports/{ja_id}/observables"), &tok)
                .await,
            StatusCode::OK,
        );
        for (kind, value) in [
            ("url", "https://login-secure.acme-bank.co.uk/verify?id=3"),
            ("domain", "login-secure.acme-bank.co.uk"),
            ("ipv4", "45.33.32.156"),
            ("email", "attacker@phish-mail.jp"),
            ("domain", "phish-mail.jp"),
            (
                "sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            ("cve", "CVE-2024-3400"),
        ] {
            item(&jl, kind, value);
        }
        assert_eq!(ja["constituency"], en["constituency"]);
        let jip = item(&jl, "ipv4", "45.33.32.156");
        assert_eq!(jip["owner"]["slug"], json!("acme"));
        assert_ne!(
            jip["first_seen"], ip["first_seen"],
            "per record: seen a day later"
        );
        assert_eq!(jip["seen"]["same_value"]["count"], json!(1));
        assert_eq!(jip["seen"]["same_value"]["records"][0]["ref"], en["ref"]);
        let back = ok(
            t.get(&format!("/api/v1/reports/{en_id}/observables"), &tok)
                .await,
            StatusCode::OK,
        );
        let bip = item(&back, "ipv4", "45.33.32.156");
        assert_eq!(bip["seen"]["same_value"]["records"][0]["ref"], ja["ref"]);
        let look = ok(
            t.get(
                &format!("/api/v1/lookup?value={}", enc("45[.]33[.]32[.]156")),
                &tok,
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(look["owner"]["slug"], json!("acme"), "{look}");
        assert_eq!(look["observed"]["same_value"]["count"], json!(2), "{look}");
    })
    .await;
}
