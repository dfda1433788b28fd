//! `hikeshi import mbox|maildir PATH`: back-fill through the intake path (raw stored first),
//! without acknowledgements, resuming at the position saved in the database.

use crate::cli::DbArgs;
use anyhow::Result;
use clap::{Args, Subcommand};
use hikeshi_jobs::import::{ImportOptions, import_maildir, import_mbox};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// An mbox file (mboxo/mboxrd).
    Mbox(ImportArgs),
    /// A maildir (reads cur/ and new/).
    Maildir(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    pub path: PathBuf,
    /// Start from the beginning, ignoring the saved position.
    #[arg(long)]
    pub restart: bool,
    /// Messages per batch (the position is saved after each).
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Messages ingested at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Channel recorded with each message.
    #[arg(long, default_value = "import")]
    pub channel: String,
    /// No progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn run(cmd: ImportCmd) -> Result<()> {
    let (kind, a) = match cmd {
        ImportCmd::Mbox(a) => ("mbox", a),
        ImportCmd::Maildir(a) => ("maildir", a),
    };
    let cfg = crate::config::Config::load(&a.db)?;
    let (app, store) = crate::commands::open_app(&a.db).await?;
    let mut settings = cfg.mail.settings()?;
    settings.acknowledge = false; // history is never answered
    let app = app.with_outbound(settings);
    let o = ImportOptions {
        batch: a.batch.max(1),
        concurrency: a.concurrency.max(1),
        channel: a.channel,
        progress: !a.quiet,
        restart: a.restart,
    };
    let stats = if kind == "mbox" {
        import_mbox(&app, &a.path, &o).await?
    } else {
        import_maildir(&app, &a.path, &o).await?
    };
    app.store.seal_audit().await?;
    store.analyze().await?;
    store.close().await;
    println!("{}", serde_json::to_string(&stats)?);
    Ok(())
}
