//! Outbound mail use cases: the acknowledgement of a new report (decided at intake, sent by
//! a job), correspondence from a handler (reply to the reporter, to all correspondents, or
//! to a third party on an investigation), and sending a queued message through the
//! [`Mailer`] port. Every message gets a Message-ID we generate; replies quoting it land
//! on the same record (see `intake.rs`).

use super::{App, MAX_TEXT, MAX_TITLE, guard_incident, guard_report, text, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::{EntryId, InvestigationId};
use crate::model::*;
use crate::outbound::*;
use jiff::SignedDuration;
use serde::Deserialize;

/// Whom a handler writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The sender(s) of the report(s).
    Reporter,
    /// Everyone who wrote to us on this record, and everyone we wrote to.
    All,
    /// The given addresses (or the investigation's correspondents).
    ThirdParty,
}

/// `POST /api/v1/{incidents|reports}/{id}/mail`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMail {
    pub to: Audience,
    /// Recipients for `third_party` (defaults to the investigation's correspondents).
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Investigation id (third party on an incident): the mail is recorded there.
    pub investigation: Option<String>,
    /// Defaults to the record's title.
    pub subject: Option<String>,
    pub body: String,
    /// Defaults to the record's TLP.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
    /// `ja` or `en`; defaults to the constituency's language.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub lang: Option<Lang>,
}

/// What the API shows of a message we send.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentMail {
    pub id: String,
    pub message_id: String,
    pub to: Vec<String>,
    pub subject: String,
    pub status: String,
    pub entry: Option<String>,
}

impl From<&OutboundMail> for SentMail {
    fn from(m: &OutboundMail) -> Self {
        SentMail {
            id: m.id.clone(),
            message_id: m.message_id.clone(),
            to: m.to.clone(),
            subject: m.subject.clone(),
            status: m.status.clone(),
            entry: m.entry_id.clone(),
        }
    }
}

/// A plausible addr-spec (no spaces, no line breaks, one `@` with text on both sides).
pub fn address_ok(a: &str) -> bool {
    let a = a.trim();
    a.len() <= 254
        && !a
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
        && a.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
}

fn lower_unique(addrs: impl IntoIterator<Item = String>, ours: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in addrs {
        let a = a.trim().to_string();
        let l = a.to_ascii_lowercase();
        let is_ours = ours.iter().any(|o| {
            let o = o.to_ascii_lowercase();
            match o.strip_prefix('@') {
                Some(d) => l.ends_with(&format!("@{d}")),
                None => o == l,
            }
        });
        if address_ok(&a) && !is_ours && !out.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
            out.push(a);
        }
    }
    out
}

impl App {
    /// Outbound settings (defaults until the binary sets them).
    pub fn outbound(&self) -> &OutboundSettings {
        &self.outbound
    }

    /// Our addresses: the configured ones and the From address.
    pub(crate) fn our_addresses(&self) -> Vec<String> {
        let mut v = self.outbound.our_addresses.clone();
        v.push(self.outbound.from.clone());
        v
    }

    pub(crate) fn new_job(&self, kind: &str, payload: serde_json::Value, key: String) -> Job {
        Job {
            id: EntryId::new(self.now_ms()).to_string(),
            kind: kind.into(),
            payload,
            dedupe_key: Some(key),
            status: "pending".into(),
            attempts: 0,
            max_attempts: MAX_ATTEMPTS,
            run_at: self.now(),
            last_error: None,
            created_at: self.now(),
        }
    }

    /// The acknowledgement job for a new report from mail, or `None` (auto-generated, from
    /// us, no sender, acknowledgements off, or the sender's hourly limit reached).
    pub(crate) async fn ack_job(
        &self,
        msg: &hikeshi_mail::ParsedMessage,
        from: Option<&str>,
        report_id: &str,
    ) -> Result<Option<Job>> {
        let Some(from) = from.filter(|f| address_ok(f)) else {
            return Ok(None);
        };
        let ours = self.our_addresses();
        let ours: Vec<&str> = ours.iter().map(String::as_str).collect();
        if !self.outbound.acknowledge
            || msg.is_auto_generated()
            || hikeshi_mail::is_from_us(msg, &ours)
            || self.ack_limit_reached(from).await?
        {
            return Ok(None);
        }
        Ok(Some(self.new_job(
            JOB_ACK,
            serde_json::json!({ "report": report_id }),
            format!("ack:{report_id}"),
        )))
    }

    pub(crate) async fn ack_limit_reached(&self, from: &str) -> Result<bool> {
        let since = self
            .now()
            .checked_sub(SignedDuration::from_hours(1))
            .unwrap_or(self.now());
        let n = self
            .store
            .count_outbound_since("ack", &from.to_ascii_lowercase(), since)
            .await?;
        Ok(n >= self.outbound.ack_per_hour)
    }

