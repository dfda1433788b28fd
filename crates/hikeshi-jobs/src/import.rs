//! Back-fill: every message of an mbox file or a maildir through `App::ingest_mail` (raw
//! stored first, never acknowledged: the App given should have acknowledgements off).
//! Messages are ingested in batches, several at once; after each batch the position is
//! saved in the database (`mail_positions`), so a second run resumes after the last
//! finished batch. A run stopped mid-batch left part of its next batch stored: the first
//! batch after a resume skips messages whose bytes (SHA-256) were processed already.

use anyhow::{Context, Result};
use hikeshi_core::Error;
use hikeshi_core::app::App;
use hikeshi_mail::mbox::MboxReader;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Messages per batch (the position is saved after each).
    pub batch: usize,
    /// Messages ingested at once within a batch.
    pub concurrency: usize,
    /// Channel recorded with every raw message.
    pub channel: String,
    /// A progress line on stderr about once a second.
    pub progress: bool,
    /// Ignore a saved position and start from the beginning.
    pub restart: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch: 256,
            concurrency: 4,
            channel: "import".into(),
            progress: true,
            restart: false,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportStats {
    /// Messages that became reports or correspondence.
    pub imported: u64,
    /// Messages kept raw as `failed` (with the reason), e.g. empty ones.
    pub failed: u64,
    /// Where this run started (the saved position; empty at the beginning).
    pub resumed_at: String,
    /// Messages of the first batch after a resume that had been stored already.
    pub skipped: u64,
    pub seconds: f64,
}

