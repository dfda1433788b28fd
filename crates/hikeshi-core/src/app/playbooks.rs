//! Playbooks (response manuals per classification) and the tasks they put on incidents.
//! A playbook version is never edited: a revision (e.g. after a post-incident review) is a
//! new version with its reason; tasks keep the version they came from.

use super::{App, MAX_TEXT, MAX_TITLE, check_version, diff, guard_incident, json, text, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{AttachmentId, IncidentId, UserId};
use crate::model::*;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// A new playbook (version 1) or a revision (the next version; `reason` required).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlaybook {
    /// Lower-case letters, digits and `-` (ignored for a revision: the path names it).
    #[serde(default)]
    pub slug: String,
    pub title_ja: String,
    pub title_en: String,
    /// RSIT types or classes (`phishing`, `fraud`, `fraud/phishing`) that apply it automatically.
    #[serde(default)]
    pub classifications: Vec<String>,
    pub tasks: Vec<PlaybookTask>,
    /// Why this version (required for a revision).
    pub reason: Option<String>,
}

/// What a handler changes on a task.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub version: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub status: Option<TaskStatus>,
    /// User name or id, `me`, or null to clear.
    #[serde(default, deserialize_with = "super::double_option")]
    pub owner: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due_at: Option<Option<Timestamp>>,
    pub notes: Option<String>,
    /// Done flags, one per checklist item, in order.
    pub checklist: Option<Vec<bool>>,
}

/// Which playbook to apply by hand.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyPlaybook {
    pub playbook: String,
    /// A given version (default: the newest).
    pub version: Option<i64>,
}

fn slug_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn validate(p: &NewPlaybook) -> Result<()> {
    text("title_ja", &p.title_ja, MAX_TITLE, true)?;
    text("title_en", &p.title_en, MAX_TITLE, true)?;
    if p.tasks.is_empty() || p.tasks.len() > 200 {
        return Err(Error::validation("tasks", "1 to 200 tasks"));
    }
    for (n, t) in p.tasks.iter().enumerate() {
        text(
            &format!("tasks[{n}].title_ja"),
            &t.title_ja,
            MAX_TITLE,
            true,
        )?;
        text(
            &format!("tasks[{n}].title_en"),
            &t.title_en,
            MAX_TITLE,
            true,
        )?;
        text(
            &format!("tasks[{n}].description"),
            &t.description,
            MAX_TEXT,
            false,
        )?;
        for (k, c) in t.checklist.iter().enumerate() {
            text(&format!("tasks[{n}].checklist[{k}]"), c, MAX_TITLE, true)?;
        }
        if let Some(m) = t.due_in_minutes
            && !(0..=525_600).contains(&m)
        {
            return Err(Error::validation(
                format!("tasks[{n}].due_in_minutes"),
                "between 0 and 525600 (one year)",
            ));
        }
    }
    for c in &p.classifications {
        if c.trim().is_empty() || c.len() > 100 {
            return Err(Error::validation(
                "classifications",
                "1 to 100 characters each",
            ));
        }
    }
    if let Some(r) = &p.reason {
        text("reason", r, MAX_TEXT, false)?;
    }
    Ok(())
}

/// Whether a playbook is bound to this classification (type, class, or `class/type`).
pub fn binds(p: &Playbook, c: &Classification) -> bool {
    let class = c.rsit_class.as_deref().unwrap_or("");
    let typ = c.rsit_type.as_deref().unwrap_or("");
    p.classifications.iter().any(|b| {
        let b = b.trim();
        (!typ.is_empty() && b == typ)
            || (!class.is_empty() && b == class)
            || (!class.is_empty() && !typ.is_empty() && b == format!("{class}/{typ}"))
    })
}

/// The tasks a playbook version puts on an incident applied at `now`.
pub fn tasks_from(
    p: &Playbook,
    incident: IncidentId,
    owner: Option<UserId>,
    now: Timestamp,
    now_ms: u64,
) -> Vec<Task> {
    p.tasks
        .iter()
        .enumerate()
        .map(|(n, t)| Task {
            id: new_id(now_ms),
            incident,
            playbook: Some(p.id.clone()),
            playbook_slug: Some(p.slug.clone()),
            playbook_version: Some(p.version),
            position: n as i64,
            title_ja: t.title_ja.clone(),
            title_en: t.title_en.clone(),
            description: t.description.clone(),
            checklist: t
                .checklist
                .iter()
                .map(|c| ChecklistItem {
                    text: c.clone(),
                    done: false,
                })
                .collect(),
            owner,
            due_at: t
                .due_in_minutes
                .and_then(|m| now.checked_add(SignedDuration::from_mins(m)).ok()),
            status: TaskStatus::Open,
            notes: String::new(),
            evidence: vec![],
            created_at: now,
            updated_at: now,
            version: 1,
        })
        .collect()
}

