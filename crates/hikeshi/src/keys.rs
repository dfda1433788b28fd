//! `hikeshi key …`: the OpenPGP keyring and the team key, through the same use cases as the
//! API (`App::import_contact_key`, `install_team_key`, `list_pgp_keys`, `remove_pgp_key`).

use crate::cli::KeyCmd;
use crate::commands::{UsageError, open_app, out};
use anyhow::{Context, Result};
use hikeshi_core::model::PgpKey;

fn line(kind: &str, k: &PgpKey) -> String {
    let expires = k
        .expires_at
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "never".into());
    format!(
        "{kind}\t{}\t{expires}\t{}",
        k.fingerprint,
        k.emails.join(",")
    )
}

pub async fn run(cmd: KeyCmd) -> Result<()> {
    match cmd {
        KeyCmd::Import {
            file,
            team,
            passphrase_file,
            db,
        } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| UsageError(format!("cannot read {}: {e}", file.display())))?;
            let passphrase = match passphrase_file {
                Some(p) => std::fs::read_to_string(&p)
                    .with_context(|| format!("reading {}", p.display()))?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string(),
                None => String::new(),
            };
            let (app, _) = open_app(&db).await?;
            let actor = app.system_actor();
            if team {
                let k = app.install_team_key(&actor, &bytes, &passphrase).await?;
                out(format!(
                    "installed the team key {} ({})",
                    k.fingerprint,
                    k.user_ids.join(", ")
                ));
            } else {
                let k = app.import_contact_key(&actor, &bytes).await?;
                out(format!(
                    "imported key {} ({})",
                    k.fingerprint,
                    k.user_ids.join(", ")
                ));
            }
        }
        KeyCmd::List { db } => {
            let (app, _) = open_app(&db).await?;
            if let Some(t) = app.team_public_key().await? {
                out(line("team", &t));
            }
            for k in app.list_pgp_keys(&app.system_actor()).await? {
                out(line("contact", &k));
            }
        }
        KeyCmd::Remove { fingerprint, db } => {
            let (app, _) = open_app(&db).await?;
            app.remove_pgp_key(&app.system_actor(), &fingerprint)
                .await
                .map_err(|e| match e {
                    hikeshi_core::Error::NotFound => {
                        anyhow::anyhow!("no key with fingerprint {fingerprint} in the keyring")
                    }
                    e => e.into(),
                })?;
            out(format!("removed key {}", fingerprint.to_ascii_uppercase()));
        }
    }
    Ok(())
}
