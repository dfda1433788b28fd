//! Pages in both languages, escaping, scoping, refused forms, static files, catalogue.

use crate::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hikeshi_core::app::{NewIncident, NewReport};
use hikeshi_web::ui::i18n::{Lang, catalogue};

#[tokio::test]
async fn pages_render_in_both_languages() {
    let t = setup().await;
    let admin = t.app.resolve_user("admin").await.unwrap();
    let actor = t.app.actor_for(&admin, hikeshi_core::access::Scopes::ALL);
    let rep = NewReport {
        subject: "Phishing 報告".into(),
        content: "本文 body".into(),
        constituency: Some("a".into()),
        ..Default::default()
    };
    let rep = t.app.create_report(&actor, rep).await.unwrap();
    let inc = NewIncident {
        title: "不正アクセス".into(),
        constituency: Some("a".into()),
        ..Default::default()
    };
    let inc = t.app.create_incident(&actor, inc).await.unwrap();
    let (cookies, _) = login(&t, "admin").await;
    let pages = [
        "/".to_string(),
        "/incidents".into(),
        format!("/incidents/{}", inc.reference),
        format!("/incidents/{}", inc.id),
        "/incidents/new".into(),
        "/reports".into(),
        format!("/reports/{}", rep.reference),
        "/search?q=不正".into(),
        "/admin".into(),
        "/help".into(),
    ];
    for (lang, word) in [("en", "Incidents"), ("ja", "インシデント")] {
        let c = format!("{cookies}; hikeshi_lang={lang}");
        for p in &pages {
            let r = get(&t, p, &c).await;
            assert_eq!(r.status, StatusCode::OK, "{lang} {p}: {}", r.body);
            assert!(r.body.contains(&format!("<html lang=\"{lang}\">")), "{p}");
            assert!(r.body.contains(word), "{lang} {p}");
            assert!(!r.body.contains("??"), "missing message on {p} ({lang})");
            let csp = r.headers.get("content-security-policy").unwrap();
            assert!(csp.to_str().unwrap().contains("script-src 'self'"));
        }
    }
    let search = get(&t, "/search?q=不正", &cookies).await;
    assert!(search.body.contains("<mark>不正</mark>アクセス"));
    let ja = Request::get("/login")
        .header(header::ACCEPT_LANGUAGE, "ja-JP,ja;q=0.9,en;q=0.5")
        .body(Body::empty())
        .unwrap();
    assert!(send(&t, ja).await.body.contains("ログイン"));
}