    /// Job body: renders and records the acknowledgement of a report (once), returning the
    /// outbound message to send, or `None` when it must not be sent (rate limit reached
    /// since it was queued, or already sent).
    pub async fn prepare_ack(&self, report_id: &str) -> Result<Option<String>> {
        let id = format!("ack-{report_id}");
        if let Some(m) = self.store.get_outbound(&id).await? {
            return Ok((m.status == "queued").then_some(id));
        }
        let r = self.find_report(report_id).await?;
        let meta = self
            .store
            .mail_meta(&[r.id.to_string()])
            .await?
            .pop()
            .map(|(_, m)| m);
        // No mail facts: a report from the public form (acknowledged by `web_ack.rs`).
        let Some(meta) = meta else {
            return self.prepare_web_ack(&r).await;
        };
        let Some(to) = meta.from.clone().filter(|f| address_ok(f)) else {
            return Ok(None);
        };
        if self.ack_limit_reached(&to).await? {
            return Ok(None);
        }
        let lang = self.lang_for(r.constituency, Some(&meta.language)).await?;
        let tag = format!("{} #{}", self.outbound.tag_prefix, r.reference);
        // The acknowledgement goes out at TLP:CLEAR (signed; encrypted only when the sender's
        // key is known), so it carries nothing of the report but the reference and the
        // sender's own subject — and not even that when they sent it encrypted.
        let encrypted = self
            .store
            .mail_pgp(&meta.raw_id)
            .await?
            .is_some_and(|p| p.encrypted);
        let echoed = if encrypted {
            match lang {
                Lang::Ja => "暗号化されたご報告",
                Lang::En => "your encrypted report",
            }
        } else {
            r.subject.as_str()
        };
        let (subject, body) = render(
            &self.outbound,
            "ack",
            lang,
            &[
                ("ref", &r.reference),
                ("tag", &tag),
                ("subject", echoed),
                ("team", &self.outbound.team),
            ],
        );
        let m = OutboundMail {
            id: id.clone(),
            message_id: message_id(&id, &self.outbound.from),
            purpose: "ack".into(),
            target_kind: TargetKind::Report,
            target_id: r.id.to_string(),
            entry_id: None,
            from: self.outbound.from.clone(),
            to: vec![to],
            cc: vec![],
            subject: clip_subject(&format!("[{tag}] {subject}")),
            body,
            in_reply_to: meta.message_id.clone(),
            references: meta.message_id.clone().into_iter().collect(),
            tlp: Tlp::Clear,
            lang,
            protection: protection_for(Tlp::Clear),
            status: "queued".into(),
            created_at: self.now(),
            sent_at: None,
        };
        self.record_outbound(m, "system", None, vec![]).await?;
        Ok(Some(id))
    }

    /// The template language: the message's when it has one, else the constituency's.
    pub(crate) async fn lang_for(
        &self,
        constituency: Option<crate::ids::ConstituencyId>,
        msg_lang: Option<&str>,
    ) -> Result<Lang> {
        if msg_lang == Some("ja") {
            return Ok(Lang::Ja);
        }
        if let Some(c) = constituency
            && let Some(c) = self.store.get_constituency(c).await?
            && msg_lang.is_none()
        {
            return Ok(c.default_lang);
        }
        Ok(Lang::En)
    }

    /// Stores the message with its correspondence entry, jobs and audit entry (one transaction).
    pub(crate) async fn record_outbound(
        &self,
        mut m: OutboundMail,
        actor: &str,
        author: Option<crate::ids::UserId>,
        jobs: Vec<Job>,
    ) -> Result<OutboundMail> {
        let e = Entry {
            id: EntryId::new(self.now_ms()),
            target_kind: m.target_kind,
            target_id: m.target_id.clone(),
            kind: "correspondence".into(),
            direction: Some(Direction::Out),
            author,
            from: Some(m.from.clone()),
            to: m.to.iter().chain(m.cc.iter()).cloned().collect(),
            subject: Some(m.subject.clone()),
            body: m.body.clone(),
            created_at: self.now(),
        };
        m.entry_id = Some(e.id.to_string());
        let audit = self.audit(
            actor,
            "correspondence.send",
            m.target_kind,
            m.target_id.clone(),
            None,
            Some(serde_json::json!({
                "entry": e.id, "message_id": m.message_id, "purpose": m.purpose, "to": m.to,
            })),
        );
        self.store
            .insert_outbound(&m, Some(&e), &jobs, &audit)
            .await?;
        Ok(m)
    }

