//! One function per subcommand. Each opens the store, calls use cases as the local system
//! actor (audited as "system"), and prints.

use crate::cli::*;
use crate::config::Config;
use anyhow::{Context, Result};
use hikeshi_core::app::{App, NewConstituency, NewToken, NewUser};
use hikeshi_core::audit::Verdict;
use hikeshi_core::model::{Lang, Role};
use hikeshi_core::ports::Clock;
use hikeshi_store::{Options, SqlStore};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use std::sync::Arc;

/// The wall clock, injected into the core as its `Clock` port.
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

pub async fn open(cfg: &Config) -> Result<SqlStore> {
    let url = cfg.url()?;
    let opts = Options {
        durable: cfg.durable,
        max_connections: cfg.max_connections,
    };
    Ok(SqlStore::open(&url, &opts).await?)
}

pub fn app(store: &SqlStore) -> App {
    App::new(Arc::new(store.clone()), Arc::new(SystemClock))
}

pub(crate) async fn open_app(db: &DbArgs) -> Result<(App, SqlStore)> {
    let cfg = Config::load(db)?;
    crate::config::use_suffix_list(cfg.public_suffix_list.as_deref())?;
    let store = open(&cfg).await?;
    Ok((app(&store), store))
}

pub(crate) fn out(s: impl std::fmt::Display) {
    println!("{s}");
}

