//! The only crate with SQL. One code path over sqlx's `Any` driver serves SQLite (the
//! default, embedded) and PostgreSQL (several stateless nodes); the backend is chosen at run
//! time from the URL scheme. Returns domain types, never rows.
//!
//! Invariants:
//! - every public method is one transaction, and the audit entries handed in are written in it;
//! - optimistic concurrency: updates carry `WHERE version = expected`, a miss is `Conflict`;
//! - errors are never turned into "not found";
//! - on SQLite all writes go through one connection (no "database is locked" under load),
//!   reads through a pool; on PostgreSQL one pool serves both.

mod admin;
mod approvals;
mod audit;
mod batch;
mod bench_support;
mod checkpoint;
mod clocks;
mod codec;
mod connect;
mod delivery;
mod export;
mod handling;
mod incidents;
mod indexer;
mod intake;
mod intake_links;
mod mail;
mod mailout;
mod migrate;
mod notify;
mod obs_seen;
mod obs_write;
mod observables;
mod pgp;
mod reports;
mod search;
mod sql;
mod store_impl;
mod triage;
mod views;
mod work;

pub use connect::{Backend, Options, SqlStore};
pub use export::{ExportSummary, TABLES};
pub use migrate::{MIGRATIONS, SCHEMA_VERSION};
