//! The `Store` conformance story: every method of `hikeshi_core::ports::Store`, called
//! directly on `SqlStore`, on every backend.

mod admin;
mod delivery;
mod fx;
mod handling;
mod incidents;
mod intake_links;
mod lists;
mod mail;
mod observables;
mod pgp;
mod triage;
mod work;
