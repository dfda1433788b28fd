//! Delivery of notifications: the one fan-out every notification goes through (in-app rows,
//! webhook outbox rows, notification mail queued as `mail.send` jobs), and the courier step
//! that turns recorded `notification_requests` (triage `notify`, SLA warnings and breaches,
//! legal deadline warnings and due times) into that fan-out — each request exactly once:
//! the store claims it (`pending` → `delivered`, a conditional UPDATE) in the transaction
//! that writes its fan-out, so a second node, or a second run, writes nothing.
//!
//! TLP:AMBER and above never leaves: webhook payloads come from `hikeshi-notify`, and mail
//! is built here from the same `Notice::outbound()` (reference, link, event; no title, no
//! description).

use super::App;
use crate::access::Scopes;
use crate::error::Result;
use crate::ids::{ConstituencyId, EntryId, IncidentId, ReportId, UserId};
use crate::model::*;
use crate::outbound::{JOB_SEND, OutboundMail, Protection, message_id, tlp_marker};
use crate::triage::NotificationRequest;
use hikeshi_notify::Notice;
use serde::Serialize;

/// Everything one notification writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Fanout {
    pub notifications: Vec<Notification>,
    pub deliveries: Vec<Delivery>,
    pub mails: Vec<OutboundMail>,
    pub jobs: Vec<crate::outbound::Job>,
}

impl Fanout {
    pub fn is_empty(&self) -> bool {
        self.notifications.is_empty() && self.deliveries.is_empty() && self.mails.is_empty()
    }
}

/// The record a notification is about, as far as a notification needs it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub kind: TargetKind,
    pub reference: String,
    /// Path inside Hikeshi (`/incidents/2026-0001`).
    pub path: String,
    pub tlp: Tlp,
    pub title: String,
    pub constituency: Option<ConstituencyId>,
    pub owner: Option<UserId>,
    named_users: Vec<UserId>,
    created_by: UserId,
}

impl Subject {
    pub fn incident(i: &Incident) -> Subject {
        Subject {
            kind: TargetKind::Incident,
            reference: i.reference.clone(),
            path: format!("/incidents/{}", i.reference),
            tlp: i.tlp,
            title: i.title.clone(),
            constituency: i.constituency,
            owner: i.owner,
            named_users: i.named_users.clone(),
            created_by: i.created_by,
        }
    }

    pub fn report(r: &Report) -> Subject {
        Subject {
            kind: TargetKind::Report,
            reference: r.reference.clone(),
            path: format!("/reports/{}", r.reference),
            tlp: r.tlp,
            title: r.subject.clone(),
            constituency: r.constituency,
            owner: r.owner,
            named_users: r.named_users.clone(),
            created_by: r.created_by,
        }
    }

    fn guard(&self) -> crate::access::Guarded<'_> {
        crate::access::Guarded {
            constituency: self.constituency,
            tlp: self.tlp,
            named_users: &self.named_users,
            created_by: self.created_by,
            is_incident: self.kind == TargetKind::Incident,
        }
    }
}

/// What one `deliver_requests` run did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestRun {
    /// Requests this run claimed and fanned out.
    pub delivered: i64,
    /// Requests another node (or run) had claimed first.
    pub skipped: i64,
    pub in_app: i64,
    pub webhooks: i64,
    pub mails: i64,
}

/// Does a webhook subscribed to `events` take `event`? `deadline.due` takes both deadline events.
pub fn hook_wants(events: &[String], event: &str) -> bool {
    events.is_empty()
        || events
            .iter()
            .any(|e| e == event || (e == "deadline.due" && event.starts_with("deadline.")))
}

fn ja_label(event: &str) -> &str {
    match event {
        "assignment" => "担当になりました",
        "approval.requested" => "承認依頼",
        "approval.decided" => "承認結果",
        "sla.warning" => "SLA 期限が近づいています",
        "sla.breach" => "SLA 期限超過",
        "deadline.warning" => "法定期限が近づいています",
        "deadline.breach" | "deadline.due" => "法定期限",
        "triage.notify" => "新しい報告（トリアージ規則）",
        other => other,
    }
}

