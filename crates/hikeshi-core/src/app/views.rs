//! Read models for the handler's screens (counts, due next, work lists) and saved searches.

use super::{App, text, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::EntryId;
use crate::model::*;
use crate::ports::{ListQuery, Page};

/// Home-page counts stop here ("10,000+"), so they cost the same at any size.
pub const COUNT_CAP: i64 = 10_000;

/// The list pages a saved search may point at.
pub const SAVED_SEARCH_PAGES: &[&str] = &[
    "/incidents",
    "/reports",
    "/investigations",
    "/countermeasures",
];

fn team(actor: &Actor) -> Result<()> {
    if !actor.scopes.read {
        return Err(Error::Forbidden("the token lacks the read scope".into()));
    }
    Ok(())
}

impl App {
    /// Active incidents the caller may see, counted by status and severity (reporters: none).
    pub async fn incident_counts(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(IncidentStatus, Severity, i64)>> {
        team(actor)?;
        if actor.role == Role::Reporter {
            return Ok(vec![]);
        }
        self.store
            .incident_counts(&actor.visibility(), COUNT_CAP)
            .await
    }

    /// Active incidents with a due date, soonest (most overdue) first.
    pub async fn due_incidents(&self, actor: &Actor, limit: i64) -> Result<Vec<Incident>> {
        team(actor)?;
        if actor.role == Role::Reporter {
            return Ok(vec![]);
        }
        self.store.due_incidents(&actor.visibility(), limit).await
    }

    pub async fn list_investigations(
        &self,
        actor: &Actor,
        q: &ListQuery,
    ) -> Result<Page<Investigation>> {
        team(actor)?;
        for s in &q.status {
            InvestigationStatus::parse_field(s, "status")?;
        }
        if actor.role == Role::Reporter {
            return Ok(Page {
                items: vec![],
                next: None,
            });
        }
        self.store.list_investigations(&actor.visibility(), q).await
    }

    pub async fn list_countermeasures(
        &self,
        actor: &Actor,
        q: &ListQuery,
    ) -> Result<Page<Countermeasure>> {
        team(actor)?;
        for s in &q.status {
            CountermeasureStatus::parse_field(s, "status")?;
        }
        if actor.role == Role::Reporter {
            return Ok(Page {
                items: vec![],
                next: None,
            });
        }
        self.store
            .list_countermeasures(&actor.visibility(), q)
            .await
    }

    /// Saves a list page with its query under a name (for the caller only).
    pub async fn save_search(&self, actor: &Actor, name: &str, path: &str) -> Result<SavedSearch> {
        actor.require_write_scope()?;
        text("name", name, 100, true)?;
        let path = path.trim();
        let page = path.split('?').next().unwrap_or("");
        if !SAVED_SEARCH_PAGES.contains(&page) || path.len() > 2000 {
            return Err(Error::validation(
                "path",
                format!(
                    "a list page with its query: one of {}",
                    SAVED_SEARCH_PAGES.join(", ")
                ),
            ));
        }
        let s = SavedSearch {
            id: EntryId::new(self.now_ms()).to_string(),
            user: actor.user,
            name: name.trim().to_string(),
            path: path.to_string(),
            created_at: self.now(),
        };
        let audit = self.audit(
            who(actor),
            "search.save",
            TargetKind::User,
            actor.user.to_string(),
            None,
            super::json(&s),
        );
        self.store.insert_saved_search(&s, &audit).await?;
        Ok(s)
    }

    pub async fn saved_searches(&self, actor: &Actor) -> Result<Vec<SavedSearch>> {
        team(actor)?;
        self.store.saved_searches(actor.user).await
    }

    pub async fn delete_saved_search(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require_write_scope()?;
        let audit = self.audit(
            who(actor),
            "search.delete",
            TargetKind::User,
            actor.user.to_string(),
            Some(serde_json::json!({"id": id})),
            None,
        );
        self.store.delete_saved_search(actor.user, id, &audit).await
    }
}
