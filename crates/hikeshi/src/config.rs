//! One typed configuration: defaults → TOML file → `HIKESHI_*` environment → flags.

use crate::cli::DbArgs;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the server listens on.
    pub listen: String,
    /// Data directory (SQLite database, when no database_url is given).
    pub data: PathBuf,
    /// postgres://… or sqlite://…; overrides `data`.
    pub database_url: Option<String>,
    /// SQLite synchronous=FULL: survive power loss, at some cost per write.
    pub durable: bool,
    /// Largest JSON request body in bytes.
    pub max_body: usize,
    /// Mark session cookies Secure (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Database connections per node.
    pub max_connections: u32,
    /// Outbound mail settings (`[mail]`).
    pub mail: crate::mailconfig::MailConfig,
    /// The SMTP server (`[smtp]`); absent: outbound mail stays queued.
    pub smtp: Option<crate::mailconfig::SmtpConfig>,
    /// Mailboxes to poll (`[[imap]]`).
    pub imap: Vec<crate::mailconfig::ImapConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data: PathBuf::from("hikeshi-data"),
            database_url: None,
            durable: false,
            max_body: 2 * 1024 * 1024,
            secure_cookies: false,
            max_connections: 16,
            mail: Default::default(),
            smtp: None,
            imap: vec![],
        }
    }
}

pub const EXAMPLE: &str = r#"# Hikeshi configuration (TOML). Every key is optional; the values shown are the defaults.
# Precedence: defaults < this file (--config / HIKESHI_CONFIG) < HIKESHI_* environment < flags.

# Address to listen on (HIKESHI_LISTEN, --listen).
listen = "127.0.0.1:8080"

# Data directory; the SQLite database lives in it (HIKESHI_DATA, --data).
data = "hikeshi-data"

# Use PostgreSQL instead (HIKESHI_DATABASE_URL, --database-url). Several stateless nodes may
# share one database. Move existing data with `hikeshi db export` / `hikeshi db import`.
# database_url = "postgres://hikeshi:secret@db.example:5432/hikeshi"

# SQLite: fsync every commit (survives power loss). Off: survives a crash of hikeshi itself.
durable = false

# Largest JSON request body in bytes.
max_body = 2097152

# Mark session cookies Secure; turn on when served over HTTPS.
secure_cookies = false

# Database connections per node.
max_connections = 16
"#;

/// The whole sample: the settings above and the mail sections.
pub fn example() -> String {
    format!("{EXAMPLE}{}", crate::mailconfig::EXAMPLE)
}

impl Config {
    pub fn load(db: &DbArgs) -> Result<Config> {
        let mut c = match &db.config {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                toml::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {}", p.display(), e.message()))?
            }
            None => Config::default(),
        };
        if let Ok(v) = std::env::var("HIKESHI_DURABLE") {
            c.durable = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(d) = &db.data {
            c.data = d.clone();
        }
        if let Some(u) = &db.database_url {
            c.database_url = Some(u.clone());
        }
        Ok(c)
    }

    /// The database URL: the configured one, or the SQLite file in the data directory.
    pub fn url(&self) -> Result<String> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data)
            .with_context(|| format!("creating data directory {}", self.data.display()))?;
        Ok(format!(
            "sqlite://{}",
            self.data.join("hikeshi.db").display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_to_the_defaults() {
        let c: Config = toml::from_str(&example()).expect("example parses");
        let d = Config::default();
        assert_eq!(
            (c.listen, c.data, c.durable, c.max_body),
            (d.listen, d.data, d.durable, d.max_body)
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("listn = \"x\"").is_err());
    }
}
