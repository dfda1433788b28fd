//! Handling records: playbooks and the tasks they produce, the response plan, the verify
//! step, the post-incident review, approvals and delegations, notifications and webhooks.
//! Ids are UUIDv7 strings (time-ordered, made from the injected clock).

use super::enums::*;
use crate::ids::*;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A new time-ordered id for a handling record.
pub fn new_id(now_ms: u64) -> String {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        now_ms / 1000,
        ((now_ms % 1000) * 1_000_000) as u32,
    );
    uuid::Uuid::new_v7(ts).to_string()
}

/// One task of a playbook template.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaybookTask {
    pub title_ja: String,
    pub title_en: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub checklist: Vec<String>,
    /// Due this many minutes after the playbook is applied (none: no due date).
    #[serde(default)]
    pub due_in_minutes: Option<i64>,
}

/// One version of a response manual. Versions are never edited: a revision is a new row.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playbook {
    pub id: String,
    pub slug: String,
    pub version: i64,
    pub title_ja: String,
    pub title_en: String,
    /// RSIT types or classes (`phishing`, `fraud`, `fraud/phishing`) this playbook is bound to.
    pub classifications: Vec<String>,
    pub tasks: Vec<PlaybookTask>,
    /// Why this version was made (required from version 2 on, e.g. after a review).
    pub reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub text: String,
    pub done: bool,
}

/// A task on an incident (from a playbook, or added by hand).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub incident: IncidentId,
    pub playbook: Option<String>,
    pub playbook_slug: Option<String>,
    pub playbook_version: Option<i64>,
    pub position: i64,
    pub title_ja: String,
    pub title_en: String,
    pub description: String,
    pub checklist: Vec<ChecklistItem>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: TaskStatus,
    pub notes: String,
    /// Attachments (on the incident) kept as evidence for this task.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub evidence: Vec<AttachmentId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated_at: Timestamp,
    pub version: i64,
}

/// The response plan of one loop iteration (append-only: a new plan per decision).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponsePlan {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub incident: IncidentId,
    pub iteration: i64,
    pub objectives: String,
    /// Targeted attacks: eliminate now or scope first.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub strategy: Option<Strategy>,
    /// What goes on being lost (or exposed) under this choice.
    pub risk: String,
    /// Why that risk is acceptable to the organisation.
    pub risk_tolerance: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub decided_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

/// The verify step of one iteration.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub incident: IncidentId,
    pub iteration: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub outcome: VerifyOutcome,
    pub notes: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub verified_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

/// The post-incident review (lessons learned).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub incident: IncidentId,
    pub root_cause: String,
    /// Why it could happen.
    pub why: String,
    /// What changes in policy or manuals.
    pub changes: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub reviewed_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

/// A request for approval of an action (today: a countermeasure).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub incident: IncidentId,
    /// `countermeasure`.
    pub action_kind: String,
    pub action_id: String,
    /// The role that decides (admins always may).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub required_role: Role,
    /// Emergency: the action went ahead first; the approval is asked afterwards.
    pub post_hoc: bool,
    pub reason: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: ApprovalStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub requested_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub requested_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub decided_by: Option<UserId>,
    /// Set when a delegate decided: the approver they stood in for.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub on_behalf_of: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub decided_at: Option<Timestamp>,
    pub comment: Option<String>,
    pub version: i64,
}

/// An approver's stand-in for a period `[starts_at, ends_at)`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delegation {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub delegator: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub delegate: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub starts_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub ends_at: Timestamp,
    pub reason: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

/// An in-app notification for one user. Its text follows the same TLP rule as chat.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub user: UserId,
    /// `assignment`, `approval.requested`, `sla.warning`, `sla.breach`, `deadline.due`.
    pub event: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub link: String,
    pub text: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub read_at: Option<Timestamp>,
}

/// An outbound webhook of a constituency (or of every constituency when none).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub constituency: Option<ConstituencyId>,
    pub name: String,
    pub url: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub format: WebhookFormat,
    /// Events sent (empty: all).
    pub events: Vec<String>,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated_at: Timestamp,
    pub version: i64,
}

/// One rendered webhook message waiting in the outbox (or sent, or given up on).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub webhook: String,
    pub event: String,
    pub url: String,
    pub content_type: String,
    pub body: String,
    /// `pending`, `sent` or `failed` (gave up).
    pub status: String,
    pub attempts: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub next_at: Timestamp,
    pub last_error: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub sent_at: Option<Timestamp>,
}
