//! Incidents: create, read by id and reference, optimistic concurrency, the state machine,
//! search, merge.

use super::*;
use hikeshi_testkit::for_each_backend;

#[tokio::test]
async fn create_get_by_id_and_ref_and_stale_patch() {
    for_each_backend(|t| async move {
        t.with_constituency("a").await;
        let tok = t.admin_token();
        let body = json!({"title": "フィッシング報告", "description": "銀行を装う", "severity": "high", "tlp": "amber", "constituency": "a"});
        let i = incident(&t, tok, body).await;
        assert_eq!((i["ref"].clone(), i["version"].clone(), i["status"].clone()), (json!("2026-0001"), json!(1), json!("open")));
        assert!(uuid::Uuid::parse_str(&s(&i["id"])).is_ok());
        assert_eq!(ok(t.get(&format!("/api/v1/incidents/{}", s(&i["id"])), tok).await, StatusCode::OK), i);
        assert_eq!(ok(t.get("/api/v1/incidents/2026-0001", tok).await, StatusCode::OK), i);
        problem(&t.get("/api/v1/incidents/2026-0999", tok).await, StatusCode::NOT_FOUND, None);

        let path = format!("/api/v1/incidents/{}", s(&i["id"]));
        let v2 = ok(t.patch(&path, tok, json!({"version": 1, "title": "改題"})).await, StatusCode::OK);
        assert_eq!((v2["title"].clone(), v2["version"].clone()), (json!("改題"), json!(2)));
        problem(&t.patch(&path, tok, json!({"version": 1, "title": "lost update"})).await, StatusCode::CONFLICT, Some("version"));
        assert_eq!(ok(t.get(&path, tok).await, StatusCode::OK)["title"], json!("改題"));
    })
    .await;
}

