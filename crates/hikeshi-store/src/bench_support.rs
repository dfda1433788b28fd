//! Helpers for `hikeshi bench observables`: a same-run baseline (bare multi-row inserts into
//! a scratch table without indexes) and the space the observable tables take.

use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::{Sql, Val};
use hikeshi_core::Result;
use sqlx::Row;

impl SqlStore {
    /// Inserts `rows` rows of 8 integers into a scratch table, `per_tx` rows per transaction
    /// in statements of 1,000 rows (the shape of `obs_links` writes), then drops the table.
    pub async fn bench_baseline_insert(&self, rows: usize, per_tx: usize) -> Result<()> {
        sqlx::query("CREATE TABLE IF NOT EXISTS bench_baseline (a BIGINT, b BIGINT, c BIGINT, d BIGINT, e BIGINT, f BIGINT, g BIGINT, h BIGINT)")
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        let mut done = 0usize;
        while done < rows {
            let n_tx = per_tx.min(rows - done);
            let mut tx = self.write.begin().await.map_err(db_err)?;
            let mut left = n_tx;
            while left > 0 {
                let n = left.min(1000);
                let mut s = Sql::new("INSERT INTO bench_baseline (a, b, c, d, e, f, g, h) VALUES ");
                for i in 0..n {
                    s.push(if i == 0 { "(" } else { ", (" });
                    for j in 0..8 {
                        if j > 0 {
                            s.push(", ");
                        }
                        s.bind(Val::I((done + i + j) as i64));
                    }
                    s.push(")");
                }
                s.query_on(self.backend)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                left -= n;
                done += n;
            }
            tx.commit().await.map_err(db_err)?;
        }
        sqlx::query("DROP TABLE bench_baseline")
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// SQLite: the page cache of the single writer connection, in MiB (the default is 16).
    /// For measuring how ingest depends on it; PostgreSQL: nothing.
    pub async fn set_writer_cache_mib(&self, mib: i64) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let sql = format!("PRAGMA cache_size = -{}", mib.max(1) * 1024);
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&self.write)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    /// Bytes used: SQLite, the whole database file in use (checkpointed); PostgreSQL, the
    /// observable tables with their indexes.
    pub async fn observable_storage_bytes(&self) -> Result<i64> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&self.write)
                    .await
                    .map_err(db_err)?;
                let row = sqlx::query("SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()) AS pages, (SELECT page_size FROM pragma_page_size()) AS size")
                    .fetch_one(&self.write)
                    .await
                    .map_err(db_err)?;
                let pages: i64 = row.try_get("pages").map_err(db_err)?;
                let size: i64 = row.try_get("size").map_err(db_err)?;
                Ok(pages * size)
            }
            Backend::Postgres => {
                let row = sqlx::query("SELECT (pg_total_relation_size('obs_values') + pg_total_relation_size('obs_links') + pg_total_relation_size('obs_records'))::BIGINT AS n")
                    .fetch_one(&self.write)
                    .await
                    .map_err(db_err)?;
                row.try_get("n").map_err(db_err)
            }
        }
    }
}
