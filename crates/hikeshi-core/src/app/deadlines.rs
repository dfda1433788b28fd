//! Legal and contractual deadline clocks as use cases: attach a preset to an incident,
//! list them, mark one submitted with the submitted document, the "due next" list, and
//! custom presets.

use super::{App, MAX_TITLE, guard_incident, text, who};
use crate::access::Actor;
use crate::deadlines::{DeadlineClock, all_presets, find_preset, start_clocks, validate_preset};
use crate::error::{Error, Result};
use crate::ids::{AttachmentId, EntryId};
use crate::model::*;
use hikeshi_calendar::deadline::Preset;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachDeadlines {
    /// Preset id (`jp-appi`, `eu-gdpr`, … or a custom one).
    pub preset: String,
    /// When the team became aware (the clock start); default now.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub aware_at: Option<Timestamp>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitDeadline {
    pub version: Option<i64>,
    /// An attachment of the incident: the submitted document.
    pub attachment: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub submitted_at: Option<Timestamp>,
}

/// A preset as the API lists it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PresetInfo {
    pub id: String,
    pub jurisdiction: String,
    pub regime: String,
    pub deadlines: Vec<String>,
    pub custom: bool,
    /// Not everything was checked against the primary text: verify before relying on it.
    pub unverified: bool,
    pub in_force: bool,
}

impl App {
    pub(crate) async fn custom_preset_list(&self) -> Result<Vec<Preset>> {
        self.store
            .custom_presets()
            .await?
            .into_iter()
            .map(|v| {
                serde_json::from_value(v)
                    .map_err(|e| Error::Internal(format!("stored preset: {e}")))
            })
            .collect()
    }

    pub(crate) async fn all_presets(&self) -> Result<Vec<Preset>> {
        Ok(all_presets(&self.custom_preset_list().await?))
    }

    pub async fn deadline_presets(&self, actor: &Actor) -> Result<Vec<PresetInfo>> {
        if !actor.scopes.read || actor.role == Role::Reporter {
            return Err(Error::Forbidden("handlers only".into()));
        }
        let custom = self.custom_preset_list().await?;
        Ok(all_presets(&custom)
            .into_iter()
            .map(|p| PresetInfo {
                custom: custom.iter().any(|c| c.id == p.id),
                unverified: p.is_unverified(),
                in_force: p.in_force(),
                deadlines: p.deadlines.iter().map(|d| d.id.clone()).collect(),
                id: p.id,
                jurisdiction: p.jurisdiction,
                regime: p.regime,
            })
            .collect())
    }

    /// Stores a custom preset (leads and admins). Its deadlines must compute.
    pub async fn add_deadline_preset(&self, actor: &Actor, p: Preset) -> Result<PresetInfo> {
        if !matches!(actor.role, Role::Admin | Role::Lead) {
            return Err(Error::Forbidden(
                "only leads and admins add deadline presets".into(),
            ));
        }
        actor.require_write_role()?;
        validate_preset(&p)?;
        text("regime", &p.regime, MAX_TITLE, true)?;
        let body = serde_json::to_value(&p).map_err(|e| Error::Internal(e.to_string()))?;
        let entry = self.audit(
            who(actor),
            "deadline.preset.add",
            TargetKind::System,
            format!("preset:{}", p.id),
            None,
            Some(body.clone()),
        );
        self.store.insert_preset(&p.id, &body, &entry).await?;
        Ok(PresetInfo {
            id: p.id.clone(),
            jurisdiction: p.jurisdiction.clone(),
            regime: p.regime.clone(),
            deadlines: p.deadlines.iter().map(|d| d.id.clone()).collect(),
            custom: true,
            unverified: p.is_unverified(),
            in_force: p.in_force(),
        })
    }

