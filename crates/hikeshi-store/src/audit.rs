//! Audit entries: appended inside each writer's transaction (unsealed), then sealed in
//! commit order by `seal_audit`, which takes a lock so only one node seals at a time.

use crate::codec::{self, AUDIT_COLS};
use crate::connect::{Backend, SqlStore, db_err};
use crate::sql::{Sql, insert};
use hikeshi_core::audit::{GENESIS, entry_hash};
use hikeshi_core::model::AuditEntry;
use hikeshi_core::{Error, Result};
use sqlx::{Any, Row, Transaction};

/// How many entries one sealing transaction handles.
const SEAL_BATCH: i64 = 5000;

pub(crate) async fn write(tx: &mut Transaction<'static, Any>, a: &AuditEntry) -> Result<()> {
    let mut unsealed = a.clone();
    unsealed.seq = None;
    unsealed.hash = None;
    insert("audit_log", AUDIT_COLS, codec::audit_vals(&unsealed))
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

impl SqlStore {
    pub(crate) async fn append_audit_impl(&self, a: &AuditEntry) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        write(&mut tx, a).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn history_impl(&self, targets: &[String]) -> Result<Vec<AuditEntry>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM audit_log WHERE target_id IN ",
            AUDIT_COLS.join(", ")
        ));
        s.bind_list(targets.iter().cloned())
            .push(" ORDER BY at, id");
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(codec::audit).collect()
    }

    pub(crate) async fn seal_impl(&self) -> Result<i64> {
        let mut total = 0;
        loop {
            let n = self.seal_batch().await?;
            total += n;
            if n < SEAL_BATCH {
                return Ok(total);
            }
        }
    }

    async fn seal_batch(&self) -> Result<i64> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        if self.backend == Backend::Postgres {
            // One sealer at a time across nodes; writers never take this lock.
            sqlx::query("SELECT pg_advisory_xact_lock(7301)")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        let cp = sqlx::query("SELECT seq, hash FROM audit_checkpoint WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let (mut seq, mut prev) = match cp {
            Some(r) => (
                r.try_get::<i64, _>("seq").map_err(db_err)?,
                r.try_get::<String, _>("hash").map_err(db_err)?,
            ),
            None => (0, GENESIS.to_string()),
        };
        let rows = Sql::new(&format!(
            "SELECT {} FROM audit_log WHERE seq IS NULL ORDER BY at, id LIMIT ",
            AUDIT_COLS.join(", ")
        ))
        .bind(SEAL_BATCH)
        .query()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let n = rows.len() as i64;
        if n == 0 {
            return Ok(0);
        }
        for row in &rows {
            let e = codec::audit(row)?;
            seq += 1;
            let h = entry_hash(&prev, seq, &e);
            Sql::new("UPDATE audit_log SET seq = ")
                .bind(seq)
                .push(", hash = ")
                .bind(h.clone())
                .push(" WHERE id = ")
                .bind(e.id.to_string())
                .push(" AND seq IS NULL")
                .query()
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            prev = h;
        }
        Sql::new("INSERT INTO audit_checkpoint (id, seq, hash) VALUES (1, ")
            .bind(seq)
            .push(", ")
            .bind(prev.clone())
            .push(") ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash")
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(n)
    }

    pub(crate) async fn chain_impl(&self) -> Result<(Vec<AuditEntry>, Option<(i64, String)>)> {
        let mut tx = self.read.begin().await.map_err(db_err)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM audit_log WHERE seq IS NOT NULL ORDER BY seq",
            AUDIT_COLS.join(", ")
        )))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let entries = rows.iter().map(codec::audit).collect::<Result<Vec<_>>>()?;
        let cp = sqlx::query("SELECT seq, hash FROM audit_checkpoint WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let cp = match cp {
            Some(r) => Some((
                r.try_get::<i64, _>("seq").map_err(db_err)?,
                r.try_get::<String, _>("hash").map_err(db_err)?,
            )),
            None => None,
        };
        tx.commit().await.map_err(db_err)?;
        Ok((entries, cp))
    }
}

/// `UPDATE table SET … WHERE id = … AND version = expected` from a full column list (the
/// first column is the id); no row updated is `Conflict` (other version) or `NotFound`.
pub(crate) async fn update_row(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    cols: &[&str],
    vals: Vec<crate::sql::Val>,
    id: String,
    expected: i64,
) -> Result<()> {
    let res =
        crate::sql::update_versioned(table, &cols[1..], vals[1..].to_vec(), id.clone(), expected)
            .query()
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    if res.rows_affected() == 0 {
        return Err(conflict_or_missing(tx, table, id).await);
    }
    Ok(())
}

/// Maps "0 rows updated" to Conflict (row exists at another version) or NotFound.
pub(crate) async fn conflict_or_missing(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    id: String,
) -> Error {
    let row = Sql::new(&format!("SELECT version FROM {table} WHERE id = "))
        .bind(id)
        .query()
        .fetch_optional(&mut **tx)
        .await;
    match row {
        Ok(Some(r)) => match r.try_get::<i64, _>("version") {
            Ok(current) => Error::Conflict { current },
            Err(e) => db_err(e),
        },
        Ok(None) => Error::NotFound,
        Err(e) => db_err(e),
    }
}
