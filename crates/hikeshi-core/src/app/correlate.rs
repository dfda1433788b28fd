//! "Seen before": for each observable, the other reports and incidents with the same value
//! and, for IPs, with another value in the same /24 or /48 — bounded and access-checked.
//!
//! Bounds: a value on the warning list, or linked to more records than the cut-off, is
//! `common` and not correlated record by record; every query reads at most cut-off + 1
//! links. Visibility: records the caller may not see are left out of the lists **and the
//! counts** (counts are of visible records only, so correlation never tells one
//! constituency that another has seen a value). `common` is the one fact that spans
//! constituencies: it says a value is widespread, never where.

use super::App;
use crate::access::{Actor, Guarded};
use crate::error::{Error, Result};
use crate::model::{TargetKind, Tlp};
use crate::observables::{Kind, Observable, RecordFacts, prefix_name};
use serde::Serialize;
use std::collections::HashMap;

/// (record kind, record id).
type RecordKey = (String, String);

/// Records listed per observable (the counts go further).
pub const RELATED_LISTED: usize = 10;

/// Most recent links read per value (and per network) to count and list visible records:
/// the cost of a look-up is bounded by this, whatever the cut-off.
pub const RELATED_SCAN: i64 = 200;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelatedRecord {
    /// `report` or `incident`.
    pub kind: String,
    pub id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub status: String,
}

/// Visible records sharing a value or a network.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Related {
    /// Visible records, newest first (the first few).
    pub records: Vec<RelatedRecord>,
    /// Visible records among the most recent links read (at most 200).
    pub count: usize,
    /// How many of them are incidents (a report linked to an incident brings its
    /// observables to it, so the incident is named here too).
    pub incidents: usize,
    /// More links exist than were read: `count` is a lower bound.
    pub capped: bool,
    /// Too many records to correlate (fan-out above the cut-off).
    pub common: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrefixRelated {
    /// `198.51.100.0/24` or `2001:db8:1::/48`.
    pub network: String,
    #[serde(flatten)]
    pub related: Related,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    /// On the warning list or above the fan-out cut-off: not correlated.
    pub common: bool,
    /// `warning-list:<list> <entry>` or `fan-out`.
    pub common_reason: Option<String>,
    pub same_value: Related,
    /// IPs only: other values in the same /24 (IPv4) or /48 (IPv6).
    pub same_network: Option<PrefixRelated>,
}

/// An observable with its correlation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservableView {
    #[serde(flatten)]
    pub observable: Observable,
    pub seen: Correlation,
    /// The constituency the value routes to (IPs, CIDRs, domains, URLs, addresses).
    pub owner: Option<super::lookup::OwnerRef>,
}

fn guard(f: &RecordFacts) -> Guarded<'_> {
    Guarded {
        constituency: f.constituency,
        tlp: f.tlp,
        named_users: &f.named_users,
        created_by: f.created_by,
        is_incident: f.kind == TargetKind::Incident,
    }
}

