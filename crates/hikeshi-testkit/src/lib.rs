//! Test harness for Hikeshi: a settable clock, throw-away databases on both backends, and
//! `TestApp` — the real use cases and the real router over a fresh database, called
//! in-process with `tower::ServiceExt::oneshot`.
//!
//! Every test body runs on every available backend through [`for_each_backend`] (or
//! [`for_each_db`] for store-level tests): SQLite always, PostgreSQL when
//! `HIKESHI_TEST_DATABASE_URL` names a server (a superuser URL; each test creates and drops
//! its own database). Under `CI` a missing PostgreSQL is an error, not a skip.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use hikeshi_core::access::{Actor, Scopes};
use hikeshi_core::app::{App, NewConstituency, NewToken, NewUser};
use hikeshi_core::model::{Constituency, Role};
use hikeshi_core::ports::Clock;
use hikeshi_store::{Options, SqlStore};
use hikeshi_web::{AppState, WebConfig};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use sqlx::{Connection, Row};
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// The environment variable naming the PostgreSQL server used by the tests.
pub const PG_ENV: &str = "HIKESHI_TEST_DATABASE_URL";
/// The admin's password in every `TestApp`.
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// A clock that only moves when told to. Starts at 2026-04-01T09:00:00+09:00.
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn start() -> Timestamp {
        "2026-04-01T09:00:00+09:00"
            .parse()
            .expect("valid start time")
    }

    pub fn new() -> Self {
        FixedClock(Mutex::new(Self::start()))
    }

    pub fn set(&self, t: Timestamp) {
        *self.0.lock().expect("clock lock") = t;
    }

    pub fn advance(&self, d: SignedDuration) {
        let mut t = self.0.lock().expect("clock lock");
        *t = t.checked_add(d).expect("clock stays in range");
    }
}

impl Default for FixedClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("clock lock")
    }
}

/// The two databases Hikeshi supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backends to test here: SQLite always; PostgreSQL when configured (required under CI).
    pub fn available() -> Vec<Backend> {
        let mut out = vec![Backend::Sqlite];
        match std::env::var(PG_ENV) {
            Ok(url) if !url.trim().is_empty() => out.push(Backend::Postgres),
            _ if std::env::var_os("CI").is_some() => {
                panic!(
                    "{PG_ENV} is not set, but CI is: CI must test PostgreSQL (run the tests through ./scripts/test.sh)"
                )
            }
            _ => eprintln!("skipped: PostgreSQL ({PG_ENV} not set)"),
        }
        out
    }
}

/// A fresh, empty database, removed when dropped (best effort).
#[derive(Debug)]
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    dir: Option<PathBuf>,
    pg: Option<(String, String)>,
}

fn unique() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

