//! Incident use cases: create, read (by id or reference, following merges), edit with
//! optimistic concurrency, status transitions, list/search, merge, history.

use super::{
    App, IncidentPatch, MAX_TEXT, MAX_TITLE, NewIncident, check_version, diff, guard_incident,
    json, tags, text, who,
};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{IncidentId, UserId};
use crate::lifecycle;
use crate::model::*;
use crate::ports::{ListQuery, Page};
use crate::taxonomy;

impl App {
    /// Finds an incident by id or reference without access checks, following merges.
    pub(crate) async fn find_incident(&self, id_or_ref: &str) -> Result<Incident> {
        let s = id_or_ref.trim();
        let mut found = match IncidentId::parse(s) {
            Some(id) => self.store.get_incident(id).await?,
            None => self.store.incident_by_ref(s).await?,
        };
        for _ in 0..16 {
            match found {
                Some(Incident {
                    merged_into: Some(next),
                    ..
                }) => found = self.store.get_incident(next).await?,
                _ => break,
            }
        }
        found.ok_or(Error::NotFound)
    }

    pub async fn get_incident(&self, actor: &Actor, id_or_ref: &str) -> Result<Incident> {
        let i = self.find_incident(id_or_ref).await?;
        actor.require_see(guard_incident(&i))?;
        Ok(i)
    }

