//! The handling loop on an incident: response plans (with the "eliminate now vs scope
//! first" decision for targeted attacks), the verify step, the iteration count and the
//! post-incident review — and the two rules they add to status changes:
//! an APT incident leaves `planning` for `responding` only with a recorded decision, and a
//! high or critical incident is closed only after a review.

use super::{App, MAX_TEXT, guard_incident, json, text, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::model::*;
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    pub objectives: String,
    /// `eliminate-now` or `scope-first` (targeted attacks).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub strategy: Option<Strategy>,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub risk_tolerance: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVerification {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub outcome: Option<VerifyOutcome>,
    #[serde(default)]
    pub notes: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    pub root_cause: String,
    pub why: String,
    /// What changes in policy or manuals (playbook revisions refer to this review).
    pub changes: String,
}

/// Everything about the handling loop of one incident.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Handling {
    /// 1 + the number of times the incident went from verifying back to analysing or planning.
    pub iteration: i64,
    pub plans: Vec<ResponsePlan>,
    pub verifications: Vec<Verification>,
    pub reviews: Vec<Review>,
    pub tasks: Vec<Task>,
    /// Whether closing needs a review first (high or critical severity).
    pub review_required: bool,
}

/// The status a history entry moved from and to, if it was a transition.
fn moved(e: &AuditEntry) -> Option<(String, String)> {
    let from = e.before.as_ref()?.get("status")?.as_str()?.to_string();
    let to = e.after.as_ref()?.get("status")?.as_str()?.to_string();
    Some((from, to))
}

/// Iteration from an incident's history: each verifying → analysing/planning starts a new one.
pub fn iteration_of(history: &[AuditEntry]) -> i64 {
    1 + history
        .iter()
        .filter_map(moved)
        .filter(|(f, t)| f == "verifying" && (t == "analysing" || t == "planning"))
        .count() as i64
}

pub fn review_required(s: Severity) -> bool {
    matches!(s, Severity::High | Severity::Critical)
}

impl App {
    pub(crate) async fn iteration(&self, i: &Incident) -> Result<i64> {
        Ok(iteration_of(
            &self.store.history(&[i.id.to_string()]).await?,
        ))
    }

    /// Rules a status change must satisfy beyond the state machine.
    pub(crate) async fn check_handling_rules(&self, old: &Incident, new: &Incident) -> Result<()> {
        if old.status == new.status {
            return Ok(());
        }
        if new.apt
            && old.status == IncidentStatus::Planning
            && new.status == IncidentStatus::Responding
        {
            let it = self.iteration(old).await?;
            let decided = self
                .store
                .plans_of(old.id)
                .await?
                .iter()
                .any(|p| p.iteration == it && p.strategy.is_some());
            if !decided {
                return Err(Error::validation(
                    "response_plan.strategy",
                    format!(
                        "a targeted-attack incident needs a recorded decision (eliminate-now or scope-first, with risk and risk tolerance) for iteration {it} before responding"
                    ),
                ));
            }
        }
        if new.status == IncidentStatus::Closed
            && review_required(new.severity)
            && self.store.reviews_of(old.id).await?.is_empty()
        {
            return Err(Error::validation(
                "review",
                format!(
                    "a post-incident review (root cause, why, changes) is required before closing a {} incident",
                    new.severity
                ),
            ));
        }
        Ok(())
    }

    /// After an incident is stored: tell a new owner, and apply the playbooks bound to a
    /// new classification. Each is its own transaction with its own audit entry.
    pub(crate) async fn after_incident_write(
        &self,
        actor: &Actor,
        old: Option<&Incident>,
        i: &Incident,
    ) -> Result<()> {
        self.notify_assignment(actor, old, i).await?;
        if old.is_none_or(|o| o.classification != i.classification) {
            self.auto_apply_playbooks(actor, i).await?;
        }
        Ok(())
    }

    pub async fn add_plan(
        &self,
        actor: &Actor,
        incident: &str,
        input: NewPlan,
    ) -> Result<ResponsePlan> {
        let i = self.get_incident(actor, incident).await?;
        actor.require_write(guard_incident(&i))?;
        text("objectives", &input.objectives, MAX_TEXT, true)?;
        let decided = input.strategy.is_some();
        text("risk", &input.risk, MAX_TEXT, decided)?;
        text("risk_tolerance", &input.risk_tolerance, MAX_TEXT, decided)?;
        let p = ResponsePlan {
            id: new_id(self.now_ms()),
            incident: i.id,
            iteration: self.iteration(&i).await?,
            objectives: input.objectives,
            strategy: input.strategy,
            risk: input.risk,
            risk_tolerance: input.risk_tolerance,
            decided_by: actor.user,
            created_at: self.now(),
        };
        let audit = self.audit(
            who(actor),
            "plan.add",
            TargetKind::Incident,
            i.id.to_string(),
            None,
            json(&p),
        );
        self.store.insert_plan(&p, &audit).await?;
        Ok(p)
    }

