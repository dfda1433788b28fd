//! Machine-readable reports (X-ARF, ARF, IODEF): parsed by `hikeshi-formats` (pure), then
//! recorded as a report with its structured details and typed observables, routed to the
//! constituency owning the first observable that has an owner.

use super::{App, MAX_TEXT, MAX_TITLE, json, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, ReportId};
use crate::model::*;
use hikeshi_formats::Structured;

/// Largest document accepted by `POST /api/v1/reports/document` (bytes).
pub const MAX_DOCUMENT: usize = 5 * 1024 * 1024;

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The structured details kept beside the report.
pub(crate) fn details_of(s: &Structured) -> StructuredDetails {
    StructuredDetails {
        format: s.format.to_string(),
        observables: s
            .observables
            .iter()
            .map(|i| Observable {
                kind: i.kind.clone(),
                value: i.value.clone(),
            })
            .collect(),
        details: serde_json::json!({
            "classification": s.classification,
            "rsit": s.rsit,
            "occurred_at": s.occurred_at,
            "reporter": s.reporter,
            "document": s.details,
        }),
    }
}

/// Tags of a structured report: its format and the suggested RSIT class/type.
pub(crate) fn tags_of(s: &Structured) -> Vec<String> {
    let mut t = vec![s.format.to_string()];
    if let Some(r) = &s.rsit {
        t.push(format!("rsit:{r}"));
    }
    t
}

impl App {
    /// The constituency owning the first observable that has an owner.
    pub(crate) async fn route_observables(
        &self,
        obs: &[hikeshi_formats::Indicator],
    ) -> Result<Option<ConstituencyId>> {
        if obs.is_empty() {
            return Ok(None);
        }
        let (table, _) = self.routing_table().await?;
        Ok(obs
            .iter()
            .find_map(|o| table.lookup(&o.value).and_then(|(_, _, r)| r))
            .map(|r| r.constituency))
    }

    /// A new report from a structured document (not yet stored).
    pub(crate) fn structured_draft(
        &self,
        actor: &Actor,
        s: &Structured,
        channel: Channel,
        reporter: Option<String>,
        constituency: Option<ConstituencyId>,
        extra_text: &str,
    ) -> Report {
        let now = self.now();
        let mut content = s.summary.clone();
        if !extra_text.trim().is_empty() {
            content.push_str("\n---\n");
            content.push_str(extra_text);
        }
        Report {
            id: ReportId::new(self.now_ms()),
            reference: String::new(),
            channel,
            reporter: clip(
                &reporter
                    .or_else(|| s.reporter.clone())
                    .unwrap_or_else(|| "(unknown reporter)".into()),
                500,
            ),
            reporter_type: ReporterType::Automated,
            received_at: now,
            subject: clip(s.title.trim(), MAX_TITLE),
            content: clip(&content, MAX_TEXT),
            status: ReportStatus::New,
            reject_reason: None,
            constituency,
            owner: None,
            tlp: Tlp::Amber,
            tags: tags_of(s),
            incidents: vec![],
            named_users: vec![],
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// A new report from a mail that carries a structured report (inside mail intake, after
    /// the raw message was committed): mail facts and attachments kept.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_structured_mail(
        &self,
        actor: &Actor,
        raw_msg: &RawMessage,
        msg: &hikeshi_mail::ParsedMessage,
        m: &MailMeta,
        s: Structured,
        constituency: Option<ConstituencyId>,
        body: &str,
    ) -> Result<super::Landed> {
        let draft = self.structured_draft(
            actor,
            &s,
            Channel::Email,
            m.from.clone(),
            constituency,
            body,
        );
        let files = self.files(actor, TargetKind::Report, &draft.id.to_string(), msg);
        let audit = self.audit(
            who(actor),
            "report.create",
            TargetKind::Report,
            draft.id.to_string(),
            None,
            json(&draft),
        );
        let stored = self
            .store
            .insert_structured_report(&draft, &details_of(&s), Some(m), &files, &audit)
            .await?;
        Ok(super::Landed {
            kind: "report".into(),
            reference: stored.reference,
            id: stored.id.to_string(),
            raw_id: raw_msg.id.clone(),
            auto_generated: m.auto_generated,
        })
    }

    /// One X-ARF (JSON) or IODEF (XML) document posted by a partner system or feed. Acts
    /// for the whole team like mail intake: a global user who may write.
    pub async fn ingest_document(
        &self,
        actor: &Actor,
        format: &str,
        bytes: &[u8],
    ) -> Result<Report> {
        actor.require_write_role()?;
        if !actor.is_global() {
            return Err(Error::Forbidden(
                "document intake needs a user who sees every constituency".into(),
            ));
        }
        if bytes.len() > MAX_DOCUMENT {
            return Err(Error::validation(
                "document",
                format!("larger than {MAX_DOCUMENT} bytes"),
            ));
        }
        let parsed = match format {
            "xarf" => hikeshi_formats::xarf::parse(bytes),
            "iodef" => hikeshi_formats::iodef::parse(bytes),
            other => {
                return Err(Error::validation(
                    "format",
                    format!("unknown format {other:?}; expected xarf or iodef"),
                ));
            }
        };
        let s = parsed.map_err(|e| Error::validation("document", e.to_string()))?;
        let constituency = self.route_observables(&s.observables).await?;
        let draft = self.structured_draft(actor, &s, Channel::Api, None, constituency, "");
        let details = details_of(&s);
        let audit = self.audit(
            who(actor),
            "report.create",
            TargetKind::Report,
            draft.id.to_string(),
            None,
            json(&draft),
        );
        self.store
            .insert_structured_report(&draft, &details, None, &[], &audit)
            .await
    }
}
