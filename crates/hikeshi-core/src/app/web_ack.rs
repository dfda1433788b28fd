//! The public form's acknowledgement mail: queued in the report's own transaction (like a
//! mail acknowledgement, through the same job kind and per-sender limit), rendered by the
//! job from the `ack-web` template. It names the tracking reference and never repeats what
//! the visitor wrote (the form is unauthenticated: anyone can type anyone's address).

use super::App;
use crate::error::Result;
use crate::model::*;
use crate::outbound::*;

impl App {
    /// The acknowledgement job for a form report to `to`, or `None` (acknowledgements off,
    /// not an address, one of ours, or the address's hourly limit reached).
    pub(crate) async fn acknowledge_web_report(
        &self,
        report_id: &str,
        to: &str,
    ) -> Result<Option<Job>> {
        let l = to.to_ascii_lowercase();
        let ours = self.our_addresses().iter().any(|o| {
            let o = o.to_ascii_lowercase();
            match o.strip_prefix('@') {
                Some(d) => l.ends_with(&format!("@{d}")),
                None => o == l,
            }
        });
        if !self.outbound.acknowledge
            || !super::address_ok(to)
            || ours
            || self.ack_limit_reached(to).await?
        {
            return Ok(None);
        }
        Ok(Some(self.new_job(
            JOB_ACK,
            serde_json::json!({ "report": report_id }),
            format!("ack:{report_id}"),
        )))
    }

    /// Job body for a report without mail facts: renders and records the form's
    /// acknowledgement (once), or `None` when there is nobody to tell or the limit was
    /// reached since it was queued.
    pub(crate) async fn prepare_web_ack(&self, r: &Report) -> Result<Option<String>> {
        let id = format!("ack-{}", r.id);
        let details = self.store.structured_details(&[r.id.to_string()]).await?;
        let Some((_, d, _)) = details.into_iter().find(|(_, d, _)| d.format == "webform") else {
            return Ok(None);
        };
        let Some(to) = d.details["email"]
            .as_str()
            .map(str::to_string)
            .filter(|a| super::address_ok(a))
        else {
            return Ok(None);
        };
        if self.ack_limit_reached(&to).await? {
            return Ok(None);
        }
        let lang = match d.details["lang"].as_str() {
            Some("ja") => Lang::Ja,
            _ => Lang::En,
        };
        let tag = format!("{} #{}", self.outbound.tag_prefix, r.reference);
        let (subject, body) = render(
            &self.outbound,
            "ack-web",
            lang,
            &[
                ("ref", &r.reference),
                ("tag", &tag),
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
            subject: format!("[{tag}] {subject}")
                .chars()
                .take(super::MAX_TITLE)
                .collect(),
            body,
            in_reply_to: None,
            references: vec![],
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
}
