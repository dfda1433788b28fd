//! Observables on reports and incidents: extracted at intake (in the record's own
//! transaction) and on demand, added by hand or by pasting text, promoted to IOC or demoted,
//! removed. Access follows the parent record (`access.rs`): who may see the record sees its
//! observables; who may change it changes them.

use super::{App, json, tags, who};
use crate::access::{Actor, Guarded};
use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, UserId};
use crate::model::{TargetKind, Tlp};
use crate::observables::{
    DEFAULT_COMMON_CUTOFF, Kind, NewObservable, Observable, RecordRef, WarningList,
};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;

/// Most observables one request or one intake adds (distinct values).
pub const MAX_OBSERVABLES: usize = 10_000;

/// How correlation is bounded. Built once at start-up.
#[derive(Debug, Clone)]
pub struct ObservableSettings {
    /// A value linked to more records than this is common: counted, not correlated.
    pub common_cutoff: i64,
    pub warning: WarningList,
}

impl Default for ObservableSettings {
    fn default() -> Self {
        ObservableSettings {
            common_cutoff: DEFAULT_COMMON_CUTOFF,
            warning: WarningList::builtin(),
        }
    }
}

/// One observable typed by a handler.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservableItem {
    /// Optional: checked against what the value is (`ipv4`, `domain`, `sha256`, ...).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Defanged forms are accepted (`hxxp://evil[.]example`).
    pub value: String,
    #[serde(default)]
    pub ioc: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `POST …/observables`: items typed by hand, and/or pasted text to extract them from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewObservables {
    #[serde(default)]
    pub items: Vec<ObservableItem>,
    /// Free text (a pasted report, a mail, a list): every indicator in it is added.
    pub text: Option<String>,
    /// Applied to what `text` yields.
    #[serde(default)]
    pub ioc: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `PATCH /observables/{id}`: promote or demote, re-label.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservablePatch {
    pub ioc: Option<bool>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    pub tags: Option<Vec<String>>,
}

/// A record observables hang on, with what access needs.
pub(crate) struct Target {
    pub rec: RecordRef,
    pub constituency: Option<ConstituencyId>,
    pub tlp: Tlp,
    pub named: Vec<UserId>,
    pub created_by: UserId,
    /// Subject/title and content/description: what re-extraction reads.
    pub text: String,
    /// Records that get the same new observables: a report's incidents.
    pub also: Vec<RecordRef>,
}

impl Target {
    pub fn guard(&self) -> Guarded<'_> {
        Guarded {
            constituency: self.constituency,
            tlp: self.tlp,
            named_users: &self.named,
            created_by: self.created_by,
            is_incident: self.rec.kind == TargetKind::Incident,
        }
    }
}

/// The batch for a record and the records that follow it (a report's incidents).
fn with_also(
    rec: RecordRef,
    also: &[RecordRef],
    obs: Vec<NewObservable>,
) -> Vec<(RecordRef, Vec<NewObservable>)> {
    let mut batch: Vec<(RecordRef, Vec<NewObservable>)> =
        also.iter().map(|r| (r.clone(), obs.clone())).collect();
    batch.insert(0, (rec, obs));
    batch
}

/// Distinct values of a text with their occurrence counts, in order of first mention.
pub fn extract_values(text: &str) -> Vec<(Kind, String, i64)> {
    let mut out: Vec<(Kind, String, i64)> = Vec::new();
    let mut at: HashMap<(Kind, String), usize> = HashMap::new();
    for it in hikeshi_indicators::extract(text) {
        match at.get(&(it.kind, it.value.clone())) {
            Some(&i) => out[i].2 += 1,
            None => {
                at.insert((it.kind, it.value.clone()), out.len());
                out.push((it.kind, it.value, 1));
            }
        }
    }
    out.truncate(MAX_OBSERVABLES);
    out
}

impl App {
    pub fn observable_settings(&self) -> &ObservableSettings {
        &self.observables
    }

    /// Observables for the values of a text (intake), with this TLP and time.
    pub(crate) fn observables_from(
        &self,
        text: &str,
        tlp: Tlp,
        at: Timestamp,
    ) -> Vec<NewObservable> {
        extract_values(text)
            .into_iter()
            .map(|(k, v, n)| {
                let mut o = NewObservable::new(k, v, tlp, at, &self.observables.warning);
                o.sightings = n;
                o
            })
            .collect()
    }

