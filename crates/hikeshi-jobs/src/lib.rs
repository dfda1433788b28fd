//! hikeshi-jobs: the DB-backed job runner and the outbound mailer.
//!
//! - [`Runner`] claims due jobs from the store (a lease; `FOR UPDATE SKIP LOCKED` on
//!   PostgreSQL, so several nodes share one queue), runs them, and records the outcome:
//!   done, retried with exponential backoff (`hikeshi_core::outbound::backoff`), or dead
//!   after `max_attempts`. [`Runner::run_pending`] runs everything due now and returns —
//!   what tests call with their fixed clock; [`Runner::run_forever`] is what `serve` spawns.
//! - [`SmtpMailer`] implements the core's `Mailer` port with lettre: `build` and `send`.
//!   The core protects the built bytes in between (`App::protect_outbound`: OpenPGP sign,
//!   encrypt), so the decision and the transformation stay in one place.
//!
//! Invariants: job bodies are idempotent (an acknowledgement is rendered once, keyed by
//! its report; a message already `sent` is never sent again), and a job never holds a
//! database transaction while it talks to the network.

pub mod imap;
pub mod import;
mod mailer;
mod runner;

pub use mailer::SmtpMailer;
pub use runner::{RunStats, Runner};
