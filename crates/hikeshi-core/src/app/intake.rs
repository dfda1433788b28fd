//! Mail intake: raw message → stored (committed) → parsed → decided → recorded.
//!
//! The raw bytes are committed before the parser sees them, so a parser or database failure
//! later never loses a message: it stays `failed` in `raw_messages`, to be retried. The
//! decision is pure ([`decide`]): a subject tag naming one of our records makes the message
//! correspondence on that record, and so does an In-Reply-To/References naming a message we
//! sent (looked up in `outbound_mail`); anything else becomes a new report, routed to the
//! constituency of the recipient or sender domain, with its acknowledgement job queued in
//! the same transaction (see `mailout.rs`).

use super::{App, MAX_TEXT, MAX_TITLE, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{AttachmentId, EntryId, ReportId};
use crate::model::*;
use crate::ports::MailWrite;
use hikeshi_mail::ParsedMessage;
use sha2::{Digest, Sha256};

/// Largest raw message accepted (bytes).
pub const MAX_RAW_MESSAGE: usize = 50 * 1024 * 1024;

/// Default subject tag prefix: `[Hikeshi #2026-0042]`.
pub const DEFAULT_TAG_PREFIX: &str = "Hikeshi";

/// Where a message landed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Landed {
    /// `report` (a new report) or `reply` (correspondence on an existing record).
    pub kind: String,
    /// Reference of the record the message landed on.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Id of that record.
    pub id: String,
    pub raw_id: String,
    pub auto_generated: bool,
}

/// What to do with a parsed message: pure, from the subject tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Correspondence on the record with this reference.
    Reply(String),
    NewReport,
}

pub fn decide(msg: &ParsedMessage, tag_prefix: &str) -> Decision {
    match hikeshi_mail::find_tag(&msg.subject, tag_prefix) {
        Some(r) => Decision::Reply(r),
        None => Decision::NewReport,
    }
}