impl App {
    /// Correlation of the observables of one record (`own` is left out of every list).
    pub async fn correlate(
        &self,
        actor: &Actor,
        own: &str,
        obs: &[Observable],
    ) -> Result<Vec<Correlation>> {
        let cutoff = self.observables.common_cutoff;
        let warn = &self.observables.warning;
        let reason = |o: &Observable| -> Option<String> {
            let kind = Kind::parse(&o.kind)?;
            if o.warning_listed {
                let m = warn.check(kind, &o.value);
                return Some(match m {
                    Some(m) => format!("warning-list:{} {}", m.list, m.entry),
                    None => "warning-list".into(),
                });
            }
            (o.records > cutoff).then(|| "fan-out".to_string())
        };
        let reasons: Vec<Option<String>> = obs.iter().map(reason).collect();
        let wanted: Vec<(i64, Option<i64>)> = obs
            .iter()
            .zip(&reasons)
            .filter(|(_, r)| r.is_none())
            .map(|(o, _)| (o.value_id, o.prefix))
            .collect();
        let net_limit = (cutoff + 1).min(RELATED_SCAN);
        // One store call: links of each value, of its network, and the records' facts.
        let rows = self
            .store
            .correlation_rows(&wanted, RELATED_SCAN, net_limit)
            .await?;
        // Per value id: (records other than `own`, links read).
        let mut by_value: HashMap<i64, (Vec<RecordKey>, i64)> = HashMap::new();
        let mut by_network: HashMap<i64, (Vec<RecordKey>, i64)> = HashMap::new();
        let mut visible: HashMap<String, RecordFacts> = HashMap::new();
        for row in rows {
            let map = if row.network {
                &mut by_network
            } else {
                &mut by_value
            };
            let e = map.entry(row.value_id).or_default();
            e.1 += 1;
            if row.record_id != own {
                e.0.push((row.record_kind, row.record_id));
            }
            if let Some(f) = row.facts
                && actor.can_see(guard(&f))
            {
                visible.insert(f.id.clone(), f);
            }
        }
        let related = |rows: &[RecordKey], read: i64| -> Related {
            let mut seen: Vec<&RecordFacts> =
                rows.iter().filter_map(|(_, id)| visible.get(id)).collect();
            seen.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
            seen.dedup_by(|a, b| a.id == b.id);
            Related {
                count: seen.len(),
                incidents: seen
                    .iter()
                    .filter(|f| f.kind == TargetKind::Incident)
                    .count(),
                capped: read >= RELATED_SCAN,
                records: seen
                    .iter()
                    .take(RELATED_LISTED)
                    .map(|f| RelatedRecord {
                        kind: f.kind.as_str().to_string(),
                        id: f.id.clone(),
                        reference: f.reference.clone(),
                        title: f.title.clone(),
                        status: f.status.clone(),
                    })
                    .collect(),
                common: false,
            }
        };
        let common = || Related {
            common: true,
            ..Default::default()
        };
        Ok(obs
            .iter()
            .zip(reasons)
            .map(|(o, reason)| {
                let is_common = reason.is_some();
                let same_value = match by_value.get(&o.value_id) {
                    _ if is_common => common(),
                    Some((rows, read)) => related(rows, *read),
                    None => related(&[], 0),
                };
                // Above the cut-off, a network is common too.
                let same_network = o.prefix.map(|p| PrefixRelated {
                    network: prefix_name(p),
                    related: match by_network.get(&o.value_id) {
                        _ if is_common => common(),
                        Some((_, read)) if *read > cutoff => common(),
                        Some((rows, read)) => related(rows, *read),
                        None => related(&[], 0),
                    },
                });
                Correlation {
                    common: is_common,
                    common_reason: reason,
                    same_value,
                    same_network,
                }
            })
            .collect())
    }

    /// The observables of a record with their correlation.
    pub async fn observables_seen(
        &self,
        actor: &Actor,
        kind: &str,
        id: &str,
    ) -> Result<Vec<ObservableView>> {
        let t = self.observable_target(actor, kind, id).await?;
        let obs = self.store.observables_of(&t.rec.id).await?;
        let seen = self.correlate(actor, &t.rec.id, &obs).await?;
        let owners = self.owners_of(&obs).await?;
        Ok(obs
            .into_iter()
            .zip(seen)
            .zip(owners)
            .map(|((observable, seen), owner)| ObservableView {
                observable,
                seen,
                owner,
            })
            .collect())
    }

    /// What we have stored on one value, for `GET /lookup`: visible records with it and
    /// its network, whether it is common. None when the value was never stored.
    pub async fn observed(
        &self,
        actor: &Actor,
        kind: Kind,
        value: &str,
    ) -> Result<Option<Correlation>> {
        let Some(v) = self.store.find_value(kind, value).await? else {
            return Ok(None);
        };
        let o = Observable {
            id: String::new(),
            value_id: v.id,
            record: Default::default(),
            kind: kind.as_str().to_string(),
            value: v.value.clone(),
            first_seen: jiff::Timestamp::UNIX_EPOCH,
            last_seen: jiff::Timestamp::UNIX_EPOCH,
            sightings: 0,
            tlp: Tlp::Clear,
            ioc: false,
            tags: vec![],
            warning_listed: v.common,
            prefix: v.prefix,
            records: v.records,
        };
        let mut seen = self.correlate(actor, "", std::slice::from_ref(&o)).await?;
        seen.pop().map(Some).ok_or(Error::NotFound)
    }
}