    /// Starts the deadline clocks of a preset on an incident.
    pub async fn attach_deadlines(
        &self,
        actor: &Actor,
        incident: &str,
        input: AttachDeadlines,
    ) -> Result<Vec<DeadlineClock>> {
        let i = self.get_incident(actor, incident).await?;
        actor.require_write(guard_incident(&i))?;
        let preset = find_preset(&input.preset, &self.custom_preset_list().await?)?;
        let now = self.now();
        let aware = input.aware_at.map(super::micros).unwrap_or(now);
        let mut ids = || EntryId::new(self.now_ms()).to_string();
        let clocks = start_clocks(&preset, i.id, aware, actor.user, now, &mut ids)?;
        let entry = self.audit(
            who(actor),
            "deadline.attach",
            TargetKind::Incident,
            i.id.to_string(),
            None,
            Some(serde_json::json!({
                "preset": preset.id, "aware_at": aware,
                "deadlines": clocks.iter().map(|c| serde_json::json!({"id": c.id, "deadline": c.deadline, "due": c.due_display})).collect::<Vec<_>>()
            })),
        );
        self.store.insert_deadlines(&clocks, &entry).await?;
        Ok(clocks)
    }

    pub async fn incident_deadlines(
        &self,
        actor: &Actor,
        incident: &str,
    ) -> Result<Vec<DeadlineClock>> {
        let i = self.get_incident(actor, incident).await?;
        self.store.deadlines_of(i.id).await
    }

    /// Marks a deadline submitted, naming the submitted document (an attachment of the
    /// incident).
    pub async fn submit_deadline(
        &self,
        actor: &Actor,
        id: &str,
        input: SubmitDeadline,
    ) -> Result<DeadlineClock> {
        let old = self
            .store
            .get_deadline(id.trim())
            .await?
            .ok_or(Error::NotFound)?;
        let i = self.get_incident(actor, &old.incident.to_string()).await?;
        actor.require_write(guard_incident(&i))?;
        super::check_version(input.version, old.version)?;
        if old.status == "submitted" {
            return Err(Error::InvalidTransition {
                from: "submitted".into(),
                to: "submitted".into(),
            });
        }
        let att = AttachmentId::parse(input.attachment.trim())
            .ok_or_else(|| Error::validation("attachment", "not an attachment id"))?;
        let a = self
            .store
            .get_attachment(att)
            .await?
            .filter(|a| a.target_id == i.id.to_string())
            .ok_or_else(|| {
                Error::validation("attachment", "no such attachment on this incident")
            })?;
        let mut d = old.clone();
        d.status = "submitted".into();
        d.submitted_at = Some(input.submitted_at.map(super::micros).unwrap_or(self.now()));
        d.attachment = Some(a.id);
        d.version += 1;
        d.refresh_next();
        let entry = self.audit(
            who(actor),
            "deadline.submit",
            TargetKind::Incident,
            i.id.to_string(),
            Some(serde_json::json!({"deadline": d.id, "status": old.status})),
            Some(serde_json::json!({"deadline": d.id, "status": d.status, "attachment": a.id,
                "submitted_at": d.submitted_at, "late": d.due_at.zip(d.submitted_at).is_some_and(|(due, s)| s >= due)})),
        );
        self.store.update_deadline(&d, old.version, &entry).await?;
        Ok(d)
    }

    /// Draft deadlines of visible incidents due before `before`, soonest first.
    pub async fn deadlines_due(
        &self,
        actor: &Actor,
        before: Timestamp,
        limit: i64,
    ) -> Result<Vec<DeadlineClock>> {
        if !actor.scopes.read {
            return Err(Error::Forbidden("the token lacks the read scope".into()));
        }
        if !(1..=500).contains(&limit) {
            return Err(Error::validation("limit", "1 to 500"));
        }
        let mut out = Vec::new();
        for d in self.store.deadlines_due(before, limit * 4).await? {
            match self.get_incident(actor, &d.incident.to_string()).await {
                Ok(_) => out.push(d),
                Err(Error::NotFound) => continue,
                Err(e) => return Err(e),
            }
            if out.len() as i64 >= limit {
                break;
            }
        }
        Ok(out)
    }
}