impl TestDb {
    pub async fn create(backend: Backend) -> TestDb {
        sqlx::any::install_default_drivers();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("hikeshi-test-{}", unique()));
                std::fs::create_dir_all(&dir).expect("create temp dir");
                let url = format!("sqlite://{}/t.db", dir.display());
                TestDb {
                    backend,
                    url,
                    dir: Some(dir),
                    pg: None,
                }
            }
            Backend::Postgres => {
                let server = std::env::var(PG_ENV).expect("PostgreSQL URL");
                let name = format!("hk_{}", unique());
                let mut conn = sqlx::AnyConnection::connect(&server)
                    .await
                    .expect("connect to the PostgreSQL server");
                let sql = format!(
                    "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
                );
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let (base, _) = server.rsplit_once('/').expect("URL with a database name");
                let query = server
                    .split_once('?')
                    .map(|(_, q)| format!("?{q}"))
                    .unwrap_or_default();
                let url = format!("{base}/{name}{query}");
                TestDb {
                    backend,
                    url,
                    dir: None,
                    pg: Some((server, name)),
                }
            }
        }
    }

    /// A plain connection to this database, outside the store (for tampering and counting).
    pub async fn connect(&self) -> sqlx::AnyConnection {
        let url = match self.backend {
            Backend::Sqlite => format!("{}?mode=rwc", self.url),
            Backend::Postgres => self.url.clone(),
        };
        sqlx::AnyConnection::connect(&url)
            .await
            .expect("plain connection")
    }

    /// Runs one statement on a plain connection; returns the rows affected.
    pub async fn exec(&self, sql: &str) -> u64 {
        let mut c = self.connect().await;
        let n = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .rows_affected();
        let _ = c.close().await;
        n
    }

    /// `SELECT COUNT(*) FROM table` on a plain connection.
    pub async fn count(&self, table: &str) -> i64 {
        let mut c = self.connect().await;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table}"
        )))
        .fetch_one(&mut c)
        .await
        .expect("count");
        let _ = c.close().await;
        row.try_get::<i64, _>("n").expect("count column")
    }

    pub async fn open(&self) -> SqlStore {
        SqlStore::open(&self.url, &Options::default())
            .await
            .unwrap_or_else(|e| panic!("open {:?}: {e}", self.backend))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((server, name)) = self.pg.take() {
            // Best effort, on its own thread and runtime: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(mut c) = sqlx::AnyConnection::connect(&server).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                            .execute(&mut c)
                            .await;
                        let _ = c.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// Runs `body` once per available backend with a fresh database; reports which failed.
pub async fn for_each_db<F, Fut>(body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()> + 'static,
{
    run_all(TestDb::create, body).await
}

/// Runs `body` once per available backend with a fresh [`TestApp`]; reports which failed.
pub async fn for_each_backend<F, Fut>(body: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()> + 'static,
{
    run_all(TestApp::new, body).await
}

async fn run_all<T, M, MF, F, Fut>(make: M, body: F)
where
    M: Fn(Backend) -> MF,
    MF: Future<Output = T>,
    F: Fn(T) -> Fut,
    Fut: Future<Output = ()> + 'static,
{
    let mut failed = Vec::new();
    for b in Backend::available() {
        let fixture = make(b).await;
        // A local task: the body need not be Send, and its panic is caught and attributed.
        let local = tokio::task::LocalSet::new();
        let fut = body(fixture);
        if local
            .run_until(async move { tokio::task::spawn_local(fut).await })
            .await
            .is_err()
        {
            eprintln!("test FAILED on backend {b:?}");
            failed.push(b);
        }
    }
    assert!(failed.is_empty(), "test failed on backend(s): {failed:?}");
}

/// The response of [`TestApp::call`]: status, JSON body (or the text as a string), headers.
pub type Reply = (StatusCode, Value, HeaderMap);

/// The application over a fresh database, with an admin and an admin token.
pub struct TestApp {
    pub backend: Backend,
    pub store: Arc<SqlStore>,
    pub clock: Arc<FixedClock>,
    pub app: App,
    pub router: Router,
    admin_token: String,
    // Last: dropped after the pools above.
    pub db: TestDb,
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::attach(TestDb::create(backend).await).await
    }

    /// The application over an existing database (e.g. after an import): bootstraps the
    /// admin only when there is no user yet, and makes a fresh admin token.
    pub async fn attach(db: TestDb) -> TestApp {
        let backend = db.backend;
        let store = Arc::new(db.open().await);
        let clock = Arc::new(FixedClock::new());
        let app = App::new(store.clone(), clock.clone());
        app.bootstrap_admin(Some(ADMIN_PASSWORD.into()))
            .await
            .expect("bootstrap admin");
        let router = hikeshi_web::router(AppState {
            app: app.clone(),
            config: WebConfig::default(),
        });
        let mut t = TestApp {
            backend,
            store,
            clock,
            app,
            router,
            admin_token: String::new(),
            db,
        };
        let admin = t.admin_actor().await;
        let (_, secret) = t
            .app
            .create_token(
                &admin,
                NewToken {
                    user: None,
                    name: Some("test".into()),
                    scopes: vec!["read".into(), "write".into(), "admin".into()],
                },
            )
            .await
            .expect("admin token");
        t.admin_token = secret;
        t
    }

    /// The actor of a user, found by name.
    pub async fn actor(&self, name: &str) -> Actor {
        let u = self.app.resolve_user(name).await.expect("user exists");
        self.app.actor_for(&u, Scopes::ALL)
    }

    /// The bootstrap admin, with every scope.
    pub async fn admin_actor(&self) -> Actor {
        self.actor("admin").await
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub async fn with_constituency(&self, slug: &str) -> Constituency {
        let input = NewConstituency {
            slug: slug.into(),
            name: format!("Constituency {slug}"),
            ..Default::default()
        };
        self.app
            .create_constituency(&self.admin_actor().await, input)
            .await
            .expect("create constituency")
    }

    /// Creates a user (password `password-NAME`) and returns a read/write token for them.
    pub async fn with_user(&self, name: &str, role: Role, constituencies: &[&str]) -> String {
        let input = NewUser {
            username: name.into(),
            role: Some(role),
            constituencies: constituencies.iter().map(|s| s.to_string()).collect(),
            password: Some(format!("password-{name}")),
            ..Default::default()
        };
        self.app
            .create_user(&self.admin_actor().await, input)
            .await
            .expect("create user");
        self.token_for(name, &["read", "write"]).await
    }

    /// A further token for an existing user, with these scopes.
    pub async fn token_for(&self, name: &str, scopes: &[&str]) -> String {
        let input = NewToken {
            user: Some(name.into()),
            name: Some(format!("{name}-token")),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        };
        self.app
            .create_token(&self.admin_actor().await, input)
            .await
            .expect("create token")
            .1
    }

    /// One JSON request through the router.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.raw(req.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// Any request, as built by the caller (odd content types, broken bodies, cookies).
    pub async fn raw(&self, req: Request<Body>) -> Reply {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("read body");
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (parts.status, value, parts.headers)
    }

    /// The raw response bytes of a GET (downloads).
    pub async fn get_bytes(&self, path: &str, token: &str) -> (StatusCode, Vec<u8>, HeaderMap) {
        let req = Request::builder()
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("read body");
        (parts.status, bytes.to_vec(), parts.headers)
    }

    /// Rows in a table, counted outside the application.
    pub async fn count(&self, table: &str) -> i64 {
        self.db.count(table).await
    }
}

/// The content type of a response.
pub fn content_type(h: &HeaderMap) -> &str {
    h.get(header::CONTENT_TYPE)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .unwrap_or("")
}
