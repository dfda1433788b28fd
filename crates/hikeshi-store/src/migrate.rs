//! Embedded migrations, one tree per backend with the same file names (checked by a test).
//! A database newer than this binary stops start-up with a readable message.

use crate::connect::{Backend, SqlStore, db_err};
use hikeshi_core::{Error, Result};
use sqlx::Row;

/// (version, name, sqlite sql, postgres sql)
pub const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "0001_init.sql",
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "0002_mail_intake.sql",
        include_str!("../migrations/sqlite/0002_mail_intake.sql"),
        include_str!("../migrations/postgres/0002_mail_intake.sql"),
    ),
    (
        3,
        "0003_single_statement_create.sql",
        include_str!("../migrations/sqlite/0003_single_statement_create.sql"),
        include_str!("../migrations/postgres/0003_single_statement_create.sql"),
    ),
    (
        4,
        "0004_saved_searches_and_due.sql",
        include_str!("../migrations/sqlite/0004_saved_searches_and_due.sql"),
        include_str!("../migrations/postgres/0004_saved_searches_and_due.sql"),
    ),
    (
        5,
        "0005_deferred_search_index.sql",
        include_str!("../migrations/sqlite/0005_deferred_search_index.sql"),
        include_str!("../migrations/postgres/0005_deferred_search_index.sql"),
    ),
    (
        6,
        "0006_handling.sql",
        include_str!("../migrations/sqlite/0006_handling.sql"),
        include_str!("../migrations/postgres/0006_handling.sql"),
    ),
    (
        7,
        "0007_openpgp.sql",
        include_str!("../migrations/sqlite/0007_openpgp.sql"),
        include_str!("../migrations/postgres/0007_openpgp.sql"),
    ),
    (
        8,
        "0008_triage_sla_deadlines.sql",
        include_str!("../migrations/sqlite/0008_triage_sla_deadlines.sql"),
        include_str!("../migrations/postgres/0008_triage_sla_deadlines.sql"),
    ),
    (
        9,
        "0009_observables.sql",
        include_str!("../migrations/sqlite/0009_observables.sql"),
        include_str!("../migrations/postgres/0009_observables.sql"),
    ),
    (
        10,
        "0010_intake.sql",
        include_str!("../migrations/sqlite/0010_intake.sql"),
        include_str!("../migrations/postgres/0010_intake.sql"),
    ),
    (
        11,
        "0011_mailout.sql",
        include_str!("../migrations/sqlite/0011_mailout.sql"),
        include_str!("../migrations/postgres/0011_mailout.sql"),
    ),
    (
        12,
        "0012_search_lowercase.sql",
        include_str!("../migrations/sqlite/0012_search_lowercase.sql"),
        include_str!("../migrations/postgres/0012_search_lowercase.sql"),
    ),
    (
        13,
        "0013_notify_delivery.sql",
        include_str!("../migrations/sqlite/0013_notify_delivery.sql"),
        include_str!("../migrations/postgres/0013_notify_delivery.sql"),
    ),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = 13;

impl SqlStore {
    /// The schema version recorded in the database (0 when empty).
    pub async fn schema_version(&self) -> Result<i64> {
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
            .fetch_one(&self.write)
            .await
            .map_err(db_err)?;
        row.try_get::<i64, _>("v").map_err(db_err)
    }

    pub async fn migrate(&self) -> Result<Vec<String>> {
        let current = self.schema_version().await?;
        if current > SCHEMA_VERSION {
            return Err(Error::Internal(format!(
                "the database schema is version {current}, newer than this hikeshi binary understands (up to {SCHEMA_VERSION}); \
                 install a newer hikeshi, or restore a backup made for this version"
            )));
        }
        let mut applied = Vec::new();
        for (version, name, sqlite, pg) in MIGRATIONS {
            if *version <= current {
                continue;
            }
            let body = match self.backend {
                Backend::Sqlite => *sqlite,
                Backend::Postgres => *pg,
            };
            let mut tx = self.write.begin().await.map_err(db_err)?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(body))
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::Internal(format!("migration {name}: {e}")))?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(*version)
            .bind(*name)
            .bind(0_i64)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            tx.commit().await.map_err(db_err)?;
            applied.push(name.to_string());
        }
        Ok(applied)
    }
}
