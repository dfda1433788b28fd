//! `/api/v1/reports`.

use super::{List, list_params, page, resolve_filters};
use crate::error::WebResult;
use crate::extract::{Body, Caller, Json, QueryParams};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hikeshi_core::app::{Landed, NewReport, ReportDetails, ReportPatch};
use hikeshi_core::model::{AlertSeries, AuditEntry, MailMeta, Report, StructuredDetails};
use serde::{Deserialize, Serialize};

/// An attachment as listed on a report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AttachmentRef {
    pub id: String,
    pub name: String,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
}

/// A report as the API shows it: the record, plus what arrived with it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportView {
    #[serde(flatten)]
    pub report: Report,
    /// Sender addr-spec (mail), else null.
    pub from: Option<String>,
    pub attachments: Vec<AttachmentRef>,
    /// OpenPGP result: good, bad, unknown-key, expired or none.
    pub signature: String,
    /// Bounces, auto-replies and bulk mail: recorded, never answered.
    pub auto_generated: bool,
    /// Mail facts (headers, message id, parse notes) when it came by mail.
    pub mail: Option<MailMeta>,
    /// SLA clocks (first response, triage); on single reads only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<Vec<hikeshi_core::sla::SlaView>>,
    /// Typed observables (single report only; the list leaves them out): see
    /// `GET /api/v1/reports/{id}/observables` for their correlation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observables: Option<Vec<hikeshi_core::observables::Observable>>,
    /// The structured document and its typed observables (alerts, X-ARF, ARF, IODEF, web form).
    pub structured: Option<StructuredDetails>,
    /// Alert reports: how often the deduplication key arrived, first and last seen.
    pub alert: Option<AlertSeries>,
}

impl From<ReportDetails> for ReportView {
    fn from(d: ReportDetails) -> Self {
        ReportView {
            from: d.mail.as_ref().and_then(|m| m.from.clone()),
            signature: d
                .mail
                .as_ref()
                .map(|m| m.signature.clone())
                .unwrap_or_else(|| "none".into()),
            auto_generated: d.mail.as_ref().is_some_and(|m| m.auto_generated),
            attachments: d
                .attachments
                .into_iter()
                .map(|a| AttachmentRef {
                    id: a.id.to_string(),
                    name: a.name,
                    sha256: a.sha256,
                    size: a.size,
                    content_type: a.content_type,
                })
                .collect(),
            mail: d.mail,
            structured: d.structured,
            alert: d.alert,
            report: d.report,
            sla: None,
            observables: None,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = NewReport, responses((status = 201, body = Report)))]
pub async fn create(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(input): Json<NewReport>,
) -> WebResult<(StatusCode, axum::Json<Report>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_report(&a, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports",
    params(("q" = Option<String>, Query), ("status" = Option<String>, Query), ("tlp" = Option<String>, Query), ("constituency" = Option<String>, Query),
        ("owner" = Option<String>, Query), ("sort" = Option<String>, Query), ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = List<ReportView>)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> WebResult<axum::Json<List<ReportView>>> {
    let q = resolve_filters(&s.app, &pairs, list_params(&pairs)?).await?;
    let p = s.app.list_report_details(&a, &q).await?;
    let p = hikeshi_core::ports::Page {
        items: p.items.into_iter().map(ReportView::from).collect(),
        next: p.next,
    };
    Ok(axum::Json(page(p)))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = String, Path, description = "id or reference")),
    responses((status = 200, body = ReportView), (status = 404)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<ReportView>> {
    let (d, sla, obs) = s.app.get_report_full(&a, &id).await?;
    let mut v = ReportView::from(d);
    v.sla = Some(sla);
    v.observables = Some(obs);
    Ok(axum::Json(v))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RawParams {
    /// Intake channel name recorded with the raw message (default `api`).
    pub channel: Option<String>,
}

/// One RFC 5322 message (`message/rfc822`): stored raw first, then parsed; a reply tagged
/// `[Hikeshi #REF]` lands on that record, anything else becomes a new report.
#[utoipa::path(post, path = "/api/v1/reports/raw", tag = "reports", params(RawParams),
    request_body(content = Vec<u8>, content_type = "message/rfc822"), responses((status = 201, body = Landed)))]
pub async fn raw(
    State(s): State<AppState>,
    Caller(a): Caller,
    QueryParams(p): QueryParams<RawParams>,
    Body(body): Body,
) -> WebResult<(StatusCode, axum::Json<Landed>)> {
    let channel = p.channel.unwrap_or_else(|| "api".into());
    let landed = s
        .app
        .ingest_mail(&a, &body, &channel, &s.app.outbound().tag_prefix)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(landed)))
}

/// The message exactly as received (always a download).
#[utoipa::path(get, path = "/api/v1/reports/{id}/raw", tag = "reports", params(("id" = String, Path)), responses((status = 200, content_type = "application/octet-stream")))]
pub async fn raw_download(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::response::Response> {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let bytes = s.app.raw_mail_of_report(&a, &id).await?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"message.eml\""),
    );
    Ok(r)
}

#[utoipa::path(patch, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = String, Path)), request_body = ReportPatch,
    responses((status = 200, body = Report), (status = 409), (status = 422)))]
pub async fn patch(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<ReportPatch>,
) -> WebResult<axum::Json<Report>> {
    Ok(axum::Json(s.app.update_report(&a, &id, p).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// Incident id or reference.
    pub incident: String,
}

#[utoipa::path(post, path = "/api/v1/reports/{id}/incidents", tag = "reports", params(("id" = String, Path)), request_body = LinkInput,
    responses((status = 200, body = Report)))]
pub async fn link(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(l): Json<LinkInput>,
) -> WebResult<axum::Json<Report>> {
    Ok(axum::Json(s.app.link_report(&a, &id, &l.incident).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}/history", tag = "reports", params(("id" = String, Path)), responses((status = 200, body = Vec<AuditEntry>)))]
pub async fn history(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<AuditEntry>>> {
    Ok(axum::Json(s.app.report_history(&a, &id).await?))
}
