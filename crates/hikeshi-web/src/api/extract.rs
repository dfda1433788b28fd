//! `POST /api/v1/extract`: indicators in a text (pure; nothing is stored).

use crate::error::{WebError, WebResult};
use crate::extract::{Caller, Json};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// Largest text accepted (characters).
pub const MAX_TEXT: usize = 1_000_000;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractInput {
    pub text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ExtractItem {
    /// ipv4, ipv6, cidr, domain, url, email, md5, sha1, sha256, sha512, cve or asn.
    #[serde(rename = "type")]
    pub kind: String,
    /// Normalised (lower-case domains, canonical IPv6, re-fanged URLs).
    pub value: String,
    /// Offsets in characters of the submitted text, end exclusive.
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ExtractOutput {
    pub items: Vec<ExtractItem>,
}

#[utoipa::path(post, path = "/api/v1/extract", tag = "indicators", request_body = ExtractInput, responses((status = 200, body = ExtractOutput)))]
pub async fn extract(
    Caller(a): Caller,
    Json(input): Json<ExtractInput>,
) -> WebResult<axum::Json<ExtractOutput>> {
    if !a.scopes.read {
        return Err(hikeshi_core::Error::Forbidden("the token lacks the read scope".into()).into());
    }
    if input.text.chars().count() > MAX_TEXT {
        return Err(WebError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "text",
            format!("longer than {MAX_TEXT} characters"),
        ));
    }
    let items = hikeshi_indicators::extract(&input.text)
        .into_iter()
        .map(|i| ExtractItem {
            kind: i.kind.as_str().to_string(),
            value: i.value,
            start: i.start,
            end: i.end,
        })
        .collect();
    Ok(axum::Json(ExtractOutput { items }))
}
