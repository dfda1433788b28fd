//! Lists (filters, paging, bulk actions), report quick actions, admin forms, htmx.

use crate::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hikeshi_core::access::Scopes;
use hikeshi_core::app::{NewIncident, NewReport};

async fn seed(t: &T, n: usize) -> (Vec<String>, Vec<String>) {
    let admin = t.app.resolve_user("admin").await.unwrap();
    let a = t.app.actor_for(&admin, Scopes::ALL);
    let (mut incs, mut reps) = (vec![], vec![]);
    for i in 0..n {
        let inc = NewIncident {
            title: format!("Incident number {i}"),
            constituency: Some("a".into()),
            ..Default::default()
        };
        incs.push(t.app.create_incident(&a, inc).await.unwrap().reference);
        let rep = NewReport {
            subject: format!("Report number {i}"),
            content: "Scan from 198.51.100.7".into(),
            constituency: Some("a".into()),
            ..Default::default()
        };
        reps.push(t.app.create_report(&a, rep).await.unwrap().reference);
    }
    (incs, reps)
}

fn next_link(body: &str) -> Option<String> {
    let at = body.find("rel=\"next\"")?;
    let start = body[..at].rfind("href=\"")? + 6;
    Some(body[start..].split('"').next()?.replace("&#38;", "&"))
}

#[tokio::test]
async fn filters_and_cursor_paging() {
    let t = setup().await;
    seed(&t, 3).await;
    let (c, _) = login(&t, "alice").await;
    let first = get(&t, "/incidents?limit=2&sort=created&status=&q=", &c).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("Incident number 0") && first.body.contains("Incident number 1"));
    assert!(!first.body.contains("Incident number 2"));
    let next = next_link(&first.body).expect("a next page");
    let second = get(&t, &next, &c).await;
    assert!(
        second.body.contains("Incident number 2") && !second.body.contains("Incident number 0")
    );
    let n = second.body.matches("data-row").count();
    assert!(
        next_link(&second.body).is_none(),
        "{n} rows, next {:?}",
        next_link(&second.body)
    );
    let bad = get(&t, "/incidents?severity=purple", &c).await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("severity"));
    let day = get(&t, "/incidents?from=2026-11-18&to=2026-11-18", &c).await;
    assert!(day.body.contains("Incident number 0") && day.body.contains("value=\"2026-11-18\""));
    let later = get(&t, "/incidents?from=2026-11-19", &c).await;
    assert!(!later.body.contains("Incident number 0"));
    let bad = get(&t, "/incidents?to=yesterday", &c).await;
    assert!(bad.body.contains("role=\"alert\""));
    let mine = get(&t, "/incidents?owner=me", &c).await;
    assert!(!mine.body.contains("Incident number"));
}