/// Subject and body of a notification mail, from what may leave only.
pub fn mail_text(notice: &Notice, lang: Lang) -> (String, String) {
    let o = notice.outbound();
    let label = match lang {
        Lang::Ja => ja_label(&o.event).to_string(),
        _ => o.label.clone(),
    };
    let subject = match &o.title {
        Some(t) => format!("Hikeshi: {label} — {} {t}", o.reference),
        None => format!("Hikeshi: {label} — {}", o.reference),
    };
    let mut body = format!(
        "{label}\n\n{}: {}\nTLP: {}\n{}: {}\n",
        if lang == Lang::Ja {
            "番号"
        } else {
            "Reference"
        },
        o.reference,
        o.tlp,
        if lang == Lang::Ja {
            "リンク"
        } else {
            "Link"
        },
        o.url
    );
    if let Some(t) = &o.title {
        body.push_str(&format!("\n{t}\n"));
    }
    if let Some(x) = &o.text {
        body.push_str(&format!("{x}\n"));
    }
    if o.title.is_none() {
        body.push_str(match lang {
            Lang::Ja => {
                "\n(TLP:AMBER 以上のため内容は記載していません。リンクから確認してください。)\n"
            }
            _ => "\n(TLP:AMBER or above: the content stays in Hikeshi; follow the link.)\n",
        });
    }
    (subject, body)
}

impl App {
    fn public_base(&self) -> String {
        self.public_url
            .read()
            .map(|u| u.clone())
            .unwrap_or_default()
    }

    /// Builds the fan-out of one event on one record: in-app rows for the recipients who may
    /// see the record, one outbox row per webhook that takes the event, one mail per
    /// recipient with an e-mail address (queued as a `mail.send` job).
    pub(crate) async fn fanout(
        &self,
        event: &str,
        s: &Subject,
        recipients: &[UserId],
        detail: &str,
        hooks: &[Webhook],
    ) -> Result<Fanout> {
        let notice = Notice {
            event: event.to_string(),
            reference: s.reference.clone(),
            url: format!("{}{}", self.public_base(), s.path),
            tlp: s.tlp.as_str().to_string(),
            title: s.title.clone(),
            text: detail.to_string(),
        };
        let now = self.now();
        let mut f = Fanout::default();
        let mut seen: Vec<UserId> = Vec::new();
        let mut lang = None;
        for u in recipients {
            if seen.contains(u) {
                continue;
            }
            seen.push(*u);
            let Some(user) = self.store.get_user(*u).await? else {
                continue;
            };
            if user.disabled || !self.actor_for(&user, Scopes::ALL).can_see(s.guard()) {
                continue;
            }
            f.notifications.push(Notification {
                id: new_id(self.now_ms()),
                user: *u,
                event: event.to_string(),
                reference: s.reference.clone(),
                link: s.path.clone(),
                text: notice.headline(),
                created_at: now,
                read_at: None,
            });
            let Some(addr) = user.email.as_deref().filter(|a| super::address_ok(a)) else {
                continue;
            };
            let l = match lang {
                Some(l) => l,
                None => *lang.insert(self.lang_for(s.constituency, None).await?),
            };
            let (subject, body) = mail_text(&notice, l);
            let id = EntryId::new(self.now_ms()).to_string();
            f.jobs.push(self.new_job(
                JOB_SEND,
                serde_json::json!({ "outbound": id }),
                format!("send:{id}"),
            ));
            f.mails.push(OutboundMail {
                id: id.clone(),
                message_id: message_id(&id, &self.outbound.from),
                purpose: "notification".into(),
                // Kept off the record's correspondence: it is internal, not mail on the case.
                target_kind: TargetKind::System,
                target_id: format!("notify:{}", s.reference),
                entry_id: None,
                from: self.outbound.from.clone(),
                to: vec![addr.to_ascii_lowercase()],
                cc: vec![],
                subject: format!("{}{subject}", tlp_marker(s.tlp)),
                body,
                in_reply_to: None,
                references: vec![],
                tlp: s.tlp,
                lang: l,
                // The message carries only what may leave (no title or text for AMBER+),
                // so it needs no encryption of its own.
                protection: Protection {
                    sign: true,
                    encrypt_required: false,
                },
                status: "queued".into(),
                created_at: now,
                sent_at: None,
            });
        }
        for w in hooks {
            let scoped = w.constituency.is_none() || w.constituency == s.constituency;
            if !(w.active && scoped && hook_wants(&w.events, event)) {
                continue;
            }
            let r = hikeshi_notify::render(super::notify::format_of(w.format), &notice);
            f.deliveries.push(Delivery {
                id: new_id(self.now_ms()),
                webhook: w.id.clone(),
                event: event.to_string(),
                url: w.url.clone(),
                content_type: r.content_type.to_string(),
                body: r.body,
                status: "pending".into(),
                attempts: 0,
                next_at: now,
                last_error: None,
                created_at: now,
                sent_at: None,
            });
        }
        Ok(f)
    }

    /// The record of a request, or `None` when it is gone.
    async fn subject_of(&self, r: &NotificationRequest) -> Result<Option<Subject>> {
        Ok(match r.target_kind {
            TargetKind::Incident => match IncidentId::parse(&r.target_id) {
                Some(id) => self
                    .store
                    .get_incident(id)
                    .await?
                    .map(|i| Subject::incident(&i)),
                None => None,
            },
            TargetKind::Report => match ReportId::parse(&r.target_id) {
                Some(id) => self
                    .store
                    .get_report(id)
                    .await?
                    .map(|x| Subject::report(&x)),
                None => None,
            },
            _ => None,
        })
    }

