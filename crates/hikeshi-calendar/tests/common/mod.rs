//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use jiff::Timestamp;
use jiff::civil::Date;

/// `/work/shared` located as `../shared` next to the workspace root, or `None` (after printing
/// "skipped: ../shared not found") when it does not exist.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("domain").is_dir() {
        Some(dir)
    } else {
        println!("skipped: ../shared not found");
        None
    }
}

pub fn ts(s: &str) -> Timestamp {
    s.parse()
        .unwrap_or_else(|e| panic!("bad timestamp {s}: {e}"))
}

pub fn day(s: &str) -> Date {
    s.parse().unwrap_or_else(|e| panic!("bad date {s}: {e}"))
}
