//! Table-driven parse tests, all through `common::check`.

mod charsets;
mod common;
mod routing;
mod structure;
mod threading;
