//! `hikeshi`: the only binary. It parses the command line, loads the configuration and wires
//! the crates together; the logic lives in the libraries.

mod bench;
mod cli;
mod commands;
mod config;
mod keys;
mod mailconfig;
mod mailgate;
mod mailimport;
mod serve;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: the server allocates per request (JSON, SQL arguments); measured faster than
/// glibc's allocator on the create path (see README, Benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A bad flag or value: one line on stderr, exit 2.
pub const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(EXIT_USAGE)
                } else {
                    ExitCode::SUCCESS
                };
            }
            let text = e.render().to_string();
            let line = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("error: invalid arguments");
            eprintln!("hikeshi: {}", line.trim());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hikeshi: error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(commands::run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            let usage = e.downcast_ref::<commands::UsageError>().is_some()
                || matches!(
                    e.downcast_ref::<hikeshi_core::Error>(),
                    Some(
                        hikeshi_core::Error::Validation { .. }
                            | hikeshi_core::Error::Duplicate { .. }
                            | hikeshi_core::Error::InvalidTransition { .. }
                    )
                );
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("hikeshi: error: {msg}");
            ExitCode::from(if usage { EXIT_USAGE } else { 1 })
        }
    }
}