pub async fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Serve { listen, db } => crate::serve::run(listen, db).await?,
        Command::User(UserCmd::Add {
            name,
            role,
            constituencies,
            global,
            email,
            display_name,
            db,
        }) => {
            let role = Role::parse_field(&role, "--role")?;
            let (app, _) = open_app(&db).await?;
            let stdin = std::io::stdin();
            let (password, generated) = if stdin.is_terminal() {
                (hikeshi_core::secrets::generate_password(), true)
            } else {
                let mut s = String::new();
                stdin
                    .lock()
                    .read_to_string(&mut s)
                    .context("reading the password from stdin")?;
                let p = s.lines().next().unwrap_or("").to_string();
                if p.is_empty() {
                    (hikeshi_core::secrets::generate_password(), true)
                } else {
                    (p, false)
                }
            };
            let input = NewUser {
                username: name,
                display_name,
                email,
                role: Some(role),
                global,
                constituencies,
                password: Some(password.clone()),
            };
            let u = app.create_user(&app.system_actor(), input).await?;
            if generated {
                out(format!(
                    "created user {} ({}); password: {password}",
                    u.username, u.role
                ));
            } else {
                out(format!("created user {} ({})", u.username, u.role));
            }
        }
        Command::User(UserCmd::List { db }) => {
            let (app, _) = open_app(&db).await?;
            let cs = app.list_constituencies(&app.system_actor()).await?;
            for u in app.list_users(&app.system_actor()).await? {
                let slugs: Vec<&str> = u
                    .constituencies
                    .iter()
                    .filter_map(|id| cs.iter().find(|c| c.id == *id).map(|c| c.slug.as_str()))
                    .collect();
                let scope = if u.global {
                    "*".to_string()
                } else {
                    slugs.join(",")
                };
                out(format!(
                    "{}\t{}\t{}\t{}",
                    u.username,
                    u.role,
                    scope,
                    if u.disabled { "disabled" } else { "active" }
                ));
            }
        }
        Command::Token(TokenCmd::Create {
            user,
            scopes,
            name,
            db,
        }) => {
            let (app, _) = open_app(&db).await?;
            let (_, secret) = app
                .create_token(
                    &app.system_actor(),
                    NewToken {
                        user: Some(user),
                        name,
                        scopes,
                    },
                )
                .await?;
            out(secret);
        }
        Command::Constituency(ConstituencyCmd::Add {
            slug,
            name,
            netblocks,
            domains,
            email_domains,
            parent,
            lang,
            db,
        }) => {
            let default_lang = lang.map(|l| Lang::parse_field(&l, "--lang")).transpose()?;
            let (app, _) = open_app(&db).await?;
            let input = NewConstituency {
                slug,
                name,
                parent,
                netblocks,
                domains,
                email_domains,
                default_lang,
                contacts: vec![],
            };
            let c = app.create_constituency(&app.system_actor(), input).await?;
            out(format!(
                "created constituency {} ({} netblocks, {} domains)",
                c.slug,
                c.netblocks.len(),
                c.domains.len() + c.email_domains.len()
            ));
        }
        Command::Constituency(ConstituencyCmd::List { db }) => {
            let (app, _) = open_app(&db).await?;
            for c in app.list_constituencies(&app.system_actor()).await? {
                let nets: Vec<String> = c.netblocks.iter().map(|n| n.to_string()).collect();
                out(format!(
                    "{}\t{}\t{}\t{}",
                    c.slug,
                    c.name,
                    nets.join(","),
                    c.domains.join(",")
                ));
            }
        }
        Command::Migrate { db } => {
            let cfg = Config::load(&db)?;
            let store = SqlStore::connect(&cfg.url()?, &Options::default()).await?;
            let applied = store.migrate().await?;
            out(if applied.is_empty() {
                "schema is up to date".to_string()
            } else {
                format!("applied {}", applied.join(", "))
            });
        }
        Command::Config(ConfigCmd::Example) => print!("{}", crate::config::example()),
        Command::Audit(AuditCmd::Verify { db }) => {
            let (app, _) = open_app(&db).await?;
            match app.verify_audit().await? {
                Verdict::Intact { entries } => {
                    out(format!("audit chain intact: {entries} entries"))
                }
                Verdict::Broken { seq, id, reason } => {
                    let id = if id.is_empty() {
                        String::new()
                    } else {
                        format!(" (id {id})")
                    };
                    eprintln!("audit chain broken at entry {seq}{id}: {reason}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Db(DbCmd::Export { out: path, db }) => {
            let (_, store) = open_app(&db).await?;
            let f = std::fs::File::create(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            let mut w = std::io::BufWriter::new(f);
            let s = store.export(&mut w).await?;
            out(format!("exported {} rows to {}", s.total(), path.display()));
        }
        Command::Db(DbCmd::Import { file, db }) => {
            let (_, store) = open_app(&db).await?;
            let f = std::fs::File::open(&file)
                .with_context(|| format!("opening {}", file.display()))?;
            let mut r = std::io::BufReader::new(f);
            let s = store.import(&mut r).await?;
            store.analyze().await?;
            out(format!(
                "imported {} rows from {}",
                s.total(),
                file.display()
            ));
        }
        Command::Backup { to, db } => {
            let (_, store) = open_app(&db).await?;
            let kind = store.backup(&to).await?;
            out(format!("backup written to {} ({kind})", to.display()));
        }
        Command::Calendar(CalendarCmd::Due {
            calendar,
            from,
            business_hours,
        }) => {
            out(
                hikeshi_calendar::cli::calendar_due(&calendar, &from, &business_hours)
                    .map_err(|e| usage(e.to_string()))?,
            );
        }
        Command::Deadline(DeadlineCmd::Due { preset, aware_at }) => {
            for line in hikeshi_calendar::cli::deadline_due(&preset, &aware_at)
                .map_err(|e| usage(e.to_string()))?
            {
                out(line);
            }
        }
        Command::Deadline(DeadlineCmd::Presets) => {
            for line in hikeshi_calendar::cli::deadline_presets() {
                out(line);
            }
        }
        Command::Mailgate {
            url,
            token,
            channel,
        } => return Ok(crate::mailgate::run(&url, &token, &channel)),
        Command::Extract { file, suffix_list } => {
            crate::config::use_suffix_list(suffix_list.as_deref())?;
            let mut text = String::new();
            match file {
                Some(p) => {
                    text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?
                }
                None => {
                    std::io::stdin()
                        .lock()
                        .read_to_string(&mut text)
                        .context("reading stdin (expected UTF-8 text)")?;
                }
            }
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            for item in hikeshi_indicators::extract(&text) {
                use std::io::Write;
                writeln!(w, "{}", serde_json::to_string(&item)?)?;
            }
        }
        Command::Import(cmd) => crate::mailimport::run(cmd).await?,
        Command::Bench(args) => crate::bench::run(args).await?,
        Command::Key(k) => crate::keys::run(k).await?,
        Command::Triage(TriageCmd::Bench { reports, rules }) => {
            crate::bench::clocks::triage(reports, rules)?
        }
        Command::Sla(SlaCmd::Bench {
            items,
            due_per_mille,
        }) => crate::bench::clocks::sweep(items, due_per_mille).await?,
        Command::Sla(SlaCmd::Sweep { db }) => {
            let (app, store) = open_app(&db).await?;
            let s = app.sweep_clocks().await?;
            let (mut delivered, mut mails) = (0, 0);
            loop {
                let r = app.deliver_requests(10_000).await?;
                if r.delivered + r.skipped == 0 {
                    break;
                }
                delivered += r.delivered;
                mails += r.mails;
            }
            // Mail is queued as jobs: `serve` (with [smtp]) sends it.
            out(format!(
                "examined {} recorded {} delivered {} mails-queued {}",
                s.examined, s.recorded, delivered, mails
            ));
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A bad value given on the command line (exit 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(msg: String) -> anyhow::Error {
    UsageError(msg).into()
}
