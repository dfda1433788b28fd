//! "Whose is it, and what do we have on it?" for any IP, CIDR, domain, URL or address.

use super::App;
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::model::{Constituency, Contact};
use crate::ports::ListQuery;
use crate::routing::RoutingTable;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::sync::{Arc, RwLock};

/// How long a node trusts its routing table before rebuilding it (other nodes' changes).
pub const ROUTING_TTL: SignedDuration = SignedDuration::from_secs(10);

/// The cached routing table of one node.
pub(crate) type RoutingCache = Arc<RwLock<Option<(Timestamp, Arc<RoutingTable>)>>>;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub default_lang: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub contacts: Vec<Contact>,
    /// The netblock or domain that matched.
    pub matched: String,
    /// `netblock`, `domain` or `email-domain`.
    pub how: String,
}

/// Whose an observable is, as an observables list shows it (no contacts: reporters see
/// their own reports' observables; contacts are for the team's `GET /lookup`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerRef {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// The netblock or domain that matched.
    pub matched: String,
    /// `netblock`, `domain` or `email-domain`.
    pub how: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Seen {
    pub id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub status: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct LookupResult {
    /// The value, normalised (re-fanged, lower-case, canonical IPv6).
    pub value: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The owning constituency, when one matches.
    pub owner: Option<Owner>,
    /// Incidents and reports (visible to the caller) that mention the value, newest first.
    pub incidents: Vec<Seen>,
    pub reports: Vec<Seen>,
    /// What the stored observables say: the visible records with this value and, for IPs,
    /// its /24 or /48, and whether it is common. Null when the value was never observed.
    pub observed: Option<super::correlate::Correlation>,
}

impl App {
    /// The routing table, rebuilt when older than [`ROUTING_TTL`] or after a change here.
    pub async fn routing_table(&self) -> Result<(Arc<RoutingTable>, Vec<Constituency>)> {
        let now = self.now();
        let cached = self.routing.read().ok().and_then(|g| g.clone());
        let cs = self.store.list_constituencies().await?;
        if let Some((at, t)) = cached
            && now.duration_since(at) < ROUTING_TTL
        {
            return Ok((t, cs));
        }
        let t = Arc::new(RoutingTable::build(&cs));
        if let Ok(mut g) = self.routing.write() {
            *g = Some((now, t.clone()));
        }
        Ok((t, cs))
    }

    /// The owning constituency of each observable (routing table, in process).
    pub(crate) async fn owners_of(
        &self,
        obs: &[crate::observables::Observable],
    ) -> Result<Vec<Option<OwnerRef>>> {
        if obs.is_empty() {
            return Ok(vec![]);
        }
        let (table, cs) = self.routing_table().await?;
        Ok(obs
            .iter()
            .map(|o| {
                let (_, _, route) = table.lookup(&o.value)?;
                let r = route?;
                cs.iter()
                    .find(|c| c.id == r.constituency)
                    .map(|c| OwnerRef {
                        id: c.id.to_string(),
                        slug: c.slug.clone(),
                        name: c.name.clone(),
                        matched: r.matched.clone(),
                        how: r.how.to_string(),
                    })
            })
            .collect())
    }

    pub(crate) fn forget_routing(&self) {
        if let Ok(mut g) = self.routing.write() {
            *g = None;
        }
    }

    pub async fn lookup(&self, actor: &Actor, value: &str) -> Result<LookupResult> {
        if !actor.scopes.read || actor.role == crate::model::Role::Reporter {
            return Err(Error::Forbidden("lookups are for the team".into()));
        }
        if value.trim().is_empty() || value.chars().count() > 2048 {
            return Err(Error::validation(
                "value",
                "an IP, CIDR, domain, URL or e-mail address",
            ));
        }
        let (table, cs) = self.routing_table().await?;
        let (kind, normalised, route) = table.lookup(value).ok_or_else(|| {
            Error::validation("value", "not an IP, CIDR, domain, URL or e-mail address")
        })?;
        let owner = route.and_then(|r| {
            cs.iter().find(|c| c.id == r.constituency).map(|c| Owner {
                id: c.id.to_string(),
                slug: c.slug.clone(),
                name: c.name.clone(),
                default_lang: c.default_lang.to_string(),
                contacts: c.contacts.clone(),
                matched: r.matched.clone(),
                how: r.how.to_string(),
            })
        });
        let q = ListQuery {
            q: Some(normalised.clone()),
            limit: 20,
            ..Default::default()
        };
        let incidents = self
            .list_incidents(actor, &q)
            .await?
            .items
            .into_iter()
            .map(|i| Seen {
                id: i.id.to_string(),
                reference: i.reference,
                title: i.title,
                status: i.status.to_string(),
            })
            .collect();
        let reports = self
            .list_reports(actor, &q)
            .await?
            .items
            .into_iter()
            .map(|r| Seen {
                id: r.id.to_string(),
                reference: r.reference,
                title: r.subject,
                status: r.status.to_string(),
            })
            .collect();
        let observed = self.observed(actor, kind, &normalised).await?;
        Ok(LookupResult {
            observed,
            value: normalised,
            kind: kind.as_str().to_string(),
            owner,
            incidents,
            reports,
        })
    }
}
