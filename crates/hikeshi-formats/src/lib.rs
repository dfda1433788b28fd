//! Pure parsers for machine-readable abuse and incident reports. Each turns a document into
//! a [`Structured`] report: a title, a readable summary (which names the key indicators, so
//! text extraction finds them too), the typed observables, and the parsed document as JSON.
//!
//! - **X-ARF** ([`xarf`]): v4 JSON (`xarf_version` 4.x, validated against the bundled
//!   xarf-spec v4 master schema) and the abusix JSON versions `1`, `2`, `3`, `alpha`,
//!   `development` (validated against the bundled abusix super-schema, formats asserted).
//!   Legacy xarf-spec v3 documents (`"Version": "3.0.0"`) are accepted as migration input
//!   with structural checks only: upstream's own v3 schema rejects its samples.
//! - **ARF** ([`arf`]): RFC 5965 `multipart/report; report-type=feedback-report` mail.
//! - **IODEF v2** ([`iodef`]): RFC 7970 XML.
//! - **Mail** ([`from_mail`]): recognises IODEF (an `application/iodef+xml` part), X-ARF (an
//!   `X-XARF` header, or a JSON part or body that is an X-ARF document) and ARF in a raw
//!   message.
//!
//! Invariants: no I/O (schemas are compiled in, references never fetched), no clock; never
//! panics on any input; a document is either accepted whole or refused with reasons.

pub mod arf;
pub mod iodef;
mod mail;
mod observe;
pub mod xarf;

pub use mail::from_mail;

use serde::Serialize;

/// A typed indicator: `kind` is one of the extraction vocabulary (`ipv4`, `domain`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Indicator {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// A machine-readable report, parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Structured {
    /// `xarf`, `arf` or `iodef`.
    pub format: &'static str,
    /// One line for the triage queue.
    pub title: String,
    /// Readable text: the facts and the key indicators.
    pub summary: String,
    /// Who reported it (organisation or address), when the document says.
    pub reporter: Option<String>,
    /// When the abuse happened, as written in the document (RFC 3339 where the format has it).
    pub occurred_at: Option<String>,
    /// The document's own classification (`connection/ddos`, `abuse`, `Activity/PortScan`).
    pub classification: Option<String>,
    /// A suggested RSIT `class/type`, when the classification maps to one.
    pub rsit: Option<String>,
    pub observables: Vec<Indicator>,
    /// The parsed document as JSON (X-ARF: the document itself, minus evidence payloads).
    pub details: serde_json::Value,
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not well-formed: {0}")]
    Syntax(String),
    /// The document does not follow its schema or specification; one reason per line.
    #[error("invalid {format}: {}", reasons.join("; "))]
    Invalid {
        format: &'static str,
        reasons: Vec<String>,
    },
}

impl Error {
    pub(crate) fn invalid(format: &'static str, reason: impl Into<String>) -> Error {
        Error::Invalid {
            format,
            reasons: vec![reason.into()],
        }
    }
}