/// Every domain and parent domain of the recipients, then of the sender, most specific
/// first (`a.b.example.jp` → `a.b.example.jp`, `b.example.jp`, `example.jp`).
pub fn routing_domains(msg: &ParsedMessage) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let addrs = msg.to.iter().chain(msg.cc.iter()).chain(msg.from.iter());
    for a in addrs {
        let Some((_, domain)) = a.addr.rsplit_once('@') else {
            continue;
        };
        let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let labels: Vec<&str> = d.split('.').collect();
        for i in 0..labels.len().saturating_sub(1) {
            let s = labels[i..].join(".");
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn meta(raw_id: &str, msg: &ParsedMessage) -> MailMeta {
    MailMeta {
        raw_id: raw_id.to_string(),
        message_id: msg.message_id.clone(),
        from: msg.from.as_ref().map(|a| a.addr.clone()),
        to: msg
            .to
            .iter()
            .chain(msg.cc.iter())
            .map(|a| a.addr.clone())
            .collect(),
        auto_generated: msg.is_auto_generated(),
        auto_reason: msg
            .auto_generated
            .as_ref()
            .and_then(|r| serde_json::to_value(r).ok())
            .map(|v| match v.get("value") {
                Some(val) => format!(
                    "{}:{}",
                    v["kind"].as_str().unwrap_or(""),
                    val.as_str().unwrap_or("")
                ),
                None => v["kind"].as_str().unwrap_or("").to_string(),
            }),
        // Set from the OpenPGP check (`App::examine_pgp`) when the message carries OpenPGP.
        signature: "none".into(),
        language: match msg.language {
            hikeshi_mail::Lang::Ja => "ja".into(),
            hikeshi_mail::Lang::En => "en".into(),
        },
        malformed: msg.malformed.clone(),
        headers: msg.headers.iter().take(200).cloned().collect(),
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max).collect()
    }
}

impl App {
    pub(super) fn files(
        &self,
        actor: &Actor,
        kind: TargetKind,
        target: &str,
        msg: &ParsedMessage,
    ) -> Vec<(Attachment, Vec<u8>)> {
        msg.attachments
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let name = a
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| format!("part-{}", i + 1));
                let name: String = name
                    .chars()
                    .map(|c| {
                        if matches!(c, '/' | '\\' | '\0') {
                            '_'
                        } else {
                            c
                        }
                    })
                    .take(255)
                    .collect();
                (
                    Attachment {
                        id: AttachmentId::new(self.now_ms()),
                        target_kind: kind,
                        target_id: target.to_string(),
                        name,
                        content_type: a.content_type.clone(),
                        sha256: a.sha256.clone(),
                        size: a.size as i64,
                        created_by: actor.user,
                        created_at: self.now(),
                    },
                    a.bytes.clone(),
                )
            })
            .collect()
    }

    /// Takes one raw RFC 5322 message (mailgate, IMAP, import, API). Mail intake acts for
    /// the whole team, so the caller must be a global user who may write.
    pub async fn ingest_mail(
        &self,
        actor: &Actor,
        raw: &[u8],
        channel: &str,
        tag_prefix: &str,
    ) -> Result<Landed> {
        actor.require_write_role()?;
        if !actor.is_global() {
            return Err(Error::Forbidden(
                "mail intake needs a user who sees every constituency".into(),
            ));
        }
        if raw.is_empty() {
            return Err(Error::validation("message", "empty message"));
        }
        if raw.len() > MAX_RAW_MESSAGE {
            return Err(Error::validation(
                "message",
                format!("larger than {MAX_RAW_MESSAGE} bytes"),
            ));
        }
        let channel = channel.trim();
        if channel.is_empty() || channel.len() > 64 {
            return Err(Error::validation("channel", "1 to 64 characters"));
        }
        let raw_msg = RawMessage {
            id: crate::ids::EntryId::new(self.now_ms()).to_string(),
            sha256: hex::encode(Sha256::digest(raw)),
            size: raw.len() as i64,
            channel: channel.to_string(),
            received_at: self.now(),
        };
        self.store.insert_raw_message(&raw_msg, raw).await?;
        match self.record_mail(actor, &raw_msg, raw, tag_prefix).await {
            Ok(landed) => {
                self.store
                    .finish_raw_message(&raw_msg.id, "processed", Some(&landed.id), None)
                    .await?;
                Ok(landed)
            }
            Err(e) => {
                // The raw message stays, marked failed, for a retry; the caller learns why.
                self.store
                    .finish_raw_message(&raw_msg.id, "failed", None, Some(&e.to_string()))
                    .await?;
                Err(e)
            }
        }
    }

    async fn record_mail(
        &self,
        actor: &Actor,
        raw_msg: &RawMessage,
        raw: &[u8],
        tag_prefix: &str,
    ) -> Result<Landed> {
        let (w, landed) = self.plan_mail(actor, raw_msg, raw, tag_prefix).await?;
        self.write_mail(w, landed).await
    }

    /// Stores what [`Self::plan_mail`] decided (one transaction).
    pub(crate) async fn write_mail(&self, w: MailWrite, mut landed: Landed) -> Result<Landed> {
        match w {
            MailWrite::Entry {
                entry,
                meta,
                files,
                audit,
            } => {
                self.store
                    .insert_mail_entry(&entry, &meta, &files, &audit)
                    .await?
            }
            MailWrite::Report {
                report,
                meta,
                files,
                audit,
                triage,
            } => {
                let stored = self
                    .store
                    .insert_report_triaged(
                        &report,
                        Some((&meta, files.as_slice())),
                        &triage,
                        &audit,
                    )
                    .await?;
                landed.reference = stored.reference;
            }
        }
        Ok(landed)
    }

    /// Parses and decides: what to store, and where it will land (a new report's reference
    /// is filled in when it is stored). It only reads, except for the OpenPGP result kept
    /// beside the raw message. Structured reports (X-ARF, ARF) are planned like any new
    /// report (triage, observables), with their details.
    pub(crate) async fn plan_mail(
        &self,
        actor: &Actor,
        raw_msg: &RawMessage,
        raw: &[u8],
        tag_prefix: &str,
    ) -> Result<(MailWrite, Landed)> {
        // OpenPGP first: the decrypted form (kept beside the raw one) is what is parsed,
        // shown and searched; a message that cannot be decrypted is kept and flagged.
        let pgp = self.examine_pgp(&raw_msg.id, raw).await?;
        let shown = pgp
            .as_ref()
            .and_then(|p| p.decrypted.as_deref())
            .unwrap_or(raw);
        let msg = hikeshi_mail::parse(shown);
        let mut m = meta(&raw_msg.id, &msg);
        if let Some(p) = &pgp {
            m.signature = p.signature.clone();
            if let Some(e) = &p.decrypt_error {
                m.malformed
                    .push(format!("OpenPGP: encrypted, could not be decrypted: {e}"));
            }
        }
        let subject = clip(msg.subject.trim(), MAX_TITLE);
        let body = clip(&msg.text, MAX_TEXT);
        let mut target = None;
        if let Decision::Reply(reference) = decide(&msg, tag_prefix) {
            target = match self.find_incident(&reference).await {
                Ok(i) => Some((TargetKind::Incident, i.id.to_string(), i.reference)),
                Err(Error::NotFound) => self
                    .find_report(&reference)
                    .await
                    .ok()
                    .map(|r| (TargetKind::Report, r.id.to_string(), r.reference)),
                Err(e) => return Err(e),
            };
        }
        if target.is_none() {
            // A reply to a message we sent (In-Reply-To first, then References newest first).
            let ids: Vec<String> = msg
                .in_reply_to
                .iter()
                .chain(msg.references.iter().rev())
                .cloned()
                .collect();
            if !ids.is_empty()
                && let Some((kind, id)) = self.store.record_for_message_ids(&ids).await?
            {
                target = self.thread_target(kind, &id).await?;
            }
        }
        if let Some((kind, id, reference)) = target {
            let e = Entry {
                id: EntryId::new(self.now_ms()),
                target_kind: kind,
                target_id: id.clone(),
                kind: "correspondence".into(),
                direction: Some(Direction::In),
                author: None,
                from: m.from.clone(),
                to: m.to.clone(),
                subject: Some(subject),
                body: if body.trim().is_empty() {
                    "(no text)".into()
                } else {
                    body
                },
                created_at: self.now(),
            };
            let files = self.files(actor, kind, &id, &msg);
            let audit = self.audit(
                who(actor),
                "correspondence.receive",
                kind,
                id.clone(),
                None,
                Some(serde_json::json!({"entry": e.id, "raw": raw_msg.id})),
            );
            let landed = Landed {
                kind: "reply".into(),
                reference,
                id,
                raw_id: raw_msg.id.clone(),
                auto_generated: m.auto_generated,
            };
            let w = MailWrite::Entry {
                entry: e,
                meta: m,
                files,
                audit,
            };
            return Ok((w, landed));
        }
        let observed = self.observables_from(
            &format!("{subject}\n{body}"),
            Tlp::Amber,
            raw_msg.received_at,
        );
        // X-ARF or ARF inside: a structured report (a refused one is noted, never dropped).
        let structured = match hikeshi_formats::from_mail(raw) {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                m.malformed.push(format!("structured report refused: {e}"));
                None
            }
            None => None,
        };
        let typed: Vec<&str> = structured
            .iter()
            .flat_map(|s| s.observables.iter().map(|o| o.value.as_str()))
            .collect();
        let routed = self.route_observables(&typed).await?;
        // A structured report's observables, then the recipient or sender domain, then the
        // report's own observables.
        let constituency = match routed {
            Some(c) => Some(c),
            None => match self
                .store
                .constituency_for_domains(&routing_domains(&msg))
                .await?
            {
                Some(c) => Some(c),
                None => self.route_by_observables(&observed).await?,
            },
        };
        if let Some(s) = structured {
            return self
                .plan_structured_mail(actor, raw_msg, &msg, m, s, constituency, &subject, &body)
                .await;
        }
        let now = self.now();
        let reporter = m.from.clone().unwrap_or_else(|| "(unknown sender)".into());
        let draft = Report {
            id: ReportId::new(self.now_ms()),
            reference: String::new(),
            channel: Channel::Email,
            reporter: clip(&reporter, 500),
            reporter_type: if m.auto_generated {
                ReporterType::Automated
            } else {
                ReporterType::Other
            },
            received_at: raw_msg.received_at,
            subject: if subject.is_empty() {
                "(no subject)".into()
            } else {
                subject
            },
            content: body,
            status: ReportStatus::New,
            reject_reason: None,
            constituency,
            owner: None,
            tlp: Tlp::Amber,
            tags: vec![],
            incidents: vec![],
            named_users: vec![],
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let mut draft = draft;
        let files = self.files(actor, TargetKind::Report, &draft.id.to_string(), &msg);
        // Triage rules, SLA clocks, observables and the acknowledgement: written with the
        // report and its mail facts in one transaction.
        let (mut triage, audit) = self.plan_triage(actor, &mut draft, observed).await?;
        triage.jobs = self
            .ack_job(&msg, m.from.as_deref(), &draft.id.to_string())
            .await?
            .into_iter()
            .collect();
        let landed = Landed {
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

    /// The record (kind, id, reference for the caller) a message we sent belongs to.
    async fn thread_target(
        &self,
        kind: TargetKind,
        id: &str,
    ) -> Result<Option<(TargetKind, String, String)>> {
        Ok(match kind {
            TargetKind::Incident => {
                let i = self.find_incident(id).await?;
                Some((kind, i.id.to_string(), i.reference))
            }
            TargetKind::Report => {
                let r = self.find_report(id).await?;
                Some((kind, r.id.to_string(), r.reference))
            }
            TargetKind::Investigation => {
                let Some(v) = crate::ids::InvestigationId::parse(id) else {
                    return Ok(None);
                };
                match self.store.get_investigation(v).await? {
                    Some(v) => {
                        let i = self.find_incident(&v.incident.to_string()).await?;
                        Some((kind, v.id.to_string(), i.reference))
                    }
                    None => None,
                }
            }
            _ => None,
        })
    }

    /// Adds mail facts and attachments to reports (two queries for any number of reports).
    async fn details(&self, reports: Vec<Report>) -> Result<Vec<ReportDetails>> {
        let ids: Vec<String> = reports.iter().map(|r| r.id.to_string()).collect();
        let mut metas = self.store.mail_meta(&ids).await?;
        let files = self.store.attachments_of_many(&ids).await?;
        let mut structured = self.store.structured_details(&ids).await?;
        Ok(reports
            .into_iter()
            .map(|r| {
                let id = r.id.to_string();
                let mail = metas
                    .iter()
                    .position(|(k, _)| *k == id)
                    .map(|i| metas.swap_remove(i).1);
                let (structured, alert) = match structured.iter().position(|(k, _, _)| *k == id) {
                    Some(i) => {
                        let (_, d, s) = structured.swap_remove(i);
                        (Some(d), s)
                    }
                    None => (None, None),
                };
                let attachments = files
                    .iter()
                    .filter(|a| a.target_id == id)
                    .cloned()
                    .collect();
                ReportDetails {
                    report: r,
                    mail,
                    attachments,
                    structured,
                    alert,
                }
            })
            .collect())
    }

    pub async fn get_report_details(
        &self,
        actor: &Actor,
        id_or_ref: &str,
    ) -> Result<ReportDetails> {
        let r = self.get_report(actor, id_or_ref).await?;
        let mut d = self.details(vec![r]).await?;
        d.pop().ok_or(Error::NotFound)
    }

    pub async fn list_report_details(
        &self,
        actor: &Actor,
        q: &crate::ports::ListQuery,
    ) -> Result<crate::ports::Page<ReportDetails>> {
        let page = self.list_reports(actor, q).await?;
        Ok(crate::ports::Page {
            items: self.details(page.items).await?,
            next: page.next,
        })
    }

    /// The raw message as received, if the caller may see the report or entry made from it.
    pub async fn raw_mail_of_report(&self, actor: &Actor, id_or_ref: &str) -> Result<Vec<u8>> {
        let d = self.get_report_details(actor, id_or_ref).await?;
        let raw_id = d.mail.map(|m| m.raw_id).ok_or(Error::NotFound)?;
        self.store
            .raw_message(&raw_id)
            .await?
            .ok_or(Error::NotFound)
    }
}

/// A report with what arrived with it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDetails {
    pub report: Report,
    pub mail: Option<MailMeta>,
    pub attachments: Vec<Attachment>,
    /// The structured document (alert, X-ARF, ARF, IODEF, web form) and its observables.
    pub structured: Option<StructuredDetails>,
    /// The deduplication series, for alert reports.
    pub alert: Option<AlertSeries>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(raw: &str) -> ParsedMessage {
        hikeshi_mail::parse(raw.as_bytes())
    }

    #[test]
    fn decide_and_route() {
        let m = msg(
            "From: a@mail.partner.example.jp\r\nTo: cert@team.example\r\nSubject: Re: [Hikeshi #2026-0042] x\r\n\r\nbody",
        );
        assert_eq!(decide(&m, "Hikeshi"), Decision::Reply("2026-0042".into()));
        assert_eq!(decide(&m, "Other"), Decision::NewReport);
        assert_eq!(
            routing_domains(&m),
            vec![
                "team.example",
                "mail.partner.example.jp",
                "partner.example.jp",
                "example.jp"
            ]
        );
    }
}
