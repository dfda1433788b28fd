//! Bulk mail intake (back-fill): the same steps as `ingest_mail`, with the commits shared
//! by a batch — the raw messages of the batch in one transaction (before anything parses
//! them), then every report and entry of the batch in one more. If that second transaction
//! fails, the batch is stored message by message, so one bad message never loses the rest.

use super::{App, Landed, MAX_RAW_MESSAGE};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::model::RawMessage;
use sha2::{Digest, Sha256};

impl App {
    /// Ingests many messages; one result per message, in order.
    pub async fn ingest_mail_batch(
        &self,
        actor: &Actor,
        raws: &[Vec<u8>],
        channel: &str,
        tag_prefix: &str,
    ) -> Result<Vec<Result<Landed>>> {
        actor.require_write_role()?;
        if !actor.is_global() {
            return Err(Error::Forbidden(
                "mail intake needs a user who sees every constituency".into(),
            ));
        }
        let channel = channel.trim();
        if channel.is_empty() || channel.len() > 64 {
            return Err(Error::validation("channel", "1 to 64 characters"));
        }
        let mut out: Vec<Result<Landed>> = Vec::with_capacity(raws.len());
        let mut stored: Vec<(usize, RawMessage)> = Vec::new();
        let mut rows: Vec<(RawMessage, Vec<u8>)> = Vec::new();
        for (i, raw) in raws.iter().enumerate() {
            if raw.is_empty() {
                out.push(Err(Error::validation("message", "empty message")));
                continue;
            }
            if raw.len() > MAX_RAW_MESSAGE {
                out.push(Err(Error::validation("message", "too large")));
                continue;
            }
            let m = RawMessage {
                id: crate::ids::EntryId::new(self.now_ms()).to_string(),
                sha256: hex::encode(Sha256::digest(raw)),
                size: raw.len() as i64,
                channel: channel.to_string(),
                received_at: self.now(),
            };
            out.push(Err(Error::NotFound)); // replaced below
            stored.push((i, m.clone()));
            rows.push((m, raw.clone()));
        }
        self.store.insert_raw_messages(&rows).await?;
        drop(rows);
        let mut plans = Vec::new();
        for (i, m) in &stored {
            match self.plan_mail(actor, m, &raws[*i], tag_prefix).await {
                Ok(p) => plans.push((*i, m.id.clone(), p)),
                Err(e) => {
                    self.store
                        .finish_raw_message(&m.id, "failed", None, Some(&e.to_string()))
                        .await?;
                    out[*i] = Err(e);
                }
            }
        }
        let writes: Vec<crate::ports::MailWrite> =
            plans.iter().map(|(_, _, (w, _))| w.clone()).collect();
        match self.store.write_mail_batch(&writes).await {
            Ok(refs) => {
                for ((i, _, (_, mut landed)), r) in plans.into_iter().zip(refs) {
                    if let Some(r) = r {
                        landed.reference = r;
                    }
                    out[i] = Ok(landed);
                }
            }
            Err(_) => {
                // One by one, so a single bad message cannot hold back the batch.
                for (i, raw_id, (w, landed)) in plans {
                    let r = self.write_mail(w, landed).await;
                    match &r {
                        Ok(l) => {
                            self.store
                                .finish_raw_message(&raw_id, "processed", Some(&l.id), None)
                                .await?
                        }
                        Err(e) => {
                            self.store
                                .finish_raw_message(&raw_id, "failed", None, Some(&e.to_string()))
                                .await?
                        }
                    }
                    out[i] = r;
                }
            }
        }
        Ok(out)
    }
}
