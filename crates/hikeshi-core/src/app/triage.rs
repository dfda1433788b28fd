//! Triage rules as use cases: read and save versions (leads and admins), the dry run, and
//! the application of the current rules to every new report inside its create use case.

use super::{App, json, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, UserId};
use crate::model::*;
use crate::ports::{ListQuery, Sort};
use crate::routing::RoutingTable;
use crate::sla::{ClockKind, Want};
use crate::triage::{
    Compiled, ConfigVersion, Facts, NotificationRequest, Outcome, RuleSet, TriageRecord,
    TriageWrite, validate,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{Arc, RwLock};

pub(crate) const RULES: &str = "rules";
/// Default and maximum number of reports a dry run looks at.
pub const DRY_RUN_DEFAULT: i64 = 1000;
pub const DRY_RUN_MAX: i64 = 10_000;

/// (rules version, routing table it was compiled against, compiled rules).
pub(crate) type RulesCache = Arc<RwLock<Option<(i64, Arc<RoutingTable>, Compiled)>>>;

/// A rule set to save, with the version the caller read (stale → 409).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRules {
    pub version: Option<i64>,
    #[serde(default)]
    pub rules: Vec<crate::triage::Rule>,
    #[serde(default)]
    pub watchlists: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub matrix: Option<crate::triage::PriorityMatrix>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DryRunInput {
    /// Rules to try; the current ones when absent.
    pub rules: Option<RuleSet>,
    /// How many of the latest reports (default 1,000).
    pub limit: Option<i64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct DryRunItem {
    pub report: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub outcome: Outcome,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct DryRun {
    /// The saved version tried, or null for posted rules.
    pub rules_version: Option<i64>,
    pub reports: i64,
    pub matched: i64,
    /// How often each rule matched, in rule order.
    pub per_rule: Vec<(String, i64)>,
    pub items: Vec<DryRunItem>,
}

impl App {
    /// Names the rules and SLA policies may refer to.
    pub(crate) async fn known_names(&self) -> Result<impl Fn(&str, &str) -> bool + use<>> {
        let cs: HashSet<String> = self
            .store
            .list_constituencies()
            .await?
            .into_iter()
            .map(|c| c.slug)
            .collect();
        let us: HashSet<String> = self
            .store
            .list_users()
            .await?
            .into_iter()
            .map(|u| u.username)
            .collect();
        let presets: HashSet<String> = self
            .all_presets()
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        Ok(move |kind: &str, v: &str| match kind {
            "constituency" => cs.contains(v),
            "user" => us.contains(v),
            "preset" => presets.contains(v),
            _ => false,
        })
    }

    fn require_rules_admin(actor: &Actor) -> Result<()> {
        if matches!(actor.role, Role::Admin | Role::Lead) {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "only leads and admins manage triage rules and SLAs".into(),
            ))
        }
    }

    /// The current rule set (version 0 and no rules before the first save), or one version.
    pub async fn triage_rules(&self, actor: &Actor, version: Option<i64>) -> Result<ConfigVersion> {
        Self::require_rules_admin(actor)?;
        match self.store.config(RULES, version).await? {
            Some(c) => Ok(c),
            None if version.is_some() => Err(Error::NotFound),
            None => Ok(ConfigVersion {
                kind: RULES.into(),
                version: 0,
                body: serde_json::to_value(RuleSet::default()).unwrap_or_default(),
                created_by: String::new(),
                created_at: jiff::Timestamp::UNIX_EPOCH,
            }),
        }
    }

    pub async fn triage_rule_versions(&self, actor: &Actor) -> Result<Vec<ConfigVersion>> {
        Self::require_rules_admin(actor)?;
        self.store.config_versions(RULES).await
    }

    /// Saves a new version of the rules (old versions stay).
    pub async fn save_triage_rules(
        &self,
        actor: &Actor,
        input: SaveRules,
    ) -> Result<ConfigVersion> {
        Self::require_rules_admin(actor)?;
        actor.require_write_role()?;
        let set = RuleSet {
            rules: input.rules,
            watchlists: input.watchlists,
            matrix: input.matrix,
        };
        let known = self.known_names().await?;
        validate(&set, &known)?;
        let mut c = ConfigVersion {
            kind: RULES.into(),
            version: 0,
            body: serde_json::to_value(&set).map_err(|e| Error::Internal(e.to_string()))?,
            created_by: who(actor).to_string(),
            created_at: self.now(),
        };
        let entry = self.audit(
            who(actor),
            "triage.rules.save",
            TargetKind::System,
            "triage-rules".into(),
            None,
            Some(serde_json::json!({"rules": set.rules.len(), "ids": set.rules.iter().map(|r| &r.id).collect::<Vec<_>>()})),
        );
        c.version = self.store.save_config(&c, input.version, &entry).await?;
        Ok(c)
    }

    async fn slug_resolver(&self) -> Result<impl Fn(&str) -> Option<ConstituencyId> + use<>> {
        let cs = self.store.list_constituencies().await?;
        Ok(move |s: &str| cs.iter().find(|c| c.slug == s).map(|c| c.id))
    }

    /// The current compiled rules and their version (cached until either changes).
    pub(crate) async fn compiled_rules(&self) -> Result<(i64, Compiled)> {
        let cfg = self.store.config(RULES, None).await?;
        let version = cfg.as_ref().map(|c| c.version).unwrap_or(0);
        let (routing, _) = self.routing_table().await?;
        if let Some((v, r, c)) = self.rules.read().ok().and_then(|g| g.clone())
            && v == version
            && Arc::ptr_eq(&r, &routing)
        {
            return Ok((v, c));
        }
        let set: RuleSet = match cfg {
            Some(c) => serde_json::from_value(c.body)
                .map_err(|e| Error::Internal(format!("stored rules: {e}")))?,
            None => RuleSet::default(),
        };
        let slug = self.slug_resolver().await?;
        let compiled = Compiled::new(set, routing.clone(), &slug);
        if let Ok(mut g) = self.rules.write() {
            *g = Some((version, routing, compiled.clone()));
        }
        Ok((version, compiled))
    }

    /// What the rules (posted, or the current ones) would do to the latest reports. Writes
    /// nothing.
    pub async fn triage_dry_run(&self, actor: &Actor, input: DryRunInput) -> Result<DryRun> {
        Self::require_rules_admin(actor)?;
        let limit = input.limit.unwrap_or(DRY_RUN_DEFAULT);
        if !(1..=DRY_RUN_MAX).contains(&limit) {
            return Err(Error::validation("limit", format!("1 to {DRY_RUN_MAX}")));
        }
        let (version, compiled) = match input.rules {
            Some(set) => {
                let known = self.known_names().await?;
                validate(&set, &known).map_err(|e| match e {
                    Error::Validation { field, message } => {
                        Error::validation(format!("rules.{field}"), message)
                    }
                    other => other,
                })?;
                let (routing, _) = self.routing_table().await?;
                let slug = self.slug_resolver().await?;
                (None, Compiled::new(set, routing, &slug))
            }
            None => {
                let (v, c) = self.compiled_rules().await?;
                (Some(v), c)
            }
        };
        let mut q = ListQuery {
            sort: Sort::CreatedDesc,
            limit: limit.min(500),
            ..ListQuery::default()
        };
        let vis = actor.visibility();
        let mut out = DryRun {
            rules_version: version,
            reports: 0,
            matched: 0,
            per_rule: compiled
                .rule_set()
                .rules
                .iter()
                .map(|r| (r.id.clone(), 0))
                .collect(),
            items: Vec::new(),
        };
        loop {
            let page = self.store.list_reports(&vis, &q).await?;
            for r in &page.items {
                if out.reports >= limit {
                    break;
                }
                out.reports += 1;
                let o = compiled.evaluate(&Facts::of_report(r));
                if !o.matched.is_empty() {
                    out.matched += 1;
                }
                for m in &o.matched {
                    if let Some(e) = out.per_rule.iter_mut().find(|(id, _)| id == m) {
                        e.1 += 1;
                    }
                }
                out.items.push(DryRunItem {
                    report: r.id.to_string(),
                    reference: r.reference.clone(),
                    outcome: o,
                });
            }
            match page.next {
                Some(n) if out.reports < limit => q.after = Some(n),
                _ => break,
            }
        }
        Ok(out)
    }

    /// The triage record and SLA clocks of a report.
    pub async fn report_triage(
        &self,
        actor: &Actor,
        id_or_ref: &str,
    ) -> Result<Option<TriageRecord>> {
        let r = self.get_report(actor, id_or_ref).await?;
        self.store.triage_of(r.id).await
    }

    /// Users a `notify` action names: a user name, or `lead` for the constituency's leads.
    async fn notify_targets(
        &self,
        names: &[String],
        constituency: Option<ConstituencyId>,
    ) -> Result<Vec<UserId>> {
        if names.is_empty() {
            return Ok(vec![]);
        }
        let users = self.store.list_users().await?;
        let mut out = Vec::new();
        for n in names {
            for u in users.iter().filter(|u| {
                !u.disabled
                    && if n == "lead" {
                        u.role == Role::Lead
                            && constituency.is_some_and(|c| u.constituencies.contains(&c))
                    } else {
                        &u.username == n
                    }
            }) {
                if !out.contains(&u.id) {
                    out.push(u.id);
                }
            }
        }
        Ok(out)
    }

    /// Applies the current rules to a new report and stores it with everything they decided,
    /// in one transaction with one audit entry (`report.create`, with a `triage` part).
    pub(crate) async fn insert_triaged(
        &self,
        actor: &Actor,
        mut draft: Report,
        mail: crate::ports::MailParts<'_>,
        observed: Vec<crate::observables::NewObservable>,
    ) -> Result<Report> {
        let (w, entry) = self.plan_triage(actor, &mut draft, observed).await?;
        self.store
            .insert_report_triaged(&draft, mail, &w, &entry)
            .await
    }

    /// Runs the triage rules on a new report (reads only): the report is changed in place
    /// (TLP, tags, owner, status) and what must be written with it is returned, with its
    /// `report.create` audit entry.
    pub(crate) async fn plan_triage(
        &self,
        actor: &Actor,
        draft: &mut Report,
        observed: Vec<crate::observables::NewObservable>,
    ) -> Result<(TriageWrite, AuditEntry)> {
        let (version, compiled) = self.compiled_rules().await?;
        // The typed observables of a structured report count even when its text omits them.
        let mut facts = Facts::of_report(draft);
        facts
            .observables
            .extend(observed.iter().map(|o| (o.kind, o.value.clone())));
        facts.observables.sort();
        facts.observables.dedup();
        let out = compiled.evaluate(&facts);
        let mut w = TriageWrite {
            observed,
            ..Default::default()
        };
        let now = self.now();
        if let Some(t) = out.tlp {
            draft.tlp = t;
            // Observables extracted on arrival carry the report's TLP as triage set it.
            for o in &mut w.observed {
                o.tlp = t;
            }
        }
        for t in &out.tags {
            if !draft.tags.contains(t) {
                draft.tags.push(t.clone());
            }
        }
        if let Some(o) = &out.owner
            && let Some(u) = self.store.user_by_name(o).await?
        {
            draft.owner = Some(u.id);
        }
        if let Some(reason) = &out.reject {
            draft.status = ReportStatus::Rejected;
            draft.reject_reason = Some(reason.clone());
        } else if let Some(r) = &out.link_incident
            && let Ok(i) = self.find_incident(r).await
            && !matches!(
                i.status,
                IncidentStatus::Resolved | IncidentStatus::Closed | IncidentStatus::Abandoned
            )
        {
            w.link = Some(i.id);
            draft.status = ReportStatus::Open;
            if !out.deadlines.is_empty() {
                let custom = self.custom_preset_list().await?;
                for p in &out.deadlines {
                    let preset = crate::deadlines::find_preset(p, &custom)?;
                    let mut ids = || crate::ids::EntryId::new(self.now_ms()).to_string();
                    w.deadlines.extend(crate::deadlines::start_clocks(
                        &preset,
                        i.id,
                        draft.received_at,
                        actor.user,
                        now,
                        &mut ids,
                    )?);
                }
            }
        }
        for u in self.notify_targets(&out.notify, draft.constituency).await? {
            w.notifications.push(NotificationRequest {
                id: crate::ids::EntryId::new(self.now_ms()).to_string(),
                dedup_key: format!("triage:{}:{u}", draft.id),
                kind: "triage.notify".into(),
                target_kind: TargetKind::Report,
                target_id: draft.id.to_string(),
                recipient: Some(u),
                payload: serde_json::json!({"report": draft.id, "rules": out.matched, "priority": out.priority}),
                created_at: now,
                status: "pending".into(),
            });
        }
        w.clocks = self
            .clocks_for(
                TargetKind::Report,
                &draft.id.to_string(),
                draft.constituency,
                out.priority,
                &report_wants(draft),
                vec![],
            )
            .await?;
        w.record = Some(TriageRecord {
            report: draft.id,
            rules_version: version,
            outcome: out.clone(),
            linked: w.link,
            at: now,
        });
        let mut after = json(&*draft).unwrap_or_default();
        if let Some(o) = after.as_object_mut() {
            o.insert(
                "triage".into(),
                serde_json::json!({"rules_version": version, "outcome": out, "linked": w.link,
                    "notify": w.notifications.len(), "deadlines": w.deadlines.len()}),
            );
        }
        let entry = self.audit(
            who(actor),
            "report.create",
            TargetKind::Report,
            draft.id.to_string(),
            None,
            Some(after),
        );
        Ok((w, entry))
    }

    /// Brings a report's clocks in line with its state (after an update).
    pub(crate) async fn refresh_report_clocks(&self, r: &Report) -> Result<()> {
        let priority = match self.store.triage_of(r.id).await? {
            Some(t) => t.outcome.priority,
            None => 3,
        };
        self.refresh_clocks(
            TargetKind::Report,
            &r.id.to_string(),
            r.constituency,
            priority,
            &report_wants(r),
        )
        .await
    }
}

/// Report clocks: first response stops once someone owns it or it left `new`; triage stops
/// once it left `new` (linked, resolved or rejected).
pub(crate) fn report_wants(r: &Report) -> Vec<(ClockKind, Want)> {
    let fresh = r.status == ReportStatus::New;
    vec![
        (
            ClockKind::FirstResponse,
            if fresh && r.owner.is_none() {
                Want::Run
            } else {
                Want::Stop
            },
        ),
        (
            ClockKind::Triage,
            if fresh { Want::Run } else { Want::Stop },
        ),
    ]
}
