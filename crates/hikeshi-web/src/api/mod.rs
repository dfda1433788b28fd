//! The JSON API under `/api/v1`. Handlers are thin: parse → one use case → render.

pub mod admin;
pub mod alerts;
pub mod approvals;
pub mod documents;
pub mod extract;
pub mod handling;
pub mod incidents;
pub mod keys;
pub mod lookup;
pub mod mail;
pub mod notify;
pub mod observables;
pub mod reports;
pub mod system;
pub mod triage;
pub mod work;

use crate::error::{WebError, WebResult};
use base64::Engine;
use hikeshi_core::model::{Severity, Tlp};
use hikeshi_core::ports::{ListQuery, Page, Sort};
use serde::Serialize;

/// `{"items": [...], "next_cursor": "..."}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub fn page<T>(p: Page<T>) -> List<T> {
    List {
        items: p.items,
        next_cursor: p.next.map(|(v, id)| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{v}:{id}"))
        }),
    }
}

fn decode_cursor(c: &str) -> Option<(i64, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (v, id) = s.split_once(':')?;
    Some((v.parse().ok()?, id.to_string()))
}

fn time(field: &str, v: &str) -> WebResult<jiff::Timestamp> {
    v.parse()
        .map_err(|_| WebError::bad_request(field, "expected an RFC 3339 time"))
}

/// Parsed list parameters. The owner is resolved by the caller (it needs the store).
pub struct ListParams {
    pub query: ListQuery,
    pub owner: Option<String>,
}

/// Parses list query parameters; an unknown parameter is an error naming it.
pub fn list_params(pairs: &[(String, String)]) -> WebResult<ListParams> {
    let mut q = ListQuery {
        limit: 50,
        ..Default::default()
    };
    let mut owner = None;
    for (k, v) in pairs {
        match k.as_str() {
            "q" => q.q = Some(v.clone()).filter(|s| !s.trim().is_empty()),
            "status" => {
                q.status = v
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            }
            "severity" => q.severity = Some(Severity::parse_field(v, "severity")?),
            "tlp" => q.tlp = Some(Tlp::parse_field(v, "tlp")?),
            "constituency" => {}
            "owner" => owner = Some(v.clone()),
            "rsit_class" => q.rsit_class = Some(v.clone()),
            "tag" => q.tag = Some(v.clone()),
            "created_from" => q.created_from = Some(time("created_from", v)?),
            "created_to" => q.created_to = Some(time("created_to", v)?),
            "sort" => q.sort = Sort::parse(v)?,
            "cursor" => {
                q.after = Some(decode_cursor(v).ok_or_else(|| {
                    WebError::bad_request("cursor", "not a cursor from a previous page")
                })?)
            }
            "limit" => {
                let n: i64 = v
                    .parse()
                    .map_err(|_| WebError::bad_request("limit", "expected an integer"))?;
                if !(1..=500).contains(&n) {
                    return Err(WebError::bad_request("limit", "must be between 1 and 500"));
                }
                q.limit = n;
            }
            other => {
                return Err(WebError::bad_request(
                    other,
                    format!("unknown query parameter {other:?}"),
                ));
            }
        }
    }
    Ok(ListParams { query: q, owner })
}

/// Fills in the filters that need look-ups (constituency slug, owner name).
pub async fn resolve_filters(
    app: &hikeshi_core::app::App,
    pairs: &[(String, String)],
    mut p: ListParams,
) -> WebResult<ListQuery> {
    if let Some((_, c)) = pairs.iter().find(|(k, _)| k == "constituency") {
        p.query.constituency = Some(app.resolve_constituency(c).await?.id);
    }
    if let Some(o) = p.owner {
        p.query.owner = Some(if o == "none" {
            None
        } else {
            Some(
                app.resolve_user(&o)
                    .await
                    .map_err(|_| WebError::bad_request("owner", format!("no user {o:?}")))?
                    .id,
            )
        });
    }
    Ok(p.query)
}
