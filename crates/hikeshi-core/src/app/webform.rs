//! The public web report form (no login): one submission becomes one report in the triage
//! queue, with its attachments (content-addressed, SHA-256) and the indicators named in the
//! description as typed observables. A filled honeypot field is kept aside as a rejection
//! and never becomes a report. Rate limiting and CSRF belong to the web layer. The
//! acknowledgement mail is queued with the report (`web_ack.rs`).

use super::App;
use crate::access::{Actor, Scopes};
use crate::error::{Error, Result};
use crate::ids::{AttachmentId, ReportId, UserId};
use crate::model::*;
use crate::taxonomy::RSIT;
use sha2::{Digest, Sha256};

/// Limits of the public form.
pub const FORM_MAX_FILES: usize = 5;
pub const FORM_MAX_FILE: usize = 10 * 1024 * 1024;
pub const FORM_MAX_DESCRIPTION: usize = 50_000;

/// What a visitor typed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct WebReport {
    pub name: String,
    pub email: String,
    pub organisation: String,
    /// An RSIT `class/type`, or empty for "don't know".
    pub incident_type: String,
    pub description: String,
    /// The honeypot field: hidden from people, filled by bots.
    pub website: String,
    /// `ja` or `en`: the language the acknowledgement is written in.
    pub lang: String,
}

/// One uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What the visitor is told: the tracking reference (a honeypot hit gets a receipt that
/// looks the same but names no report).
#[derive(Debug, Clone, PartialEq)]
pub struct WebReceipt {
    pub reference: String,
    /// False when the submission was kept aside as spam.
    pub filed: bool,
}

fn one_line(s: &str, max: usize) -> String {
    let line = s
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut out: String = line.chars().take(max).collect();
    if line.chars().count() > max {
        out.push('…');
    }
    out
}

fn safe_name(name: &str, i: usize) -> String {
    let n: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | '\0') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .take(255)
        .collect();
    if n.trim().is_empty() {
        format!("file-{}", i + 1)
    } else {
        n
    }
}

/// Checks the form; errors name the form field.
pub fn check_web_report(r: &WebReport, files: &[Upload]) -> Result<()> {
    super::text("name", &r.name, 200, true)?;
    super::text("organisation", &r.organisation, 200, false)?;
    super::text("description", &r.description, FORM_MAX_DESCRIPTION, true)?;
    let email = r.email.trim();
    match hikeshi_indicators::normalize(email) {
        Some((hikeshi_indicators::Kind::Email, _)) if !email.contains(char::is_whitespace) => {}
        _ => return Err(Error::validation("email", "not an e-mail address")),
    }
    let t = r.incident_type.trim();
    if !t.is_empty() {
        let ok = t.split_once('/').is_some_and(|(c, ty)| {
            RSIT.iter()
                .any(|(class, types)| *class == c && types.contains(&ty))
        });
        if !ok {
            return Err(Error::validation("incident_type", "not an RSIT class/type"));
        }
    }
    if files.len() > FORM_MAX_FILES {
        return Err(Error::validation(
            "attachments",
            format!("at most {FORM_MAX_FILES} files"),
        ));
    }
    if files.iter().any(|f| f.bytes.len() > FORM_MAX_FILE) {
        return Err(Error::validation(
            "attachments",
            format!("a file is larger than {FORM_MAX_FILE} bytes"),
        ));
    }
    Ok(())
}

impl App {
    /// A token for the public form (no session to bind it to): a random value and its HMAC
    /// under the installation key, `RANDOM.MAC`. The web layer puts it in a cookie and in
    /// the form (double submit); [`App::check_form_token`] wants both equal and signed here.
    pub async fn new_form_token(&self) -> Result<String> {
        let random = hex::encode(crate::secrets::random_bytes::<16>());
        let mac =
            crate::secrets::token_digest(&self.key().await?, &format!("public-form:{random}"));
        Ok(format!("{random}.{}", &mac[..32.min(mac.len())]))
    }

    /// True when the cookie and the field carry the same token, signed by this installation.
    pub async fn check_form_token(&self, cookie: &str, field: &str) -> Result<bool> {
        if cookie.is_empty() || cookie != field {
            return Ok(false);
        }
        let Some((random, mac)) = field.split_once('.') else {
            return Ok(false);
        };
        let want =
            crate::secrets::token_digest(&self.key().await?, &format!("public-form:{random}"));
        // Both are hex of fixed length; compare without an early exit.
        let (a, b) = (mac.as_bytes(), &want.as_bytes()[..32.min(want.len())]);
        Ok(a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0)
    }

    /// The actor the public form files reports as (audited as `public-form`).
    pub fn public_form_actor(&self) -> Actor {
        Actor {
            user: UserId(uuid::Uuid::nil()),
            username: "public-form".into(),
            role: Role::Reporter,
            global: false,
            constituencies: vec![],
            scopes: Scopes {
                read: false,
                write: true,
                admin: false,
                alerts: false,
            },
        }
    }

