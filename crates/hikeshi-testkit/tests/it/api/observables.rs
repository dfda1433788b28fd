//! Observables through the API: extracted at intake (API and mail, Japanese and defanged),
//! added by hand and by pasting text, promoted and removed; "seen before" by value, /24 and
//! /48, the fan-out cut-off and the warning list; visibility across constituencies; routing
//! of a new report by its observables; bad input named by field.

use super::{enc, ok, problem, s};
use axum::http::{Method, StatusCode};
use hikeshi_core::app::{App, ObservableSettings};
use hikeshi_core::model::Role;
use hikeshi_core::observables::WarningList;
use hikeshi_testkit::{TestApp, for_each_backend};
use serde_json::{Value, json};

const JA_REPORT: &str = "お世話になっております。JPCERT/CC からの連絡です。\n\
    不審な通信先：hxxps://login-secure[.]example[.]co[.]jp/verify?id=3 および ４５．３３．３２．１５６ を確認しました。\n\
    送信元は attacker[@]phish-mail[.]jp、検体の SHA-256 は \
    e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 です。\
    CVE-2024-3400 の悪用と思われます。（AS64500）";

/// (type, value) pairs of an observables array.
fn pairs(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|o| (s(&o["type"]), s(&o["value"])))
        .collect();
    out.sort();
    out
}

fn has(v: &Value, kind: &str, value: &str) -> bool {
    pairs(v).contains(&(kind.to_string(), value.to_string()))
}

async fn report(t: &TestApp, token: &str, body: Value) -> Value {
    ok(
        t.post("/api/v1/reports", token, body).await,
        StatusCode::CREATED,
    )
}

/// The `seen` block of the observable with this value, from `GET …/observables`.
async fn seen(t: &TestApp, token: &str, report_id: &str, value: &str) -> Value {
    let list = ok(
        t.get(&format!("/api/v1/reports/{report_id}/observables"), token)
            .await,
        StatusCode::OK,
    );
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["value"] == json!(value))
        .unwrap_or_else(|| panic!("{value} not in {list}"))["seen"]
        .clone()
}

#[tokio::test]
async fn a_japanese_report_with_defanged_indicators_yields_its_observables() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        let r = report(
            &t,
            &tok,
            json!({"subject": "フィッシングサイトの報告", "content": JA_REPORT}),
        )
        .await;
        let got = ok(
            t.get(&format!("/api/v1/reports/{}", s(&r["id"])), &tok)
                .await,
            StatusCode::OK,
        );
        let o = &got["observables"];
        for (kind, value) in [
            ("url", "https://login-secure.example.co.jp/verify?id=3"),
            ("domain", "login-secure.example.co.jp"),
            ("ipv4", "45.33.32.156"),
            ("email", "attacker@phish-mail.jp"),
            ("domain", "phish-mail.jp"),
            (
                "sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            ("cve", "CVE-2024-3400"),
            ("asn", "AS64500"),
        ] {
            assert!(has(o, kind, value), "{kind} {value} missing from {o}");
        }
        let first = &o[0];
        assert_eq!(first["tlp"], json!("amber"), "the report's TLP");
        assert_eq!(first["ioc"], json!(false));
        assert_eq!(first["sightings"], json!(1));
        // The list leaves observables out.
        let list = ok(t.get("/api/v1/reports", &tok).await, StatusCode::OK);
        assert!(list["items"][0].get("observables").is_none());

        // Mail intake: the same text as a mail body, extracted in the same transaction.
        let body = format!(
            "From: reporter@example.jp\r\nTo: csirt@example.jp\r\nSubject: suspicious traffic\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\
             Content-Transfer-Encoding: 8bit\r\n\r\n{JA_REPORT}\r\n",
        );
        let admin = t.admin_actor().await;
        let landed = t
            .app
            .ingest_mail(&admin, body.as_bytes(), "api", "Hikeshi")
            .await
            .expect("ingest");
        let obs = ok(
            t.get(&format!("/api/v1/reports/{}/observables", landed.id), &tok)
                .await,
            StatusCode::OK,
        );
        assert!(has(&obs["items"], "ipv4", "45.33.32.156"), "{obs}");
        assert!(has(
            &obs["items"],
            "sha256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        ));
        // …and the mail report sees the API report through the shared IP.
        let sv = seen(&t, &tok, &landed.id, "45.33.32.156").await;
        assert_eq!(sv["same_value"]["count"], json!(1), "{sv}");
        assert_eq!(sv["same_value"]["records"][0]["ref"], r["ref"]);
    })
    .await;
}

