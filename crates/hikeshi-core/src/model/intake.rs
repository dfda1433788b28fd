//! What the other intake channels (alerts, X-ARF, ARF, IODEF, the public web form) keep
//! beside a report: the structured document and its typed observables.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One typed indicator carried by a structured report. `kind` is one of the extraction
/// vocabulary (`ipv4`, `ipv6`, `cidr`, `domain`, `url`, `email`, `md5`, `sha1`, `sha256`,
/// `sha512`, `cve`, `asn`), `value` is normalised the same way extraction does.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Observable {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// The structured side of a report: which format it came in, the observables it names,
/// and the parsed document (format-specific JSON) for the observables feature to read.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StructuredDetails {
    /// `alert`, `xarf`, `arf`, `iodef` or `webform`.
    pub format: String,
    pub observables: Vec<Observable>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// The deduplication series of an alert report: how often the same key arrived.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertSeries {
    pub source: String,
    pub dedup_key: String,
    pub count: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub first_seen: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub last_seen: Timestamp,
}

/// A public-form submission kept aside instead of becoming a report (e.g. the honeypot
/// field was filled). Never shown in the triage queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormRejection {
    pub id: String,
    pub at: Timestamp,
    /// Why: `honeypot`.
    pub reason: String,
    /// The client address as the limiter saw it.
    pub client: String,
    /// What was submitted (fields only; attachments are not kept).
    pub data: serde_json::Value,
}
