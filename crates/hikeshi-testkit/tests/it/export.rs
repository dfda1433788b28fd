//! Application-level export and import between backends: everything survives the move —
//! records, search, the audit chain, and the tokens people already hold.

use axum::http::StatusCode;
use hikeshi_core::Error;
use hikeshi_core::audit::Verdict;
use hikeshi_core::model::Role;
use hikeshi_testkit::{Backend, TestApp, TestDb, for_each_backend};
use serde_json::{Value, json};

/// A small but complete installation. Returns a handler's token.
async fn seed(t: &TestApp) -> String {
    let tok = t.admin_token();
    t.with_constituency("a").await;
    let handler = t.with_user("handler", Role::Handler, &["a"]).await;
    let post = |path: &'static str, body: Value| async move {
        let (st, v, _) = t.post(path, tok, body).await;
        assert_eq!(st, StatusCode::CREATED, "{path}: {v}");
        v
    };
    let i = post("/api/v1/incidents", json!({"title": "フィッシングサイトの報告", "description": "銀行を装う", "constituency": "a", "tags": ["金融"]})).await;
    post(
        "/api/v1/incidents",
        json!({"title": "Phishing kit", "tlp": "red", "named_users": ["handler"]}),
    )
    .await;
    let r = post(
        "/api/v1/reports",
        json!({"subject": "不審なメール", "content": "添付あり", "constituency": "a"}),
    )
    .await;
    let iref = i["ref"].as_str().unwrap_or_default();
    let (st, _, _) = t
        .post(
            &format!(
                "/api/v1/reports/{}/incidents",
                r["id"].as_str().unwrap_or_default()
            ),
            tok,
            json!({"incident": iref}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = t
        .post(
            &format!("/api/v1/incidents/{iref}/entries"),
            tok,
            json!({"body": "調査中です"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let up = axum::http::Request::builder()
        .method("POST")
        .uri(format!(
            "/api/v1/incidents/{iref}/attachments?name=evidence.bin"
        ))
        .header("authorization", format!("Bearer {tok}"))
        .header("content-type", "application/octet-stream")
        .body(axum::body::Body::from(vec![0u8, 1, 2, 255, 254]))
        .expect("request");
    assert_eq!(t.raw(up).await.0, StatusCode::CREATED);
    // Handling records (issue #6): a playbook applied as tasks, a plan, a webhook.
    post(
        "/api/v1/playbooks",
        json!({"slug": "phishing", "title_ja": "フィッシング対応", "title_en": "Phishing",
            "tasks": [{"title_ja": "依頼", "title_en": "Request", "checklist": ["確認"], "due_in_minutes": 60}]}),
    )
    .await;
    for (path, body) in [
        (
            format!("/api/v1/incidents/{iref}/playbooks"),
            json!({"playbook": "phishing"}),
        ),
        (
            format!("/api/v1/incidents/{iref}/plans"),
            json!({"objectives": "封じ込め"}),
        ),
    ] {
        let (st, v, _) = t.post(&path, tok, body).await;
        assert_eq!(st, StatusCode::CREATED, "{path}: {v}");
    }
    post(
        "/api/v1/webhooks",
        json!({"name": "soc", "url": "https://hooks.example/x", "format": "slack"}),
    )
    .await;
    assert!(matches!(
        t.app.verify_audit().await.expect("verify"),
        Verdict::Intact { .. }
    ));
    // One entry left unsealed at export time.
    let (st, _, _) = t
        .patch(
            &format!("/api/v1/incidents/{iref}"),
            tok,
            json!({"severity": "high"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    handler
}

/// What a user sees of the installation through the API.
async fn view(t: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/incidents",
        "/api/v1/reports",
        "/api/v1/users",
        "/api/v1/constituencies",
        "/api/v1/playbooks",
        "/api/v1/webhooks",
    ] {
        let (st, v, _) = t.get(path, token).await;
        out.push(if st == StatusCode::OK {
            v
        } else {
            json!(st.as_u16())
        });
    }
    let (_, i, _) = t.get("/api/v1/incidents/2026-0001", token).await;
    for sub in ["entries", "attachments", "reports", "history", "handling"] {
        let (_, v, _) = t
            .get(
                &format!(
                    "/api/v1/incidents/{}/{sub}",
                    i["id"].as_str().unwrap_or_default()
                ),
                token,
            )
            .await;
        out.push(v);
    }
    out
}

async fn round_trip(from: Backend, to: Backend) {
    let src = TestApp::new(from).await;
    let handler = seed(&src).await;
    let (admin_view, handler_view) = (
        view(&src, src.admin_token()).await,
        view(&src, &handler).await,
    );
    // OpenPGP: a contact's key and the team key (sealed under the installation key).
    let now = src.app.now().as_second();
    let team = hikeshi_pgp::generate("CSIRT <cert@team.example>", now - 60, None).expect("key");
    let contact = hikeshi_pgp::generate("P <p@partner.example>", now - 60, None).expect("key");
    let admin = src.admin_actor().await;
    src.app
        .install_team_key(&admin, team.armored().expect("armor").as_bytes(), "")
        .await
        .expect("team key");
    src.app
        .import_contact_key(
            &admin,
            contact.public().armored().expect("armor").as_bytes(),
        )
        .await
        .expect("contact key");
    let mut dump = Vec::new();
    let summary = src.store.export(&mut dump).await.expect("export");
    assert!(summary.total() > 20, "{summary:?}");

    let db = TestDb::create(to).await;
    let store = db.open().await;
    store.import(&mut dump.as_slice()).await.expect("import");
    store.close().await;
    let dst = TestApp::attach(db).await;
    let moved = dst
        .app
        .team_secret_key()
        .await
        .expect("unseal")
        .expect("team key");
    assert_eq!(
        moved.info.fingerprint, team.info.fingerprint,
        "{from:?} -> {to:?}"
    );
    let keys = dst
        .app
        .list_pgp_keys(&dst.admin_actor().await)
        .await
        .expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].fingerprint, contact.info.fingerprint);
    let old_admin = src.admin_token().to_string();
    assert_eq!(
        view(&dst, &old_admin).await,
        admin_view,
        "{from:?} -> {to:?}: the admin's view"
    );
    assert_eq!(
        view(&dst, &handler).await,
        handler_view,
        "{from:?} -> {to:?}: the handler's view"
    );
    let (_, found, _) = dst
        .get(
            &format!("/api/v1/incidents?q={}", super::api::enc("フィッシング")),
            &handler,
        )
        .await;
    assert_eq!(
        found["items"][0]["title"],
        json!("フィッシングサイトの報告"),
        "search works on the target"
    );
    let (_, found, _) = dst.get("/api/v1/incidents?q=phishing", &handler).await;
    assert_eq!(
        found["items"][0]["title"],
        json!("Phishing kit"),
        "TLP:RED named user finds it"
    );
    match dst.app.verify_audit().await.expect("verify") {
        Verdict::Intact { entries } => assert!(entries > 10),
        broken => panic!("{from:?} -> {to:?}: chain broken after import: {broken:?}"),
    }
    let (st, i, _) = dst
        .post(
            "/api/v1/incidents",
            &handler,
            json!({"title": "after the move", "constituency": "a"}),
        )
        .await;
    assert_eq!(
        (st, i["ref"].clone()),
        (StatusCode::CREATED, json!("2026-0003")),
        "reference counters moved too"
    );
}

fn postgres() -> bool {
    Backend::available().contains(&Backend::Postgres)
}

#[tokio::test]
async fn sqlite_to_postgres() {
    if postgres() {
        round_trip(Backend::Sqlite, Backend::Postgres).await;
    }
}

#[tokio::test]
async fn postgres_to_sqlite() {
    if postgres() {
        round_trip(Backend::Postgres, Backend::Sqlite).await;
    }
}

#[tokio::test]
async fn sqlite_to_sqlite() {
    round_trip(Backend::Sqlite, Backend::Sqlite).await;
}

#[tokio::test]
async fn import_refuses_a_database_that_is_not_empty() {
    for_each_backend(|t| async move {
        let mut dump = Vec::new();
        t.store.export(&mut dump).await.expect("export");
        let before = t.count("audit_log").await;
        let r = t.store.import(&mut dump.as_slice()).await;
        assert!(
            matches!(&r, Err(Error::Validation { field, .. }) if field == "database"),
            "{r:?}"
        );
        assert_eq!(t.count("audit_log").await, before);
        let r = TestDb::create(t.backend)
            .await
            .open()
            .await
            .import(&mut &b"not an export\n"[..])
            .await;
        assert!(matches!(r, Err(Error::Validation { .. })), "{r:?}");
    })
    .await;
}

/// Tables that only hold derived data (rebuilt after import) or the schema version.
const DERIVED: &[&str] = &[
    "schema_migrations",
    "incident_fts",
    "report_fts",
    "search_docs",
    "search_pending",
];

#[tokio::test]
async fn export_covers_every_table_that_holds_data() {
    hikeshi_testkit::for_each_db(|db| async move {
        db.open().await.close().await;
        let sql = match db.backend {
            Backend::Sqlite => "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            Backend::Postgres => "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'public'",
        };
        let mut c = db.connect().await;
        let rows = sqlx::query(sql).fetch_all(&mut c).await.expect("tables");
        let missing: Vec<String> = rows
            .iter()
            .map(|r| sqlx::Row::try_get::<String, _>(r, "t").expect("name"))
            .filter(|t| !DERIVED.iter().any(|d| t == d || t.starts_with(&format!("{d}_"))))
            .filter(|t| !hikeshi_store::TABLES.contains(&t.as_str()))
            .collect();
        assert!(missing.is_empty(), "tables not exported: {missing:?}");
    })
    .await;
}