    /// Who hears of a request: its recipient (for SLA and deadline events, the escalation
    /// target recorded on the clock — the policy's user, else the constituency's lead), else
    /// the constituency's lead now; and for clock events also the record's owner.
    async fn request_recipients(
        &self,
        r: &NotificationRequest,
        s: &Subject,
    ) -> Result<Vec<UserId>> {
        let mut to = Vec::new();
        match r.recipient {
            Some(u) => to.push(u),
            None => {
                if let Some(u) = self.escalation(None, s.constituency).await? {
                    to.push(u);
                }
            }
        }
        let clock_event = r.kind.starts_with("sla.") || r.kind.starts_with("deadline.");
        if clock_event && let Some(o) = s.owner {
            to.push(o);
        }
        Ok(to)
    }

    async fn request_detail(&self, r: &NotificationRequest) -> Result<String> {
        let at = r.payload.get("at").and_then(|v| v.as_str()).unwrap_or("");
        let clock = r
            .payload
            .get("clock")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        Ok(match r.kind.as_str() {
            "sla.warning" | "sla.breach" => {
                let kind = clock.rsplit(':').next().unwrap_or(clock).replace('_', " ");
                format!("{kind} clock, due {at}")
            }
            k if k.starts_with("deadline.") => match self.store.get_deadline(clock).await? {
                Some(d) => format!(
                    "{} {} ({}), due {}",
                    d.regime, d.stage, d.recipient, d.due_display
                ),
                None => format!("deadline {clock}, {at}"),
            },
            "triage.notify" => {
                let prio = r.payload.get("priority").map(|p| p.to_string());
                format!(
                    "matched triage rules; priority {}",
                    prio.unwrap_or_default()
                )
            }
            _ => String::new(),
        })
    }

    /// Delivers up to `limit` pending notification requests, oldest first, each exactly once
    /// (see the module doc). A request whose record is gone is marked delivered with nothing
    /// sent. `serve` runs this every few seconds; so does `hikeshi sla sweep`.
    pub async fn deliver_requests(&self, limit: i64) -> Result<RequestRun> {
        let mut run = RequestRun::default();
        let reqs = self.store.pending_requests(limit.clamp(1, 10_000)).await?;
        if reqs.is_empty() {
            return Ok(run);
        }
        let hooks = self.store.webhooks().await?;
        for r in reqs {
            let f = match self.subject_of(&r).await? {
                Some(s) => {
                    let to = self.request_recipients(&r, &s).await?;
                    let detail = self.request_detail(&r).await?;
                    self.fanout(&r.kind, &s, &to, &detail, &hooks).await?
                }
                None => Fanout::default(),
            };
            if self.store.write_fanout(Some(&r.id), &f).await? {
                run.delivered += 1;
                run.in_app += f.notifications.len() as i64;
                run.webhooks += f.deliveries.len() as i64;
                run.mails += f.mails.len() as i64;
            } else {
                run.skipped += 1;
            }
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(tlp: &str) -> Notice {
        Notice {
            event: "sla.breach".into(),
            reference: "2026-0007".into(),
            url: "https://h.example/incidents/2026-0007".into(),
            tlp: tlp.into(),
            title: "SECRET title".into(),
            text: "DETAIL text".into(),
        }
    }

    #[test]
    fn mail_keeps_amber_text_inside() {
        for tlp in ["amber", "amber+strict", "red", "nonsense"] {
            for lang in [Lang::En, Lang::Ja] {
                let (s, b) = mail_text(&notice(tlp), lang);
                let all = format!("{s}\n{b}");
                assert!(!all.contains("SECRET") && !all.contains("DETAIL"), "{all}");
                assert!(
                    all.contains("2026-0007")
                        && all.contains("https://h.example/incidents/2026-0007")
                );
            }
        }
        let (s, b) = mail_text(&notice("green"), Lang::En);
        assert!(
            s.contains("SECRET title") && b.contains("DETAIL text"),
            "{s}\n{b}"
        );
        assert!(s.contains("SLA breached"));
    }

    #[test]
    fn deadline_due_subscriptions_take_both_deadline_events() {
        let ev = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(hook_wants(&[], "sla.breach"));
        assert!(hook_wants(&ev(&["deadline.due"]), "deadline.warning"));
        assert!(hook_wants(&ev(&["deadline.due"]), "deadline.breach"));
        assert!(!hook_wants(&ev(&["deadline.due"]), "sla.breach"));
        assert!(hook_wants(&ev(&["sla.breach"]), "sla.breach"));
    }
}
