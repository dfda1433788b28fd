//! Outbound notifications: pure payload builders for webhooks (generic JSON, Slack,
//! Mattermost, Microsoft Teams) and, with the `http` feature, real delivery by HTTP POST.
//!
//! Invariant: a record marked TLP:AMBER or above (or any TLP this crate does not know) never
//! leaves in a message — only its reference, the event, the TLP label and a link do. The
//! builders take the whole [`Notice`] and decide what may leave in one place
//! ([`Notice::outbound`]); callers cannot opt out.

mod format;
#[cfg(feature = "http")]
pub mod http;

pub use format::{Format, Rendered, render};

/// An event about one record, as the application knows it (possibly restricted text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// `assignment`, `approval.requested`, `sla.warning`, `sla.breach`, `deadline.due`, …
    pub event: String,
    /// Human reference (`2026-0042`).
    pub reference: String,
    /// Link to the record in Hikeshi.
    pub url: String,
    /// TLP of the record (`clear`, `green`, `amber`, `amber+strict`, `red`).
    pub tlp: String,
    pub title: String,
    /// Further detail (who assigned, what needs approval, which deadline).
    pub text: String,
}

/// What may leave the building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub event: String,
    pub label: String,
    pub reference: String,
    pub url: String,
    pub tlp: String,
    /// `None` when the record's TLP forbids its text leaving.
    pub title: Option<String>,
    pub text: Option<String>,
}

impl Notice {
    /// Only TLP:CLEAR and TLP:GREEN text may leave; anything else (unknown included) is withheld.
    pub fn restricted(&self) -> bool {
        !matches!(
            self.tlp.trim().to_ascii_lowercase().as_str(),
            "clear" | "white" | "green"
        )
    }

    /// The parts of the notice that may be sent out.
    pub fn outbound(&self) -> Outbound {
        let open = !self.restricted();
        Outbound {
            event: self.event.clone(),
            label: label(&self.event).to_string(),
            reference: self.reference.clone(),
            url: self.url.clone(),
            tlp: self.tlp.trim().to_ascii_uppercase(),
            title: open.then(|| self.title.clone()),
            text: open.then(|| self.text.clone()).filter(|t| !t.is_empty()),
        }
    }

    /// One line for in-app lists and mail subjects, under the same rule.
    pub fn headline(&self) -> String {
        let o = self.outbound();
        match o.title {
            Some(t) => format!("{}: {} {}", o.label, o.reference, t),
            None => format!("{}: {} (TLP:{})", o.label, o.reference, o.tlp),
        }
    }
}

/// A readable label for an event name.
pub fn label(event: &str) -> &str {
    match event {
        "assignment" => "Assigned to you",
        "approval.requested" => "Approval requested",
        "approval.decided" => "Approval decided",
        "sla.warning" => "SLA breach approaching",
        "sla.breach" => "SLA breached",
        "deadline.due" | "deadline.breach" => "Legal deadline due",
        "deadline.warning" => "Legal deadline approaching",
        "triage.notify" => "New report (triage rule)",
        other => other,
    }
}

/// Sends one rendered message somewhere; returns the HTTP status or a transport error.
#[async_trait::async_trait]
pub trait Poster: Send + Sync {
    async fn post(&self, url: &str, content_type: &str, body: &str) -> Result<u16, String>;
}
