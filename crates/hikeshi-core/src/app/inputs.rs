//! What callers send. Unknown fields are refused (`deny_unknown_fields`), so a typo is a
//! 4xx naming the field instead of a silently ignored value. `Option<Option<T>>` fields
//! distinguish "leave as is" (absent) from "clear" (`null`).

use crate::model::*;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer};

/// Deserialises a present field (even `null`) as `Some(..)`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "medium"))]
    pub severity: Option<Severity>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub impact: Option<Level>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub urgency: Option<Level>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "amber"))]
    pub tlp: Option<Tlp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub pap: Option<Pap>,
    /// Constituency slug or id.
    pub constituency: Option<String>,
    /// User name or id.
    pub owner: Option<String>,
    pub rsit_class: Option<String>,
    pub rsit_type: Option<String>,
    pub jpcert_category: Option<String>,
    #[serde(default)]
    pub apt: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due_at: Option<Timestamp>,
    /// Parent incident id or reference.
    pub parent: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// User names who may see the record when it is TLP:RED.
    #[serde(default)]
    pub named_users: Vec<String>,
    /// Reports (ids or references) to link to the new incident.
    #[serde(default)]
    pub reports: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    /// The version the caller read; a stale one is refused with 409.
    pub version: Option<i64>,
    pub title: Option<String>,
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub severity: Option<Severity>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub impact: Option<Level>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub urgency: Option<Level>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub pap: Option<Pap>,
    pub constituency: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub rsit_class: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub rsit_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub jpcert_category: Option<Option<String>>,
    /// A status transition; only allowed moves are accepted.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub status: Option<IncidentStatus>,
    pub resolution: Option<String>,
    pub apt: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due_at: Option<Option<Timestamp>>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub parent: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub named_users: Option<Vec<String>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub channel: Option<Channel>,
    pub reporter: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub reporter_type: Option<ReporterType>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub received_at: Option<Timestamp>,
    pub subject: String,
    #[serde(default)]
    pub content: String,
    pub constituency: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub named_users: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportPatch {
    pub version: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub status: Option<ReportStatus>,
    /// Required when rejecting.
    pub reject_reason: Option<String>,
    pub constituency: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub owner: Option<Option<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    pub subject: Option<String>,
    pub tags: Option<Vec<String>>,
    pub named_users: Option<Vec<String>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvestigation {
    pub title: String,
    #[serde(default)]
    pub correspondents: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvestigationPatch {
    pub version: Option<i64>,
    pub title: Option<String>,
    pub correspondents: Option<Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub status: Option<InvestigationStatus>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCountermeasure {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: Option<CountermeasureKind>,
    pub what: String,
    #[serde(rename = "where", default)]
    pub location: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountermeasurePatch {
    pub version: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub status: Option<CountermeasureStatus>,
    pub what: Option<String>,
    #[serde(rename = "where")]
    pub location: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    /// "comment" (internal, default) or "correspondence".
    pub kind: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub direction: Option<Direction>,
    pub from: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    pub subject: Option<String>,
    pub body: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Option<Role>,
    #[serde(default)]
    pub global: bool,
    /// Constituency slugs or ids.
    #[serde(default)]
    pub constituencies: Vec<String>,
    /// Generated when absent.
    pub password: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub version: Option<i64>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub role: Option<Role>,
    pub global: Option<bool>,
    pub constituencies: Option<Vec<String>>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConstituency {
    pub slug: String,
    pub name: String,
    /// Parent slug or id.
    pub parent: Option<String>,
    #[serde(default)]
    pub netblocks: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub email_domains: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub default_lang: Option<Lang>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub contacts: Vec<Contact>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstituencyPatch {
    pub version: Option<i64>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub parent: Option<Option<String>>,
    pub netblocks: Option<Vec<String>>,
    pub domains: Option<Vec<String>>,
    pub email_domains: Option<Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub default_lang: Option<Lang>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub contacts: Option<Vec<Contact>>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// User name or id; defaults to the caller. Admins only for others.
    pub user: Option<String>,
    pub name: Option<String>,
    /// read, write, admin; defaults to read and write.
    #[serde(default)]
    pub scopes: Vec<String>,
}