    /// Job body: sends a queued message once (a message already sent is not sent again):
    /// the mailer builds it, `protect_outbound` signs/encrypts it, the mailer sends it.
    pub async fn send_outbound(&self, id: &str, mailer: &dyn Mailer) -> Result<()> {
        let m = self.store.get_outbound(id).await?.ok_or(Error::NotFound)?;
        if m.status != "queued" {
            return Ok(());
        }
        let built = mailer.build(&m)?;
        let recipients: Vec<String> = m.to.iter().chain(m.cc.iter()).cloned().collect();
        let (raw, _) = self
            .protect_outbound(&built, &recipients, m.protection, Some(&m.subject))
            .await?;
        mailer.send(&m, &raw).await?;
        self.store
            .finish_outbound(id, "sent", Some(&raw), self.now())
            .await
    }

    /// A handler writes from a record: to the reporter, to all correspondents, or to a
    /// third party (recorded on the investigation when one is given). Queued for sending.
    pub async fn send_mail(&self, actor: &Actor, record: &str, input: NewMail) -> Result<SentMail> {
        let target = self.mail_target(actor, record).await?;
        text("body", &input.body, MAX_TEXT, true)?;
        if let Some(s) = &input.subject {
            text("subject", s, MAX_TITLE, true)?;
        }
        let ours = self.our_addresses();
        let (kind, target_id) = match (&input.investigation, input.to) {
            (Some(v), Audience::ThirdParty) => {
                let vid = InvestigationId::parse(v)
                    .ok_or_else(|| Error::validation("investigation", "not an id"))?;
                let inv = self.investigation_checked(actor, vid, true).await?;
                if inv.incident.to_string() != target.id {
                    return Err(Error::validation(
                        "investigation",
                        "not an investigation of this incident",
                    ));
                }
                (TargetKind::Investigation, inv.id.to_string())
            }
            (Some(_), _) => {
                return Err(Error::validation(
                    "investigation",
                    "only with \"to\": \"third_party\"",
                ));
            }
            (None, _) => (target.kind, target.id.clone()),
        };
        let known = self.correspondence_of(&target, &target_id).await?;
        let to = match input.to {
            Audience::Reporter => lower_unique(known.reporters.clone(), &ours),
            Audience::All => lower_unique(
                known.reporters.iter().chain(known.others.iter()).cloned(),
                &ours,
            ),
            Audience::ThirdParty => {
                for a in &input.addresses {
                    if !address_ok(a) {
                        return Err(Error::validation(
                            "addresses",
                            format!("not an address: {a:?}"),
                        ));
                    }
                }
                let mut given = input.addresses.clone();
                if given.is_empty() && kind == TargetKind::Investigation {
                    given = known.investigation_contacts.clone();
                }
                lower_unique(given, &ours)
            }
        };
        if to.is_empty() {
            return Err(Error::validation(
                "to",
                "no recipient: nobody to write to on this record",
            ));
        }
        let tlp = input.tlp.unwrap_or(target.tlp);
        // Refused here, before anything is written, when it could not leave protected.
        let field = if input.addresses.is_empty() {
            "to"
        } else {
            "addresses"
        };
        self.check_protection(&to, protection_for(tlp), field)
            .await?;
        let lang = match input.lang {
            Some(l) => l,
            None => self.lang_for(target.constituency, None).await?,
        };
        let tag = format!("{} #{}", self.outbound.tag_prefix, target.reference);
        let base = input
            .subject
            .clone()
            .unwrap_or_else(|| format!("Re: {}", target.title));
        let (subject, body) = render(
            &self.outbound,
            "reply",
            lang,
            &[
                ("ref", &target.reference),
                ("tag", &tag),
                ("subject", &base),
                ("body", input.body.trim_end()),
                ("team", &self.outbound.team),
            ],
        );
        let subject = if subject.contains(&format!("[{tag}]")) {
            subject
        } else {
            format!("[{tag}] {subject}")
        };
        let id = EntryId::new(self.now_ms()).to_string();
        let mut references = known.message_ids.clone();
        let keep = references.len().saturating_sub(20);
        references.drain(..keep);
        let m = OutboundMail {
            id: id.clone(),
            message_id: message_id(&id, &self.outbound.from),
            purpose: "correspondence".into(),
            target_kind: kind,
            target_id,
            entry_id: None,
            from: self.outbound.from.clone(),
            to,
            cc: vec![],
            subject: clip_subject(&format!("{}{subject}", tlp_marker(tlp))),
            body,
            in_reply_to: known.last_inbound.clone().or(references.last().cloned()),
            references,
            tlp,
            lang,
            protection: protection_for(tlp),
            status: "queued".into(),
            created_at: self.now(),
            sent_at: None,
        };
        let job = self.new_job(
            JOB_SEND,
            serde_json::json!({ "outbound": id }),
            format!("send:{id}"),
        );
        let m = self
            .record_outbound(m, who(actor), Some(actor.user), vec![job])
            .await?;
        Ok(SentMail::from(&m))
    }

