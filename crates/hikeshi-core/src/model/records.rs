//! Record types. Fields are public: these are plain data; the rules live in
//! `lifecycle`, `access` and the use cases in `app`.

use super::enums::*;
use crate::ids::*;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constituency {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: ConstituencyId,
    pub slug: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub parent: Option<ConstituencyId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub netblocks: Vec<ipnet::IpNet>,
    pub domains: Vec<String>,
    pub email_domains: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub default_lang: Lang,
    pub contacts: Vec<Contact>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated_at: Timestamp,
    pub version: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// Sees every constituency (admins always do).
    pub global: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub constituencies: Vec<ConstituencyId>,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub disabled: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    pub version: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: TokenId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user: UserId,
    pub name: String,
    pub scopes: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    pub revoked: bool,
}

/// Fields shared by every record that carries a TLP and may be restricted to named users.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub rsit_class: Option<String>,
    pub rsit_type: Option<String>,
    pub jpcert_category: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: IncidentId,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub description: String,
    #[serde(flatten)]
    pub classification: Classification,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub severity: Severity,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub impact: Level,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub urgency: Level,
    pub priority: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tlp: Tlp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub pap: Pap,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub constituency: Option<ConstituencyId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: IncidentStatus,
    pub resolution: Option<String>,
    pub apt: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub parent: Option<IncidentId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub merged_into: Option<IncidentId>,
    pub tags: Vec<String>,
    /// Users named on the record; for TLP:RED the only ones (with the creator) who see it.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub named_users: Vec<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated_at: Timestamp,
    pub version: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: ReportId,
    #[serde(rename = "ref")]
    pub reference: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub channel: Channel,
    pub reporter: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub reporter_type: ReporterType,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub received_at: Timestamp,
    pub subject: String,
    pub content: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: ReportStatus,
    pub reject_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub constituency: Option<ConstituencyId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tlp: Tlp,
    pub tags: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub incidents: Vec<IncidentId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub named_users: Vec<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated_at: Timestamp,
    pub version: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Investigation {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: InvestigationId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub incident: IncidentId,
    pub title: String,
    pub correspondents: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: InvestigationStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated_at: Timestamp,
    pub version: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Countermeasure {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: CountermeasureId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub incident: IncidentId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: CountermeasureKind,
    /// What is blocked or taken down (an IP, a URL, a host, an account).
    pub what: String,
    /// Where the measure is applied (firewall, registrar, EDR...).
    #[serde(rename = "where")]
    pub location: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: CountermeasureStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated_at: Timestamp,
    pub version: i64,
}

/// Which record an entry, attachment or audit line belongs to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Incident,
    Report,
    Investigation,
    Countermeasure,
    Constituency,
    User,
    Token,
    System,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Incident => "incident",
            TargetKind::Report => "report",
            TargetKind::Investigation => "investigation",
            TargetKind::Countermeasure => "countermeasure",
            TargetKind::Constituency => "constituency",
            TargetKind::User => "user",
            TargetKind::Token => "token",
            TargetKind::System => "system",
        }
    }
}

/// A comment (internal) or a correspondence entry (in/out) on an incident or report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: EntryId,
    pub target_kind: TargetKind,
    pub target_id: String,
    /// "comment" or "correspondence".
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub direction: Option<Direction>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub author: Option<UserId>,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub subject: Option<String>,
    pub body: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: AttachmentId,
    pub target_kind: TargetKind,
    pub target_id: String,
    pub name: String,
    pub content_type: String,
    pub sha256: String,
    pub size: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

/// One line of the audit trail. `seq` and `hash` are set by the sealer after commit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: AuditId,
    pub seq: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub target_kind: TargetKind,
    pub target_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    pub hash: Option<String>,
}

/// The mail facts of a report or correspondence entry that arrived by e-mail.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailMeta {
    /// The stored raw message (kept as received, before any parsing).
    pub raw_id: String,
    pub message_id: Option<String>,
    /// Sender addr-spec.
    pub from: Option<String>,
    pub to: Vec<String>,
    /// Bounces, auto-replies, bulk mail: recorded, never answered (RFC 3834).
    pub auto_generated: bool,
    pub auto_reason: Option<String>,
    /// `good`, `bad`, `unknown-key`, `expired` or `none`.
    pub signature: String,
    /// `ja` or `en`.
    pub language: String,
    /// What looked wrong while parsing (parsing went on).
    pub malformed: Vec<String>,
    /// Header fields for display, decoded.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<String>>))]
    pub headers: Vec<(String, String)>,
}

/// A raw inbound message as stored before parsing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawMessage {
    pub id: String,
    pub sha256: String,
    pub size: i64,
    pub channel: String,
    pub received_at: Timestamp,
}

/// A list page and its query, saved by a user under a name.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user: UserId,
    pub name: String,
    /// `/incidents?…`, `/reports?…`, `/investigations?…` or `/countermeasures?…`.
    pub path: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}