    async fn user_ids(&self, field: &str, names: &[String]) -> Result<Vec<UserId>> {
        let mut out = Vec::new();
        for n in names {
            let id = self
                .resolve_user(n)
                .await
                .map_err(|_| Error::validation(field, format!("no user {n:?}")))?
                .id;
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    async fn owner_id(&self, actor: &Actor, owner: Option<&str>) -> Result<Option<UserId>> {
        let id = match owner {
            Some(o) => Some(
                self.resolve_owner(actor, o)
                    .await
                    .map_err(|_| Error::validation("owner", format!("no user {o:?}")))?,
            ),
            None => None,
        };
        if id.is_some() {
            actor.require_assign(id)?;
        }
        Ok(id)
    }

    pub async fn create_incident(&self, actor: &Actor, input: NewIncident) -> Result<Incident> {
        actor.require_write_role()?;
        text("title", &input.title, MAX_TITLE, true)?;
        text("description", &input.description, MAX_TEXT, false)?;
        let classification = Classification {
            rsit_class: input.rsit_class,
            rsit_type: input.rsit_type,
            jpcert_category: input.jpcert_category,
        };
        taxonomy::validate(&classification)?;
        let constituency = match &input.constituency {
            Some(c) => Some(self.constituency_id(c).await?),
            None => None,
        };
        actor.require_create_in(constituency)?;
        let owner = self.owner_id(actor, input.owner.as_deref()).await?;
        let parent = match &input.parent {
            Some(p) => Some(
                self.get_incident(actor, p)
                    .await
                    .map_err(|_| Error::validation("parent", format!("no incident {p:?}")))?
                    .id,
            ),
            None => None,
        };
        let mut reports = Vec::new();
        for r in &input.reports {
            let rep = self
                .get_report(actor, r)
                .await
                .map_err(|_| Error::validation("reports", format!("no report {r:?}")))?;
            actor.require_write(super::guard_report(&rep))?;
            reports.push(rep.id);
        }
        let impact = input.impact.unwrap_or(Level::Medium);
        let urgency = input.urgency.unwrap_or(Level::Medium);
        let now = self.now();
        let draft = Incident {
            id: IncidentId::new(self.now_ms()),
            reference: String::new(),
            title: input.title.trim().to_string(),
            description: input.description,
            classification,
            severity: input.severity.unwrap_or(Severity::Medium),
            impact,
            urgency,
            priority: default_priority(impact, urgency),
            tlp: input.tlp.unwrap_or(Tlp::Amber),
            pap: input.pap.unwrap_or(Pap::Amber),
            constituency,
            owner,
            status: IncidentStatus::Open,
            resolution: None,
            apt: input.apt,
            due_at: input.due_at.map(super::micros),
            parent,
            merged_into: None,
            tags: tags("tags", &input.tags)?,
            named_users: self.user_ids("named_users", &input.named_users).await?,
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let entry = self.audit(
            who(actor),
            "incident.create",
            TargetKind::Incident,
            draft.id.to_string(),
            None,
            json(&draft),
        );
        // Its SLA clocks are written with it (one transaction, one group commit on SQLite).
        let clocks = self
            .clocks_for(
                TargetKind::Incident,
                &draft.id.to_string(),
                draft.constituency,
                draft.priority,
                &super::sla::incident_wants(&draft),
                vec![],
            )
            .await?;
        let stored = self
            .store
            .insert_incident_clocked(&draft, &entry, &clocks)
            .await?;
        for r in reports {
            let e = self.audit(
                who(actor),
                "report.link",
                TargetKind::Report,
                r.to_string(),
                None,
                Some(serde_json::json!({"incident": stored.id})),
            );
            let obs = self.carried_observables(&r.to_string()).await?;
            self.store
                .link_report_observed(r, stored.id, &obs, &e)
                .await?;
            if let Some(linked) = self.store.get_report(r).await? {
                self.refresh_report_clocks(&linked).await?;
            }
        }
        self.after_incident_write(actor, None, &stored).await?;
        Ok(stored)
    }

    pub async fn update_incident(
        &self,
        actor: &Actor,
        id_or_ref: &str,
        p: IncidentPatch,
    ) -> Result<Incident> {
        let old = self.get_incident(actor, id_or_ref).await?;
        actor.require_write(guard_incident(&old))?;
        check_version(p.version, old.version)?;
        let mut i = old.clone();
        if let Some(v) = p.title {
            text("title", &v, MAX_TITLE, true)?;
            i.title = v.trim().to_string();
        }
        if let Some(v) = p.description {
            text("description", &v, MAX_TEXT, false)?;
            i.description = v;
        }
        if let Some(v) = p.severity {
            i.severity = v;
        }
        if let Some(v) = p.impact {
            i.impact = v;
        }
        if let Some(v) = p.urgency {
            i.urgency = v;
        }
        i.priority = default_priority(i.impact, i.urgency);
        if let Some(v) = p.tlp {
            i.tlp = v;
        }
        if let Some(v) = p.pap {
            i.pap = v;
        }
        if let Some(c) = &p.constituency {
            let id = self.constituency_id(c).await?;
            actor.require_create_in(Some(id))?;
            i.constituency = Some(id);
        }
        if let Some(o) = &p.owner {
            i.owner = self.owner_id(actor, o.as_deref()).await?;
            if o.is_none() {
                actor.require_assign(None).or_else(|_| {
                    if old.owner == Some(actor.user) {
                        Ok(())
                    } else {
                        Err(Error::Forbidden(
                            "only leads and admins unassign others".into(),
                        ))
                    }
                })?;
            }
        }
        if let Some(v) = p.rsit_class {
            i.classification.rsit_class = v;
        }
        if let Some(v) = p.rsit_type {
            i.classification.rsit_type = v;
        }
        if let Some(v) = p.jpcert_category {
            i.classification.jpcert_category = v;
        }
        taxonomy::validate(&i.classification)?;
        if let Some(v) = p.apt {
            i.apt = v;
        }
        if let Some(v) = p.due_at {
            i.due_at = v.map(super::micros);
        }
        if let Some(parent) = &p.parent {
            i.parent = match parent {
                Some(s) => {
                    let pi = self
                        .get_incident(actor, s)
                        .await
                        .map_err(|_| Error::validation("parent", format!("no incident {s:?}")))?;
                    let mut cur = Some(pi.id);
                    while let Some(id) = cur {
                        if id == i.id {
                            return Err(Error::validation("parent", "would create a cycle"));
                        }
                        cur = self.store.get_incident(id).await?.and_then(|x| x.parent);
                    }
                    Some(pi.id)
                }
                None => None,
            };
        }
        if let Some(v) = &p.tags {
            i.tags = tags("tags", v)?;
        }
        if let Some(v) = &p.named_users {
            i.named_users = self.user_ids("named_users", v).await?;
        }
        if let Some(r) = &p.resolution {
            text("resolution", r, MAX_TEXT, false)?;
            i.resolution = Some(r.clone());
        }
        if let Some(to) = p.status {
            lifecycle::check_incident(old.status, to)?;
            i.status = to;
            let ends = matches!(to, IncidentStatus::Resolved | IncidentStatus::Abandoned);
            if ends && i.resolution.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(Error::validation(
                    "resolution",
                    format!("required to move to {to}"),
                ));
            }
            if to == IncidentStatus::Open {
                i.resolution = None;
            }
        }
        // A TLP:RED record must stay visible to whoever just made it so.
        if i.tlp == Tlp::Red && i.created_by != actor.user && !i.named_users.contains(&actor.user) {
            i.named_users.push(actor.user);
        }
        self.check_handling_rules(&old, &i).await?;
        i.version = old.version + 1;
        i.updated_at = self.now();
        let (b, a) = diff(
            &serde_json::to_value(&old).unwrap_or_default(),
            &serde_json::to_value(&i).unwrap_or_default(),
        );
        let action = match p.status {
            Some(IncidentStatus::Open) => "incident.reopen",
            Some(_) => "incident.transition",
            None => "incident.update",
        };
        let entry = self.audit(
            who(actor),
            action,
            TargetKind::Incident,
            i.id.to_string(),
            Some(b),
            Some(a),
        );
        self.store.update_incident(&i, old.version, &entry).await?;
        self.after_incident_write(actor, Some(&old), &i).await?;
        self.refresh_incident_clocks(&i).await?;
        Ok(i)
    }

    pub async fn list_incidents(&self, actor: &Actor, q: &ListQuery) -> Result<Page<Incident>> {
        if !actor.scopes.read {
            return Err(Error::Forbidden("the token lacks the read scope".into()));
        }
        if actor.role == Role::Reporter {
            return Ok(Page {
                items: vec![],
                next: None,
            });
        }
        for s in &q.status {
            IncidentStatus::parse_field(s, "status")?;
        }
        self.store.list_incidents(&actor.visibility(), q).await
    }

    /// Merges `from` into `into`: reports, children, investigations, countermeasures, comments
    /// and attachments move; `from` is resolved with `merged_into` set, so its reference keeps
    /// resolving to the survivor.
    pub async fn merge_incident(&self, actor: &Actor, from: &str, into: &str) -> Result<Incident> {
        let merged = self.get_incident(actor, from).await?;
        actor.require_write(guard_incident(&merged))?;
        let survivor = self
            .get_incident(actor, into)
            .await
            .map_err(|_| Error::validation("into", format!("no incident {into:?}")))?;
        actor.require_write(guard_incident(&survivor))?;
        if merged.id == survivor.id {
            return Err(Error::validation(
                "into",
                "cannot merge an incident into itself",
            ));
        }
        let now = self.now();
        let mut m = merged.clone();
        m.merged_into = Some(survivor.id);
        m.status = IncidentStatus::Resolved;
        m.resolution = Some(format!("merged into {}", survivor.reference));
        m.version += 1;
        m.updated_at = now;
        let mut s = survivor.clone();
        // Merging a parent into its child: the child takes the parent's place.
        if s.parent == Some(merged.id) {
            s.parent = merged.parent.filter(|p| *p != s.id);
        }
        for t in &merged.tags {
            if !s.tags.contains(t) {
                s.tags.push(t.clone());
            }
        }
        s.version += 1;
        s.updated_at = now;
        let detail = serde_json::json!({"merged": merged.reference, "into": survivor.reference});
        let audits = [
            self.audit(
                who(actor),
                "incident.merge",
                TargetKind::Incident,
                merged.id.to_string(),
                None,
                Some(detail.clone()),
            ),
            self.audit(
                who(actor),
                "incident.absorb",
                TargetKind::Incident,
                survivor.id.to_string(),
                None,
                Some(detail),
            ),
        ];
        // The merged incident's observables (its reports' among them) go to the survivor.
        let obs = self.carried_observables(&merged.id.to_string()).await?;
        self.store
            .merge_incidents_observed(&s, survivor.version, &m, merged.version, &audits, &obs)
            .await?;
        self.refresh_incident_clocks(&s).await?;
        self.refresh_incident_clocks(&m).await?;
        Ok(s)
    }

    /// The history of an incident, including that of incidents merged into it.
    pub async fn incident_history(
        &self,
        actor: &Actor,
        id_or_ref: &str,
    ) -> Result<Vec<AuditEntry>> {
        let i = self.get_incident(actor, id_or_ref).await?;
        let mut targets = vec![i.id.to_string()];
        let merged = self.store.history(&targets).await?;
        for e in &merged {
            if e.action == "incident.absorb"
                && let Some(r) = e
                    .after
                    .as_ref()
                    .and_then(|a| a.get("merged"))
                    .and_then(|v| v.as_str())
                && let Some(m) = self.store.incident_by_ref(r).await?
            {
                targets.push(m.id.to_string());
            }
        }
        if targets.len() == 1 {
            return Ok(merged);
        }
        self.store.history(&targets).await
    }

    pub async fn child_incidents(&self, actor: &Actor, id_or_ref: &str) -> Result<Vec<Incident>> {
        let i = self.get_incident(actor, id_or_ref).await?;
        let all = self.store.child_incidents(i.id).await?;
        Ok(all
            .into_iter()
            .filter(|c| actor.can_see(guard_incident(c)))
            .collect())
    }
}
