//! Stored records of triage, the SLA sweep and deadline clocks (the port's vocabulary).

use super::Outcome;
use crate::ids::{IncidentId, ReportId, UserId};
use crate::model::TargetKind;
use crate::sla::SlaClock;
use jiff::Timestamp;
use serde::Serialize;

/// One saved version of a configuration document (`rules` or `sla`). Versions are never
/// overwritten; the highest is current.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigVersion {
    pub kind: String,
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub body: serde_json::Value,
    pub created_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

/// What the rules decided for one report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriageRecord {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub report: ReportId,
    /// The rule-set version applied (0 = no rules saved yet).
    pub rules_version: i64,
    pub outcome: Outcome,
    /// The incident the report was linked to by a rule.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub linked: Option<IncidentId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
}

/// A request to tell someone something, recorded in the transaction that caused it. The
/// notification jobs deliver it; `dedup_key` makes recording idempotent (one per clock and
/// kind).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotificationRequest {
    pub id: String,
    pub dedup_key: String,
    /// `triage.notify`, `sla.warning`, `sla.breach`, `deadline.warning`, `deadline.breach`.
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub target_kind: TargetKind,
    pub target_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub recipient: Option<UserId>,
    /// Ids, references, times — never report text.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    /// `pending` until the delivery side takes it.
    pub status: String,
}

/// Everything triage writes with a new report, in the report's transaction.
#[derive(Debug, Clone, Default)]
pub struct TriageWrite {
    pub record: Option<TriageRecord>,
    pub link: Option<IncidentId>,
    pub notifications: Vec<NotificationRequest>,
    pub clocks: Vec<SlaClock>,
    pub deadlines: Vec<crate::deadlines::DeadlineClock>,
    /// The report's observables (extracted on arrival), written with it.
    pub observed: Vec<crate::observables::NewObservable>,
    /// Jobs queued with the report (its acknowledgement).
    pub jobs: Vec<crate::outbound::Job>,
    /// The structured side of a machine-readable or form report (alert, X-ARF, ARF,
    /// IODEF, web form), kept in `report_details`.
    pub structured: Option<crate::model::StructuredDetails>,
    /// Files that arrived without mail facts (the web form's uploads).
    pub files: Vec<(crate::model::Attachment, Vec<u8>)>,
}
