//! Playbooks turning into tasks (automatic by classification, and by hand), task updates and
//! evidence, the handling loop with its iteration count, the APT decision rule and the review
//! rule for closing high and critical incidents. The clock is fixed and moved by hand.

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_testkit::{FixedClock, for_each_backend};
use jiff::{SignedDuration, Timestamp};

fn phishing_playbook() -> Value {
    json!({
        "slug": "phishing",
        "title_ja": "フィッシング対応",
        "title_en": "Phishing response",
        "classifications": ["phishing"],
        "tasks": [
            {"title_ja": "テイクダウン依頼", "title_en": "Request takedown",
             "description": "ホスティング事業者へ依頼", "checklist": ["URL を確認", "依頼を送付"],
             "due_in_minutes": 240},
            {"title_ja": "注意喚起", "title_en": "Warn the constituency"}
        ]
    })
}

fn after(mins: i64) -> String {
    FixedClock::start()
        .checked_add(SignedDuration::from_mins(mins))
        .expect("time")
        .to_string()
}

fn ts(v: &Value) -> Timestamp {
    s(v).parse().expect("timestamp")
}

#[tokio::test]
async fn playbooks_turn_into_tasks_by_classification_and_by_hand() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let p = ok(
            t.post("/api/v1/playbooks", tok, phishing_playbook()).await,
            StatusCode::CREATED,
        );
        assert_eq!(p["version"], json!(1));
        problem(
            &t.post("/api/v1/playbooks", tok, phishing_playbook()).await,
            StatusCode::CONFLICT,
            Some("slug"),
        );
        let ddos = json!({"slug": "ddos", "title_ja": "DDoS 対応", "title_en": "DDoS response",
            "classifications": ["availability/ddos"],
            "tasks": [{"title_ja": "上流へ連絡", "title_en": "Call upstream", "due_in_minutes": 30}]});
        ok(t.post("/api/v1/playbooks", tok, ddos).await, StatusCode::CREATED);

        // Created with a bound classification: the playbook applies itself.
        let i = incident(
            &t,
            tok,
            json!({"title": "偽ログインページ", "rsit_class": "fraud", "rsit_type": "phishing", "owner": "me"}),
        )
        .await;
        let path = format!("/api/v1/incidents/{}/tasks", s(&i["ref"]));
        let tasks = ok(t.get(&path, tok).await, StatusCode::OK);
        assert_eq!(tasks.as_array().map(Vec::len), Some(2));
        assert_eq!(tasks[0]["title_en"], json!("Request takedown"));
        assert_eq!(ts(&tasks[0]["due_at"]), after(240).parse::<Timestamp>().expect("t"));
        assert_eq!(tasks[1]["due_at"], Value::Null);
        assert_eq!(tasks[0]["owner"], i["owner"]);
        assert_eq!(tasks[0]["status"], json!("open"));
        assert_eq!(tasks[0]["playbook_version"], json!(1));
        assert_eq!(
            tasks[0]["checklist"],
            json!([{"text": "URL を確認", "done": false}, {"text": "依頼を送付", "done": false}])
        );

        // An edit that keeps the classification adds nothing; a by-hand application later
        // counts its due dates from then.
        let ipath = format!("/api/v1/incidents/{}", s(&i["ref"]));
        ok(t.patch(&ipath, tok, json!({"title": "偽ログインページ (続報)"})).await, StatusCode::OK);
        assert_eq!(ok(t.get(&path, tok).await, StatusCode::OK).as_array().map(Vec::len), Some(2));
        t.clock.advance(SignedDuration::from_mins(90));
        let added = ok(
            t.post(&format!("/api/v1/incidents/{}/playbooks", s(&i["ref"])), tok, json!({"playbook": "ddos"}))
                .await,
            StatusCode::CREATED,
        );
        assert_eq!(ts(&added[0]["due_at"]), after(120).parse::<Timestamp>().expect("t"));
        problem(
            &t.post(&format!("/api/v1/incidents/{}/playbooks", s(&i["ref"])), tok, json!({"playbook": "nope"}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("playbook"),
        );
        // Reclassified to DDoS: its playbook is already there, nothing doubles.
        ok(
            t.patch(&ipath, tok, json!({"rsit_class": "availability", "rsit_type": "ddos"})).await,
            StatusCode::OK,
        );
        assert_eq!(ok(t.get(&path, tok).await, StatusCode::OK).as_array().map(Vec::len), Some(3));

        // A task: checklist flags, status, notes, evidence.
        let task = format!("/api/v1/tasks/{}", s(&tasks[0]["id"]));
        problem(
            &t.patch(&task, tok, json!({"checklist": [true]})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("checklist"),
        );
        problem(
            &t.patch(&task, tok, json!({"status": "finished"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("status"),
        );
        let done = ok(
            t.patch(&task, tok, json!({"checklist": [true, true], "status": "done", "notes": "依頼済み", "version": 1}))
                .await,
            StatusCode::OK,
        );
        assert_eq!((done["status"].clone(), done["version"].clone()), (json!("done"), json!(2)));
        problem(
            &t.patch(&task, tok, json!({"notes": "x", "version": 1})).await,
            StatusCode::CONFLICT,
            Some("version"),
        );
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("{task}/evidence?name=takedown-ack.eml"))
            .header(header::AUTHORIZATION, format!("Bearer {tok}"))
            .header(header::CONTENT_TYPE, "message/rfc822")
            .body(Body::from("Subject: ack\r\n\r\nremoved"))
            .expect("request");
        let ev = ok(t.raw(req).await, StatusCode::CREATED);
        assert_eq!(ev["task"]["evidence"], json!([ev["attachment"]["id"].clone()]));
        let atts = ok(
            t.get(&format!("/api/v1/incidents/{}/attachments", s(&i["ref"])), tok).await,
            StatusCode::OK,
        );
        assert_eq!(atts[0]["name"], json!("takedown-ack.eml"));

        // A revision after review: reason required, old version kept, applied tasks keep theirs.
        let mut rev = phishing_playbook();
        rev["tasks"][1]["due_in_minutes"] = json!(60);
        problem(
            &t.post("/api/v1/playbooks/phishing/revisions", tok, rev.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reason"),
        );
        rev["reason"] = json!("2026-0001 のレビュー: 注意喚起を 1 時間以内に");
        let v2 = ok(
            t.post("/api/v1/playbooks/phishing/revisions", tok, rev).await,
            StatusCode::CREATED,
        );
        assert_eq!(v2["version"], json!(2));
        let versions = ok(t.get("/api/v1/playbooks/phishing", tok).await, StatusCode::OK);
        assert_eq!(versions.as_array().map(Vec::len), Some(2));
        let latest = ok(t.get("/api/v1/playbooks", tok).await, StatusCode::OK);
        assert_eq!(
            latest.as_array().expect("list").iter().map(|p| (s(&p["slug"]), p["version"].clone())).collect::<Vec<_>>(),
            vec![("ddos".to_string(), json!(1)), ("phishing".to_string(), json!(2))]
        );
        assert_eq!(ok(t.get(&task, tok).await, StatusCode::OK)["playbook_version"], json!(1));
    })
    .await;
}

#[tokio::test]
async fn playbook_input_errors_name_the_field() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let cases = [
            (
                json!({"slug": "Bad Slug"}),
                "slug",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"tasks": []}),
                "tasks",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"title_en": ""}),
                "title_en",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"colour": "red"}),
                "colour",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ];
        for (patch, field, status) in cases {
            let mut body = phishing_playbook();
            for (k, v) in patch.as_object().expect("object") {
                body[k] = v.clone();
            }
            problem(
                &t.post("/api/v1/playbooks", tok, body).await,
                status,
                Some(field),
            );
        }
        let mut body = phishing_playbook();
        body["tasks"][0]["due_in_minutes"] = json!(-5);
        problem(
            &t.post("/api/v1/playbooks", tok, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("tasks[0].due_in_minutes"),
        );
        t.with_constituency("c").await;
        let h = t
            .with_user("hana", hikeshi_core::model::Role::Handler, &["c"])
            .await;
        problem(
            &t.post("/api/v1/playbooks", &h, phishing_playbook()).await,
            StatusCode::FORBIDDEN,
            None,
        );
    })
    .await;
}

