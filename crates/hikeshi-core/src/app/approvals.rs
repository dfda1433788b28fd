//! Approvals of actions (countermeasures) by a role, before the action (it waits) or after
//! it (post-hoc, in an emergency), and delegations of an approver's right for a period.
//! A delegate's decision records both names.

use super::{App, MAX_TEXT, check_version, guard_incident, json, text, who};
use crate::access::{Actor, Scopes};
use crate::error::{Error, Result};
use crate::ids::{CountermeasureId, UserId};
use crate::model::*;
use jiff::Timestamp;
use serde::Deserialize;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApproval {
    /// The countermeasure (id) that needs approval.
    pub countermeasure: String,
    /// The role that decides: `lead` (default), `admin` or `handler`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub role: Option<Role>,
    pub reason: String,
    /// Emergency: the action was (or will be) taken at once; approval is asked afterwards.
    #[serde(default)]
    pub post_hoc: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalDecision {
    /// `approve` or `reject`.
    pub decision: String,
    /// Required when rejecting.
    pub comment: Option<String>,
    pub version: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDelegation {
    /// User name or id of the stand-in.
    pub delegate: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub starts_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub ends_at: Option<Timestamp>,
    #[serde(default)]
    pub reason: String,
}

/// Whether a role may decide what `required` must decide (admins always; leads also for handlers).
pub fn qualifies(role: Role, required: Role) -> bool {
    role == Role::Admin || role == required || (role == Role::Lead && required == Role::Handler)
}

impl App {
    pub async fn request_approval(&self, actor: &Actor, input: NewApproval) -> Result<Approval> {
        let cm_id = CountermeasureId::parse(input.countermeasure.trim()).ok_or_else(|| {
            Error::validation(
                "countermeasure",
                format!("no countermeasure {:?}", input.countermeasure),
            )
        })?;
        let cm = self
            .store
            .get_countermeasure(cm_id)
            .await?
            .ok_or_else(|| Error::validation("countermeasure", "no such countermeasure"))?;
        let i = self
            .store
            .get_incident(cm.incident)
            .await?
            .ok_or(Error::NotFound)?;
        actor
            .require_see(guard_incident(&i))
            .map_err(|_| Error::validation("countermeasure", "no such countermeasure"))?;
        actor.require_write(guard_incident(&i))?;
        text("reason", &input.reason, MAX_TEXT, true)?;
        let role = input.role.unwrap_or(Role::Lead);
        if !matches!(role, Role::Admin | Role::Lead | Role::Handler) {
            return Err(Error::validation("role", "admin, lead or handler"));
        }
        let open = self
            .store
            .approvals_of_action(&cm.id.to_string())
            .await?
            .into_iter()
            .any(|a| a.status == ApprovalStatus::Pending);
        if open {
            return Err(Error::validation(
                "countermeasure",
                "an approval request for it is already pending",
            ));
        }
        let a = Approval {
            id: new_id(self.now_ms()),
            incident: i.id,
            action_kind: "countermeasure".into(),
            action_id: cm.id.to_string(),
            required_role: role,
            post_hoc: input.post_hoc,
            reason: input.reason,
            status: ApprovalStatus::Pending,
            requested_by: actor.user,
            requested_at: self.now(),
            decided_by: None,
            on_behalf_of: None,
            decided_at: None,
            comment: None,
            version: 1,
        };
        let audit = self.audit(
            who(actor),
            if a.post_hoc {
                "approval.request_post_hoc"
            } else {
                "approval.request"
            },
            TargetKind::Countermeasure,
            cm.id.to_string(),
            None,
            json(&a),
        );
        self.store.insert_approval(&a, &audit).await?;
        let approvers = self.approvers_for(&a, &i).await?;
        let detail = format!(
            "{} approval by {}: {} {}",
            if a.post_hoc { "Post-hoc" } else { "Prior" },
            a.required_role,
            cm.kind,
            cm.what
        );
        self.notify("approval.requested", &i, &approvers, &detail)
            .await?;
        Ok(a)
    }

    /// Users who may decide (directly or as a delegate today) and can see the incident.
    async fn approvers_for(&self, a: &Approval, i: &Incident) -> Result<Vec<UserId>> {
        let users = self.store.list_users().await?;
        let now = self.now();
        let mut out = Vec::new();
        for u in &users {
            if u.disabled || u.id == a.requested_by {
                continue;
            }
            let act = self.actor_for(u, Scopes::ALL);
            if !act.can_see(guard_incident(i)) {
                continue;
            }
            let direct = qualifies(u.role, a.required_role);
            let delegated = !direct
                && self.store.delegations_to(u.id, now).await?.iter().any(|d| {
                    users
                        .iter()
                        .any(|x| x.id == d.delegator && qualifies(x.role, a.required_role))
                });
            if direct || delegated {
                out.push(u.id);
            }
        }
        Ok(out)
    }

    /// On whose behalf the actor may decide `required` now: `Some(None)` directly,
    /// `Some(Some(delegator))` as a delegate, `None` not at all.
    async fn authority(&self, actor: &Actor, required: Role) -> Result<Option<Option<UserId>>> {
        if qualifies(actor.role, required) {
            return Ok(Some(None));
        }
        for d in self.store.delegations_to(actor.user, self.now()).await? {
            if let Some(u) = self.store.get_user(d.delegator).await?
                && !u.disabled
                && qualifies(u.role, required)
            {
                return Ok(Some(Some(u.id)));
            }
        }
        Ok(None)
    }

    pub async fn decide_approval(
        &self,
        actor: &Actor,
        id: &str,
        d: ApprovalDecision,
    ) -> Result<Approval> {
        let old = self
            .store
            .get_approval(id.trim())
            .await?
            .ok_or(Error::NotFound)?;
        let i = self
            .store
            .get_incident(old.incident)
            .await?
            .ok_or(Error::NotFound)?;
        actor.require_write(guard_incident(&i))?;
        check_version(d.version, old.version)?;
        let status = match d.decision.as_str() {
            "approve" => ApprovalStatus::Approved,
            "reject" => ApprovalStatus::Rejected,
            _ => return Err(Error::validation("decision", "approve or reject")),
        };
        if let Some(c) = &d.comment {
            text("comment", c, MAX_TEXT, false)?;
        }
        if status == ApprovalStatus::Rejected
            && d.comment.as_deref().is_none_or(|c| c.trim().is_empty())
        {
            return Err(Error::validation("comment", "required when rejecting"));
        }
        if old.status != ApprovalStatus::Pending {
            return Err(Error::InvalidTransition {
                from: old.status.to_string(),
                to: status.to_string(),
            });
        }
        if old.requested_by == actor.user {
            return Err(Error::Forbidden(
                "a request is decided by someone else".into(),
            ));
        }
        let on_behalf_of = self
            .authority(actor, old.required_role)
            .await?
            .ok_or_else(|| {
                Error::Forbidden(format!(
                    "needs the {} role or a delegation from one",
                    old.required_role
                ))
            })?;
        if on_behalf_of == Some(old.requested_by) {
            return Err(Error::Forbidden(
                "a request is decided by someone else".into(),
            ));
        }
        let mut a = old.clone();
        a.status = status;
        a.decided_by = Some(actor.user);
        a.on_behalf_of = on_behalf_of;
        a.decided_at = Some(self.now());
        a.comment = d.comment;
        a.version += 1;
        let audit = self.audit(
            who(actor),
            &format!("approval.{}", status),
            TargetKind::Countermeasure,
            a.action_id.clone(),
            Some(serde_json::json!({"status": old.status})),
            json(&a),
        );
        self.store.update_approval(&a, old.version, &audit).await?;
        let detail = format!("{} by {}", a.status, actor.username);
        self.notify("approval.decided", &i, &[a.requested_by], &detail)
            .await?;
        Ok(a)
    }

    /// Pending requests the actor may decide now, directly or as a delegate.
    pub async fn pending_approvals(&self, actor: &Actor) -> Result<Vec<Approval>> {
        self.require_handling_reader(actor)?;
        let mut out = Vec::new();
        for a in self.store.pending_approvals(500).await? {
            if a.requested_by == actor.user {
                continue;
            }
            let Some(i) = self.store.get_incident(a.incident).await? else {
                continue;
            };
            if !actor.can_see(guard_incident(&i)) {
                continue;
            }
            match self.authority(actor, a.required_role).await? {
                Some(Some(by)) if by == a.requested_by => {}
                Some(_) => out.push(a),
                None => {}
            }
        }
        Ok(out)
    }

    pub async fn get_approval(&self, actor: &Actor, id: &str) -> Result<Approval> {
        let a = self
            .store
            .get_approval(id.trim())
            .await?
            .ok_or(Error::NotFound)?;
        let i = self
            .store
            .get_incident(a.incident)
            .await?
            .ok_or(Error::NotFound)?;
        actor.require_see(guard_incident(&i))?;
        Ok(a)
    }

    pub async fn approvals_of_countermeasure(
        &self,
        actor: &Actor,
        id: CountermeasureId,
    ) -> Result<Vec<Approval>> {
        self.get_countermeasure(actor, id).await?;
        self.store.approvals_of_action(&id.to_string()).await
    }

    /// Refuses to activate a countermeasure whose prior approval is pending or was rejected.
    pub(crate) async fn check_approved(&self, c: &Countermeasure) -> Result<()> {
        let prior: Vec<Approval> = self
            .store
            .approvals_of_action(&c.id.to_string())
            .await?
            .into_iter()
            .filter(|a| !a.post_hoc)
            .collect();
        match prior.last().map(|a| a.status) {
            Some(ApprovalStatus::Pending) => Err(Error::validation(
                "approval",
                "the countermeasure waits for approval",
            )),
            Some(ApprovalStatus::Rejected) => Err(Error::validation(
                "approval",
                "the approval was rejected; request a new one",
            )),
            _ => Ok(()),
        }
    }

    pub async fn create_delegation(
        &self,
        actor: &Actor,
        input: NewDelegation,
    ) -> Result<Delegation> {
        actor.require_write_role()?;
        let delegate = self
            .resolve_user(&input.delegate)
            .await
            .map_err(|_| Error::validation("delegate", format!("no user {:?}", input.delegate)))?;
        if delegate.id == actor.user {
            return Err(Error::validation("delegate", "cannot delegate to oneself"));
        }
        if !matches!(delegate.role, Role::Admin | Role::Lead | Role::Handler) {
            return Err(Error::validation(
                "delegate",
                "the stand-in must be a handler, lead or admin",
            ));
        }
        let starts_at = super::micros(input.starts_at.unwrap_or_else(|| self.now()));
        let ends_at = super::micros(
            input
                .ends_at
                .ok_or_else(|| Error::validation("ends_at", "required"))?,
        );
        if ends_at <= starts_at {
            return Err(Error::validation("ends_at", "must be after starts_at"));
        }
        text("reason", &input.reason, MAX_TEXT, false)?;
        let d = Delegation {
            id: new_id(self.now_ms()),
            delegator: actor.user,
            delegate: delegate.id,
            starts_at,
            ends_at,
            reason: input.reason,
            created_at: self.now(),
        };
        let audit = self.audit(
            who(actor),
            "delegation.create",
            TargetKind::User,
            actor.user.to_string(),
            None,
            json(&d),
        );
        self.store.insert_delegation(&d, &audit).await?;
        Ok(d)
    }

    /// Delegations the actor gave, and those given to them in force now.
    pub async fn delegations(&self, actor: &Actor) -> Result<(Vec<Delegation>, Vec<Delegation>)> {
        self.require_handling_reader(actor)?;
        Ok((
            self.store.delegations_by(actor.user).await?,
            self.store.delegations_to(actor.user, self.now()).await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_qualifies() {
        assert!(qualifies(Role::Admin, Role::Lead));
        assert!(qualifies(Role::Lead, Role::Lead));
        assert!(qualifies(Role::Lead, Role::Handler));
        assert!(!qualifies(Role::Handler, Role::Lead));
        assert!(!qualifies(Role::Lead, Role::Admin));
        assert!(!qualifies(Role::Observer, Role::Handler));
    }
}
