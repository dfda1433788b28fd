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
    /// Base URL of this installation, used in links sent out (webhooks, notifications).
    pub public_url: Option<String>,
    /// Observables on more records than this are "common": counted, not correlated.
    pub observables_common_cutoff: i64,
    /// Extra warning-list entries (same format as the built-in list), e.g. our own domains.
    pub observables_warning_list: Option<PathBuf>,
    /// A public_suffix_list.dat to recognise domains by, instead of the list compiled in.
    pub public_suffix_list: Option<PathBuf>,
    /// Alert deduplication window in seconds (same source and key → one report).
    pub alert_window_secs: u64,
    /// Per-source alert windows in seconds, overriding `alert_window_secs`.
    pub alert_windows: std::collections::BTreeMap<String, u64>,
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
            public_url: None,
            observables_common_cutoff: hikeshi_core::observables::DEFAULT_COMMON_CUTOFF,
            observables_warning_list: None,
            public_suffix_list: None,
            alert_window_secs: 86_400,
            alert_windows: Default::default(),
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

# Base URL of this installation for links in webhook and chat messages (HIKESHI_PUBLIC_URL).
# public_url = "https://hikeshi.example"
# Observables seen on more records than this are marked "common" instead of correlated.
observables_common_cutoff = 1000

# Extra warning-list entries, one "<list> <entry>" per line (IP, CIDR, domain or ASN), added
# to the built-in list (public resolvers, private/documentation ranges, big providers).
# observables_warning_list = "/etc/hikeshi/warning-list.txt"

# Domains are recognised by the public suffix list compiled into this release. To use a newer
# one without upgrading (new TLDs, new private suffixes), name a copy of
# https://publicsuffix.org/list/public_suffix_list.dat here:
# public_suffix_list = "/etc/hikeshi/public_suffix_list.dat"
# Alerts (POST /api/v1/alerts): the same deduplication key from the same source within this
# many seconds counts on one report instead of making a new one.
alert_window_secs = 86400
# Per-source windows, e.g. a noisy IDS:
# [alert_windows]
# suricata-dc1 = 3600
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
        if let Ok(v) = std::env::var("HIKESHI_PUBLIC_URL")
            && !v.is_empty()
        {
            c.public_url = Some(v);
        }
        if let Some(d) = &db.data {
            c.data = d.clone();
        }
        if let Some(u) = &db.database_url {
            c.database_url = Some(u.clone());
        }
        Ok(c)
    }

    /// Correlation settings: the cut-off and the built-in warning list plus the file's entries.
    pub fn observable_settings(&self) -> Result<hikeshi_core::app::ObservableSettings> {
        let mut warning = hikeshi_core::observables::WarningList::builtin();
        if let Some(p) = &self.observables_warning_list {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            let bad = warning.extend(&text);
            if let Some(n) = bad.first() {
                anyhow::bail!("{}:{n}: expected \"<list> <entry>\"", p.display());
            }
        }
        anyhow::ensure!(
            self.observables_common_cutoff >= 1,
            "observables_common_cutoff must be at least 1"
        );
        Ok(hikeshi_core::app::ObservableSettings {
            common_cutoff: self.observables_common_cutoff,
            warning,
        })
    }

    /// The alert deduplication policy.
    pub fn alert_policy(&self) -> hikeshi_core::app::AlertPolicy {
        let secs = |s: u64| jiff::SignedDuration::from_secs(s.min(i64::MAX as u64) as i64);
        hikeshi_core::app::AlertPolicy {
            default_window: secs(self.alert_window_secs),
            per_source: self
                .alert_windows
                .iter()
                .map(|(k, v)| (k.clone(), secs(*v)))
                .collect(),
        }
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

/// Uses the public suffix list in `path`, if any, for every extraction in this process.
pub fn use_suffix_list(path: Option<&std::path::Path>) -> Result<()> {
    if let Some(p) = path {
        let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        hikeshi_indicators::use_suffix_list(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    }
    Ok(())
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
    fn observable_settings_read_the_warning_list_file() {
        let dir = std::env::temp_dir().join(format!("hikeshi-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let good = dir.join("good.txt");
        std::fs::write(&good, "# ours\nown hikeshi-csirt.jp\n").expect("write");
        let c: Config = toml::from_str(&format!(
            "observables_common_cutoff = 50\nobservables_warning_list = {:?}",
            good.display().to_string()
        ))
        .expect("parses");
        let s = c.observable_settings().expect("settings");
        assert_eq!(s.common_cutoff, 50);
        let k = hikeshi_core::observables::Kind::Domain;
        assert!(s.warning.check(k, "soc.hikeshi-csirt.jp").is_some());
        assert!(
            s.warning.check(k, "www.google.com").is_some(),
            "built-in kept"
        );
        let bad = dir.join("bad.txt");
        std::fs::write(&bad, "own ok.jp\nbroken\n").expect("write");
        let c = Config {
            observables_warning_list: Some(bad),
            ..Config::default()
        };
        let e = c.observable_settings().expect_err("bad line");
        assert!(e.to_string().contains("bad.txt:2"), "{e}");
        let c = Config {
            observables_common_cutoff: 0,
            ..Config::default()
        };
        assert!(c.observable_settings().is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("listn = \"x\"").is_err());
    }
}
