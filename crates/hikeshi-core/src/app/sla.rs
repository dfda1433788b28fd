//! SLA clocks as use cases: the policy document (versioned like the rules), starting and
//! re-syncing clocks on state changes, the sweep that records warnings and breaches, and
//! the views (a record's clocks, items near or past breach).

use super::{App, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, UserId};
use crate::model::*;
use crate::sla::{
    ClockKind, ClockState, Sla, SlaClock, SlaConfig, SlaView, WAITING_TAG, Want, sync, view,
};
use crate::triage::{ConfigVersion, NotificationRequest};
use serde::Serialize;
use std::sync::{Arc, RwLock};

pub(crate) const SLA: &str = "sla";
/// Events handled per sweep batch.
pub const SWEEP_BATCH: i64 = 5000;

/// The compiled SLA policy: (saved version, policy, when the version was last checked).
pub(crate) type SlaCache = Arc<RwLock<Option<(i64, Arc<Sla>, jiff::Timestamp)>>>;

/// Escalation targets: (policy's named user, constituency) → (target, when looked up).
pub(crate) type EscalationCache = Arc<
    RwLock<
        std::collections::HashMap<
            (Option<String>, Option<ConstituencyId>),
            (Option<UserId>, jiff::Timestamp),
        >,
    >,
>;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct NearBreach {
    pub target_kind: String,
    pub target_id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub sla: SlaView,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepSummary {
    /// Clocks and deadline clocks looked at.
    pub examined: i64,
    /// New notification requests recorded (warnings and breaches).
    pub recorded: i64,
}

/// Incident clocks: resolution runs in active states, pauses while waiting for an outside
/// party ([`WAITING_TAG`]), stops when resolved, closed or abandoned.
pub(crate) fn incident_wants(i: &Incident) -> Vec<(ClockKind, Want)> {
    let w = match i.status {
        IncidentStatus::Resolved | IncidentStatus::Closed | IncidentStatus::Abandoned => Want::Stop,
        _ if i.tags.iter().any(|t| t == WAITING_TAG) => Want::Pause,
        _ => Want::Run,
    };
    vec![(ClockKind::Resolution, w)]
}

impl App {
    pub async fn sla_config(&self, actor: &Actor) -> Result<ConfigVersion> {
        if !matches!(actor.role, Role::Admin | Role::Lead) {
            return Err(Error::Forbidden(
                "only leads and admins manage triage rules and SLAs".into(),
            ));
        }
        Ok(match self.store.config(SLA, None).await? {
            Some(c) => c,
            None => ConfigVersion {
                kind: SLA.into(),
                version: 0,
                body: serde_json::to_value(SlaConfig::default()).unwrap_or_default(),
                created_by: String::new(),
                created_at: jiff::Timestamp::UNIX_EPOCH,
            },
        })
    }

    /// Saves a new SLA policy version. Clocks already running keep their computed times
    /// until their record next changes.
    pub async fn save_sla_config(
        &self,
        actor: &Actor,
        expected: Option<i64>,
        cfg: SlaConfig,
    ) -> Result<ConfigVersion> {
        self.sla_config(actor).await?;
        actor.require_write_role()?;
        let known = self.known_names().await?;
        Sla::new(cfg.clone(), &known)?;
        let mut c = ConfigVersion {
            kind: SLA.into(),
            version: 0,
            body: serde_json::to_value(&cfg).map_err(|e| Error::Internal(e.to_string()))?,
            created_by: who(actor).to_string(),
            created_at: self.now(),
        };
        let entry = self.audit(
            who(actor),
            "sla.config.save",
            TargetKind::System,
            "sla-config".into(),
            None,
            Some(serde_json::json!({"policies": cfg.policies.len()})),
        );
        c.version = self.store.save_config(&c, expected, &entry).await?;
        if let Ok(mut g) = self.sla.write() {
            *g = None;
        }
        Ok(c)
    }

    /// The SLA policy. A node re-reads the saved version at most every
    /// [`super::CONFIG_CACHE_TTL`] (creates are hot): a save on another node takes effect
    /// within that time; on this node at once.
    pub(crate) async fn current_sla(&self) -> Result<Arc<Sla>> {
        let now = self.now();
        let cached = self.sla.read().ok().and_then(|g| g.clone());
        if let Some((_, s, at)) = &cached
            && super::fresh(now, *at)
        {
            return Ok(s.clone());
        }
        let cfg = self.store.config(SLA, None).await?;
        let version = cfg.as_ref().map(|c| c.version).unwrap_or(0);
        if let Some((v, s, _)) = cached
            && v == version
        {
            if let Ok(mut g) = self.sla.write() {
                *g = Some((v, s.clone(), now));
            }
            return Ok(s);
        }
        let config: SlaConfig = match cfg {
            Some(c) => serde_json::from_value(c.body)
                .map_err(|e| Error::Internal(format!("stored SLA config: {e}")))?,
            None => SlaConfig::default(),
        };
        // Saved configs were validated; names that vanished since are ignored.
        let sla = Arc::new(Sla::new(config, &|_, _| true)?);
        if let Ok(mut g) = self.sla.write() {
            *g = Some((version, sla.clone(), now));
        }
        Ok(sla)
    }

    /// The escalation target: the policy's user, else the first lead of the constituency.
    /// Cached per node for [`super::CONFIG_CACHE_TTL`]; user changes here clear it.
    pub(crate) async fn escalation(
        &self,
        named: Option<&str>,
        constituency: Option<ConstituencyId>,
    ) -> Result<Option<UserId>> {
        let now = self.now();
        let key = (named.map(str::to_string), constituency);
        if let Some((target, at)) = self
            .escalations
            .read()
            .ok()
            .and_then(|m| m.get(&key).copied())
            && super::fresh(now, at)
        {
            return Ok(target);
        }
        let target = self.escalation_uncached(named, constituency).await?;
        if let Ok(mut m) = self.escalations.write() {
            if m.len() > 10_000 {
                m.clear();
            }
            m.insert(key, (target, now));
        }
        Ok(target)
    }

    async fn escalation_uncached(
        &self,
        named: Option<&str>,
        constituency: Option<ConstituencyId>,
    ) -> Result<Option<UserId>> {
        if let Some(n) = named
            && let Some(u) = self.store.user_by_name(n).await?
        {
            return Ok(Some(u.id));
        }
        let users = self.store.list_users().await?;
        Ok(users
            .iter()
            .find(|u| {
                !u.disabled
                    && u.role == Role::Lead
                    && constituency.is_some_and(|c| u.constituencies.contains(&c))
            })
            .map(|u| u.id))
    }

    /// The clocks of a record after applying `wants` at now; creates missing ones.
    pub(crate) async fn clocks_for(
        &self,
        kind: TargetKind,
        target_id: &str,
        constituency: Option<ConstituencyId>,
        priority: i64,
        wants: &[(ClockKind, Want)],
        existing: Vec<SlaClock>,
    ) -> Result<Vec<SlaClock>> {
        let sla = self.current_sla().await?;
        let slug = match constituency {
            Some(c) => self.constituency_slug(c).await?,
            None => None,
        };
        let Some(policy) = sla.policy(slug.as_deref()) else {
            return Ok(vec![]);
        };
        let Some(cal) = sla.calendar(&policy.calendar) else {
            return Ok(vec![]);
        };
        let now = self.now();
        let mut escalate: Option<Option<UserId>> = None;
        let mut out = Vec::new();
        for (ck, want) in wants {
            let Some(budget) = Sla::budget(policy, *ck, priority) else {
                continue;
            };
            let mut c = match existing.iter().find(|c| c.kind == *ck) {
                Some(c) => c.clone(),
                None if *want == Want::Stop => continue,
                None => {
                    if escalate.is_none() {
                        escalate = Some(
                            self.escalation(policy.escalate_to.as_deref(), constituency)
                                .await?,
                        );
                    }
                    SlaClock {
                        id: format!("{target_id}:{}", ck.as_str()),
                        target_kind: kind,
                        target_id: target_id.to_string(),
                        constituency,
                        kind: *ck,
                        priority,
                        calendar: policy.calendar.clone(),
                        budget_secs: budget,
                        started_at: now,
                        elapsed_secs: 0,
                        running_since: None,
                        state: ClockState::Running,
                        stopped_at: None,
                        warn_at: None,
                        breach_at: None,
                        next_event_at: None,
                        warned: false,
                        breached: false,
                        escalate_to: escalate.flatten(),
                    }
                }
            };
            let clock_cal = sla.calendar(&c.calendar).unwrap_or(cal);
            c.priority = priority;
            c.constituency = constituency;
            sync(
                &mut c,
                *want,
                budget,
                clock_cal,
                sla.config.warn_percent,
                now,
            )?;
            out.push(c);
        }
        Ok(out)
    }

    /// Re-syncs and stores a record's clocks (after its state changed).
    pub(crate) async fn refresh_clocks(
        &self,
        kind: TargetKind,
        target_id: &str,
        constituency: Option<ConstituencyId>,
        priority: i64,
        wants: &[(ClockKind, Want)],
    ) -> Result<()> {
        let existing = self.store.clocks_of(&[target_id.to_string()]).await?;
        let clocks = self
            .clocks_for(kind, target_id, constituency, priority, wants, existing)
            .await?;
        if clocks.is_empty() {
            return Ok(());
        }
        self.store.put_clocks(&clocks).await
    }

    pub(crate) async fn refresh_incident_clocks(&self, i: &Incident) -> Result<()> {
        self.refresh_clocks(
            TargetKind::Incident,
            &i.id.to_string(),
            i.constituency,
            i.priority,
            &incident_wants(i),
        )
        .await
    }

    /// The SLA clocks of a record the caller may see (`incident` or `report`).
    pub async fn sla_of(
        &self,
        actor: &Actor,
        kind: TargetKind,
        id_or_ref: &str,
    ) -> Result<Vec<SlaView>> {
        let id = match kind {
            TargetKind::Incident => self.get_incident(actor, id_or_ref).await?.id.to_string(),
            _ => self.get_report(actor, id_or_ref).await?.id.to_string(),
        };
        let sla = self.current_sla().await?;
        let now = self.now();
        Ok(self
            .store
            .clocks_of(&[id])
            .await?
            .iter()
            .map(|c| view(c, sla.calendar(&c.calendar), now))
            .collect())
    }

    fn views(&self, sla: &Sla, clocks: &[SlaClock]) -> Vec<SlaView> {
        let now = self.now();
        clocks
            .iter()
            .map(|c| view(c, sla.calendar(&c.calendar), now))
            .collect()
    }

    /// An incident with its SLA clocks (`GET /incidents/{id}`).
    pub async fn incident_with_sla(
        &self,
        actor: &Actor,
        id_or_ref: &str,
    ) -> Result<(Incident, Vec<SlaView>)> {
        let i = self.get_incident(actor, id_or_ref).await?;
        let sla = self.current_sla().await?;
        let clocks = self.store.clocks_of(&[i.id.to_string()]).await?;
        Ok((i, self.views(&sla, &clocks)))
    }

    /// A report (with its mail facts) and its SLA clocks (`GET /reports/{id}`).
    pub async fn report_details_with_sla(
        &self,
        actor: &Actor,
        id_or_ref: &str,
    ) -> Result<(super::ReportDetails, Vec<SlaView>)> {
        let d = self.get_report_details(actor, id_or_ref).await?;
        let sla = self.current_sla().await?;
        let clocks = self.store.clocks_of(&[d.report.id.to_string()]).await?;
        Ok((d, self.views(&sla, &clocks)))
    }

    /// Running clocks of visible records that reach their warning time within `within`.
    pub async fn sla_near_breach(
        &self,
        actor: &Actor,
        within: jiff::SignedDuration,
        limit: i64,
    ) -> Result<Vec<NearBreach>> {
        if !actor.scopes.read {
            return Err(Error::Forbidden("the token lacks the read scope".into()));
        }
        if !(1..=500).contains(&limit) {
            return Err(Error::validation("limit", "1 to 500"));
        }
        let now = self.now();
        let until = now
            .checked_add(within)
            .map_err(|_| Error::validation("within_minutes", "out of range"))?;
        let sla = self.current_sla().await?;
        let mut out = Vec::new();
        for c in self.store.clocks_near_breach(until, limit * 4).await? {
            let reference = match c.target_kind {
                TargetKind::Incident => match self.get_incident(actor, &c.target_id).await {
                    Ok(i) => i.reference,
                    Err(Error::NotFound) => continue,
                    Err(e) => return Err(e),
                },
                _ => match self.get_report(actor, &c.target_id).await {
                    Ok(r) => r.reference,
                    Err(Error::NotFound) => continue,
                    Err(e) => return Err(e),
                },
            };
            out.push(NearBreach {
                target_kind: c.target_kind.as_str().into(),
                target_id: c.target_id.clone(),
                reference,
                sla: view(&c, sla.calendar(&c.calendar), now),
            });
            if out.len() as i64 >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Records every warning and breach due by now, once per clock and kind (idempotent:
    /// a second sweep, or two nodes at once, record nothing new). Called every few seconds
    /// by `serve` and by `hikeshi sla sweep`.
    pub async fn sweep_clocks(&self) -> Result<SweepSummary> {
        let now = self.now();
        let mut sum = SweepSummary::default();
        loop {
            let (mut clocks, mut deadlines) = self.store.pending_events(now, SWEEP_BATCH).await?;
            let n = (clocks.len() + deadlines.len()) as i64;
            let mut notes = Vec::new();
            let mut note = |kind: &str,
                            ev: &str,
                            tk: TargetKind,
                            target: &str,
                            id: &str,
                            to: Option<UserId>,
                            at| {
                notes.push(NotificationRequest {
                    id: format!("{}-{id}-{ev}", crate::ids::EntryId::new(self.now_ms())),
                    dedup_key: format!("{kind}:{id}:{ev}"),
                    kind: format!("{kind}.{ev}"),
                    target_kind: tk,
                    target_id: target.to_string(),
                    recipient: to,
                    payload: serde_json::json!({"clock": id, "at": at}),
                    created_at: now,
                    status: "pending".into(),
                });
            };
            for c in &mut clocks {
                if !c.warned && c.warn_at.is_some_and(|w| w <= now) {
                    c.warned = true;
                    note(
                        "sla",
                        "warning",
                        c.target_kind,
                        &c.target_id,
                        &c.id,
                        c.escalate_to,
                        c.warn_at,
                    );
                }
                if !c.breached && c.breach_at.is_some_and(|b| b <= now) {
                    c.breached = true;
                    note(
                        "sla",
                        "breach",
                        c.target_kind,
                        &c.target_id,
                        &c.id,
                        c.escalate_to,
                        c.breach_at,
                    );
                }
                c.next_event_at = if !c.warned {
                    c.warn_at
                } else if !c.breached {
                    c.breach_at
                } else {
                    None
                };
            }
            for d in &mut deadlines {
                let target = d.incident.to_string();
                if !d.warned && d.warn_at.is_some_and(|w| w <= now) {
                    d.warned = true;
                    note(
                        "deadline",
                        "warning",
                        TargetKind::Incident,
                        &target,
                        &d.id,
                        Some(d.created_by),
                        d.warn_at,
                    );
                }
                if !d.breached && d.due_at.is_some_and(|b| b <= now) {
                    d.breached = true;
                    note(
                        "deadline",
                        "breach",
                        TargetKind::Incident,
                        &target,
                        &d.id,
                        Some(d.created_by),
                        d.due_at,
                    );
                }
                d.refresh_next();
            }
            sum.examined += n;
            sum.recorded += self.store.record_sweep(&clocks, &deadlines, &notes).await?;
            if n < SWEEP_BATCH {
                return Ok(sum);
            }
        }
    }

    /// The sweep on request of an admin (`POST /api/v1/sla/sweep`).
    pub async fn sweep_clocks_as(&self, actor: &Actor) -> Result<SweepSummary> {
        actor.require_admin()?;
        self.sweep_clocks().await
    }

    /// Recorded notification requests (admins; the delivery side reads these).
    pub async fn notification_requests(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<NotificationRequest>> {
        actor.require_admin()?;
        self.store.notification_requests(after, limit).await
    }
}