    /// `kind` is `reports` or `incidents` (the URL segment) or `report`/`incident`.
    pub(crate) async fn observable_target(
        &self,
        actor: &Actor,
        kind: &str,
        id: &str,
    ) -> Result<Target> {
        match kind {
            "reports" | "report" => {
                let r = self.get_report(actor, id).await?;
                Ok(Target {
                    rec: RecordRef {
                        kind: TargetKind::Report,
                        id: r.id.to_string(),
                    },
                    constituency: r.constituency,
                    tlp: r.tlp,
                    named: r.named_users.clone(),
                    created_by: r.created_by,
                    text: format!("{}\n{}", r.subject, r.content),
                    also: r
                        .incidents
                        .iter()
                        .map(|i| RecordRef {
                            kind: TargetKind::Incident,
                            id: i.to_string(),
                        })
                        .collect(),
                })
            }
            "incidents" | "incident" => {
                let i = self.get_incident(actor, id).await?;
                Ok(Target {
                    rec: RecordRef {
                        kind: TargetKind::Incident,
                        id: i.id.to_string(),
                    },
                    constituency: i.constituency,
                    tlp: i.tlp,
                    named: i.named_users.clone(),
                    created_by: i.created_by,
                    text: format!("{}\n{}", i.title, i.description),
                    also: vec![],
                })
            }
            _ => Err(Error::NotFound),
        }
    }

    /// The observables of a record the caller may see.
    pub async fn observables_of(
        &self,
        actor: &Actor,
        kind: &str,
        id: &str,
    ) -> Result<Vec<Observable>> {
        let t = self.observable_target(actor, kind, id).await?;
        self.store.observables_of(&t.rec.id).await
    }

    /// Adds typed items and whatever `text` yields; returns the record's observables.
    pub async fn add_observables(
        &self,
        actor: &Actor,
        kind: &str,
        id: &str,
        input: NewObservables,
    ) -> Result<Vec<Observable>> {
        let t = self.observable_target(actor, kind, id).await?;
        actor.require_write(t.guard())?;
        let now = self.now();
        let warn = &self.observables.warning;
        let mut obs = Vec::new();
        for (i, it) in input.items.iter().enumerate() {
            let field = |f: &str| format!("items[{i}].{f}");
            let (k, v) = hikeshi_indicators::normalize(&it.value).ok_or_else(|| {
                Error::validation(
                    field("value"),
                    "not an IP, CIDR, domain, URL, e-mail address, hash, CVE or ASN",
                )
            })?;
            if let Some(want) = &it.kind {
                let want = Kind::parse(want).ok_or_else(|| {
                    Error::validation(
                        field("type"),
                        format!("unknown type {want:?}; expected one of: ipv4, ipv6, cidr, domain, url, email, md5, sha1, sha256, sha512, cve, asn"),
                    )
                })?;
                if want != k {
                    return Err(Error::validation(
                        field("value"),
                        format!("the value is a {k}, not a {want}"),
                    ));
                }
            }
            let mut o = NewObservable::new(k, v, it.tlp.unwrap_or(t.tlp), now, warn);
            o.ioc = it.ioc;
            o.tags = tags(&field("tags"), &it.tags)?;
            obs.push(o);
        }
        if let Some(text) = &input.text {
            super::text("text", text, super::MAX_TEXT, false)?;
            let labels = tags("tags", &input.tags)?;
            for mut o in self.observables_from(text, input.tlp.unwrap_or(t.tlp), now) {
                o.ioc = input.ioc;
                o.tags = labels.clone();
                obs.push(o);
            }
        }
        if obs.is_empty() {
            return Err(Error::validation(
                if input.text.is_some() {
                    "text"
                } else {
                    "items"
                },
                "no indicator found",
            ));
        }
        if obs.len() > MAX_OBSERVABLES {
            return Err(Error::validation(
                "items",
                format!("more than {MAX_OBSERVABLES} observables"),
            ));
        }
        let audit = self.audit(
            who(actor),
            "observable.add",
            t.rec.kind,
            t.rec.id.clone(),
            None,
            Some(serde_json::json!({
                "observables": obs.iter().map(|o| format!("{}:{}", o.kind, o.value)).collect::<Vec<_>>()
            })),
        );
        let rec_id = t.rec.id.clone();
        let batch = with_also(t.rec, &t.also, obs);
        self.store.add_observables(&batch, &[audit]).await?;
        self.store.observables_of(&rec_id).await
    }