struct Progress {
    on: bool,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn tick(&mut self, done: u64, what: &str) {
        if self.on && self.last.elapsed().as_secs_f64() >= 1.0 {
            self.last = Instant::now();
            let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\rimport: {done} messages ({rate:.0}/s) {what}   ");
        }
    }
    fn end(&self, done: u64) {
        if self.on {
            eprintln!(
                "\rimport: {done} messages in {:.1}s          ",
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

/// After a resume, the first batch may have been stored already by the run that stopped:
/// messages whose bytes were processed before are skipped.
async fn skip_done(
    app: &App,
    batch: Vec<Vec<u8>>,
    stats: &mut ImportStats,
) -> Result<Vec<Vec<u8>>> {
    use sha2::{Digest, Sha256};
    let digests: Vec<String> = batch
        .iter()
        .map(|m| hex::encode(Sha256::digest(m)))
        .collect();
    let done = app.store.processed_raw_digests(&digests).await?;
    let mut out = Vec::with_capacity(batch.len());
    for (m, d) in batch.into_iter().zip(digests) {
        if done.contains(&d) {
            stats.skipped += 1;
        } else {
            out.push(m);
        }
    }
    Ok(out)
}

async fn ingest_batch(
    app: &App,
    batch: Vec<Vec<u8>>,
    o: &ImportOptions,
    stats: &mut ImportStats,
) -> Result<()> {
    let actor = app.system_actor();
    let prefix = app.outbound().tag_prefix.clone();
    // Parse-heavy work runs on `concurrency` tasks; each commits its share as one batch.
    let mut set = tokio::task::JoinSet::new();
    let per = batch.len().div_ceil(o.concurrency.max(1)).max(1);
    let mut it = batch.into_iter();
    loop {
        let chunk: Vec<Vec<u8>> = it.by_ref().take(per).collect();
        if chunk.is_empty() {
            break;
        }
        let (app, actor, prefix, channel) = (
            app.clone(),
            actor.clone(),
            prefix.clone(),
            o.channel.clone(),
        );
        set.spawn(async move {
            let results = app
                .ingest_mail_batch(&actor, &chunk, &channel, &prefix)
                .await?;
            let mut n = (0u64, 0u64);
            for r in results {
                match r {
                    Ok(_) => n.0 += 1,
                    Err(Error::Internal(e)) => return Err(anyhow::anyhow!(e)),
                    Err(_) => n.1 += 1,
                }
            }
            Ok::<_, anyhow::Error>(n)
        });
    }
    while let Some(r) = set.join_next().await {
        let (ok, failed) = r.context("import task")??;
        stats.imported += ok;
        stats.failed += failed;
    }
    Ok(())
}

fn source_key(kind: &str, path: &Path) -> String {
    let p = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("{kind}:{}", p.display())
}

/// Imports an mbox file, resuming at the saved byte offset.
pub async fn import_mbox(app: &App, path: &Path, o: &ImportOptions) -> Result<ImportStats> {
    let key = source_key("mbox", path);
    let start: u64 = if o.restart {
        0
    } else {
        app.store
            .mail_position(&key)
            .await?
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    };
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    f.seek(SeekFrom::Start(start))?;
    let mut r = MboxReader::new(BufReader::with_capacity(1 << 20, f), start);
    let mut stats = ImportStats {
        resumed_at: start.to_string(),
        ..Default::default()
    };
    let mut p = Progress {
        on: o.progress,
        started: Instant::now(),
        last: Instant::now(),
    };
    let mut first = true;
    loop {
        let mut batch = Vec::with_capacity(o.batch);
        while batch.len() < o.batch.max(1) {
            match r.next_message()? {
                Some((_, m)) => batch.push(m),
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        if first && start > 0 {
            batch = skip_done(app, batch, &mut stats).await?;
        }
        first = false;
        ingest_batch(app, batch, o, &mut stats).await?;
        app.store
            .set_mail_position(&key, &r.position().to_string(), app.now())
            .await?;
        let pct = if total > 0 {
            r.position() as f64 * 100.0 / total as f64
        } else {
            100.0
        };
        p.tick(
            stats.imported + stats.failed,
            &format!("{pct:.0}% of {}", path.display()),
        );
    }
    p.end(stats.imported + stats.failed);
    stats.seconds = p.started.elapsed().as_secs_f64();
    Ok(stats)
}

/// Imports a maildir (`cur/` and `new/`, by file name), resuming after the last file done.
pub async fn import_maildir(app: &App, path: &Path, o: &ImportOptions) -> Result<ImportStats> {
    let key = source_key("maildir", path);
    let after = if o.restart {
        None
    } else {
        app.store.mail_position(&key).await?
    };
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for sub in ["cur", "new"] {
        let dir = path.join(sub);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd {
            let e = e?;
            if e.file_type()?.is_file() {
                // The unique part of a maildir name (before `:2,FLAGS`), stable across new/ → cur/.
                let name = e.file_name().to_string_lossy().to_string();
                let key = name.split(':').next().unwrap_or(&name).to_string();
                files.push((key, e.path()));
            }
        }
    }
    if files.is_empty() && !path.join("cur").is_dir() && !path.join("new").is_dir() {
        anyhow::bail!("{} is not a maildir (no cur/ or new/)", path.display());
    }
    // Delivery order: maildir names start with the delivery time.
    files.sort();
    let mut stats = ImportStats {
        resumed_at: after.clone().unwrap_or_default(),
        ..Default::default()
    };
    let start = match &after {
        Some(a) => files.partition_point(|(n, _)| n <= a),
        None => 0,
    };
    let mut p = Progress {
        on: o.progress,
        started: Instant::now(),
        last: Instant::now(),
    };
    let total = files.len();
    let mut first = true;
    for chunk in files[start..].chunks(o.batch.max(1)) {
        let mut batch = Vec::with_capacity(chunk.len());
        for (_, f) in chunk {
            batch.push(std::fs::read(f).with_context(|| format!("reading {}", f.display()))?);
        }
        if first && after.is_some() {
            batch = skip_done(app, batch, &mut stats).await?;
        }
        first = false;
        ingest_batch(app, batch, o, &mut stats).await?;
        if let Some((last, _)) = chunk.last() {
            app.store.set_mail_position(&key, last, app.now()).await?;
        }
        p.tick(stats.imported + stats.failed, &format!("of {total}"));
    }
    p.end(stats.imported + stats.failed);
    stats.seconds = p.started.elapsed().as_secs_f64();
    Ok(stats)
}