#[tokio::test]
async fn status_transitions_follow_the_state_machine() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let i = incident(&t, tok, json!({"title": "状態遷移"})).await;
        let path = format!("/api/v1/incidents/{}", s(&i["id"]));
        // (patch, expected status, field named on refusal, status afterwards)
        let steps: &[(Value, StatusCode, Option<&str>, &str)] = &[
            (
                json!({"status": "analysing"}),
                StatusCode::OK,
                None,
                "analysing",
            ),
            (
                json!({"status": "closed"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("status"),
                "analysing",
            ),
            (
                json!({"status": "resolved"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("resolution"),
                "analysing",
            ),
            (
                json!({"status": "resolved", "resolution": "   "}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("resolution"),
                "analysing",
            ),
            (
                json!({"status": "resolved", "resolution": "遮断済み"}),
                StatusCode::OK,
                None,
                "resolved",
            ),
            (
                json!({"status": "analysing"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("status"),
                "resolved",
            ),
            (json!({"status": "open"}), StatusCode::OK, None, "open"),
            (
                json!({"status": "no-such-status"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("status"),
                "open",
            ),
            (
                json!({"status": "abandoned", "resolution": "誤検知"}),
                StatusCode::OK,
                None,
                "abandoned",
            ),
            (json!({"status": "open"}), StatusCode::OK, None, "open"),
        ];
        for (patch, want, field, after) in steps {
            let r = t.patch(&path, tok, patch.clone()).await;
            if *want == StatusCode::OK {
                assert_eq!(r.0, StatusCode::OK, "{patch}: {}", r.1);
            } else {
                problem(&r, *want, *field);
            }
            let now = ok(t.get(&path, tok).await, StatusCode::OK);
            assert_eq!(now["status"], json!(after), "after {patch}");
        }
        let reopened = ok(t.get(&path, tok).await, StatusCode::OK);
        assert_eq!(
            reopened["resolution"],
            Value::Null,
            "re-opening clears the resolution"
        );
    })
    .await;
}

#[tokio::test]
async fn search_finds_japanese_and_english_in_titles_and_descriptions() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        for (title, description) in [
            ("フィッシングサイト", "銀行を装うサイトの報告"),
            ("DDoS", "大規模な攻撃を観測"),
            ("Phishing kit found", "credential harvesting"),
            ("不正ログイン", "phishing で窃取された認証情報"),
        ] {
            incident(&t, tok, json!({"title": title, "description": description})).await;
        }
        let cases: &[(&str, &[&str])] = &[
            ("フィッシング", &["フィッシングサイト"]),
            ("攻撃", &["DDoS"]),
            ("phishing", &["Phishing kit found", "不正ログイン"]),
            ("PhIsHiNg", &["Phishing kit found", "不正ログイン"]),
            ("phishing 認証", &["不正ログイン"]),
            ("銀行 サイト", &["フィッシングサイト"]),
            ("攻撃 phishing", &[]),
            ("zzzz", &[]),
        ];
        for (q, want) in cases {
            assert_eq!(
                titles(&t, tok, &format!("?q={}", enc(q))).await,
                *want,
                "q={q}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn merge_moves_reports_and_children_and_the_old_ref_resolves() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let survivor = incident(&t, tok, json!({"title": "survivor", "tags": ["a"]})).await;
        let merged = incident(&t, tok, json!({"title": "merged", "tags": ["b"]})).await;
        let child = incident(
            &t,
            tok,
            json!({"title": "child", "parent": s(&merged["ref"])}),
        )
        .await;
        let report = ok(
            t.post("/api/v1/reports", tok, json!({"subject": "通報"}))
                .await,
            StatusCode::CREATED,
        );
        ok(
            t.post(
                &format!("/api/v1/reports/{}/incidents", s(&report["id"])),
                tok,
                json!({"incident": s(&merged["ref"])}),
            )
            .await,
            StatusCode::OK,
        );

        let merge = format!("/api/v1/incidents/{}/merge", s(&merged["id"]));
        problem(
            &t.post(&merge, tok, json!({"into": s(&merged["ref"])}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("into"),
        );
        let out = ok(
            t.post(&merge, tok, json!({"into": s(&survivor["ref"])}))
                .await,
            StatusCode::OK,
        );
        assert_eq!(out["id"], survivor["id"]);
        assert_eq!(out["tags"], json!(["a", "b"]));

        let via_old = ok(
            t.get(&format!("/api/v1/incidents/{}", s(&merged["ref"])), tok)
                .await,
            StatusCode::OK,
        );
        assert_eq!(
            via_old["id"], survivor["id"],
            "the merged reference resolves to the survivor"
        );
        let sid = s(&survivor["id"]);
        let reports = ok(
            t.get(&format!("/api/v1/incidents/{sid}/reports"), tok)
                .await,
            StatusCode::OK,
        );
        assert_eq!(
            reports
                .as_array()
                .map(|a| a.iter().map(|r| r["id"].clone()).collect::<Vec<_>>()),
            Some(vec![report["id"].clone()])
        );
        let children = ok(
            t.get(&format!("/api/v1/incidents/{sid}/children"), tok)
                .await,
            StatusCode::OK,
        );
        assert_eq!(
            children
                .as_array()
                .map(|a| a.iter().map(|c| c["id"].clone()).collect::<Vec<_>>()),
            Some(vec![child["id"].clone()])
        );
        let history = ok(
            t.get(&format!("/api/v1/incidents/{sid}/history"), tok)
                .await,
            StatusCode::OK,
        );
        let actions: Vec<&str> = history
            .as_array()
            .expect("history")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(
            actions.contains(&"incident.absorb") && actions.contains(&"incident.merge"),
            "{actions:?}"
        );
    })
    .await;
}

/// Sends the same kind of request `n` times at once; returns the statuses and bodies.
async fn concurrently(
    t: &hikeshi_testkit::TestApp,
    n: usize,
    make: impl Fn(usize) -> axum::http::Request<axum::body::Body>,
) -> Vec<(StatusCode, Value)> {
    use tower::ServiceExt;
    let tasks: Vec<_> = (0..n)
        .map(|k| tokio::spawn(t.router.clone().oneshot(make(k))))
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        let resp = task.await.expect("task").expect("router");
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        out.push((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ));
    }
    out
}

fn json_request(
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .expect("request")
}

#[tokio::test]
async fn concurrent_writers_get_distinct_refs_and_one_wins_a_version() {
    for_each_backend(|t| async move {
        let tok = t.admin_token().to_string();
        let created = concurrently(&t, 8, |k| {
            json_request(
                "POST",
                "/api/v1/incidents",
                &tok,
                json!({"title": format!("同時 {k}")}),
            )
        })
        .await;
        let mut refs: Vec<String> = created
            .iter()
            .map(|(st, v)| {
                assert_eq!(*st, StatusCode::CREATED, "{v}");
                s(&v["ref"])
            })
            .collect();
        refs.sort();
        let want: Vec<String> = (1..=8).map(|n| format!("2026-{n:04}")).collect();
        assert_eq!(refs, want, "every reference once, none skipped");

        let path = "/api/v1/incidents/2026-0001";
        let patched = concurrently(&t, 6, |k| {
            json_request(
                "PATCH",
                path,
                &tok,
                json!({"version": 1, "title": format!("編集 {k}")}),
            )
        })
        .await;
        let wins = patched
            .iter()
            .filter(|(st, _)| *st == StatusCode::OK)
            .count();
        let conflicts = patched
            .iter()
            .filter(|(st, v)| *st == StatusCode::CONFLICT && v["field"] == json!("version"))
            .count();
        assert_eq!((wins, conflicts), (1, 5), "{patched:?}");
        assert_eq!(
            ok(t.get(path, &tok).await, StatusCode::OK)["version"],
            json!(2)
        );
    })
    .await;
}

#[tokio::test]
async fn what_a_write_returns_is_what_a_read_returns() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        t.clock
            .set("2026-04-01T09:00:00.123456789+09:00".parse().expect("time"));
        let i = incident(&t, tok, json!({"title": "時刻"})).await;
        assert_eq!(
            i["created_at"],
            json!("2026-04-01T00:00:00.123456Z"),
            "microseconds"
        );
        let path = format!("/api/v1/incidents/{}", s(&i["id"]));
        assert_eq!(ok(t.get(&path, tok).await, StatusCode::OK), i);
        let patched = ok(
            t.patch(&path, tok, json!({"title": "時刻 2"})).await,
            StatusCode::OK,
        );
        assert_eq!(ok(t.get(&path, tok).await, StatusCode::OK), patched);
    })
    .await;
}

#[tokio::test]
async fn client_given_times_are_returned_as_stored() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let i = incident(
            &t,
            tok,
            json!({"title": "期限", "due_at": "2026-04-02T00:00:00.123456789Z"}),
        )
        .await;
        let path = format!("/api/v1/incidents/{}", s(&i["id"]));
        assert_eq!(
            ok(t.get(&path, tok).await, StatusCode::OK)["due_at"],
            i["due_at"],
            "POST vs GET"
        );
        let p = ok(
            t.patch(
                &path,
                tok,
                json!({"due_at": "2026-04-03T00:00:00.987654321Z"}),
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(
            ok(t.get(&path, tok).await, StatusCode::OK)["due_at"],
            p["due_at"],
            "PATCH vs GET"
        );
        let r = ok(
            t.post(
                "/api/v1/reports",
                tok,
                json!({"subject": "受信", "received_at": "2026-03-31T23:59:59.999999999Z"}),
            )
            .await,
            StatusCode::CREATED,
        );
        let got = ok(
            t.get(&format!("/api/v1/reports/{}", s(&r["id"])), tok)
                .await,
            StatusCode::OK,
        );
        assert_eq!(got["received_at"], r["received_at"], "report POST vs GET");
    })
    .await;
}
