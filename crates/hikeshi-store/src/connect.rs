//! Opening a database from a URL: `sqlite://PATH` (created when missing) or `postgres://…`.

use hikeshi_core::{Error, Result};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Connection settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// SQLite `synchronous=FULL` (survives power loss) instead of `NORMAL` (survives a
    /// process crash, not an OS crash). PostgreSQL keeps its own settings.
    pub durable: bool,
    pub max_connections: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            durable: false,
            max_connections: 16,
        }
    }
}

#[derive(Clone)]
pub struct SqlStore {
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    pub(crate) backend: Backend,
    /// SQLite: the group-commit writer for incident creation.
    pub(crate) creates: Option<crate::batch::Creates>,
    /// SQLite: the connection that checkpoints the WAL (`checkpoint.rs`).
    pub(crate) checkpoints: Option<AnyPool>,
}

pub(crate) fn db_err(e: sqlx::Error) -> Error {
    if let Some(d) = e.as_database_error()
        && d.is_unique_violation()
    {
        return Error::Duplicate {
            field: "unique".into(),
        };
    }
    Error::Internal(format!("database: {e}"))
}

impl SqlStore {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Opens the database and applies pending migrations.
    pub async fn open(url: &str, opts: &Options) -> Result<SqlStore> {
        let s = Self::connect(url, opts).await?;
        s.migrate().await?;
        Ok(s)
    }

    /// Opens without migrating (for tools that must not change the schema).
    pub async fn connect(url: &str, opts: &Options) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::validation(
                "database-url",
                "expected sqlite://PATH or postgres://…",
            ));
        };
        match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                let sync: &'static str = if opts.durable {
                    "PRAGMA synchronous = FULL"
                } else {
                    "PRAGMA synchronous = NORMAL"
                };
                // `cache` is the page cache per connection (PRAGMA cache_size; negative = KiB).
                let make = |max: u32, cache: &'static str| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .min_connections(1)
                        .acquire_timeout(Duration::from_secs(30))
                        // A local file does not drop connections: no ping before each use
                        // (on SQLite a ping is one more hand-off to the worker thread).
                        .test_before_acquire(false)
                        .after_connect(move |conn, _| {
                            Box::pin(async move {
                                use sqlx::Executor;
                                conn.execute("PRAGMA journal_mode = WAL").await?;
                                conn.execute("PRAGMA busy_timeout = 10000").await?;
                                conn.execute(sync).await?;
                                conn.execute("PRAGMA foreign_keys = OFF").await?;
                                conn.execute("PRAGMA temp_store = MEMORY").await?;
                                conn.execute(cache).await?;
                                // Checkpoints run beside the writer (`checkpoint.rs`).
                                conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                                conn.execute("PRAGMA journal_size_limit = 67108864").await?;
                                Ok(())
                            })
                        })
                };
                let write = make(1, "PRAGMA cache_size = -16000")
                    .connect(&url)
                    .await
                    .map_err(db_err)?;
                // Two readers with 16 MB of page cache each. Each connection caches pages on
                // its own, so more readers mostly cache the same pages again: at 100k, four
                // 16 MB readers took the peak RSS to 153 MB; four with 8 MB to 139 MB but
                // slowed filtered list pages (p95 8 → 42 ms).
                let read = make(2, "PRAGMA cache_size = -16000")
                    .connect(&url)
                    .await
                    .map_err(db_err)?;
                let creates = Some(crate::batch::Creates::start(write.clone()));
                // Checkpointing copies WAL frames to the file; it needs no cache.
                let checkpoints = make(1, "PRAGMA cache_size = -64")
                    .connect(&url)
                    .await
                    .map_err(db_err)?;
                crate::checkpoint::start(checkpoints.clone(), write.clone());
                Ok(SqlStore {
                    read,
                    write,
                    backend,
                    creates,
                    checkpoints: Some(checkpoints),
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(opts.max_connections.max(2))
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await
                    .map_err(db_err)?;
                Ok(SqlStore {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    creates: None,
                    checkpoints: None,
                })
            }
        }
    }

    /// Closes the pools (flushes SQLite's WAL on the last connection).
    pub async fn close(&self) {
        if let Some(c) = &self.checkpoints {
            c.close().await;
        }
        self.write.close().await;
        self.read.close().await;
    }

    /// Liveness of the database (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
