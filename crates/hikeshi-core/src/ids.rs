//! Identifiers: UUIDv7 primary keys in newtypes, separate from human references.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);
        impl $name {
            /// A new time-ordered id. `now_ms` keeps the clock injected.
            pub fn new(now_ms: u64) -> Self {
                let ts = uuid::Timestamp::from_unix(uuid::NoContext, now_ms / 1000, ((now_ms % 1000) * 1_000_000) as u32);
                $name(uuid::Uuid::new_v7(ts))
            }
            pub fn parse(s: &str) -> Option<Self> {
                uuid::Uuid::parse_str(s).ok().map($name)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }
    )*};
}

id_type!(
    IncidentId,
    ReportId,
    UserId,
    ConstituencyId,
    InvestigationId,
    CountermeasureId,
    EntryId,
    AttachmentId,
    TokenId,
    AuditId
);
