//! Who sees and changes what: constituency scoping, TLP:RED, roles.

use super::*;
use hikeshi_core::model::Role;
use hikeshi_testkit::for_each_backend;

#[tokio::test]
async fn a_handler_never_sees_another_constituency() {
    for_each_backend(|t| async move {
        t.with_constituency("a").await;
        t.with_constituency("b").await;
        let ha = t.with_user("ha", Role::Handler, &["a"]).await;
        let theirs = incident(
            &t,
            t.admin_token(),
            json!({"title": "phishing in B", "constituency": "b"}),
        )
        .await;
        let mine = incident(
            &t,
            &ha,
            json!({"title": "phishing in A", "constituency": "a"}),
        )
        .await;
        for key in [s(&theirs["id"]), s(&theirs["ref"])] {
            problem(
                &t.get(&format!("/api/v1/incidents/{key}"), &ha).await,
                StatusCode::NOT_FOUND,
                None,
            );
            problem(
                &t.patch(
                    &format!("/api/v1/incidents/{key}"),
                    &ha,
                    json!({"title": "x"}),
                )
                .await,
                StatusCode::NOT_FOUND,
                None,
            );
            problem(
                &t.post(
                    &format!("/api/v1/incidents/{key}/entries"),
                    &ha,
                    json!({"body": "x"}),
                )
                .await,
                StatusCode::NOT_FOUND,
                None,
            );
        }
        assert_eq!(titles(&t, &ha, "").await, ["phishing in A"]);
        assert_eq!(titles(&t, &ha, "?q=phishing").await, ["phishing in A"]);
        assert_eq!(titles(&t, &ha, "?q=B").await, Vec::<String>::new());
        problem(
            &t.post(
                "/api/v1/incidents",
                &ha,
                json!({"title": "x", "constituency": "b"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            None,
        );
        assert_eq!(
            ok(
                t.get(&format!("/api/v1/incidents/{}", s(&mine["ref"])), &ha)
                    .await,
                StatusCode::OK
            )["id"],
            mine["id"]
        );
        assert_eq!(
            titles(&t, t.admin_token(), "").await,
            ["phishing in A", "phishing in B"]
        );
    })
    .await;
}

#[tokio::test]
async fn tlp_red_is_visible_only_to_its_creator_and_named_users() {
    for_each_backend(|t| async move {
        t.with_constituency("a").await;
        let creator = t.with_user("creator", Role::Handler, &["a"]).await;
        let named = t.with_user("named", Role::Observer, &["a"]).await;
        let other = t.with_user("other", Role::Handler, &["a"]).await;
        let red = incident(&t, &creator, json!({"title": "red secret", "tlp": "red", "constituency": "a", "named_users": ["named"]})).await;
        let path = format!("/api/v1/incidents/{}", s(&red["id"]));
        for (who, token, visible) in [("creator", creator.as_str(), true), ("named", &named, true), ("other", &other, false), ("admin", t.admin_token(), false)] {
            let r = t.get(&path, token).await;
            assert_eq!(r.0 == StatusCode::OK, visible, "{who}: {}", r.1);
            let listed = titles(&t, token, "?q=secret").await.contains(&"red secret".to_string());
            assert_eq!(listed, visible, "{who} in search");
            let by_ref = t.get(&format!("/api/v1/incidents/{}", s(&red["ref"])), token).await;
            assert_eq!(by_ref.0 == StatusCode::OK, visible, "{who} by ref");
        }
    })
    .await;
}

#[tokio::test]
async fn observers_read_but_never_write() {
    for_each_backend(|t| async move {
        t.with_constituency("a").await;
        let obs = t.with_user("obs", Role::Observer, &["a"]).await;
        let i = incident(
            &t,
            t.admin_token(),
            json!({"title": "観察対象", "constituency": "a"}),
        )
        .await;
        let path = format!("/api/v1/incidents/{}", s(&i["id"]));
        assert_eq!(ok(t.get(&path, &obs).await, StatusCode::OK)["id"], i["id"]);
        let before = t.count("incidents").await;
        problem(
            &t.post(
                "/api/v1/incidents",
                &obs,
                json!({"title": "x", "constituency": "a"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.patch(&path, &obs, json!({"title": "x"})).await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.post(&format!("{path}/entries"), &obs, json!({"body": "x"}))
                .await,
            StatusCode::FORBIDDEN,
            None,
        );
        problem(
            &t.post(
                "/api/v1/reports",
                &obs,
                json!({"subject": "x", "constituency": "a"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            None,
        );
        assert_eq!(t.count("incidents").await, before);
        assert_eq!(
            ok(t.get(&path, &obs).await, StatusCode::OK)["version"],
            json!(1)
        );
    })
    .await;
}

#[tokio::test]
async fn reporters_see_only_their_own_reports_and_no_incidents() {
    for_each_backend(|t| async move {
        t.with_constituency("a").await;
        let rep = t.with_user("rep", Role::Reporter, &["a"]).await;
        let inc = incident(
            &t,
            t.admin_token(),
            json!({"title": "internal", "constituency": "a", "tlp": "clear"}),
        )
        .await;
        let theirs = ok(
            t.post(
                "/api/v1/reports",
                t.admin_token(),
                json!({"subject": "staff report", "constituency": "a"}),
            )
            .await,
            StatusCode::CREATED,
        );
        let mine = ok(
            t.post("/api/v1/reports", &rep, json!({"subject": "my report"}))
                .await,
            StatusCode::CREATED,
        );
        let list = ok(t.get("/api/v1/reports", &rep).await, StatusCode::OK);
        let ids: Vec<Value> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["id"].clone())
            .collect();
        assert_eq!(ids, vec![mine["id"].clone()]);
        assert_eq!(
            ok(
                t.get(&format!("/api/v1/reports/{}", s(&mine["ref"])), &rep)
                    .await,
                StatusCode::OK
            )["id"],
            mine["id"]
        );
        problem(
            &t.get(&format!("/api/v1/reports/{}", s(&theirs["id"])), &rep)
                .await,
            StatusCode::NOT_FOUND,
            None,
        );
        assert!(titles(&t, &rep, "").await.is_empty());
        problem(
            &t.get(&format!("/api/v1/incidents/{}", s(&inc["id"])), &rep)
                .await,
            StatusCode::NOT_FOUND,
            None,
        );
        problem(
            &t.post(
                "/api/v1/incidents",
                &rep,
                json!({"title": "x", "constituency": "a"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            None,
        );
    })
    .await;
}

#[tokio::test]
async fn a_reporter_lists_every_report_they_filed() {
    for_each_backend(|t| async move {
        t.with_constituency("a").await;
        t.with_constituency("b").await;
        let rep = t.with_user("rep", Role::Reporter, &["a"]).await;
        let filed = ok(
            t.post(
                "/api/v1/reports",
                &rep,
                json!({"subject": "to B", "constituency": "b"}),
            )
            .await,
            StatusCode::CREATED,
        );
        assert_eq!(
            ok(
                t.get(&format!("/api/v1/reports/{}", s(&filed["id"])), &rep)
                    .await,
                StatusCode::OK
            )["id"],
            filed["id"]
        );
        let list = ok(t.get("/api/v1/reports", &rep).await, StatusCode::OK);
        assert_eq!(
            list["items"].as_array().map(Vec::len),
            Some(1),
            "GET by id shows it, so the list must too: {list}"
        );
    })
    .await;
}

#[tokio::test]
async fn handlers_take_work_and_leads_assign_it() {
    for_each_backend(|t| async move {
        t.with_constituency("a").await;
        let lead = t.with_user("lead", Role::Lead, &["a"]).await;
        let h1 = t.with_user("h1", Role::Handler, &["a"]).await;
        t.with_user("h2", Role::Handler, &["a"]).await;
        let i = incident(&t, &lead, json!({"title": "割り当て", "constituency": "a"})).await;
        let path = format!("/api/v1/incidents/{}", s(&i["id"]));
        // (who, owner patch, expected status, owner afterwards)
        let steps: &[(&str, Value, StatusCode, Value)] = &[
            ("h1", json!("h2"), StatusCode::FORBIDDEN, Value::Null),
            ("h1", json!("h1"), StatusCode::OK, json!("h1")),
            ("lead", json!("h2"), StatusCode::OK, json!("h2")),
            ("h1", Value::Null, StatusCode::FORBIDDEN, json!("h2")),
            ("lead", Value::Null, StatusCode::OK, Value::Null),
        ];
        for (who, owner, want, after) in steps {
            let token = if *who == "lead" { &lead } else { &h1 };
            let r = t.patch(&path, token, json!({"owner": owner})).await;
            assert_eq!(r.0, *want, "{who} sets owner {owner}: {}", r.1);
            let now = ok(t.get(&path, &lead).await, StatusCode::OK);
            let owner_name = match now["owner"].as_str() {
                Some(id) => json!(t.app.resolve_user(id).await.expect("owner").username),
                None => Value::Null,
            };
            assert_eq!(owner_name, *after, "after {who} sets {owner}");
        }
    })
    .await;
}

#[tokio::test]
async fn records_addressed_by_id_inherit_their_incident_scope() {
    for_each_backend(|t| async move {
        let admin = t.admin_token();
        t.with_constituency("a").await;
        t.with_constituency("b").await;
        let ha = t.with_user("ha", Role::Handler, &["a"]).await;
        let theirs = incident(&t, admin, json!({"title": "B", "constituency": "b"})).await;
        let base = format!("/api/v1/incidents/{}", s(&theirs["id"]));
        let v = ok(
            t.post(
                &format!("{base}/investigations"),
                admin,
                json!({"title": "調査"}),
            )
            .await,
            StatusCode::CREATED,
        );
        let c = ok(
            t.post(
                &format!("{base}/countermeasures"),
                admin,
                json!({"what": "198.51.100.1"}),
            )
            .await,
            StatusCode::CREATED,
        );
        let up = axum::http::Request::builder()
            .method("POST")
            .uri(format!("{base}/attachments?name=secret.bin"))
            .header("authorization", format!("Bearer {admin}"))
            .header("content-type", "application/octet-stream")
            .body(axum::body::Body::from("secret"))
            .expect("request");
        let a = ok(t.raw(up).await, StatusCode::CREATED);
        let by_id = [
            format!("/api/v1/investigations/{}", s(&v["id"])),
            format!("/api/v1/countermeasures/{}", s(&c["id"])),
            format!("/api/v1/attachments/{}", s(&a["id"])),
        ];
        for path in &by_id {
            problem(&t.get(path, &ha).await, StatusCode::NOT_FOUND, None);
        }
        problem(
            &t.patch(&by_id[0], &ha, json!({"status": "waiting"})).await,
            StatusCode::NOT_FOUND,
            None,
        );
        problem(
            &t.patch(&by_id[1], &ha, json!({"status": "active"})).await,
            StatusCode::NOT_FOUND,
            None,
        );
        for sub in [
            "investigations",
            "countermeasures",
            "attachments",
            "entries",
            "history",
            "reports",
            "children",
        ] {
            problem(
                &t.get(&format!("{base}/{sub}"), &ha).await,
                StatusCode::NOT_FOUND,
                None,
            );
        }
        assert_eq!(
            ok(t.get(&by_id[0], admin).await, StatusCode::OK)["status"],
            json!("open"),
            "unchanged"
        );
    })
    .await;
}