    /// One submission of the public form. `client` is the address the web layer saw (kept
    /// only with honeypot rejections).
    pub async fn submit_web_report(
        &self,
        input: WebReport,
        files: Vec<Upload>,
        client: &str,
    ) -> Result<WebReceipt> {
        let actor = self.public_form_actor();
        actor.require_report_filing()?;
        check_web_report(&input, &files)?;
        if !input.website.trim().is_empty() {
            let id = crate::ids::EntryId::new(self.now_ms()).to_string();
            let mut data = serde_json::to_value(&input).unwrap_or_default();
            if let Some(o) = data.as_object_mut() {
                o.insert(
                    "files".into(),
                    files
                        .iter()
                        .map(|f| format!("{} ({} bytes)", f.name, f.bytes.len()))
                        .collect(),
                );
            }
            self.store
                .insert_form_rejection(&FormRejection {
                    id: id.clone(),
                    at: self.now(),
                    reason: "honeypot".into(),
                    client: client.chars().take(100).collect(),
                    data,
                })
                .await?;
            let tail: String = id.chars().rev().take(6).collect();
            return Ok(WebReceipt {
                reference: format!("W-{tail}"),
                filed: false,
            });
        }
        let email = input.email.trim().to_lowercase();
        let now = self.now();
        let observed = self.observables_from(&input.description, Tlp::Amber, now);
        // Whose is it: the first named indicator with an owner, else the reporter's domain.
        let values: Vec<&str> = observed.iter().map(|o| o.value.as_str()).collect();
        let constituency = match self.route_observables(&values).await? {
            Some(c) => Some(c),
            None => {
                let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
                let labels: Vec<&str> = domain.split('.').collect();
                let parents: Vec<String> = (0..labels.len().saturating_sub(1))
                    .map(|i| labels[i..].join("."))
                    .collect();
                self.store.constituency_for_domains(&parents).await?
            }
        };
        let kind = input.incident_type.trim().to_string();
        let mut content = input.description.trim().to_string();
        content.push_str(&format!(
            "\n\nname: {}\nemail: {email}\n",
            input.name.trim()
        ));
        if !input.organisation.trim().is_empty() {
            content.push_str(&format!("organisation: {}\n", input.organisation.trim()));
        }
        if !kind.is_empty() {
            content.push_str(&format!("incident_type: {kind}\n"));
        }
        let mut tags = vec!["webform".to_string()];
        if !kind.is_empty() {
            tags.push(format!("rsit:{kind}"));
        }
        let mut draft = Report {
            id: ReportId::new(self.now_ms()),
            reference: String::new(),
            channel: Channel::Web,
            reporter: format!("{} <{email}>", input.name.trim())
                .chars()
                .take(500)
                .collect(),
            reporter_type: ReporterType::Other,
            received_at: now,
            subject: one_line(&input.description, 120),
            content,
            status: ReportStatus::New,
            reject_reason: None,
            constituency,
            owner: None,
            tlp: Tlp::Amber,
            tags,
            incidents: vec![],
            named_users: vec![],
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let target = draft.id.to_string();
        let stored_files: Vec<(Attachment, Vec<u8>)> = files
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                (
                    Attachment {
                        id: AttachmentId::new(self.now_ms()),
                        target_kind: TargetKind::Report,
                        target_id: target.clone(),
                        name: safe_name(&f.name, i),
                        content_type: f.content_type.chars().take(200).collect(),
                        sha256: hex::encode(Sha256::digest(&f.bytes)),
                        size: f.bytes.len() as i64,
                        created_by: actor.user,
                        created_at: now,
                    },
                    f.bytes,
                )
            })
            .collect();
        let details = StructuredDetails {
            format: "webform".into(),
            observables: observed
                .iter()
                .map(|o| Observable {
                    kind: o.kind.as_str().to_string(),
                    value: o.value.clone(),
                })
                .collect(),
            details: serde_json::json!({
                "name": input.name.trim(),
                "email": email,
                "organisation": input.organisation.trim(),
                "incident_type": kind,
                "lang": input.lang,
            }),
        };
        // The same triage queue as mail: rules, SLA clocks, observables, the uploads and
        // the acknowledgement job, with the report and its audit entry in one transaction.
        let (mut triage, audit) = self.plan_triage(&actor, &mut draft, observed).await?;
        triage.structured = Some(details);
        triage.files = stored_files;
        triage.jobs = self
            .acknowledge_web_report(&draft.id.to_string(), &email)
            .await?
            .into_iter()
            .collect();
        let stored = self
            .store
            .insert_report_triaged(&draft, None, &triage, &audit)
            .await?;
        Ok(WebReceipt {
            reference: stored.reference,
            filed: true,
        })
    }
}

#[cfg(test)]
#[path = "webform_tests.rs"]
mod tests;