#[tokio::test]
async fn seen_before_by_value_and_network_with_warning_list() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        let r1 = report(&t, &tok, json!({"subject": "scan", "content": "from 45.33.32.156 and 2a01:4f8:1:2::1"})).await;
        let r2 = report(&t, &tok, json!({"subject": "scan again", "content": "45.33.32.156 via 8.8.8.8"})).await;
        let r3 = report(&t, &tok, json!({"subject": "neighbour", "content": "45.33.32.7, 2a01:4f8:1:ffff::2, 8.8.8.8, 45.33.99.1"})).await;
        let id3 = s(&r3["id"]);
        let same = seen(&t, &tok, &s(&r2["id"]), "45.33.32.156").await;
        assert_eq!(same["common"], json!(false));
        assert_eq!(same["same_value"]["count"], json!(1));
        assert_eq!(same["same_value"]["records"][0]["id"], r1["id"]);
        assert_eq!(same["same_value"]["records"][0]["kind"], json!("report"));
        assert_eq!(same["same_network"]["network"], json!("45.33.32.0/24"));
        assert_eq!(same["same_network"]["count"], json!(1), "r3's 45.33.32.7: {same}");
        let near = seen(&t, &tok, &id3, "45.33.32.7").await;
        assert_eq!(near["same_value"]["count"], json!(0));
        assert_eq!(near["same_network"]["count"], json!(2), "r1 and r2: {near}");
        let six = seen(&t, &tok, &id3, "2a01:4f8:1:ffff::2").await;
        assert_eq!(six["same_network"]["network"], json!("2a01:4f8:1::/48"));
        assert_eq!(six["same_network"]["records"][0]["id"], r1["id"]);
        let other = seen(&t, &tok, &id3, "45.33.99.1").await;
        assert_eq!(other["same_network"]["count"], json!(0), "another /24");
        let dns = seen(&t, &tok, &id3, "8.8.8.8").await;
        assert_eq!(dns["common"], json!(true));
        assert_eq!(dns["common_reason"], json!("warning-list:resolver 8.8.8.8/32"));
        assert_eq!(dns["same_value"]["count"], json!(0), "not correlated: {dns}");
        assert_eq!(dns["same_value"]["common"], json!(true));

        // The fan-out cut-off: with a cut-off of 2, a value on three records is common.
        let app = App::new(t.store.clone(), t.clock.clone()).with_observable_settings(
            ObservableSettings {
                common_cutoff: 2,
                warning: WarningList::builtin(),
            },
        );
        let admin = t.admin_actor().await;
        let view = app.observables_seen(&admin, "reports", &id3).await.expect("seen");
        let v = view.iter().find(|o| o.observable.value == "45.33.32.7").expect("ip");
        assert!(!v.seen.common);
        assert_eq!(v.seen.same_network.as_ref().map(|p| p.related.count), Some(2));
        report(&t, &tok, json!({"subject": "third", "content": "45.33.32.156"})).await;
        let view = app.observables_seen(&admin, "reports", &id3).await.expect("seen");
        let v = view.iter().find(|o| o.observable.value == "45.33.32.7").expect("ip");
        let net = v.seen.same_network.as_ref().expect("network");
        assert!(net.related.common, "three links in the /24 exceed the cut-off of 2");
        let view = app.observables_seen(&admin, "reports", &s(&r1["id"])).await.expect("seen");
        let v = view.iter().find(|o| o.observable.value == "45.33.32.156").expect("ip");
        assert!(v.seen.common);
        assert_eq!(v.seen.common_reason.as_deref(), Some("fan-out"));
        assert!(v.seen.same_value.records.is_empty());

        // A domain of our own on an extended warning list.
        let mut warning = WarningList::builtin();
        warning.extend("own hikeshi-csirt.jp\n");
        let app = App::new(t.store.clone(), t.clock.clone()).with_observable_settings(
            ObservableSettings { common_cutoff: 1000, warning },
        );
        let r = app
            .create_report(
                &admin,
                hikeshi_core::app::NewReport {
                    subject: "cc".into(),
                    content: "reply to soc.hikeshi-csirt.jp".into(),
                    ..Default::default()
                },
            )
            .await
            .expect("report");
        let view = app.observables_seen(&admin, "reports", &r.id.to_string()).await.expect("seen");
        assert_eq!(view[0].seen.common_reason.as_deref(), Some("warning-list:own hikeshi-csirt.jp"));
    })
    .await;
}

