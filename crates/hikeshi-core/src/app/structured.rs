//! Machine-readable reports (X-ARF, ARF, IODEF): parsed by `hikeshi-formats` (pure), then
//! recorded as a report with its structured details and typed observables, routed to the
//! constituency owning the first observable that has an owner. They enter the same triage
//! queue as mail: `plan_triage` (rules, SLA clocks, observables) and one
//! `insert_report_triaged` transaction with the `report.create` audit entry.

use super::{App, MAX_TEXT, MAX_TITLE};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{ConstituencyId, ReportId};
use crate::model::*;
use crate::observables::{Kind, NewObservable};
use crate::ports::MailWrite;
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
    /// The constituency owning the first of these values that has an owner (warning-listed
    /// values included: a machine report names its subject on purpose).
    pub(crate) async fn route_observables(
        &self,
        values: &[&str],
    ) -> Result<Option<ConstituencyId>> {
        if values.is_empty() {
            return Ok(None);
        }
        let (table, _) = self.routing_table().await?;
        Ok(values
            .iter()
            .find_map(|v| table.lookup(v).and_then(|(_, _, r)| r))
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

    /// Observables of a structured report: its typed ones first (in the document's order,
    /// so routing prefers them), then the other values of the accompanying `text` (a mail
    /// body, an alert's title and description, a form's description).
    pub(crate) fn structured_observed(
        &self,
        typed: &[Observable],
        text: &str,
        tlp: Tlp,
        at: jiff::Timestamp,
    ) -> Vec<NewObservable> {
        let extracted = self.observables_from(text, tlp, at);
        let mut out: Vec<NewObservable> = Vec::with_capacity(typed.len() + extracted.len());
        for o in typed {
            let Some(kind) = Kind::parse(&o.kind) else {
                continue;
            };
            if out.iter().any(|x| x.kind == kind && x.value == o.value) {
                continue;
            }
            let mut n =
                NewObservable::new(kind, o.value.clone(), tlp, at, &self.observables.warning);
            if let Some(e) = extracted
                .iter()
                .find(|e| e.kind == kind && e.value == o.value)
            {
                n.sightings = e.sightings;
            }
            out.push(n);
        }
        for e in extracted {
            if !out.iter().any(|x| x.kind == e.kind && x.value == e.value) {
                out.push(e);
            }
        }
        out.truncate(super::observables::MAX_OBSERVABLES);
        out
    }

    /// Plans a new report from a mail that carries a structured report (inside mail intake,
    /// after the raw message was committed): mail facts and attachments kept, triage rules
    /// applied, observables (the document's and the mail text's) and clocks written with
    /// it. No acknowledgement: the senders of X-ARF and ARF are machines.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn plan_structured_mail(
        &self,
        actor: &Actor,
        raw_msg: &RawMessage,
        msg: &hikeshi_mail::ParsedMessage,
        m: MailMeta,
        s: Structured,
        constituency: Option<ConstituencyId>,
        subject: &str,
        body: &str,
    ) -> Result<(MailWrite, super::Landed)> {
        let mut draft = self.structured_draft(
            actor,
            &s,
            Channel::Email,
            m.from.clone(),
            constituency,
            body,
        );
        let files = self.files(actor, TargetKind::Report, &draft.id.to_string(), msg);
        let details = details_of(&s);
        let observed = self.structured_observed(
            &details.observables,
            &format!("{subject}\n{body}"),
            draft.tlp,
            raw_msg.received_at,
        );
        draft.received_at = raw_msg.received_at;
        let (mut triage, audit) = self.plan_triage(actor, &mut draft, observed).await?;
        triage.structured = Some(details);
        let landed = super::Landed {
            kind: "report".into(),
            reference: String::new(),
            id: draft.id.to_string(),
            raw_id: raw_msg.id.clone(),
            auto_generated: m.auto_generated,
        };
        let w = MailWrite::Report {
            report: draft,
            meta: m,
            files,
            audit,
            triage: Box::new(triage),
        };
        Ok((w, landed))
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
        let values: Vec<&str> = s.observables.iter().map(|o| o.value.as_str()).collect();
        let constituency = self.route_observables(&values).await?;
        let mut draft = self.structured_draft(actor, &s, Channel::Api, None, constituency, "");
        let details = details_of(&s);
        // The document's own observables only: its summary names the reporter too.
        let observed =
            self.structured_observed(&details.observables, "", draft.tlp, draft.received_at);
        let (mut triage, audit) = self.plan_triage(actor, &mut draft, observed).await?;
        triage.structured = Some(details);
        self.store
            .insert_report_triaged(&draft, None, &triage, &audit)
            .await
    }
}
