//! Work attached to incidents and reports: investigations, countermeasures, comments and
//! correspondence, attachments. Each inherits the visibility of its parent record.

use super::{
    App, CountermeasurePatch, InvestigationPatch, MAX_TEXT, MAX_TITLE, NewCountermeasure, NewEntry,
    NewInvestigation, check_version, diff, guard_incident, guard_report, json, text, who,
};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::*;
use crate::lifecycle;
use crate::model::*;
use sha2::{Digest, Sha256};

/// The record an entry or attachment hangs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    Incident,
    Report,
}

/// Largest attachment accepted (bytes); the web layer's body limit is set to match.
pub const MAX_ATTACHMENT: usize = 25 * 1024 * 1024;

impl App {
    /// Resolves a parent record, checks the caller may see (and, if `write`, change) it,
    /// and returns its kind and id.
    async fn parent(
        &self,
        actor: &Actor,
        kind: Parent,
        id_or_ref: &str,
        write: bool,
    ) -> Result<(TargetKind, String)> {
        match kind {
            Parent::Incident => {
                let i = self.get_incident(actor, id_or_ref).await?;
                if write {
                    actor.require_write(guard_incident(&i))?;
                }
                Ok((TargetKind::Incident, i.id.to_string()))
            }
            Parent::Report => {
                let r = self.get_report(actor, id_or_ref).await?;
                if write {
                    actor.require_write(guard_report(&r))?;
                }
                Ok((TargetKind::Report, r.id.to_string()))
            }
        }
    }

    pub async fn add_entry(
        &self,
        actor: &Actor,
        kind: Parent,
        id_or_ref: &str,
        input: NewEntry,
    ) -> Result<Entry> {
        let (tk, tid) = self.parent(actor, kind, id_or_ref, true).await?;
        text("body", &input.body, MAX_TEXT, true)?;
        let entry_kind = input.kind.clone().unwrap_or_else(|| "comment".into());
        let direction = match entry_kind.as_str() {
            "comment" => None,
            "correspondence" => Some(input.direction.ok_or_else(|| {
                Error::validation("direction", "required for correspondence (in or out)")
            })?),
            _ => {
                return Err(Error::validation(
                    "kind",
                    "expected comment or correspondence",
                ));
            }
        };
        let e = Entry {
            id: EntryId::new(self.now_ms()),
            target_kind: tk,
            target_id: tid.clone(),
            kind: entry_kind.clone(),
            direction,
            author: Some(actor.user),
            from: input.from,
            to: input.to,
            subject: input.subject,
            body: input.body,
            created_at: self.now(),
        };
        let audit = self.audit(
            who(actor),
            &format!("{entry_kind}.add"),
            tk,
            tid,
            None,
            Some(serde_json::json!({"entry": e.id})),
        );
        self.store.insert_entry(&e, &audit).await?;
        Ok(e)
    }

    pub async fn entries(
        &self,
        actor: &Actor,
        kind: Parent,
        id_or_ref: &str,
    ) -> Result<Vec<Entry>> {
        let (_, tid) = self.parent(actor, kind, id_or_ref, false).await?;
        self.store.entries_of(&tid).await
    }

