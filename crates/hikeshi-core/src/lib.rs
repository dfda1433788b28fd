//! Hikeshi's domain: the records a CSIRT keeps (reports, incidents, investigations,
//! countermeasures, constituencies, users), their state machines, who may see and change
//! what, the tamper-evident audit chain, and the use cases that tie them together.
//!
//! Architecture invariants (see `ARCHITECTURE.md`):
//! - no SQL, no HTTP, no SMTP here; the outside world is reached through the ports in
//!   [`ports`] (`Store`, `Clock`);
//! - this crate never reads the wall clock or the environment: time comes from `Clock`;
//! - every use case authorises through [`access`] before it reads or writes anything.

pub mod access;
pub mod app;
pub mod audit;
pub mod deadlines;
pub mod error;
pub mod ids;
pub mod lifecycle;
pub mod model;
pub mod observables;
pub mod outbound;
pub mod ports;
pub mod routing;
pub mod secrets;
pub mod sla;
pub mod taxonomy;
pub mod triage;

pub use error::{Error, Result};
