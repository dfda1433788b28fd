//! Notifications: in-app (per user) and outbound webhooks (generic JSON, Slack, Mattermost,
//! Teams) through a small outbox with retries. Payloads are built by `hikeshi-notify`, which
//! keeps TLP:AMBER and above to a reference and a link. In-app texts follow the same rule.

use super::{App, MAX_TITLE, check_version, diff, json, text, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, UserId};
use crate::model::*;
use hikeshi_notify::{Format, Poster};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

/// Events a webhook may subscribe to.
pub const EVENTS: &[&str] = &[
    "assignment",
    "approval.requested",
    "approval.decided",
    "sla.warning",
    "sla.breach",
    "deadline.due",
    "deadline.warning",
    "deadline.breach",
    "triage.notify",
];

/// How long one attempt holds a delivery before another courier may take it again.
pub const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// Attempts before a delivery is given up (`failed`).
pub const MAX_ATTEMPTS: i64 = 8;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    pub name: String,
    pub url: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub format: Option<WebhookFormat>,
    /// Constituency slug or id (none: every constituency; admins only).
    pub constituency: Option<String>,
    /// Events to send (empty: all).
    #[serde(default)]
    pub events: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub version: Option<i64>,
    pub name: Option<String>,
    pub url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub format: Option<WebhookFormat>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// What one delivery run did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryRun {
    pub sent: i64,
    pub retrying: i64,
    pub failed: i64,
}