    /// Extracts again from the record's own text (after an edit, or for records that
    /// predate extraction); returns the record's observables.
    pub async fn reextract_observables(
        &self,
        actor: &Actor,
        kind: &str,
        id: &str,
    ) -> Result<Vec<Observable>> {
        let t = self.observable_target(actor, kind, id).await?;
        actor.require_write(t.guard())?;
        let known: std::collections::HashSet<(String, String)> = self
            .store
            .observables_of(&t.rec.id)
            .await?
            .into_iter()
            .map(|o| (o.kind, o.value))
            .collect();
        // Only values not yet on the record: re-extracting twice does not inflate sightings.
        let obs: Vec<NewObservable> = self
            .observables_from(&t.text, t.tlp, self.now())
            .into_iter()
            .filter(|o| !known.contains(&(o.kind.as_str().to_string(), o.value.clone())))
            .collect();
        if !obs.is_empty() {
            let audit = self.audit(
                who(actor),
                "observable.extract",
                t.rec.kind,
                t.rec.id.clone(),
                None,
                Some(serde_json::json!({"added": obs.len()})),
            );
            let batch = with_also(t.rec.clone(), &t.also, obs);
            self.store.add_observables(&batch, &[audit]).await?;
        }
        self.store.observables_of(&t.rec.id).await
    }

    /// An observable and its record, if the caller may see the record.
    async fn find_observable(&self, actor: &Actor, id: &str) -> Result<(Observable, Target)> {
        let o = self
            .store
            .get_observable(id.trim())
            .await?
            .ok_or(Error::NotFound)?;
        let t = self
            .observable_target(actor, &o.record.kind, &o.record.id)
            .await?;
        Ok((o, t))
    }

    pub async fn get_observable(&self, actor: &Actor, id: &str) -> Result<Observable> {
        Ok(self.find_observable(actor, id).await?.0)
    }

    /// Promote to IOC or demote, change TLP or tags.
    pub async fn update_observable(
        &self,
        actor: &Actor,
        id: &str,
        p: ObservablePatch,
    ) -> Result<Observable> {
        let (old, t) = self.find_observable(actor, id).await?;
        actor.require_write(t.guard())?;
        let mut o = old.clone();
        if let Some(v) = p.ioc {
            o.ioc = v;
        }
        if let Some(v) = p.tlp {
            o.tlp = v;
        }
        if let Some(v) = &p.tags {
            o.tags = tags("tags", v)?;
        }
        let action = match (old.ioc, o.ioc) {
            (false, true) => "observable.promote",
            (true, false) => "observable.demote",
            _ => "observable.update",
        };
        let audit = self.audit(
            who(actor),
            action,
            t.rec.kind,
            t.rec.id.clone(),
            json(&old),
            json(&o),
        );
        self.store.update_observable(&o, &audit).await?;
        Ok(o)
    }

    pub async fn delete_observable(&self, actor: &Actor, id: &str) -> Result<()> {
        let (o, t) = self.find_observable(actor, id).await?;
        actor.require_write(t.guard())?;
        let audit = self.audit(
            who(actor),
            "observable.delete",
            t.rec.kind,
            t.rec.id.clone(),
            json(&o),
            None,
        );
        self.store.delete_observable(&o, &audit).await
    }
}

impl App {
    /// The constituency owning the first routable observable (in order of mention; values
    /// on the warning list are skipped): netblocks by longest prefix, domains and e-mail
    /// domains by suffix, URLs by their host.
    pub async fn route_by_observables(
        &self,
        obs: &[NewObservable],
    ) -> Result<Option<ConstituencyId>> {
        if obs.is_empty() {
            return Ok(None);
        }
        let (table, _) = self.routing_table().await?;
        Ok(obs
            .iter()
            .filter(|o| !o.common)
            .find_map(|o| table.lookup(&o.value).and_then(|(_, _, r)| r))
            .map(|r| r.constituency))
    }
}

impl App {
    /// A report with what arrived with it and its observables (`GET /reports/{id}`).
    pub async fn get_report_full(
        &self,
        actor: &Actor,
        id_or_ref: &str,
    ) -> Result<(
        super::ReportDetails,
        Vec<crate::sla::SlaView>,
        Vec<Observable>,
    )> {
        let (d, sla) = self.report_details_with_sla(actor, id_or_ref).await?;
        let obs = self.store.observables_of(&d.report.id.to_string()).await?;
        Ok((d, sla, obs))
    }
}