    /// Outbound messages recorded on a record the caller may see.
    pub async fn mail_of(&self, actor: &Actor, record: &str) -> Result<Vec<SentMail>> {
        let t = self.mail_target_read(actor, record).await?;
        Ok(self
            .store
            .outbound_of(&t.id)
            .await?
            .iter()
            .map(SentMail::from)
            .collect())
    }

    async fn mail_target_read(&self, actor: &Actor, record: &str) -> Result<MailTarget> {
        match self.find_incident(record).await {
            Ok(i) => {
                actor.require_see(guard_incident(&i))?;
                Ok(MailTarget::incident(&i))
            }
            Err(Error::NotFound) => {
                let r = self.find_report(record).await?;
                actor.require_see(guard_report(&r))?;
                Ok(MailTarget::report(&r))
            }
            Err(e) => Err(e),
        }
    }

    async fn mail_target(&self, actor: &Actor, record: &str) -> Result<MailTarget> {
        match self.find_incident(record).await {
            Ok(i) => {
                actor.require_write(guard_incident(&i))?;
                Ok(MailTarget::incident(&i))
            }
            Err(Error::NotFound) => {
                let r = self.find_report(record).await?;
                actor.require_write(guard_report(&r))?;
                Ok(MailTarget::report(&r))
            }
            Err(e) => Err(e),
        }
    }

    /// Who wrote on a record and which Message-IDs thread it (oldest first).
    async fn correspondence_of(&self, t: &MailTarget, target_id: &str) -> Result<Known> {
        let mut k = Known::default();
        let mut report_ids: Vec<String> = Vec::new();
        if t.kind == TargetKind::Report {
            report_ids.push(t.id.clone());
        } else if let Some(iid) = crate::ids::IncidentId::parse(&t.id) {
            for r in self.store.reports_of_incident(iid).await? {
                report_ids.push(r.id.to_string());
            }
            if target_id != t.id
                && let Some(v) = InvestigationId::parse(target_id)
                && let Some(inv) = self.store.get_investigation(v).await?
            {
                k.investigation_contacts = inv.correspondents.clone();
            }
        }
        for (_, m) in self.store.mail_meta(&report_ids).await? {
            k.reporters.extend(m.from.clone());
            if let Some(id) = m.message_id {
                k.message_ids.push(id.clone());
                k.last_inbound = Some(id);
            }
        }
        let mut on: Vec<String> = vec![t.id.clone()];
        if target_id != t.id {
            on.push(target_id.to_string());
        }
        for rec in &on {
            let entries = self.store.entries_of(rec).await?;
            let inbound: Vec<String> = entries
                .iter()
                .filter(|e| e.kind == "correspondence" && e.direction == Some(Direction::In))
                .map(|e| e.id.to_string())
                .collect();
            for e in entries.iter().filter(|e| e.kind == "correspondence") {
                k.others.extend(e.from.clone());
                k.others.extend(e.to.iter().cloned());
            }
            for (_, m) in self.store.mail_meta(&inbound).await? {
                if let Some(id) = m.message_id {
                    k.message_ids.push(id.clone());
                    k.last_inbound = Some(id);
                }
            }
            for o in self.store.outbound_of(rec).await? {
                k.message_ids.push(o.message_id);
            }
        }
        Ok(k)
    }
}

#[derive(Default)]
struct Known {
    reporters: Vec<String>,
    others: Vec<String>,
    investigation_contacts: Vec<String>,
    message_ids: Vec<String>,
    last_inbound: Option<String>,
}

struct MailTarget {
    kind: TargetKind,
    id: String,
    reference: String,
    title: String,
    tlp: Tlp,
    constituency: Option<crate::ids::ConstituencyId>,
}

impl MailTarget {
    fn incident(i: &Incident) -> Self {
        MailTarget {
            kind: TargetKind::Incident,
            id: i.id.to_string(),
            reference: i.reference.clone(),
            title: i.title.clone(),
            tlp: i.tlp,
            constituency: i.constituency,
        }
    }
    fn report(r: &Report) -> Self {
        MailTarget {
            kind: TargetKind::Report,
            id: r.id.to_string(),
            reference: r.reference.clone(),
            title: r.subject.clone(),
            tlp: r.tlp,
            constituency: r.constituency,
        }
    }
}

fn clip_subject(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.chars().take(MAX_TITLE).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        for (a, ok) in [
            ("a@b.example", true),
            ("a b@c.example", false),
            ("a@b", false),
            ("x\r\nBcc: y@z.example", false),
            ("<a@b.example>", false),
        ] {
            assert_eq!(address_ok(a), ok, "{a}");
        }
        let ours = vec!["@team.example".to_string(), "cert@x.example".into()];
        assert_eq!(
            lower_unique(
                [
                    "A@b.example".to_string(),
                    "a@B.example".into(),
                    "h@team.example".into(),
                    "CERT@x.example".into()
                ],
                &ours
            ),
            vec!["A@b.example"]
        );
    }
}