#[tokio::test]
async fn bulk_assign_and_bulk_reject() {
    let t = setup().await;
    let (incs, reps) = seed(&t, 2).await;
    let (c, csrf) = login(&t, "admin").await;
    let r = post(
        &t,
        "/incidents/bulk",
        &c,
        &[
            ("csrf", &csrf),
            ("back", "/incidents?sort=created"),
            ("owner", "alice"),
            ("ids", &incs[0]),
            ("ids", &incs[1]),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/incidents?sort=created&done=2");
    let list = get(&t, r.location(), &c).await;
    assert!(list.body.contains("2 assigned."));
    assert_eq!(list.body.matches(">alice<").count(), 2);
    let none = post(
        &t,
        "/incidents/bulk",
        &c,
        &[("csrf", &csrf), ("back", "/incidents"), ("owner", "alice")],
    )
    .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nobody = post(
        &t,
        "/incidents/bulk",
        &c,
        &[
            ("csrf", &csrf),
            ("back", "/incidents"),
            ("owner", "nobody"),
            ("ids", &incs[0]),
        ],
    )
    .await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.body.contains("nobody"));
    let no_reason = post(
        &t,
        "/reports/bulk",
        &c,
        &[("csrf", &csrf), ("back", "/reports"), ("ids", &reps[0])],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &t,
        "/reports/bulk",
        &c,
        &[
            ("csrf", &csrf),
            ("back", "/reports"),
            ("reason", "duplicate of a scan"),
            ("ids", &reps[0]),
            ("ids", &reps[1]),
        ],
    )
    .await;
    assert_eq!(r.location(), "/reports?done=2");
    let rejected = get(&t, "/reports?status=rejected", &c).await;
    assert!(rejected.body.contains(&reps[0]) && rejected.body.contains(&reps[1]));
}

#[tokio::test]
async fn report_quick_actions() {
    let t = setup().await;
    let (incs, reps) = seed(&t, 2).await;
    let (c, csrf) = login(&t, "alice").await;
    let r = post(
        &t,
        &format!("/reports/{}/open-incident", reps[0]),
        &c,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = get(&t, r.location(), &c).await;
    assert!(
        page.body.contains("Report number 0")
            && page.body.contains(&format!("/reports/{}", reps[0]))
    );
    let sug = get(&t, &format!("/reports/{}?suggest=number+1", reps[1]), &c).await;
    assert!(sug.body.contains(&format!("value=\"{}\"", incs[1])));
    let htmx = Request::get(format!("/reports/{}/suggest?suggest=number", reps[1]))
        .header(header::COOKIE, &c)
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    let frag = send(&t, htmx).await;
    assert!(frag.body.starts_with("<div id=\"suggestions\"") && !frag.body.contains("<html"));
    let r = post(
        &t,
        &format!("/reports/{}/link", reps[1]),
        &c,
        &[("csrf", &csrf), ("incident", &incs[1])],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let inc = get(&t, &format!("/incidents/{}", incs[1]), &c).await;
    assert!(inc.body.contains(&reps[1]));
    let r = post(
        &t,
        &format!("/reports/{}/link", reps[1]),
        &c,
        &[("csrf", &csrf), ("incident", "2099-9999")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &t,
        &format!("/reports/{}/reject", reps[1]),
        &c,
        &[("csrf", &csrf), ("reason", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn incident_work_and_htmx_comment() {
    let t = setup().await;
    let (incs, _) = seed(&t, 1).await;
    let (c, csrf) = login(&t, "alice").await;
    let path = format!("/incidents/{}", incs[0]);
    let r = post(
        &t,
        &format!("{path}/investigations"),
        &c,
        &[
            ("csrf", &csrf),
            ("title", "Ask the ISP"),
            ("correspondents", "abuse@isp.example"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = post(
        &t,
        &format!("{path}/countermeasures"),
        &c,
        &[
            ("csrf", &csrf),
            ("kind", "block"),
            ("what", "198.51.100.7"),
            ("where", "edge firewall"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = post(
        &t,
        &format!("{path}/assign"),
        &c,
        &[("csrf", &csrf), ("owner", "me")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = post(
        &t,
        &format!("{path}/assign"),
        &c,
        &[("csrf", &csrf), ("owner", "bob")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "handlers only take");
    let req = Request::post(format!("{path}/comment"))
        .header(header::COOKIE, &c)
        .header("hx-request", "true")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("csrf=".to_string() + &csrf + "&body=first+look"))
        .unwrap();
    let frag = send(&t, req).await;
    assert_eq!(frag.status, StatusCode::OK);
    assert!(frag.body.starts_with("<section id=\"timeline\"") && frag.body.contains("first look"));
    let page = get(&t, &path, &c).await;
    assert!(
        page.body.contains("Ask the ISP")
            && page.body.contains("198.51.100.7")
            && page.body.contains("alice")
    );
    let expired = Request::post(format!("{path}/comment"))
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    let r = send(&t, expired).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers["hx-redirect"], "/login?next=/");
}

#[tokio::test]
async fn admin_forms() {
    let t = setup().await;
    let (c, csrf) = login(&t, "admin").await;
    let r = post(
        &t,
        "/admin/constituencies",
        &c,
        &[
            ("csrf", &csrf),
            ("slug", "osaka"),
            ("name", "Osaka"),
            ("netblocks", "192.0.2.0/24\n2001:db8::/32"),
            ("domains", "osaka.example.jp"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = post(
        &t,
        "/admin/constituencies",
        &c,
        &[
            ("csrf", &csrf),
            ("slug", "x"),
            ("name", "X"),
            ("netblocks", "not-a-net"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("not-a-net"),
        "the form keeps what was typed"
    );
    let r = post(
        &t,
        "/admin/users",
        &c,
        &[
            ("csrf", &csrf),
            ("username", "carol"),
            ("role", "lead"),
            ("constituencies", "osaka"),
            ("password", "a long password"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = post(
        &t,
        "/admin/users",
        &c,
        &[("csrf", &csrf), ("username", "carol"), ("role", "lead")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = post(
        &t,
        "/admin/tokens",
        &c,
        &[("csrf", &csrf), ("name", "siem"), ("scopes", "read")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let at = r.body.find("id=\"new-secret\">").unwrap() + 16;
    let secret = r.body[at..].split('<').next().unwrap().to_string();
    let api = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&t, api).await.status, StatusCode::OK);
    let admin = get(&t, "/admin", &c).await;
    assert!(!admin.body.contains(&secret), "the secret is shown once");
    assert!(admin.body.contains("192.0.2.0/24") && admin.body.contains("carol"));
    let (alice, _) = login(&t, "alice").await;
    let page = get(&t, "/admin", &alice).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("carol"),
        "handlers see only their tokens"
    );
}

#[tokio::test]
async fn work_moves_through_its_states() {
    let t = setup().await;
    let (incs, _) = seed(&t, 1).await;
    let (c, csrf) = login(&t, "alice").await;
    let path = format!("/incidents/{}", incs[0]);
    post(
        &t,
        &format!("{path}/countermeasures"),
        &c,
        &[("csrf", &csrf), ("kind", "block"), ("what", "203.0.113.9")],
    )
    .await;
    let page = get(&t, &path, &c).await;
    let at = page.body.find("/countermeasures/").unwrap() + 17;
    let id = page.body[at..].split('/').next().unwrap().to_string();
    let url = format!("{path}/countermeasures/{id}/status");
    let r = post(
        &t,
        &url,
        &c,
        &[("csrf", &csrf), ("version", "1"), ("status", "active")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = post(
        &t,
        &url,
        &c,
        &[
            ("csrf", &csrf),
            ("version", "2"),
            ("status", "pending-activation"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &t,
        &url,
        &c,
        &[("csrf", &csrf), ("version", "1"), ("status", "removed")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let page = get(&t, &path, &c).await;
    assert!(page.body.contains("Active") && page.body.contains("value=\"pending-removal\""));
}

#[tokio::test]
async fn work_lists_saved_searches_and_exact_home_counts() {
    let t = setup().await;
    let admin = t.app.resolve_user("admin").await.unwrap();
    let a = t.app.actor_for(&admin, Scopes::ALL);
    for (slug, title) in [("a", "A の調査"), ("b", "B の調査")] {
        let inc = NewIncident {
            title: format!("{title} incident"),
            constituency: Some(slug.into()),
            severity: Some(hikeshi_core::model::Severity::Critical),
            due_at: Some(jiff::Timestamp::from_second(1_700_000_000).unwrap()),
            ..Default::default()
        };
        let i = t.app.create_incident(&a, inc).await.unwrap();
        let v = hikeshi_core::app::NewInvestigation {
            title: title.into(),
            correspondents: vec!["isp@example.net".into()],
        };
        t.app
            .create_investigation(&a, &i.reference, v)
            .await
            .unwrap();
        let c = hikeshi_core::app::NewCountermeasure {
            kind: None,
            what: format!("block {slug}"),
            location: "edge firewall".into(),
        };
        t.app
            .create_countermeasure(&a, &i.reference, c)
            .await
            .unwrap();
    }
    let (cookies, csrf) = login(&t, "alice").await;
    let inv = get(&t, "/investigations", &cookies).await;
    assert_eq!(inv.status, StatusCode::OK, "{}", inv.body);
    assert!(
        inv.body.contains("A の調査") && !inv.body.contains("B の調査"),
        "scoped to constituency a"
    );
    let cms = get(&t, "/countermeasures?status=pending-activation", &cookies).await;
    assert!(cms.body.contains("block a") && !cms.body.contains("block b"));
    let none = get(&t, "/countermeasures?status=removed", &cookies).await;
    assert!(!none.body.contains("block a"));
    // The incident's own filters apply too (an admin sees both constituencies).
    let (admin_cookies, _) = login(&t, "admin").await;
    let of_b = get(
        &t,
        "/investigations?constituency=b&severity=critical",
        &admin_cookies,
    )
    .await;
    assert!(
        of_b.body.contains("B の調査") && !of_b.body.contains("A の調査"),
        "{}",
        of_b.body
    );
    let bad = get(&t, "/investigations?status=nonsense", &admin_cookies).await;
    assert!(
        bad.body.contains("role=\"alert\""),
        "a bad filter value is shown, not a 500"
    );

    // Home: exact counts (one critical incident visible to alice) and the overdue one.
    let home = get(&t, "/", &cookies).await;
    assert!(home.body.contains("A の調査 incident"), "due list");
    assert!(!home.body.contains("B の調査 incident"));

    // Save the filtered list, find it on the home page, delete it.
    let saved = post(
        &t,
        "/saved-searches",
        &cookies,
        &[
            ("csrf", &csrf),
            ("name", "止めていない対策"),
            ("path", "/countermeasures?status=pending-activation"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let home = get(&t, "/", &cookies).await;
    assert!(
        home.body.contains("止めていない対策")
            && home
                .body
                .contains("/countermeasures?status=pending-activation")
    );
    let bad = post(
        &t,
        "/saved-searches",
        &cookies,
        &[
            ("csrf", &csrf),
            ("name", "x"),
            ("path", "https://evil.example/"),
        ],
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only our list pages"
    );
    let list = t
        .app
        .saved_searches(
            &t.app
                .actor_for(&t.app.resolve_user("alice").await.unwrap(), Scopes::ALL),
        )
        .await
        .unwrap();
    let del = post(
        &t,
        &format!("/saved-searches/{}/delete", list[0].id),
        &cookies,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(del.status, StatusCode::SEE_OTHER);
    assert!(
        !get(&t, "/", &cookies)
            .await
            .body
            .contains("止めていない対策")
    );
    // Another user cannot delete someone else's saved search.
    let mine = t
        .app
        .save_search(&a, "admin's", "/incidents")
        .await
        .unwrap();
    let other = post(
        &t,
        &format!("/saved-searches/{}/delete", mine.id),
        &cookies,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_incident_list_filters_by_rsit_class() {
    let t = setup().await;
    let admin = t.app.resolve_user("admin").await.unwrap();
    let a = t.app.actor_for(&admin, Scopes::ALL);
    for (title, class, typ) in [
        ("偽サイト", "fraud", "phishing"),
        ("スキャン", "information-gathering", "scanner"),
    ] {
        let inc = NewIncident {
            title: title.into(),
            constituency: Some("a".into()),
            rsit_class: Some(class.into()),
            rsit_type: Some(typ.into()),
            ..Default::default()
        };
        t.app.create_incident(&a, inc).await.unwrap();
    }
    let (cookies, _) = login(&t, "alice").await;
    let page = get(&t, "/incidents?rsit_class=fraud", &cookies).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("偽サイト") && !page.body.contains("スキャン"));
    assert!(
        page.body.contains(r#"<option value="fraud" selected"#),
        "the select shows the filter"
    );
}
