//! Triage rules, SLA policy and clocks, deadline clocks and presets.

use super::time;
use crate::error::{WebError, WebResult};
use crate::extract::{Caller, Json, QueryParams};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hikeshi_core::app::{
    AttachDeadlines, DryRun, DryRunInput, NearBreach, PresetInfo, SaveRules, SubmitDeadline,
    SweepSummary,
};
use hikeshi_core::deadlines::DeadlineClock;
use hikeshi_core::sla::SlaConfig;
use hikeshi_core::triage::{ConfigVersion, NotificationRequest, TriageRecord};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VersionParam {
    /// A saved version; the current one when absent.
    pub version: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/triage/rules", tag = "triage", params(VersionParam),
    responses((status = 200, body = ConfigVersion), (status = 403)))]
pub async fn rules(
    State(s): State<AppState>,
    Caller(a): Caller,
    QueryParams(p): QueryParams<VersionParam>,
) -> WebResult<axum::Json<ConfigVersion>> {
    Ok(axum::Json(s.app.triage_rules(&a, p.version).await?))
}

#[utoipa::path(put, path = "/api/v1/triage/rules", tag = "triage", request_body = SaveRules,
    responses((status = 200, body = ConfigVersion), (status = 409, description = "stale version"), (status = 422)))]
pub async fn save_rules(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(input): Json<SaveRules>,
) -> WebResult<axum::Json<ConfigVersion>> {
    Ok(axum::Json(s.app.save_triage_rules(&a, input).await?))
}

#[utoipa::path(get, path = "/api/v1/triage/rules/versions", tag = "triage",
    responses((status = 200, body = Vec<ConfigVersion>)))]
