//! Claim → run → done / retry / dead.

use hikeshi_core::app::App;
use hikeshi_core::outbound::{JOB_ACK, JOB_SEND, Job, LEASE, Mailer, backoff};
use hikeshi_core::{Error, Result};
use std::sync::Arc;
use std::time::Duration;

/// What one `run_pending` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunStats {
    pub done: usize,
    pub retried: usize,
    pub dead: usize,
}

/// Runs the jobs of one node.
#[derive(Clone)]
pub struct Runner {
    app: App,
    mailer: Arc<dyn Mailer>,
    batch: i64,
}

impl Runner {
    pub fn new(app: App, mailer: Arc<dyn Mailer>) -> Runner {
        Runner {
            app,
            mailer,
            batch: 16,
        }
    }

    /// Runs every job due now (by the app's clock), batch after batch, and returns.
    /// Jobs that fail are rescheduled into the future, so this always ends.
    pub async fn run_pending(&self) -> Result<RunStats> {
        let mut stats = RunStats::default();
        loop {
            let now = self.app.now();
            let until = now.checked_add(LEASE).unwrap_or(now);
            let jobs = self.app.store.claim_jobs(now, until, self.batch).await?;
            if jobs.is_empty() {
                return Ok(stats);
            }
            for job in jobs {
                self.run_one(&job, &mut stats).await?;
            }
        }
    }

    async fn run_one(&self, job: &Job, stats: &mut RunStats) -> Result<()> {
        let outcome = self.dispatch(job).await;
        let now = self.app.now();
        match outcome {
            Ok(()) => {
                stats.done += 1;
                self.app.store.complete_job(&job.id, now).await
            }
            Err(e) => {
                let permanent = matches!(
                    e,
                    Error::Validation { .. } | Error::NotFound | Error::Forbidden(_)
                );
                let retry_at = (!permanent && job.attempts < job.max_attempts)
                    .then(|| now.checked_add(backoff(job.attempts)).unwrap_or(now));
                if retry_at.is_some() {
                    stats.retried += 1;
                    tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed; will retry");
                } else {
                    stats.dead += 1;
                    tracing::error!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job is dead");
                    self.give_up(job, now).await;
                }
                self.app
                    .store
                    .fail_job(&job.id, &e.to_string(), retry_at, now)
                    .await
            }
        }
    }

    /// A dead mail job leaves its message `failed` (shown on the record), not `queued`.
    async fn give_up(&self, job: &Job, now: jiff::Timestamp) {
        let id = match (job.payload.get("outbound"), job.payload.get("report")) {
            (Some(o), _) => o.as_str().map(str::to_string),
            (None, Some(r)) => r.as_str().map(|r| format!("ack-{r}")),
            _ => None,
        };
        if let Some(id) = id
            && let Ok(Some(m)) = self.app.store.get_outbound(&id).await
            && m.status == "queued"
            && let Err(e) = self
                .app
                .store
                .finish_outbound(&id, "failed", None, now)
                .await
        {
            tracing::error!(error = %e, "marking a message failed");
        }
    }

    async fn dispatch(&self, job: &Job) -> Result<()> {
        let field = |name: &str| {
            job.payload
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| Error::validation("payload", format!("{name} missing")))
        };
        match job.kind.as_str() {
            JOB_ACK => {
                if let Some(id) = self.app.prepare_ack(&field("report")?).await? {
                    self.app.send_outbound(&id, self.mailer.as_ref()).await?;
                }
                Ok(())
            }
            JOB_SEND => {
                self.app
                    .send_outbound(&field("outbound")?, self.mailer.as_ref())
                    .await
            }
            other => Err(Error::validation(
                "kind",
                format!("unknown job kind {other:?}"),
            )),
        }
    }

    /// Polls for due jobs every `every` until the task is dropped (spawned by `serve`).
    pub async fn run_forever(self, every: Duration) {
        loop {
            if let Err(e) = self.run_pending().await {
                tracing::warn!(error = %e, "job runner: store error; will retry");
            }
            tokio::time::sleep(every).await;
        }
    }
}