async fn go(t: &TestApp, path: &str, tok: &str, status: &str) -> Value {
    let mut body = json!({"status": status});
    if status == "resolved" {
        body["resolution"] = json!("封じ込めと駆除を確認");
    }
    ok(t.patch(path, tok, body).await, StatusCode::OK)
}

#[tokio::test]
async fn the_handling_loop_counts_iterations_and_enforces_its_rules() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        let i = incident(&t, tok, json!({"title": "標的型攻撃", "apt": true, "severity": "critical"})).await;
        let r = s(&i["ref"]);
        let path = format!("/api/v1/incidents/{r}");
        let plans = format!("{path}/plans");
        let handling = format!("{path}/handling");
        go(&t, &path, tok, "analysing").await;
        go(&t, &path, tok, "planning").await;
        // APT: no leaving planning for responding without the recorded decision.
        problem(
            &t.patch(&path, tok, json!({"status": "responding"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("response_plan.strategy"),
        );
        ok(t.post(&plans, tok, json!({"objectives": "影響範囲を把握"})).await, StatusCode::CREATED);
        problem(
            &t.patch(&path, tok, json!({"status": "responding"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("response_plan.strategy"),
        );
        problem(
            &t.post(&plans, tok, json!({"objectives": "x", "strategy": "scope-first", "risk_tolerance": "y"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("risk"),
        );
        problem(
            &t.post(&plans, tok, json!({"objectives": "x", "strategy": "wait-and-see"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("strategy"),
        );
        let p1 = ok(
            t.post(&plans, tok, json!({"objectives": "全端末の特定", "strategy": "scope-first",
                "risk": "調査中も情報流出が続く可能性", "risk_tolerance": "顧客情報なし: 72 時間まで許容"}))
                .await,
            StatusCode::CREATED,
        );
        assert_eq!(p1["iteration"], json!(1));
        go(&t, &path, tok, "responding").await;
        go(&t, &path, tok, "verifying").await;
        let ver = format!("{path}/verifications");
        problem(
            &t.post(&ver, tok, json!({"notes": "x"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("outcome"),
        );
        ok(
            t.post(&ver, tok, json!({"outcome": "not-resolved", "notes": "別の C2 を発見"})).await,
            StatusCode::CREATED,
        );
        // Loop back: iteration 2, and the decision must be taken again.
        go(&t, &path, tok, "planning").await;
        let h = ok(t.get(&handling, tok).await, StatusCode::OK);
        assert_eq!(h["iteration"], json!(2));
        problem(
            &t.patch(&path, tok, json!({"status": "responding"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("response_plan.strategy"),
        );
        let p2 = ok(
            t.post(&plans, tok, json!({"objectives": "一斉駆除", "strategy": "eliminate-now",
                "risk": "攻撃者に気付かれる", "risk_tolerance": "全容把握済み"}))
                .await,
            StatusCode::CREATED,
        );
        assert_eq!(p2["iteration"], json!(2));
        go(&t, &path, tok, "responding").await;
        go(&t, &path, tok, "verifying").await;
        go(&t, &path, tok, "analysing").await;
        go(&t, &path, tok, "planning").await;
        assert_eq!(ok(t.get(&handling, tok).await, StatusCode::OK)["iteration"], json!(3));
        ok(
            t.post(&plans, tok, json!({"objectives": "残存確認", "strategy": "eliminate-now", "risk": "低", "risk_tolerance": "許容"})).await,
            StatusCode::CREATED,
        );
        go(&t, &path, tok, "responding").await;
        go(&t, &path, tok, "verifying").await;
        ok(t.post(&ver, tok, json!({"outcome": "resolved"})).await, StatusCode::CREATED);
        go(&t, &path, tok, "resolved").await;
        problem(
            &t.post(&ver, tok, json!({"outcome": "resolved"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("status"),
        );
        // Critical: no closing before the post-incident review.
        let refused = t.patch(&path, tok, json!({"status": "closed"})).await;
        problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, Some("review"));
        assert!(s(&refused.1["detail"]).contains("post-incident review"));
        problem(
            &t.post(&format!("{path}/reviews"), tok, json!({"root_cause": "VPN の脆弱性", "why": "", "changes": "x"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("why"),
        );
        ok(
            t.post(&format!("{path}/reviews"), tok, json!({"root_cause": "VPN 装置の脆弱性",
                "why": "パッチ適用の手順がなかった", "changes": "パッチ手順を規程に追加; playbook apt v2"}))
                .await,
            StatusCode::CREATED,
        );
        let closed = go(&t, &path, tok, "closed").await;
        assert_eq!(closed["status"], json!("closed"));
        let h = ok(t.get(&handling, tok).await, StatusCode::OK);
        assert_eq!(
            (h["plans"].as_array().map(Vec::len), h["verifications"].as_array().map(Vec::len), h["reviews"].as_array().map(Vec::len), h["review_required"].clone()),
            (Some(4), Some(2), Some(1), json!(true))
        );

        // Medium severity and not targeted: no decision, no review needed.
        let m = incident(&t, tok, json!({"title": "スパム", "severity": "medium"})).await;
        let mp = format!("/api/v1/incidents/{}", s(&m["ref"]));
        go(&t, &mp, tok, "planning").await;
        go(&t, &mp, tok, "responding").await;
        go(&t, &mp, tok, "verifying").await;
        go(&t, &mp, tok, "resolved").await;
        go(&t, &mp, tok, "closed").await;
        // High severity is held to the rule too.
        let hi = incident(&t, tok, json!({"title": "改ざん", "severity": "high"})).await;
        let hp = format!("/api/v1/incidents/{}", s(&hi["ref"]));
        go(&t, &hp, tok, "resolved").await;
        problem(
            &t.patch(&hp, tok, json!({"status": "closed"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("review"),
        );
    })
    .await;
}

#[tokio::test]
async fn handling_records_follow_the_incidents_visibility() {
    for_each_backend(|t| async move {
        let tok = t.admin_token();
        t.with_constituency("c").await;
        t.with_constituency("d").await;
        use hikeshi_core::model::Role;
        let obs = t.with_user("miru", Role::Observer, &["c"]).await;
        let other = t.with_user("yoso", Role::Handler, &["d"]).await;
        let rep = t.with_user("tsuho", Role::Reporter, &["c"]).await;
        ok(t.post("/api/v1/playbooks", tok, phishing_playbook()).await, StatusCode::CREATED);
        let i = incident(
            &t,
            tok,
            json!({"title": "可視性", "constituency": "c", "rsit_class": "fraud", "rsit_type": "phishing"}),
        )
        .await;
        let r = s(&i["ref"]);
        let tasks = ok(t.get(&format!("/api/v1/incidents/{r}/tasks"), &obs).await, StatusCode::OK);
        let task = format!("/api/v1/tasks/{}", s(&tasks[0]["id"]));
        ok(t.get(&task, &obs).await, StatusCode::OK);
        problem(&t.patch(&task, &obs, json!({"status": "done"})).await, StatusCode::FORBIDDEN, None);
        problem(
            &t.post(&format!("/api/v1/incidents/{r}/plans"), &obs, json!({"objectives": "x"})).await,
            StatusCode::FORBIDDEN,
            None,
        );
        // Another constituency: the records do not exist for them.
        problem(&t.get(&task, &other).await, StatusCode::NOT_FOUND, None);
        problem(&t.get(&format!("/api/v1/incidents/{r}/handling"), &other).await, StatusCode::NOT_FOUND, None);
        problem(&t.patch(&task, &other, json!({"status": "done"})).await, StatusCode::NOT_FOUND, None);
        let cm = ok(
            t.post(&format!("/api/v1/incidents/{r}/countermeasures"), tok, json!({"what": "192.0.2.1"})).await,
            StatusCode::CREATED,
        );
        problem(
            &t.post("/api/v1/approvals", &other, json!({"countermeasure": s(&cm["id"]), "reason": "x"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("countermeasure"),
        );
        // Giving a task to someone tells them.
        let tanto = t.with_user("tanto", Role::Handler, &["c"]).await;
        ok(t.patch(&task, tok, json!({"owner": "tanto"})).await, StatusCode::OK);
        let told = ok(t.get("/api/v1/notifications", &tanto).await, StatusCode::OK);
        assert_eq!((told[0]["event"].clone(), told[0]["ref"].clone()), (json!("assignment"), json!(r)));
        problem(&t.patch(&task, &tanto, json!({"owner": "miru"})).await, StatusCode::FORBIDDEN, None);
        // Reporters see none of it.
        problem(&t.get("/api/v1/playbooks", &rep).await, StatusCode::FORBIDDEN, None);
        problem(&t.get("/api/v1/approvals", &rep).await, StatusCode::FORBIDDEN, None);
        problem(&t.get("/api/v1/webhooks", &rep).await, StatusCode::FORBIDDEN, None);
    })
    .await;
}