#[tokio::test]
async fn correlation_never_reveals_another_constituencys_records() {
    for_each_backend(|t| async move {
        t.with_constituency("a").await;
        t.with_constituency("b").await;
        let ha = t.with_user("hana", Role::Handler, &["a"]).await;
        let hb = t.with_user("ben", Role::Handler, &["b"]).await;
        let rb = report(&t, &hb, json!({"subject": "B の件", "content": "c2 at 45.33.32.156 and evil-b.jp", "constituency": "b"})).await;
        let rb2 = report(&t, &hb, json!({"subject": "B の件 2", "content": "45.33.32.9", "constituency": "b"})).await;
        let ra = report(&t, &ha, json!({"subject": "A の件", "content": "45.33.32.156 evil-b.jp", "constituency": "a"})).await;
        let ida = s(&ra["id"]);
        let sv = seen(&t, &ha, &ida, "45.33.32.156").await;
        assert_eq!(sv["same_value"]["count"], json!(0), "B's report is not counted: {sv}");
        assert_eq!(sv["same_network"]["count"], json!(0));
        assert!(!sv.to_string().contains(&s(&rb["ref"])) && !sv.to_string().contains(&s(&rb2["ref"])));
        let admin = seen(&t, t.admin_token(), &ida, "45.33.32.156").await;
        assert_eq!(admin["same_value"]["count"], json!(1), "the admin sees B's: {admin}");
        assert_eq!(admin["same_network"]["count"], json!(1));
        // The look-up answers from visible records only.
        let lk = ok(t.get(&format!("/api/v1/lookup?value={}", enc("evil-b[.]jp")), &ha).await, StatusCode::OK);
        assert_eq!(lk["observed"]["same_value"]["count"], json!(1), "only A's own: {lk}");
        assert_eq!(lk["observed"]["same_value"]["records"][0]["id"], ra["id"]);
        // B's observables themselves are not reachable from A.
        problem(&t.get(&format!("/api/v1/reports/{}/observables", s(&rb["id"])), &ha).await, StatusCode::NOT_FOUND, None);
        let ob = ok(t.get(&format!("/api/v1/reports/{}/observables", s(&rb["id"])), &hb).await, StatusCode::OK);
        let oid = s(&ob["items"][0]["id"]);
        problem(&t.get(&format!("/api/v1/observables/{oid}"), &ha).await, StatusCode::NOT_FOUND, None);
        problem(&t.patch(&format!("/api/v1/observables/{oid}"), &ha, json!({"ioc": true})).await, StatusCode::NOT_FOUND, None);
        // TLP:RED in A itself: hidden from a colleague who is not named.
        let hc = t.with_user("chika", Role::Handler, &["a"]).await;
        report(&t, &hc, json!({"subject": "red", "content": "45.33.32.156", "constituency": "a", "tlp": "red"})).await;
        let sv = seen(&t, &ha, &ida, "45.33.32.156").await;
        assert_eq!(sv["same_value"]["count"], json!(0), "TLP:RED stays hidden: {sv}");
    })
    .await;
}

