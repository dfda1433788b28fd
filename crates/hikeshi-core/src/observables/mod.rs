//! Typed observables on reports and incidents, and what correlation needs: the storage
//! vocabulary (kind codes, /24 and /48 prefix keys), the warning list of values too common
//! to correlate, and the records the store hands back. Pure: no I/O, no clock.

mod warning;

pub use hikeshi_indicators::Kind;
pub use warning::{WarningList, WarningMatch};

use crate::ids::{ConstituencyId, UserId};
use crate::model::{TargetKind, Tlp};
use jiff::Timestamp;
use serde::Serialize;
use std::net::IpAddr;

/// Default fan-out cut-off: a value linked to more records than this is "common" and is not
/// correlated record by record.
pub const DEFAULT_COMMON_CUTOFF: i64 = 1_000;

/// Storage code of a kind: its index in [`Kind::ALL`] (stable: new kinds are appended).
pub fn kind_code(k: Kind) -> i64 {
    Kind::ALL.iter().position(|x| *x == k).unwrap_or(0) as i64
}

pub fn kind_from_code(c: i64) -> Option<Kind> {
    usize::try_from(c)
        .ok()
        .and_then(|i| Kind::ALL.get(i).copied())
}

/// The neighbourhood key of an IP: its /24 (IPv4, in `0..2^24`) or /48 (IPv6, in
/// `2^48..2^49`), so both families share one integer column without overlap.
pub fn prefix_key(kind: Kind, value: &str) -> Option<i64> {
    match (kind, value.parse::<IpAddr>().ok()?) {
        (Kind::Ipv4, IpAddr::V4(a)) => Some(i64::from(u32::from(a) >> 8)),
        (Kind::Ipv6, IpAddr::V6(a)) => Some((1_i64 << 48) + (u128::from(a) >> 80) as i64),
        _ => None,
    }
}

/// The network a prefix key stands for (`198.51.100.0/24`, `2001:db8:1::/48`).
pub fn prefix_name(key: i64) -> String {
    if key < (1 << 48) {
        let a = std::net::Ipv4Addr::from((key as u32) << 8);
        format!("{a}/24")
    } else {
        let a = std::net::Ipv6Addr::from(((key - (1 << 48)) as u128) << 80);
        format!("{a}/48")
    }
}

/// The record an observable is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    pub kind: TargetKind,
    pub id: String,
}

/// One observable to store on a record (value already normalised by the extractor).
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservable {
    pub kind: Kind,
    pub value: String,
    /// [`prefix_key`] of the value.
    pub prefix: Option<i64>,
    /// On the warning list.
    pub common: bool,
    pub tlp: Tlp,
    pub ioc: bool,
    pub tags: Vec<String>,
    pub seen_at: Timestamp,
    /// Occurrences in this batch (a value mentioned three times is one link, 3 sightings).
    pub sightings: i64,
}

impl NewObservable {
    pub fn new(kind: Kind, value: String, tlp: Tlp, at: Timestamp, warn: &WarningList) -> Self {
        NewObservable {
            prefix: prefix_key(kind, &value),
            common: warn.check(kind, &value).is_some(),
            kind,
            value,
            tlp,
            ioc: false,
            tags: vec![],
            seen_at: at,
            sightings: 1,
        }
    }
}

/// An observable as stored: the link of one value to one record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observable {
    /// `{record number}-{value id}`: stable, opaque.
    pub id: String,
    #[serde(skip)]
    pub value_id: i64,
    #[serde(skip)]
    pub record: RecordRefOut,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub first_seen: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub last_seen: Timestamp,
    pub sightings: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tlp: Tlp,
    pub ioc: bool,
    pub tags: Vec<String>,
    /// On the warning list (see the `common_reason` of the correlation).
    pub warning_listed: bool,
    #[serde(skip)]
    pub prefix: Option<i64>,
    /// How many records link the value, all constituencies (internal: never serialised).
    #[serde(skip)]
    pub records: i64,
}

/// The record of an observable, as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordRefOut {
    pub kind: String,
    pub id: String,
}

/// What visibility needs to know about a record found by correlation, and what a caller
/// who may see it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFacts {
    pub kind: TargetKind,
    pub id: String,
    pub reference: String,
    pub title: String,
    pub status: String,
    pub constituency: Option<ConstituencyId>,
    pub tlp: Tlp,
    pub named_users: Vec<UserId>,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

/// A stored value and its fan-out (for look-ups by value).
#[derive(Debug, Clone, PartialEq)]
pub struct ValueStats {
    pub id: i64,
    pub kind: Kind,
    pub value: String,
    pub prefix: Option<i64>,
    pub records: i64,
    pub common: bool,
}

/// One record found by correlation (`Store::correlation_rows`).
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationRow {
    /// The value asked about.
    pub value_id: i64,
    /// Found through another value of the same /24 or /48, not the value itself.
    pub network: bool,
    pub record_kind: String,
    pub record_id: String,
    /// None when the record is not a stored report or incident.
    pub facts: Option<RecordFacts>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_keys_group_by_24_and_48() {
        let k = |kind, v| prefix_key(kind, v);
        assert_eq!(k(Kind::Ipv4, "45.33.32.1"), k(Kind::Ipv4, "45.33.32.254"));
        assert_ne!(k(Kind::Ipv4, "45.33.32.1"), k(Kind::Ipv4, "45.33.33.1"));
        assert_eq!(
            k(Kind::Ipv6, "2a01:4f8:1:2::1"),
            k(Kind::Ipv6, "2a01:4f8:1:ffff::9")
        );
        assert_ne!(
            k(Kind::Ipv6, "2a01:4f8:1::1"),
            k(Kind::Ipv6, "2a01:4f8:2::1")
        );
        assert_eq!(k(Kind::Domain, "example.com"), None);
        let v4 = k(Kind::Ipv4, "45.33.32.156").unwrap_or_default();
        let v6 = k(Kind::Ipv6, "2a01:4f8:1::1").unwrap_or_default();
        assert_eq!(prefix_name(v4), "45.33.32.0/24");
        assert_eq!(prefix_name(v6), "2a01:4f8:1::/48");
        for kind in Kind::ALL {
            assert_eq!(kind_from_code(kind_code(kind)), Some(kind));
        }
    }
}