pub async fn rule_versions(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<ConfigVersion>>> {
    Ok(axum::Json(s.app.triage_rule_versions(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/triage/dry-run", tag = "triage", request_body = DryRunInput,
    responses((status = 200, body = DryRun), (status = 422)))]
pub async fn dry_run(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(input): Json<DryRunInput>,
) -> WebResult<axum::Json<DryRun>> {
    Ok(axum::Json(s.app.triage_dry_run(&a, input).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}/triage", tag = "triage", params(("id" = String, Path)),
    responses((status = 200, body = Option<TriageRecord>), (status = 404)))]
pub async fn report_triage(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Option<TriageRecord>>> {
    Ok(axum::Json(s.app.report_triage(&a, &id).await?))
}

/// An incident with its SLA clocks. (`GET /incidents/{id}` stays the bare record, so what a
/// write returns is what a read returns.)
#[derive(Serialize, utoipa::ToSchema)]
pub struct IncidentSla {
    #[serde(rename = "ref")]
    pub reference: String,
    pub sla: Vec<hikeshi_core::sla::SlaView>,
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/sla", tag = "sla", params(("id" = String, Path)),
    responses((status = 200, body = IncidentSla), (status = 404)))]
pub async fn incident_sla(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<IncidentSla>> {
    let (i, sla) = s.app.incident_with_sla(&a, &id).await?;
    Ok(axum::Json(IncidentSla {
        reference: i.reference,
        sla,
    }))
}

#[utoipa::path(get, path = "/api/v1/sla/config", tag = "sla", responses((status = 200, body = ConfigVersion)))]
pub async fn sla_config(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<ConfigVersion>> {
    Ok(axum::Json(s.app.sla_config(&a).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveSla {
    /// The version read (stale → 409).
    pub version: Option<i64>,
    pub config: SlaConfig,
}

#[utoipa::path(put, path = "/api/v1/sla/config", tag = "sla", request_body = SaveSla,
    responses((status = 200, body = ConfigVersion), (status = 409), (status = 422)))]
pub async fn save_sla_config(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(input): Json<SaveSla>,
) -> WebResult<axum::Json<ConfigVersion>> {
    Ok(axum::Json(
        s.app
            .save_sla_config(&a, input.version, input.config)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NearParams {
    /// Clocks that reach their warning time within this many minutes (default 60; past
    /// warnings and breaches always show).
    pub within_minutes: Option<i64>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/sla/near-breach", tag = "sla", params(NearParams),
    responses((status = 200, body = Vec<NearBreach>)))]
pub async fn near_breach(
    State(s): State<AppState>,
    Caller(a): Caller,
    QueryParams(p): QueryParams<NearParams>,
) -> WebResult<axum::Json<Vec<NearBreach>>> {
    let m = p.within_minutes.unwrap_or(60);
    if !(0..=525_600).contains(&m) {
        return Err(WebError::bad_request("within_minutes", "0 to 525600"));
    }
    let within = jiff::SignedDuration::from_mins(m);
    Ok(axum::Json(
        s.app
            .sla_near_breach(&a, within, p.limit.unwrap_or(100))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/sla/sweep", tag = "sla", responses((status = 200, body = SweepSummary), (status = 403)))]
pub async fn sweep(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<SweepSummary>> {
    Ok(axum::Json(s.app.sweep_clocks_as(&a).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotesParams {
    pub after: Option<String>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/notification-requests", tag = "sla", params(NotesParams),
    responses((status = 200, body = Vec<NotificationRequest>), (status = 403)))]
pub async fn notification_requests(
    State(s): State<AppState>,
    Caller(a): Caller,
    QueryParams(p): QueryParams<NotesParams>,
) -> WebResult<axum::Json<Vec<NotificationRequest>>> {
    Ok(axum::Json(
        s.app
            .notification_requests(&a, p.after.as_deref(), p.limit.unwrap_or(100))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/deadlines", tag = "deadlines", params(("id" = String, Path)),
    request_body = AttachDeadlines, responses((status = 201, body = Vec<DeadlineClock>), (status = 422)))]
pub async fn attach_deadlines(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(input): Json<AttachDeadlines>,
) -> WebResult<(StatusCode, axum::Json<Vec<DeadlineClock>>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.attach_deadlines(&a, &id, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}/deadlines", tag = "deadlines", params(("id" = String, Path)),
    responses((status = 200, body = Vec<DeadlineClock>)))]
pub async fn incident_deadlines(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<DeadlineClock>>> {
    Ok(axum::Json(s.app.incident_deadlines(&a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/deadlines/{id}/submit", tag = "deadlines", params(("id" = String, Path)),
    request_body = SubmitDeadline, responses((status = 200, body = DeadlineClock), (status = 409), (status = 422)))]
pub async fn submit_deadline(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(input): Json<SubmitDeadline>,
) -> WebResult<axum::Json<DeadlineClock>> {
    Ok(axum::Json(s.app.submit_deadline(&a, &id, input).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DueParams {
    /// RFC 3339; default: 30 days from now.
    pub due_before: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DueList {
    pub items: Vec<DeadlineClock>,
}

#[utoipa::path(get, path = "/api/v1/deadlines", tag = "deadlines", params(DueParams),
    responses((status = 200, body = DueList), (status = 422)))]
pub async fn deadlines_due(
    State(s): State<AppState>,
    Caller(a): Caller,
    QueryParams(p): QueryParams<DueParams>,
) -> WebResult<axum::Json<DueList>> {
    let before = match &p.due_before {
        Some(v) => time("due_before", v)?,
        None => s
            .app
            .now()
            .checked_add(jiff::SignedDuration::from_hours(30 * 24))
            .map_err(|_| WebError::bad_request("due_before", "out of range"))?,
    };
    Ok(axum::Json(DueList {
        items: s
            .app
            .deadlines_due(&a, before, p.limit.unwrap_or(100))
            .await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/deadline-presets", tag = "deadlines", responses((status = 200, body = Vec<PresetInfo>)))]
pub async fn presets(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<PresetInfo>>> {
    Ok(axum::Json(s.app.deadline_presets(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/deadline-presets", tag = "deadlines",
    request_body(content = Object, description = "a preset in the shape of regulatory-deadlines.yaml"),
    responses((status = 201, body = PresetInfo), (status = 409), (status = 422)))]
pub async fn add_preset(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(p): Json<hikeshi_calendar::deadline::Preset>,
) -> WebResult<(StatusCode, axum::Json<PresetInfo>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.add_deadline_preset(&a, p).await?),
    ))
}