fn url_ok(u: &str) -> bool {
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !u.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

fn events_ok(ev: &[String]) -> Result<()> {
    for e in ev {
        if !EVENTS.contains(&e.as_str()) {
            return Err(Error::validation(
                "events",
                format!("unknown event {e:?}; expected any of {}", EVENTS.join(", ")),
            ));
        }
    }
    Ok(())
}

pub(crate) fn format_of(f: WebhookFormat) -> Format {
    match f {
        WebhookFormat::Json => Format::Json,
        WebhookFormat::Slack => Format::Slack,
        WebhookFormat::Mattermost => Format::Mattermost,
        WebhookFormat::Teams => Format::Teams,
    }
}

/// Wait before attempt `n + 1` after `n` failed ones: 1, 2, 4 … minutes, at most 6 hours.
pub fn backoff(attempts: i64) -> SignedDuration {
    let mins = 1_i64 << attempts.clamp(0, 9);
    SignedDuration::from_mins(mins.min(360))
}

impl App {
    /// The public base URL used in links sent out (`https://hikeshi.example`).
    pub fn set_public_url(&self, url: &str) {
        if let Ok(mut u) = self.public_url.write() {
            *u = url.trim_end_matches('/').to_string();
        }
    }

    pub fn incident_link(&self, i: &Incident) -> String {
        let base = self
            .public_url
            .read()
            .map(|u| u.clone())
            .unwrap_or_default();
        format!("{base}/incidents/{}", i.reference)
    }

    /// Notifies about an event on an incident: in-app and by mail to each recipient who can
    /// see it, and to the webhooks of its constituency (and the global ones) that take the
    /// event (see `app/delivery.rs`, the one fan-out).
    /// (The SLA and deadline clocks and triage record requests instead: `deliver_requests`.)
    /// Text of TLP:AMBER and above stays inside; only the reference and the link leave.
    pub async fn notify(
        &self,
        event: &str,
        incident: &Incident,
        recipients: &[UserId],
        detail: &str,
    ) -> Result<()> {
        let hooks = self.store.webhooks().await?;
        let f = self
            .fanout(
                event,
                &super::Subject::incident(incident),
                recipients,
                detail,
                &hooks,
            )
            .await?;
        if f.is_empty() {
            return Ok(());
        }
        self.store.write_fanout(None, &f).await?;
        Ok(())
    }

    /// Tells a new owner (other than the actor) that an incident is theirs.
    pub(crate) async fn notify_assignment(
        &self,
        actor: &Actor,
        old: Option<&Incident>,
        i: &Incident,
    ) -> Result<()> {
        match i.owner {
            Some(o) if o != actor.user && old.and_then(|x| x.owner) != Some(o) => {
                let detail = format!("assigned by {}", actor.username);
                self.notify("assignment", i, &[o], &detail).await
            }
            _ => Ok(()),
        }
    }

    pub async fn notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
    ) -> Result<Vec<Notification>> {
        if !actor.scopes.read {
            return Err(Error::Forbidden("the token lacks the read scope".into()));
        }
        self.store
            .notifications_of(actor.user, unread_only, 200)
            .await
    }

    /// Marks the caller's notifications read (all unread when `ids` is empty).
    pub async fn mark_read(&self, actor: &Actor, ids: &[String]) -> Result<u64> {
        actor.require_write_scope()?;
        if ids.len() > 500 {
            return Err(Error::validation("ids", "at most 500 at once"));
        }
        self.store
            .mark_notifications_read(actor.user, ids, self.now())
            .await
    }

    /// Admins manage every webhook; leads those of their constituencies.
    fn require_hook_admin(&self, actor: &Actor, c: Option<ConstituencyId>) -> Result<()> {
        actor.require_write_role()?;
        match (actor.role, c) {
            (Role::Admin, _) => Ok(()),
            (Role::Lead, Some(c)) if actor.is_global() || actor.constituencies.contains(&c) => {
                Ok(())
            }
            _ => Err(Error::Forbidden(
                "admins, or leads for their own constituency".into(),
            )),
        }
    }

    pub async fn create_webhook(&self, actor: &Actor, input: NewWebhook) -> Result<Webhook> {
        text("name", &input.name, MAX_TITLE, true)?;
        if !url_ok(input.url.trim()) || input.url.len() > 2000 {
            return Err(Error::validation("url", "an http:// or https:// URL"));
        }
        events_ok(&input.events)?;
        let constituency = match &input.constituency {
            Some(c) => Some(self.constituency_id(c).await?),
            None => None,
        };
        self.require_hook_admin(actor, constituency)?;
        let now = self.now();
        let w = Webhook {
            id: new_id(self.now_ms()),
            constituency,
            name: input.name.trim().to_string(),
            url: input.url.trim().to_string(),
            format: input.format.unwrap_or(WebhookFormat::Json),
            events: input.events,
            active: true,
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        // The URL may hold a secret token (Slack, Teams): never in the audit trail.
        let mut shown = json(&w).unwrap_or_default();
        shown["url"] = serde_json::json!("(hidden)");
        let audit = self.audit(
            who(actor),
            "webhook.create",
            TargetKind::System,
            format!("webhook:{}", w.id),
            None,
            Some(shown),
        );
        self.store.insert_webhook(&w, &audit).await?;
        Ok(w)
    }

    pub async fn webhooks(&self, actor: &Actor) -> Result<Vec<Webhook>> {
        actor.require_write_role()?;
        Ok(self
            .store
            .webhooks()
            .await?
            .into_iter()
            .filter(|w| self.require_hook_admin(actor, w.constituency).is_ok())
            .collect())
    }

    async fn webhook_checked(&self, actor: &Actor, id: &str) -> Result<Webhook> {
        let w = self
            .store
            .get_webhook(id.trim())
            .await?
            .ok_or(Error::NotFound)?;
        self.require_hook_admin(actor, w.constituency)
            .map_err(|_| Error::NotFound)?;
        Ok(w)
    }

    pub async fn update_webhook(
        &self,
        actor: &Actor,
        id: &str,
        p: WebhookPatch,
    ) -> Result<Webhook> {
        let old = self.webhook_checked(actor, id).await?;
        check_version(p.version, old.version)?;
        let mut w = old.clone();
        if let Some(n) = p.name {
            text("name", &n, MAX_TITLE, true)?;
            w.name = n.trim().to_string();
        }
        if let Some(u) = p.url {
            if !url_ok(u.trim()) || u.len() > 2000 {
                return Err(Error::validation("url", "an http:// or https:// URL"));
            }
            w.url = u.trim().to_string();
        }
        if let Some(f) = p.format {
            w.format = f;
        }
        if let Some(e) = p.events {
            events_ok(&e)?;
            w.events = e;
        }
        if let Some(a) = p.active {
            w.active = a;
        }
        w.version += 1;
        w.updated_at = self.now();
        let (mut b, mut a) = diff(
            &serde_json::to_value(&old).unwrap_or_default(),
            &serde_json::to_value(&w).unwrap_or_default(),
        );
        for v in [&mut b, &mut a] {
            if v.get("url").is_some() {
                v["url"] = serde_json::json!("(hidden)");
            }
        }
        let audit = self.audit(
            who(actor),
            "webhook.update",
            TargetKind::System,
            format!("webhook:{}", w.id),
            Some(b),
            Some(a),
        );
        self.store.update_webhook(&w, old.version, &audit).await?;
        Ok(w)
    }

    pub async fn webhook_deliveries(&self, actor: &Actor, id: &str) -> Result<Vec<Delivery>> {
        let w = self.webhook_checked(actor, id).await?;
        self.store.deliveries_of(&w.id, 100).await
    }

    /// Sends the deliveries that are due, each once; records the outcome and, on failure,
    /// the next attempt (exponential backoff) or gives up after [`MAX_ATTEMPTS`].
    pub async fn deliver_webhooks(&self, poster: &dyn Poster, limit: i64) -> Result<DeliveryRun> {
        let mut run = DeliveryRun::default();
        for mut d in self.store.due_deliveries(self.now(), limit).await? {
            let lease = self.now().checked_add(LEASE).unwrap_or(d.next_at);
            if !self.store.claim_delivery(&d.id, d.next_at, lease).await? {
                continue;
            }
            let result = poster.post(&d.url, &d.content_type, &d.body).await;
            d.attempts += 1;
            let now = self.now();
            match result {
                Ok(code) if (200..300).contains(&code) => {
                    d.status = "sent".into();
                    d.sent_at = Some(now);
                    d.last_error = None;
                    run.sent += 1;
                }
                other => {
                    let err = match other {
                        Ok(code) => format!("HTTP {code}"),
                        Err(e) => e,
                    };
                    d.last_error = Some(err.chars().take(500).collect());
                    if d.attempts >= MAX_ATTEMPTS {
                        d.status = "failed".into();
                        run.failed += 1;
                    } else {
                        d.next_at = now.checked_add(backoff(d.attempts - 1)).unwrap_or(now);
                        run.retrying += 1;
                    }
                }
            }
            self.store.finish_delivery(&d).await?;
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_backoff() {
        assert!(url_ok("https://hooks.slack.com/services/T/B/x"));
        assert!(url_ok("http://127.0.0.1:8080/hook"));
        assert!(!url_ok("ftp://x"));
        assert!(!url_ok("https:///nohost"));
        assert!(!url_ok("https://a b"));
        assert_eq!(backoff(0), SignedDuration::from_mins(1));
        assert_eq!(backoff(3), SignedDuration::from_mins(8));
        assert_eq!(backoff(20), SignedDuration::from_mins(360));
    }
}
