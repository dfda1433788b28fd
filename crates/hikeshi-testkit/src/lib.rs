//! Test harness for Hikeshi: a settable clock, throw-away databases on both backends, and
//! `TestApp` — the real use cases and the real router over a fresh database, called
//! in-process with `tower::ServiceExt::oneshot`.
//!
//! Every test body runs on every available backend through [`for_each_backend`] (or
//! [`for_each_db`] for store-level tests): SQLite always, PostgreSQL when
//! `HIKESHI_TEST_DATABASE_URL` names a server (a superuser URL; each test creates and drops
//! its own database). Under `CI` a missing PostgreSQL is an error, not a skip.

mod app;
pub mod mail;

pub use app::{ADMIN_PASSWORD, Reply, TestApp, content_type};

use hikeshi_core::ports::Clock;
use hikeshi_store::{Options, SqlStore};
use jiff::{SignedDuration, Timestamp};
use sqlx::{Connection, Row};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;

/// The environment variable naming the PostgreSQL server used by the tests.
pub const PG_ENV: &str = "HIKESHI_TEST_DATABASE_URL";

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