#[tokio::test]
async fn handlers_add_paste_promote_and_remove() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        let inc = super::incident(&t, &tok, json!({"title": "侵害調査", "description": "beacon to hxxp://c2[.]bad-domain[.]jp/x"})).await;
        let base = format!("/api/v1/incidents/{}/observables", s(&inc["id"]));
        let empty = ok(t.get(&base, &tok).await, StatusCode::OK);
        assert_eq!(empty["items"], json!([]), "incidents are not extracted at creation");
        let ex = ok(t.post(&format!("{base}/extract"), &tok, json!(null)).await, StatusCode::OK);
        assert!(has(&ex["items"], "url", "http://c2.bad-domain.jp/x"), "{ex}");
        let again = ok(t.post(&format!("{base}/extract"), &tok, json!(null)).await, StatusCode::OK);
        assert_eq!(again["items"][0]["sightings"], json!(1), "re-extracting adds nothing");
        let added = ok(
            t.post(&base, &tok, json!({
                "items": [{"type": "ipv6", "value": "2A01:4F8:0:0::5", "ioc": true, "tags": ["c2"]}],
                "text": "IOC 一覧:\n185.220.101.1\nd41d8cd98f00b204e9800998ecf8427e\n",
                "tags": ["pasted"]
            })).await,
            StatusCode::CREATED,
        );
        let items = &added["items"];
        assert!(has(items, "ipv6", "2a01:4f8::5") && has(items, "ipv4", "185.220.101.1") && has(items, "md5", "d41d8cd98f00b204e9800998ecf8427e"), "{items}");
        let v6 = items.as_array().expect("a").iter().find(|o| o["type"] == json!("ipv6")).expect("v6").clone();
        assert_eq!((v6["ioc"].clone(), v6["tags"].clone()), (json!(true), json!(["c2"])));
        let md5 = items.as_array().expect("a").iter().find(|o| o["type"] == json!("md5")).expect("md5").clone();
        assert_eq!(md5["tags"], json!(["pasted"]));
        let oid = s(&md5["id"]);
        let p = ok(t.patch(&format!("/api/v1/observables/{oid}"), &tok, json!({"ioc": true, "tlp": "green"})).await, StatusCode::OK);
        assert_eq!((p["ioc"].clone(), p["tlp"].clone()), (json!(true), json!("green")));
        let hist = ok(t.get(&format!("/api/v1/incidents/{}/history", s(&inc["id"])), &tok).await, StatusCode::OK);
        let actions: Vec<String> = hist.as_array().expect("h").iter().map(|e| s(&e["action"])).collect();
        assert!(actions.contains(&"observable.promote".to_string()), "{actions:?}");
        let p = ok(t.patch(&format!("/api/v1/observables/{oid}"), &tok, json!({"ioc": false})).await, StatusCode::OK);
        assert_eq!(p["ioc"], json!(false));
        let (st, _, _) = t.call(Method::DELETE, &format!("/api/v1/observables/{oid}"), Some(&tok), None).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        problem(&t.get(&format!("/api/v1/observables/{oid}"), &tok).await, StatusCode::NOT_FOUND, None);
        // An observer reads but does not write.
        t.with_constituency("a").await;
        let obs_tok = t.with_user("olga", Role::Observer, &["a"]).await;
        let r = report(&t, &tok, json!({"subject": "x", "content": "185.220.101.1", "constituency": "a"})).await;
        let rb = format!("/api/v1/reports/{}/observables", s(&r["id"]));
        ok(t.get(&rb, &obs_tok).await, StatusCode::OK);
        problem(&t.post(&rb, &obs_tok, json!({"text": "1.2.3.4"})).await, StatusCode::FORBIDDEN, None);
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_named_by_field() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        let r = report(
            &t,
            &tok,
            json!({"subject": "x", "content": "185.220.101.1"}),
        )
        .await;
        let base = format!("/api/v1/reports/{}/observables", s(&r["id"]));
        problem(
            &t.post(
                &base,
                &tok,
                json!({"items": [{"value": "not an indicator"}]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("items[0].value"),
        );
        problem(
            &t.post(
                &base,
                &tok,
                json!({"items": [{"type": "ipv5", "value": "1.2.3.4"}]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("items[0].type"),
        );
        problem(
            &t.post(
                &base,
                &tok,
                json!({"items": [{"type": "domain", "value": "1.2.3.4"}]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("items[0].value"),
        );
        problem(
            &t.post(
                &base,
                &tok,
                json!({"items": [{"value": "1.2.3.4", "tags": [""]}]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("items[0].tags"),
        );
        problem(
            &t.post(&base, &tok, json!({"text": "何もありません"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("text"),
        );
        problem(
            &t.post(&base, &tok, json!({})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("items"),
        );
        let r1 = t.post(&base, &tok, json!({"valu": "1.2.3.4"})).await;
        assert!(r1.0.is_client_error(), "{:?}", r1.1);
        assert_eq!(r1.1["field"], json!("valu"), "{}", r1.1);
        let list = ok(t.get(&base, &tok).await, StatusCode::OK);
        let oid = s(&list["items"][0]["id"]);
        let r2 = t
            .patch(
                &format!("/api/v1/observables/{oid}"),
                &tok,
                json!({"tlp": "purple"}),
            )
            .await;
        assert!(r2.0.is_client_error());
        assert_eq!(r2.1["field"], json!("tlp"), "{}", r2.1);
        problem(
            &t.get("/api/v1/widgets/x/observables", &tok).await,
            StatusCode::NOT_FOUND,
            None,
        );
        problem(
            &t.get("/api/v1/reports/R2099-9999/observables", &tok).await,
            StatusCode::NOT_FOUND,
            None,
        );
        problem(
            &t.get("/api/v1/observables/banana", &tok).await,
            StatusCode::NOT_FOUND,
            None,
        );
    })
    .await;
}

#[tokio::test]
async fn new_reports_are_routed_by_their_observables() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        ok(t.post("/api/v1/constituencies", &tok, json!({"slug": "kaisha", "name": "株式会社", "netblocks": ["45.33.32.0/24"], "domains": ["kaisha.co.jp"]})).await, StatusCode::CREATED);
        ok(t.post("/api/v1/constituencies", &tok, json!({"slug": "daigaku", "name": "大学", "domains": ["daigaku.ac.jp"]})).await, StatusCode::CREATED);
        let r = report(&t, &tok, json!({"subject": "攻撃元", "content": "resolver 8.8.8.8 then ４５．３３．３２．１５６ から"})).await;
        let c = ok(t.get("/api/v1/constituencies/kaisha", &tok).await, StatusCode::OK);
        assert_eq!(r["constituency"], c["id"], "routed by the IP's netblock: {r}");
        let r = report(&t, &tok, json!({"subject": "phish", "content": "hxxps://www.daigaku[.]ac[.]jp/login"})).await;
        let d = ok(t.get("/api/v1/constituencies/daigaku", &tok).await, StatusCode::OK);
        assert_eq!(r["constituency"], d["id"], "routed by the URL's host domain");
        let r = report(&t, &tok, json!({"subject": "explicit", "content": "45.33.32.156", "constituency": "daigaku"})).await;
        assert_eq!(r["constituency"], d["id"], "an explicit constituency wins");
        let r = report(&t, &tok, json!({"subject": "nothing", "content": "no indicators"})).await;
        assert_eq!(r["constituency"], json!(null));
        // Mail: no recipient or sender domain of ours, so the body's observables decide.
        let mail = "From: abuse@isp.example.net\r\nTo: csirt@example.org\r\nSubject: scan\r\n\r\nsource hxxp://45.33.32[.]156/x\r\n";
        let admin = t.admin_actor().await;
        let landed = t.app.ingest_mail(&admin, mail.as_bytes(), "api", "Hikeshi").await.expect("ingest");
        let got = ok(t.get(&format!("/api/v1/reports/{}", landed.id), &tok).await, StatusCode::OK);
        assert_eq!(got["constituency"], c["id"], "mail routed by its URL's IP: {got}");
        // The look-up: whose, and what we have.
        let lk = ok(t.get("/api/v1/lookup?value=45.33.32.200", &tok).await, StatusCode::OK);
        assert_eq!(lk["owner"]["slug"], json!("kaisha"));
        assert_eq!(lk["observed"], json!(null), "never observed itself");
        let lk = ok(t.get(&format!("/api/v1/lookup?value={}", enc("45.33.32[.]156")), &tok).await, StatusCode::OK);
        assert_eq!(lk["observed"]["same_value"]["count"], json!(3), "{lk}");
        assert_eq!(lk["observed"]["same_network"]["network"], json!("45.33.32.0/24"));
    })
    .await;
}
