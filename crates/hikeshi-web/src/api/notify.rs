//! In-app notifications and webhook settings.

use crate::error::{WebError, WebResult};
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hikeshi_core::app::{NewWebhook, WebhookPatch};
use hikeshi_core::model::{Delivery, Notification, Webhook};
use serde::{Deserialize, Serialize};

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(("unread" = Option<bool>, Query, description = "only unread ones")),
    responses((status = 200, body = Vec<Notification>)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> WebResult<axum::Json<Vec<Notification>>> {
    let mut unread = false;
    for (k, v) in &pairs {
        match (k.as_str(), v.as_str()) {
            ("unread", "true" | "1") => unread = true,
            ("unread", "false" | "0") => unread = false,
            ("unread", _) => return Err(WebError::bad_request("unread", "true or false")),
            (other, _) => {
                return Err(WebError::bad_request(
                    other,
                    format!("unknown query parameter {other:?}"),
                ));
            }
        }
    }
    Ok(axum::Json(s.app.notifications(&a, unread).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// Notification ids (empty: all unread).
    #[serde(default)]
    pub ids: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Marked {
    pub marked: u64,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = MarkRead, responses((status = 200, body = Marked)))]
pub async fn mark_read(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(m): Json<MarkRead>,
) -> WebResult<axum::Json<Marked>> {
    Ok(axum::Json(Marked {
        marked: s.app.mark_read(&a, &m.ids).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "notifications", request_body = NewWebhook,
    responses((status = 201, body = Webhook), (status = 422)))]
pub async fn create_webhook(
    State(s): State<AppState>,
    Caller(a): Caller,
    Json(w): Json<NewWebhook>,
) -> WebResult<(StatusCode, axum::Json<Webhook>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.app.create_webhook(&a, w).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "notifications", responses((status = 200, body = Vec<Webhook>)))]
pub async fn webhooks(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> WebResult<axum::Json<Vec<Webhook>>> {
    Ok(axum::Json(s.app.webhooks(&a).await?))
}

#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "notifications", params(("id" = String, Path)), request_body = WebhookPatch,
    responses((status = 200, body = Webhook)))]
pub async fn patch_webhook(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    Json(p): Json<WebhookPatch>,
) -> WebResult<axum::Json<Webhook>> {
    Ok(axum::Json(s.app.update_webhook(&a, &id, p).await?))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "notifications", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Delivery>)))]
pub async fn deliveries(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> WebResult<axum::Json<Vec<Delivery>>> {
    Ok(axum::Json(s.app.webhook_deliveries(&a, &id).await?))
}
