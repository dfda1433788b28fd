//! The command line. This interface is fixed: outside checks rely on it.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "hikeshi",
    version,
    about = "Hikeshi — incident management for CSIRTs",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives; every command takes these.
#[derive(Args, Debug, Clone, Default)]
pub struct DbArgs {
    /// Data directory holding the SQLite database (default ./hikeshi-data).
    #[arg(long, env = "HIKESHI_DATA", global = true)]
    pub data: Option<PathBuf>,
    /// Database URL; postgres://… selects PostgreSQL, sqlite://PATH a SQLite file.
    #[arg(long = "database-url", env = "HIKESHI_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Configuration file (TOML); see `hikeshi config example`.
    #[arg(long, env = "HIKESHI_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (migrates, creates the first admin, prints the URL).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "HIKESHI_LISTEN")]
        listen: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Users.
    #[command(subcommand)]
    User(UserCmd),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Constituencies.
    #[command(subcommand)]
    Constituency(ConstituencyCmd),
    /// Apply pending database migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Configuration.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Export and import all data (SQLite ⇄ PostgreSQL).
    #[command(subcommand)]
    Db(DbCmd),
    /// Online, consistent backup while serving.
    Backup {
        /// Output file (must not exist).
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Business-hours calendars.
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Legal and contractual deadline presets.
    #[command(subcommand)]
    Deadline(DeadlineCmd),
    /// Deliver one RFC 5322 message from stdin to a Hikeshi server (for an MTA pipe).
    /// Prints the reference it landed on; exit 75 when the server is unreachable.
    Mailgate {
        /// Base URL of the server, e.g. http://127.0.0.1:8080
        #[arg(long, env = "HIKESHI_URL")]
        url: String,
        /// API token of a global user with the write scope.
        #[arg(long, env = "HIKESHI_TOKEN")]
        token: String,
        /// Intake channel recorded with the message (e.g. the mailbox it came to).
        #[arg(long, default_value = "email")]
        channel: String,
    },
    /// Back-fill mail from an mbox file or a maildir (resumable; never acknowledged).
    #[command(subcommand)]
    Import(crate::mailimport::ImportCmd),
    /// Indicators in stdin (or FILE), one JSON object per line: {"type","value","start","end"}.
    Extract {
        file: Option<PathBuf>,
        /// A public_suffix_list.dat to use instead of the list compiled in.
        #[arg(long = "suffix-list")]
        suffix_list: Option<PathBuf>,
    },
    /// Benchmark: seeds N incidents and measures the API (prints JSON).
    Bench(crate::bench::BenchArgs),
    /// The OpenPGP keyring (contacts' public keys) and the team's key.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Triage rules.
    #[command(subcommand)]
    Triage(TriageCmd),
    /// SLA and deadline clocks.
    #[command(subcommand)]
    Sla(SlaCmd),
}

#[derive(Subcommand, Debug)]
pub enum KeyCmd {
    /// Add a contact's public key (armored or binary) to the keyring, or with --team install
    /// the team's secret key (used to sign outbound and decrypt inbound mail).
    Import {
        file: PathBuf,
        /// Install FILE as the team's secret key.
        #[arg(long)]
        team: bool,
        /// A file whose first line is the team key's passphrase (none when omitted).
        #[arg(long = "passphrase-file", env = "HIKESHI_KEY_PASSPHRASE_FILE")]
        passphrase_file: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the keyring and the team key: fingerprint, expiry, addresses.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove a contact's key by fingerprint.
    Remove {
        fingerprint: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum TriageCmd {
    /// Benchmark the rule evaluator in-process (prints JSON).
    Bench {
        #[arg(long, default_value_t = 100_000)]
        reports: usize,
        #[arg(long, default_value_t = 200)]
        rules: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum SlaCmd {
    /// Record every SLA and deadline warning or breach due now (idempotent).
    Sweep {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Benchmark the sweep over N open items on a fresh SQLite database (prints JSON).
    Bench {
        #[arg(long, default_value_t = 1_000_000)]
        items: usize,
        /// Items per thousand whose warning is due.
        #[arg(long, default_value_t = 10)]
        due_per_mille: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Add a user; the password is read from stdin when piped, generated (and printed) otherwise.
    Add {
        name: String,
        /// admin, lead, handler, observer or reporter.
        #[arg(long)]
        role: String,
        /// Constituency slug (repeatable).
        #[arg(long = "constituency")]
        constituencies: Vec<String>,
        /// Sees every constituency.
        #[arg(long)]
        global: bool,
        #[arg(long)]
        email: Option<String>,
        #[arg(long = "display-name")]
        display_name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Create a token; prints only the token.
    Create {
        #[arg(long)]
        user: String,
        /// read, write, admin (repeatable or comma-separated); default read,write.
        #[arg(long = "scope", value_delimiter = ',')]
        scopes: Vec<String>,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConstituencyCmd {
    /// Add a constituency.
    Add {
        slug: String,
        #[arg(long)]
        name: String,
        /// IPv4/IPv6 CIDR (repeatable).
        #[arg(long = "netblock")]
        netblocks: Vec<String>,
        /// Domain (repeatable).
        #[arg(long = "domain")]
        domains: Vec<String>,
        /// E-mail domain (repeatable).
        #[arg(long = "email-domain")]
        email_domains: Vec<String>,
        /// Parent constituency slug.
        #[arg(long)]
        parent: Option<String>,
        /// Default language: ja or en.
        #[arg(long)]
        lang: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List constituencies.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Print a sample configuration file.
    Example,
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Check the hash chain: exit 0 intact, 1 broken (naming the first bad entry).
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum DbCmd {
    /// Export every table as JSON lines.
    Export {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import an export into an empty database.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// Due time after N business hours.
    Due {
        #[arg(long)]
        calendar: String,
        #[arg(long)]
        from: String,
        #[arg(long = "business-hours")]
        business_hours: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DeadlineCmd {
    /// Each deadline of a preset: `NAME DUE_TIME` per line.
    Due {
        #[arg(long)]
        preset: String,
        #[arg(long = "aware-at")]
        aware_at: String,
    },
    /// List preset ids.
    Presets,
}
