//! Notification delivery: pending requests (partial index), and the one transaction that
//! claims a request and writes its fan-out (in-app rows, webhook outbox, notification mail
//! and its send jobs).

use crate::connect::{SqlStore, db_err};
use crate::sql::{Sql, insert};
use hikeshi_core::Result;
use hikeshi_core::app::Fanout;
use hikeshi_core::triage::NotificationRequest;

impl SqlStore {
    pub(crate) async fn pending_requests_impl(
        &self,
        limit: i64,
    ) -> Result<Vec<NotificationRequest>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM notification_requests WHERE status = 'pending' ORDER BY created_at, id LIMIT ",
            crate::triage::NOTE_COLS.join(", ")
        ));
        s.bind(limit.clamp(1, 10_000));
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(crate::triage::note_row).collect()
    }

    pub(crate) async fn write_fanout_impl(&self, claim: Option<&str>, f: &Fanout) -> Result<bool> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        if let Some(id) = claim {
            // The claim: only the first transaction to move it out of `pending` goes on (on
            // PostgreSQL a concurrent one waits for the row lock, then sees 0 rows).
            let done =
                Sql::new("UPDATE notification_requests SET status = 'delivered' WHERE id = ")
                    .bind(id)
                    .push(" AND status = 'pending'")
                    .query()
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            if done.rows_affected() != 1 {
                tx.rollback().await.map_err(db_err)?;
                return Ok(false);
            }
        }
        for n in &f.notifications {
            insert(
                "notifications",
                crate::notify::NOTE_COLS,
                crate::notify::note_vals(n),
            )
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        for d in &f.deliveries {
            insert(
                "webhook_outbox",
                crate::notify::OUTBOX_COLS,
                crate::notify::outbox_vals(d),
            )
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        for m in &f.mails {
            crate::mailout::insert_outbound_tx(&mut tx, m).await?;
        }
        crate::mailout::insert_jobs_tx(&mut tx, &f.jobs).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }
}