#[tokio::test]
async fn script_in_a_title_is_text() {
    let t = setup().await;
    let (cookies, csrf) = login(&t, "alice").await;
    let title = "<script>alert(1)</script> & \"quotes\"";
    let r = post(
        &t,
        "/incidents",
        &cookies,
        &[
            ("csrf", &csrf),
            ("title", title),
            ("severity", "high"),
            ("tlp", "red"),
            ("constituency", "a"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&t, r.location(), &cookies).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert"));
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
    );
    assert!(page.body.contains("tlp-banner tlp-red"));
    let list = get(&t, "/incidents", &cookies).await;
    assert!(!list.body.contains("<script>alert"));
}

#[tokio::test]
async fn another_constituency_is_not_found() {
    let t = setup().await;
    let (bob, bob_csrf) = login(&t, "bob").await;
    let r = post(
        &t,
        "/incidents",
        &bob,
        &[
            ("csrf", &bob_csrf),
            ("title", "B only"),
            ("severity", "low"),
            ("tlp", "amber"),
            ("constituency", "b"),
        ],
    )
    .await;
    let path = r.location().to_string();
    let (alice, _) = login(&t, "alice").await;
    let r = get(&t, &path, &alice).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Not found") && r.body.contains("<html"));
}

#[tokio::test]
async fn bad_input_and_stale_versions_show_the_form_again() {
    let t = setup().await;
    let (c, csrf) = login(&t, "alice").await;
    let r = post(
        &t,
        "/incidents",
        &c,
        &[
            ("csrf", &csrf),
            ("title", " "),
            ("severity", "low"),
            ("tlp", "amber"),
            ("constituency", "a"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("role=\"alert\""));
    let r = post(
        &t,
        "/incidents",
        &c,
        &[
            ("csrf", &csrf),
            ("title", "ok"),
            ("severity", "low"),
            ("tlp", "amber"),
            ("constituency", "a"),
            ("due", "not a date"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &t,
        "/incidents",
        &c,
        &[
            ("csrf", &csrf),
            ("title", "Stale"),
            ("severity", "low"),
            ("tlp", "amber"),
            ("constituency", "a"),
        ],
    )
    .await;
    let path = r.location().to_string();
    let edit = |v: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("version", v.into()),
            ("title", "Edited title".into()),
            ("description", "d".into()),
            ("severity", "high".into()),
            ("tlp", "amber".into()),
            ("due", String::new()),
        ]
    };
    let pairs = edit("1");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        post(&t, &format!("{path}/edit"), &c, &pairs).await.status,
        StatusCode::SEE_OTHER
    );
    let r = post(&t, &format!("{path}/edit"), &c, &pairs).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Someone else changed this record"));
    assert!(r.body.contains("<details open>"));
    let r = post(
        &t,
        &format!("{path}/status"),
        &c,
        &[("csrf", &csrf), ("status", "resolved")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &t,
        &format!("{path}/status"),
        &c,
        &[("csrf", &csrf), ("status", "closed")],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "open → closed is not allowed"
    );
    let r = post(
        &t,
        &format!("{path}/status"),
        &c,
        &[
            ("csrf", &csrf),
            ("status", "resolved"),
            ("resolution", "fixed"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn static_files_are_cached_and_typed() {
    let t = setup().await;
    for (path, ct) in [
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
        ("/static/htmx-2.0.11.min.js", "text/javascript"),
    ] {
        let r = get(&t, path, "").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(ct)
        );
        assert!(
            r.headers[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
    }
    assert_eq!(
        get(&t, "/static/nope.js", "").await.status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn catalogues_define_the_same_keys() {
    let en: Vec<_> = catalogue(Lang::En).keys().collect();
    let ja: Vec<_> = catalogue(Lang::Ja).keys().collect();
    assert!(en.len() > 100);
    assert_eq!(en, ja);
    for l in Lang::ALL {
        assert!(catalogue(l).values().all(|v| !v.is_empty()));
    }
}

#[tokio::test]
async fn language_and_time_zone_are_remembered() {
    let t = setup().await;
    let (c, _) = login(&t, "alice").await;
    let r = get(&t, "/lang?to=ja&tz=America/New_York&next=/help", &c).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/help");
    assert_eq!(r.cookie("hikeshi_lang").as_deref(), Some("ja"));
    let tz = r.cookie("hikeshi_tz").unwrap();
    let page = get(
        &t,
        "/help",
        &format!("{c}; hikeshi_lang=ja; hikeshi_tz={tz}"),
    )
    .await;
    assert!(page.body.contains("America/New_York") && page.body.contains("キーボード"));
    let bad = get(&t, "/lang?tz=Mars/Olympus&next=//evil.example", &c).await;
    assert_eq!(bad.location(), "/");
    assert!(bad.cookie("hikeshi_tz").is_none());
    let ja = get(&t, "/help", &format!("{c}; hikeshi_lang=ja")).await;
    assert!(ja.body.contains("タイムゾーン: Asia/Tokyo"));
}

#[tokio::test]
async fn a_mailed_report_shows_its_sender_and_headers_as_text() {
    let t = setup().await;
    let admin = t.app.system_actor();
    let raw = "From: Taro <taro@partner.example.jp>\r\nTo: cert@team.example\r\nSubject: =?UTF-8?B?5LiN5q2j44Ki44Kv44K744K544Gu5aCx5ZGK?=\r\nX-Trick: <b>bold</b>\r\n\r\n198.51.100.7 からの攻撃\r\n";
    let landed = t
        .app
        .ingest_mail(&admin, raw.as_bytes(), "email", "Hikeshi")
        .await
        .unwrap();
    let (cookies, _) = login(&t, "admin").await;
    let page = get(&t, &format!("/reports/{}", landed.reference), &cookies).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("不正アクセスの報告"));
    assert!(page.body.contains("taro@partner.example.jp"));
    assert!(page.body.contains("X-Trick"));
    assert!(
        !page.body.contains("<b>bold</b>"),
        "headers are text, never markup"
    );
    assert!(
        page.body
            .contains(&format!("/api/v1/reports/{}/raw", landed.id)),
        "{}",
        page.body
    );
}

/// Tasks from a playbook show on the incident page in the reader's language, with the loop's
/// iteration and the review reminder for a critical incident.
#[tokio::test]
async fn incident_page_shows_playbook_tasks_in_both_languages() {
    let t = setup().await;
    let admin = t.app.resolve_user("admin").await.unwrap();
    let actor = t.app.actor_for(&admin, hikeshi_core::access::Scopes::ALL);
    let task = hikeshi_core::model::PlaybookTask {
        title_ja: "テイクダウン依頼".into(),
        title_en: "Request <takedown>".into(),
        description: String::new(),
        checklist: vec!["確認".into(), "送付".into()],
        due_in_minutes: Some(60),
    };
    let pb = hikeshi_core::app::NewPlaybook {
        slug: "phishing".into(),
        title_ja: "フィッシング".into(),
        title_en: "Phishing".into(),
        classifications: vec!["phishing".into()],
        tasks: vec![task],
        reason: None,
    };
    t.app.create_playbook(&actor, pb).await.unwrap();
    let inc = NewIncident {
        title: "偽サイト".into(),
        constituency: Some("a".into()),
        rsit_class: Some("fraud".into()),
        rsit_type: Some("phishing".into()),
        severity: Some(hikeshi_core::model::Severity::Critical),
        ..Default::default()
    };
    let inc = t.app.create_incident(&actor, inc).await.unwrap();
    let (cookies, _) = login(&t, "admin").await;
    let path = format!("/incidents/{}", inc.reference);
    for (lang, title, status, iteration) in [
        ("en", "Request &#60;takedown&#62;", "open", "iteration 1"),
        ("ja", "テイクダウン依頼", "未着手", "1 回目"),
    ] {
        let r = get(&t, &path, &format!("{cookies}; hikeshi_lang={lang}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(title), "{lang}: {}", r.body);
        assert!(
            r.body.contains(status) && r.body.contains(iteration),
            "{lang}"
        );
        assert!(r.body.contains("0/2") && !r.body.contains("<takedown>"));
        assert!(r.body.contains("post-incident review") || r.body.contains("事後レビュー"));
    }
}

#[tokio::test]
async fn a_structured_report_shows_its_observables_and_alert_count() {
    let t = setup().await;
    let admin = t.app.resolve_user("admin").await.unwrap();
    let actor = t.app.actor_for(&admin, hikeshi_core::access::Scopes::ALL);
    let alert = || hikeshi_core::app::NewAlert {
        source: "ids".into(),
        title: "scan".into(),
        dedup_key: Some("k".into()),
        observables: vec![hikeshi_core::model::Observable {
            kind: "ipv4".into(),
            value: "198.51.100.7".into(),
        }],
        ..Default::default()
    };
    let policy = hikeshi_core::app::AlertPolicy::default();
    let first = t.app.ingest_alert(&actor, alert(), &policy).await.unwrap();
    t.app.ingest_alert(&actor, alert(), &policy).await.unwrap();
    let (cookies, _) = login(&t, "admin").await;
    let r = get(&t, &format!("/reports/{}", first.reference), &cookies).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("id=\"structured\""), "{}", r.body);
    assert!(r.body.contains("198.51.100.7"));
    assert!(
        r.body.contains("Alerts with this key</dt><dd>2</dd>"),
        "{}",
        r.body
    );
}