    pub async fn add_verification(
        &self,
        actor: &Actor,
        incident: &str,
        input: NewVerification,
    ) -> Result<Verification> {
        let i = self.get_incident(actor, incident).await?;
        actor.require_write(guard_incident(&i))?;
        let outcome = input
            .outcome
            .ok_or_else(|| Error::validation("outcome", "resolved or not-resolved"))?;
        text("notes", &input.notes, MAX_TEXT, false)?;
        if i.status != IncidentStatus::Verifying {
            return Err(Error::validation(
                "status",
                format!(
                    "the verify step is recorded while verifying (the incident is {})",
                    i.status
                ),
            ));
        }
        let v = Verification {
            id: new_id(self.now_ms()),
            incident: i.id,
            iteration: self.iteration(&i).await?,
            outcome,
            notes: input.notes,
            verified_by: actor.user,
            created_at: self.now(),
        };
        let audit = self.audit(
            who(actor),
            "verify.add",
            TargetKind::Incident,
            i.id.to_string(),
            None,
            json(&v),
        );
        self.store.insert_verification(&v, &audit).await?;
        Ok(v)
    }

    pub async fn add_review(
        &self,
        actor: &Actor,
        incident: &str,
        input: NewReview,
    ) -> Result<Review> {
        let i = self.get_incident(actor, incident).await?;
        actor.require_write(guard_incident(&i))?;
        text("root_cause", &input.root_cause, MAX_TEXT, true)?;
        text("why", &input.why, MAX_TEXT, true)?;
        text("changes", &input.changes, MAX_TEXT, true)?;
        if !matches!(
            i.status,
            IncidentStatus::Verifying | IncidentStatus::Resolved | IncidentStatus::Closed
        ) {
            return Err(Error::validation(
                "status",
                format!(
                    "a post-incident review follows the response (the incident is {})",
                    i.status
                ),
            ));
        }
        let r = Review {
            id: new_id(self.now_ms()),
            incident: i.id,
            root_cause: input.root_cause,
            why: input.why,
            changes: input.changes,
            reviewed_by: actor.user,
            created_at: self.now(),
        };
        let audit = self.audit(
            who(actor),
            "review.add",
            TargetKind::Incident,
            i.id.to_string(),
            None,
            json(&r),
        );
        self.store.insert_review(&r, &audit).await?;
        Ok(r)
    }

    pub async fn handling(&self, actor: &Actor, incident: &str) -> Result<Handling> {
        let i = self.get_incident(actor, incident).await?;
        Ok(Handling {
            iteration: self.iteration(&i).await?,
            plans: self.store.plans_of(i.id).await?,
            verifications: self.store.verifications_of(i.id).await?,
            reviews: self.store.reviews_of(i.id).await?,
            tasks: self.store.tasks_of(i.id).await?,
            review_required: review_required(i.severity),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AuditId;

    fn step(from: &str, to: &str) -> AuditEntry {
        AuditEntry {
            id: AuditId::new(0),
            seq: None,
            at: jiff::Timestamp::UNIX_EPOCH,
            actor: "a".into(),
            action: "incident.transition".into(),
            target_kind: TargetKind::Incident,
            target_id: "i".into(),
            before: Some(serde_json::json!({"status": from})),
            after: Some(serde_json::json!({"status": to})),
            hash: None,
        }
    }

    #[test]
    fn iteration_counts_only_loops_back_from_verifying() {
        let check = |steps: &[(&str, &str)], want: i64| {
            let h: Vec<AuditEntry> = steps.iter().map(|(f, t)| step(f, t)).collect();
            assert_eq!(iteration_of(&h), want, "{steps:?}");
        };
        check(&[], 1);
        check(&[("open", "analysing"), ("analysing", "planning")], 1);
        check(&[("responding", "verifying"), ("verifying", "planning")], 2);
        check(
            &[
                ("verifying", "analysing"),
                ("verifying", "responding"),
                ("verifying", "planning"),
            ],
            3,
        );
        check(&[("responding", "analysing")], 1);
        assert!(review_required(Severity::Critical) && !review_required(Severity::Medium));
    }
}
