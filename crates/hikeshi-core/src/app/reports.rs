//! Incident reports: the triage stage. Anything that arrives (mail, web form, API, phone)
//! becomes a report first; handlers open incidents from reports or link them to existing ones.

use super::{
    App, MAX_TEXT, MAX_TITLE, NewReport, ReportPatch, check_version, diff, guard_incident,
    guard_report, tags, text, who,
};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{ReportId, UserId};
use crate::lifecycle;
use crate::model::*;
use crate::ports::{ListQuery, Page};

impl App {
    pub(crate) async fn find_report(&self, id_or_ref: &str) -> Result<Report> {
        let s = id_or_ref.trim();
        let found = match ReportId::parse(s) {
            Some(id) => self.store.get_report(id).await?,
            None => self.store.report_by_ref(s).await?,
        };
        found.ok_or(Error::NotFound)
    }

    pub async fn get_report(&self, actor: &Actor, id_or_ref: &str) -> Result<Report> {
        let r = self.find_report(id_or_ref).await?;
        actor.require_see(guard_report(&r))?;
        Ok(r)
    }

    pub async fn create_report(&self, actor: &Actor, input: NewReport) -> Result<Report> {
        actor.require_report_filing()?;
        text("subject", &input.subject, MAX_TITLE, true)?;
        text("content", &input.content, MAX_TEXT, false)?;
        let tlp = input.tlp.unwrap_or(Tlp::Amber);
        let received_at = input.received_at.map(super::micros).unwrap_or(self.now());
        let observed = self.observables_from(
            &format!("{}\n{}", input.subject, input.content),
            tlp,
            received_at,
        );
        let constituency = match &input.constituency {
            Some(c) => Some(self.constituency_id(c).await?),
            None if actor.role == Role::Reporter => actor.constituencies.first().copied(),
            // Routed by its observables, where the caller may file.
            None => self
                .route_by_observables(&observed)
                .await?
                .filter(|c| actor.is_global() || actor.constituencies.contains(c)),
        };
        if actor.role != Role::Reporter {
            actor.require_create_in(constituency)?;
        }
        let mut named: Vec<UserId> = Vec::new();
        for n in &input.named_users {
            named.push(
                self.resolve_user(n)
                    .await
                    .map_err(|_| Error::validation("named_users", format!("no user {n:?}")))?
                    .id,
            );
        }
        let now = self.now();
        let reporter = input.reporter.unwrap_or_else(|| actor.username.clone());
        text("reporter", &reporter, 500, true)?;
        let draft = Report {
            id: ReportId::new(self.now_ms()),
            reference: String::new(),
            channel: input.channel.unwrap_or(Channel::Api),
            reporter,
            reporter_type: input
                .reporter_type
                .unwrap_or(if actor.role == Role::Reporter {
                    ReporterType::Constituent
                } else {
                    ReporterType::Other
                }),
            received_at,
            subject: input.subject.trim().to_string(),
            content: input.content,
            status: ReportStatus::New,
            reject_reason: None,
            constituency,
            owner: None,
            tlp,
            tags: tags("tags", &input.tags)?,
            incidents: vec![],
            named_users: named,
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        // Triage rules, SLA clocks, observables and the audit entry: one transaction.
        self.insert_triaged(actor, draft, None, observed).await
    }

    pub async fn update_report(
        &self,
        actor: &Actor,
        id_or_ref: &str,
        p: ReportPatch,
    ) -> Result<Report> {
        let old = self.get_report(actor, id_or_ref).await?;
        actor.require_write(guard_report(&old))?;
        check_version(p.version, old.version)?;
        let mut r = old.clone();
        if let Some(v) = p.subject {
            text("subject", &v, MAX_TITLE, true)?;
            r.subject = v;
        }
        if let Some(c) = &p.constituency {
            let id = self.constituency_id(c).await?;
            actor.require_create_in(Some(id))?;
            r.constituency = Some(id);
        }
        if let Some(o) = &p.owner {
            r.owner = match o {
                Some(name) => Some(
                    self.resolve_owner(actor, name)
                        .await
                        .map_err(|_| Error::validation("owner", format!("no user {name:?}")))?,
                ),
                None => None,
            };
            actor.require_assign(r.owner.or(Some(actor.user)))?;
        }
        if let Some(v) = p.tlp {
            r.tlp = v;
        }
        if let Some(v) = &p.tags {
            r.tags = tags("tags", v)?;
        }
        if let Some(v) = &p.named_users {
            let mut named = Vec::new();
            for n in v {
                named.push(
                    self.resolve_user(n)
                        .await
                        .map_err(|_| Error::validation("named_users", format!("no user {n:?}")))?
                        .id,
                );
            }
            r.named_users = named;
        }
        if let Some(to) = p.status {
            lifecycle::check_report(old.status, to)?;
            r.status = to;
            if to == ReportStatus::Rejected {
                let reason = p.reject_reason.clone().unwrap_or_default();
                text("reject_reason", &reason, 5000, true)?;
                r.reject_reason = Some(reason);
            } else if to == ReportStatus::Open {
                r.reject_reason = None;
            }
        }
        r.version = old.version + 1;
        r.updated_at = self.now();
        let (b, a) = diff(
            &serde_json::to_value(&old).unwrap_or_default(),
            &serde_json::to_value(&r).unwrap_or_default(),
        );
        let action = match p.status {
            Some(ReportStatus::Rejected) => "report.reject",
            Some(_) => "report.transition",
            None => "report.update",
        };
        let entry = self.audit(
            who(actor),
            action,
            TargetKind::Report,
            r.id.to_string(),
            Some(b),
            Some(a),
        );
        self.store.update_report(&r, old.version, &entry).await?;
        self.refresh_report_clocks(&r).await?;
        Ok(r)
    }

    pub async fn list_reports(&self, actor: &Actor, q: &ListQuery) -> Result<Page<Report>> {
        if !actor.scopes.read {
            return Err(Error::Forbidden("the token lacks the read scope".into()));
        }
        for s in &q.status {
            ReportStatus::parse_field(s, "status")?;
        }
        self.store.list_reports(&actor.visibility(), q).await
    }

    /// Links a report to an incident; a new report moves to `open`.
    pub async fn link_report(&self, actor: &Actor, report: &str, incident: &str) -> Result<Report> {
        let r = self.get_report(actor, report).await?;
        actor.require_write(guard_report(&r))?;
        let i = self
            .get_incident(actor, incident)
            .await
            .map_err(|_| Error::validation("incident", format!("no incident {incident:?}")))?;
        actor.require_write(guard_incident(&i))?;
        if r.incidents.contains(&i.id) {
            return Ok(r);
        }
        let e = self.audit(
            who(actor),
            "report.link",
            TargetKind::Report,
            r.id.to_string(),
            None,
            Some(serde_json::json!({"incident": i.id, "ref": i.reference})),
        );
        // The report's observables become the incident's too (same transaction).
        let obs = self.carried_observables(&r.id.to_string()).await?;
        self.store
            .link_report_observed(r.id, i.id, &obs, &e)
            .await?;
        let linked = self.find_report(&r.id.to_string()).await?;
        self.refresh_report_clocks(&linked).await?;
        Ok(linked)
    }

    pub async fn reports_of_incident(&self, actor: &Actor, incident: &str) -> Result<Vec<Report>> {
        let i = self.get_incident(actor, incident).await?;
        let all = self.store.reports_of_incident(i.id).await?;
        Ok(all
            .into_iter()
            .filter(|r| actor.can_see(guard_report(r)))
            .collect())
    }

    pub async fn report_history(&self, actor: &Actor, id_or_ref: &str) -> Result<Vec<AuditEntry>> {
        let r = self.get_report(actor, id_or_ref).await?;
        self.store.history(&[r.id.to_string()]).await
    }
}