fn require_manager(actor: &Actor) -> Result<()> {
    actor.require_write_role()?;
    if matches!(actor.role, Role::Admin | Role::Lead) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only leads and admins edit playbooks".into(),
        ))
    }
}

impl App {
    pub async fn create_playbook(&self, actor: &Actor, input: NewPlaybook) -> Result<Playbook> {
        require_manager(actor)?;
        let slug = input.slug.trim().to_string();
        if !slug_ok(&slug) {
            return Err(Error::validation(
                "slug",
                "1-64 lower-case letters, digits or '-'",
            ));
        }
        validate(&input)?;
        if !self.store.playbook_versions(&slug).await?.is_empty() {
            return Err(Error::Duplicate {
                field: "slug".into(),
            });
        }
        self.store_playbook(actor, slug, 1, input, "playbook.create")
            .await
    }

    /// Records a new version of a playbook with its reason; the old versions stay.
    pub async fn revise_playbook(
        &self,
        actor: &Actor,
        slug: &str,
        input: NewPlaybook,
    ) -> Result<Playbook> {
        require_manager(actor)?;
        validate(&input)?;
        if input.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(Error::validation("reason", "required for a revision"));
        }
        let versions = self.store.playbook_versions(slug).await?;
        let last = versions.last().ok_or(Error::NotFound)?;
        self.store_playbook(
            actor,
            last.slug.clone(),
            last.version + 1,
            input,
            "playbook.revise",
        )
        .await
    }

    async fn store_playbook(
        &self,
        actor: &Actor,
        slug: String,
        version: i64,
        input: NewPlaybook,
        action: &str,
    ) -> Result<Playbook> {
        let p = Playbook {
            id: new_id(self.now_ms()),
            slug,
            version,
            title_ja: input.title_ja.trim().to_string(),
            title_en: input.title_en.trim().to_string(),
            classifications: input
                .classifications
                .iter()
                .map(|c| c.trim().to_string())
                .collect(),
            tasks: input.tasks,
            reason: input.reason.filter(|r| !r.trim().is_empty()),
            created_by: actor.user,
            created_at: self.now(),
        };
        let audit = self.audit(
            who(actor),
            action,
            TargetKind::System,
            format!("playbook:{}", p.slug),
            None,
            json(&p),
        );
        self.store.insert_playbook(&p, &audit).await?;
        Ok(p)
    }

    /// The newest version of every playbook.
    pub async fn playbooks(&self, actor: &Actor) -> Result<Vec<Playbook>> {
        self.require_handling_reader(actor)?;
        self.store.latest_playbooks().await
    }

    /// Every version of one playbook, oldest first.
    pub async fn playbook_versions(&self, actor: &Actor, slug: &str) -> Result<Vec<Playbook>> {
        self.require_handling_reader(actor)?;
        let v = self.store.playbook_versions(slug).await?;
        if v.is_empty() {
            return Err(Error::NotFound);
        }
        Ok(v)
    }

    pub(crate) fn require_handling_reader(&self, actor: &Actor) -> Result<()> {
        if !actor.scopes.read || actor.role == Role::Reporter {
            return Err(Error::Forbidden("handlers' records".into()));
        }
        Ok(())
    }

    /// Applies a playbook to an incident by hand.
    pub async fn apply_playbook(
        &self,
        actor: &Actor,
        incident: &str,
        input: ApplyPlaybook,
    ) -> Result<Vec<Task>> {
        let i = self.get_incident(actor, incident).await?;
        actor.require_write(guard_incident(&i))?;
        let versions = self.store.playbook_versions(input.playbook.trim()).await?;
        let p = match input.version {
            Some(v) => versions.into_iter().find(|p| p.version == v),
            None => versions.into_iter().last(),
        }
        .ok_or_else(|| {
            Error::validation("playbook", format!("no playbook {:?}", input.playbook))
        })?;
        self.put_tasks(actor, &i, &p, "playbook.apply").await
    }

    async fn put_tasks(
        &self,
        actor: &Actor,
        i: &Incident,
        p: &Playbook,
        action: &str,
    ) -> Result<Vec<Task>> {
        let tasks = tasks_from(p, i.id, i.owner, self.now(), self.now_ms());
        let audit = self.audit(
            who(actor),
            action,
            TargetKind::Incident,
            i.id.to_string(),
            None,
            Some(
                serde_json::json!({"playbook": p.slug, "version": p.version, "tasks": tasks.len()}),
            ),
        );
        self.store.insert_tasks(&tasks, &audit).await?;
        Ok(tasks)
    }

    /// Applies every playbook bound to the incident's classification that is not on it yet.
    pub(crate) async fn auto_apply_playbooks(&self, actor: &Actor, i: &Incident) -> Result<()> {
        if i.classification.rsit_class.is_none() && i.classification.rsit_type.is_none() {
            return Ok(());
        }
        let bound: Vec<Playbook> = self
            .store
            .latest_playbooks()
            .await?
            .into_iter()
            .filter(|p| binds(p, &i.classification))
            .collect();
        if bound.is_empty() {
            return Ok(());
        }
        let have = self.store.tasks_of(i.id).await?;
        for p in bound {
            if !have
                .iter()
                .any(|t| t.playbook_slug.as_deref() == Some(&p.slug))
            {
                self.put_tasks(actor, i, &p, "playbook.auto_apply").await?;
            }
        }
        Ok(())
    }

    pub async fn tasks(&self, actor: &Actor, incident: &str) -> Result<Vec<Task>> {
        let i = self.get_incident(actor, incident).await?;
        self.store.tasks_of(i.id).await
    }

    async fn task_checked(&self, actor: &Actor, id: &str, write: bool) -> Result<(Task, Incident)> {
        let t = self
            .store
            .get_task(id.trim())
            .await?
            .ok_or(Error::NotFound)?;
        let i = self
            .store
            .get_incident(t.incident)
            .await?
            .ok_or(Error::NotFound)?;
        if write {
            actor.require_write(guard_incident(&i))?;
        } else {
            actor.require_see(guard_incident(&i))?;
        }
        Ok((t, i))
    }

    pub async fn get_task(&self, actor: &Actor, id: &str) -> Result<Task> {
        Ok(self.task_checked(actor, id, false).await?.0)
    }

    pub async fn update_task(&self, actor: &Actor, id: &str, p: TaskPatch) -> Result<Task> {
        let (old, incident) = self.task_checked(actor, id, true).await?;
        check_version(p.version, old.version)?;
        let mut t = old.clone();
        if let Some(s) = p.status {
            t.status = s;
        }
        if let Some(o) = &p.owner {
            t.owner = match o {
                Some(name) => Some(
                    self.resolve_owner(actor, name)
                        .await
                        .map_err(|_| Error::validation("owner", format!("no user {name:?}")))?,
                ),
                None => None,
            };
            if t.owner != old.owner && t.owner.is_some() {
                actor.require_assign(t.owner)?;
            }
        }
        if let Some(d) = p.due_at {
            t.due_at = d.map(super::micros);
        }
        if let Some(n) = p.notes {
            text("notes", &n, MAX_TEXT, false)?;
            t.notes = n;
        }
        if let Some(flags) = p.checklist {
            if flags.len() != t.checklist.len() {
                return Err(Error::validation(
                    "checklist",
                    format!("expected {} flags, one per item", t.checklist.len()),
                ));
            }
            for (item, done) in t.checklist.iter_mut().zip(flags) {
                item.done = done;
            }
        }
        t.version += 1;
        t.updated_at = self.now();
        let (b, a) = diff(
            &serde_json::to_value(&old).unwrap_or_default(),
            &serde_json::to_value(&t).unwrap_or_default(),
        );
        let audit = self.audit(
            who(actor),
            "task.update",
            TargetKind::Incident,
            t.incident.to_string(),
            Some(b),
            Some(serde_json::json!({"task": t.id, "changes": a})),
        );
        self.store.update_task(&t, old.version, &audit).await?;
        if let Some(o) = t.owner
            && t.owner != old.owner
            && o != actor.user
        {
            let detail = format!("task \"{}\" assigned by {}", t.title_en, actor.username);
            self.notify("assignment", &incident, &[o], &detail).await?;
        }
        Ok(t)
    }

    /// Adds a file as evidence of a task: an attachment on the incident, linked from the task.
    pub async fn add_task_evidence(
        &self,
        actor: &Actor,
        id: &str,
        name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(Task, Attachment)> {
        let (old, i) = self.task_checked(actor, id, true).await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 255 || name.contains(['/', '\\', '\0']) {
            return Err(Error::validation(
                "name",
                "a file name of 1-255 characters without slashes",
            ));
        }
        if bytes.len() > super::MAX_ATTACHMENT {
            return Err(Error::validation("file", "too large"));
        }
        let att = Attachment {
            id: AttachmentId::new(self.now_ms()),
            target_kind: TargetKind::Incident,
            target_id: i.id.to_string(),
            name: name.to_string(),
            content_type: if content_type.is_empty() {
                "application/octet-stream".into()
            } else {
                content_type.to_string()
            },
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as i64,
            created_by: actor.user,
            created_at: self.now(),
        };
        let mut t = old.clone();
        t.evidence.push(att.id);
        t.version += 1;
        t.updated_at = self.now();
        let audit = self.audit(
            who(actor),
            "task.evidence",
            TargetKind::Incident,
            i.id.to_string(),
            None,
            Some(serde_json::json!({"task": t.id, "attachment": att.id, "sha256": att.sha256})),
        );
        self.store
            .add_task_evidence(&t, old.version, &att, bytes, &audit)
            .await?;
        Ok((t, att))
    }
}