    pub async fn add_attachment(
        &self,
        actor: &Actor,
        kind: Parent,
        id_or_ref: &str,
        name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        let (tk, tid) = self.parent(actor, kind, id_or_ref, true).await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 255 || name.contains(['/', '\\', '\0']) {
            return Err(Error::validation(
                "name",
                "a file name of 1-255 characters without slashes",
            ));
        }
        if bytes.len() > MAX_ATTACHMENT {
            return Err(Error::validation(
                "file",
                format!("larger than {MAX_ATTACHMENT} bytes"),
            ));
        }
        let a = Attachment {
            id: AttachmentId::new(self.now_ms()),
            target_kind: tk,
            target_id: tid.clone(),
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
        let audit = self.audit(who(actor), "attachment.add", tk, tid, None, json(&a));
        self.store.insert_attachment(&a, bytes, &audit).await?;
        Ok(a)
    }

    pub async fn attachments(
        &self,
        actor: &Actor,
        kind: Parent,
        id_or_ref: &str,
    ) -> Result<Vec<Attachment>> {
        let (_, tid) = self.parent(actor, kind, id_or_ref, false).await?;
        self.store.attachments_of(&tid).await
    }

    /// An attachment's record and bytes, if the caller may see its parent.
    pub async fn attachment_content(
        &self,
        actor: &Actor,
        id: AttachmentId,
    ) -> Result<(Attachment, Vec<u8>)> {
        let a = self
            .store
            .get_attachment(id)
            .await?
            .ok_or(Error::NotFound)?;
        let kind = if a.target_kind == TargetKind::Report {
            Parent::Report
        } else {
            Parent::Incident
        };
        self.parent(actor, kind, &a.target_id, false).await?;
        let bytes = self
            .store
            .blob(&a.sha256)
            .await?
            .ok_or_else(|| Error::Internal(format!("blob {} missing", a.sha256)))?;
        Ok((a, bytes))
    }

    pub async fn create_investigation(
        &self,
        actor: &Actor,
        incident: &str,
        input: NewInvestigation,
    ) -> Result<Investigation> {
        let i = self.get_incident(actor, incident).await?;
        actor.require_write(guard_incident(&i))?;
        text("title", &input.title, MAX_TITLE, true)?;
        let now = self.now();
        let v = Investigation {
            id: InvestigationId::new(self.now_ms()),
            incident: i.id,
            title: input.title,
            correspondents: input.correspondents,
            status: InvestigationStatus::Open,
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let audit = self.audit(
            who(actor),
            "investigation.create",
            TargetKind::Investigation,
            v.id.to_string(),
            None,
            json(&v),
        );
        self.store.insert_investigation(&v, &audit).await?;
        Ok(v)
    }

    pub(crate) async fn investigation_checked(
        &self,
        actor: &Actor,
        id: InvestigationId,
        write: bool,
    ) -> Result<Investigation> {
        let v = self
            .store
            .get_investigation(id)
            .await?
            .ok_or(Error::NotFound)?;
        let i = self
            .store
            .get_incident(v.incident)
            .await?
            .ok_or(Error::NotFound)?;
        if write {
            actor.require_write(guard_incident(&i))?
        } else {
            actor.require_see(guard_incident(&i))?
        }
        Ok(v)
    }

    pub async fn get_investigation(
        &self,
        actor: &Actor,
        id: InvestigationId,
    ) -> Result<Investigation> {
        self.investigation_checked(actor, id, false).await
    }

    pub async fn update_investigation(
        &self,
        actor: &Actor,
        id: InvestigationId,
        p: InvestigationPatch,
    ) -> Result<Investigation> {
        let old = self.investigation_checked(actor, id, true).await?;
        check_version(p.version, old.version)?;
        let mut v = old.clone();
        if let Some(t) = p.title {
            text("title", &t, MAX_TITLE, true)?;
            v.title = t;
        }
        if let Some(c) = p.correspondents {
            v.correspondents = c;
        }
        if let Some(s) = p.status {
            lifecycle::check_investigation(old.status, s)?;
            v.status = s;
        }
        v.version += 1;
        v.updated_at = self.now();
        let (b, a) = diff(
            &serde_json::to_value(&old).unwrap_or_default(),
            &serde_json::to_value(&v).unwrap_or_default(),
        );
        let audit = self.audit(
            who(actor),
            "investigation.update",
            TargetKind::Investigation,
            v.id.to_string(),
            Some(b),
            Some(a),
        );
        self.store
            .update_investigation(&v, old.version, &audit)
            .await?;
        Ok(v)
    }

    pub async fn investigations_of(
        &self,
        actor: &Actor,
        incident: &str,
    ) -> Result<Vec<Investigation>> {
        let i = self.get_incident(actor, incident).await?;
        self.store.investigations_of(i.id).await
    }

    pub async fn create_countermeasure(
        &self,
        actor: &Actor,
        incident: &str,
        input: NewCountermeasure,
    ) -> Result<Countermeasure> {
        let i = self.get_incident(actor, incident).await?;
        actor.require_write(guard_incident(&i))?;
        text("what", &input.what, MAX_TITLE, true)?;
        text("where", &input.location, MAX_TITLE, false)?;
        let now = self.now();
        let c = Countermeasure {
            id: CountermeasureId::new(self.now_ms()),
            incident: i.id,
            kind: input.kind.unwrap_or(CountermeasureKind::Block),
            what: input.what,
            location: input.location,
            status: CountermeasureStatus::PendingActivation,
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let audit = self.audit(
            who(actor),
            "countermeasure.create",
            TargetKind::Countermeasure,
            c.id.to_string(),
            None,
            json(&c),
        );
        self.store.insert_countermeasure(&c, &audit).await?;
        Ok(c)
    }

    async fn countermeasure_checked(
        &self,
        actor: &Actor,
        id: CountermeasureId,
        write: bool,
    ) -> Result<Countermeasure> {
        let c = self
            .store
            .get_countermeasure(id)
            .await?
            .ok_or(Error::NotFound)?;
        let i = self
            .store
            .get_incident(c.incident)
            .await?
            .ok_or(Error::NotFound)?;
        if write {
            actor.require_write(guard_incident(&i))?
        } else {
            actor.require_see(guard_incident(&i))?
        }
        Ok(c)
    }

    pub async fn get_countermeasure(
        &self,
        actor: &Actor,
        id: CountermeasureId,
    ) -> Result<Countermeasure> {
        self.countermeasure_checked(actor, id, false).await
    }

    pub async fn update_countermeasure(
        &self,
        actor: &Actor,
        id: CountermeasureId,
        p: CountermeasurePatch,
    ) -> Result<Countermeasure> {
        let old = self.countermeasure_checked(actor, id, true).await?;
        check_version(p.version, old.version)?;
        let mut c = old.clone();
        if let Some(w) = p.what {
            text("what", &w, MAX_TITLE, true)?;
            c.what = w;
        }
        if let Some(w) = p.location {
            c.location = w;
        }
        if let Some(s) = p.status {
            lifecycle::check_countermeasure(old.status, s)?;
            if s == CountermeasureStatus::Active {
                self.check_approved(&old).await?;
            }
            c.status = s;
        }
        c.version += 1;
        c.updated_at = self.now();
        let (b, a) = diff(
            &serde_json::to_value(&old).unwrap_or_default(),
            &serde_json::to_value(&c).unwrap_or_default(),
        );
        let audit = self.audit(
            who(actor),
            "countermeasure.update",
            TargetKind::Countermeasure,
            c.id.to_string(),
            Some(b),
            Some(a),
        );
        self.store
            .update_countermeasure(&c, old.version, &audit)
            .await?;
        Ok(c)
    }

    pub async fn countermeasures_of(
        &self,
        actor: &Actor,
        incident: &str,
    ) -> Result<Vec<Countermeasure>> {
        let i = self.get_incident(actor, incident).await?;
        self.store.countermeasures_of(i.id).await
    }

    /// Seals pending audit entries and checks the whole chain.
    pub async fn verify_audit(&self) -> Result<crate::audit::Verdict> {
        self.store.seal_audit().await?;
        let (chain, cp) = self.store.audit_chain().await?;
        Ok(crate::audit::verify(
            &chain,
            cp.as_ref().map(|(s, h)| (*s, h.as_str())),
        ))
    }
}
