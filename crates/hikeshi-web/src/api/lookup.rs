//! `GET /api/v1/lookup?value=…`: whose is it, and what do we have on it.

use crate::error::WebResult;
use crate::extract::{Caller, QueryParams};
use crate::state::AppState;
use axum::extract::State;
use hikeshi_core::app::LookupResult;
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LookupParams {
    /// An IP, CIDR, domain, URL or e-mail address; defanged forms are accepted.
    pub value: String,
}

#[utoipa::path(get, path = "/api/v1/lookup", tag = "indicators", params(LookupParams), responses((status = 200, body = LookupResult), (status = 422)))]
pub async fn lookup(
    State(s): State<AppState>,
    Caller(a): Caller,
    QueryParams(p): QueryParams<LookupParams>,
) -> WebResult<axum::Json<LookupResult>> {
    Ok(axum::Json(s.app.lookup(&a, &p.value).await?))
}
