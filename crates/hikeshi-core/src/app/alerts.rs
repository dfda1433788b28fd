//! Alerts from SIEMs, IDSs and feeds: one report per (source, deduplication key) and
//! window. A repeat within the window raises the counter of that report's series instead
//! of making a new report; the store claims the series row by an upsert, so concurrent
//! posts with one key never make two reports (on either database).

use super::{App, MAX_TEXT, MAX_TITLE, text, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::ids::ReportId;
use crate::model::*;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Most observables one alert may carry.
pub const MAX_ALERT_OBSERVABLES: usize = 1000;

/// How long a deduplication series stays open, per source.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPolicy {
    pub default_window: SignedDuration,
    /// Source name → its own window.
    pub per_source: BTreeMap<String, SignedDuration>,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        AlertPolicy {
            default_window: SignedDuration::from_hours(24),
            per_source: BTreeMap::new(),
        }
    }
}

impl AlertPolicy {
    pub fn window(&self, source: &str) -> SignedDuration {
        self.per_source
            .get(source)
            .copied()
            .unwrap_or(self.default_window)
    }
}

/// `POST /api/v1/alerts`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAlert {
    /// The sending system (e.g. `suricata-dc1`); windows are configured per source.
    pub source: String,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub observables: Vec<Observable>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub occurred_at: Option<Timestamp>,
    /// Same key within the window → the same report. Default: a digest of the title and
    /// the observables.
    pub dedup_key: Option<String>,
    pub constituency: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub tlp: Option<Tlp>,
}

/// Where an alert landed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertLanded {
    pub id: String,
    #[serde(rename = "ref")]
    pub reference: String,
    /// True when this alert opened a new report; false when it was counted on one.
    pub created: bool,
    pub series: AlertSeries,
}

/// Checks one observable and normalises its value the way extraction does.
pub fn check_observable(field: &str, o: &Observable) -> Result<Observable> {
    let kind = hikeshi_indicators::Kind::parse(o.kind.trim()).ok_or_else(|| {
        Error::validation(
            format!("{field}.type"),
            format!(
                "unknown type {:?}; expected one of: {}",
                o.kind,
                hikeshi_indicators::Kind::ALL.map(|k| k.as_str()).join(", ")
            ),
        )
    })?;
    match hikeshi_indicators::normalize(o.value.trim()) {
        Some((k, v)) if k == kind => Ok(Observable {
            kind: kind.as_str().to_string(),
            value: v,
        }),
        // An URL also is a host and a CIDR is never an IP: only the exact kind counts.
        _ => Err(Error::validation(
            format!("{field}.value"),
            format!("not a valid {} value", kind.as_str()),
        )),
    }
}

/// Checks and normalises a list of observables, dropping duplicates.
pub fn check_observables(field: &str, list: &[Observable]) -> Result<Vec<Observable>> {
    if list.len() > MAX_ALERT_OBSERVABLES {
        return Err(Error::validation(
            field,
            format!("more than {MAX_ALERT_OBSERVABLES} observables"),
        ));
    }
    let mut out: Vec<Observable> = Vec::new();
    for (i, o) in list.iter().enumerate() {
        let o = check_observable(&format!("{field}[{i}]"), o)?;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

/// The observables as lines of the report text, so text extraction finds them too.
pub(crate) fn observable_lines(list: &[Observable]) -> String {
    list.iter()
        .map(|o| format!("- {}: {}\n", o.kind, o.value))
        .collect()
}

fn default_key(title: &str, observables: &[Observable]) -> String {
    let mut h = Sha256::new();
    h.update(title.trim().as_bytes());
    let mut sorted: Vec<&Observable> = observables.iter().collect();
    sorted.sort_by(|a, b| (&a.kind, &a.value).cmp(&(&b.kind, &b.value)));
    for o in sorted {
        h.update([0]);
        h.update(o.kind.as_bytes());
        h.update([0]);
        h.update(o.value.as_bytes());
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}

impl App {
    /// Takes one alert: a new report, or one more count on the open series of its key.
    pub async fn ingest_alert(
        &self,
        actor: &Actor,
        input: NewAlert,
        policy: &AlertPolicy,
    ) -> Result<AlertLanded> {
        actor.require_alert_posting()?;
        let source = input.source.trim().to_string();
        text("source", &source, 100, true)?;
        text("title", &input.title, MAX_TITLE, true)?;
        text("description", &input.description, MAX_TEXT / 2, false)?;
        let observables = check_observables("observables", &input.observables)?;
        let key = match input.dedup_key.as_deref().map(str::trim) {
            Some(k) => {
                text("dedup_key", k, 500, true)?;
                k.to_string()
            }
            None => default_key(&input.title, &observables),
        };
        let tlp = input.tlp.unwrap_or(Tlp::Amber);
        let now = self.now();
        let observed = self.structured_observed(
            &observables,
            &format!("{}\n{}", input.title, input.description),
            tlp,
            now,
        );
        // Explicit, else the owner of its first observable that has one (where the caller
        // may file), else the caller's own constituency.
        let constituency = match &input.constituency {
            Some(c) => Some(self.constituency_id(c).await?),
            None => match self
                .route_observables(
                    &observables
                        .iter()
                        .map(|o| o.value.as_str())
                        .collect::<Vec<_>>(),
                )
                .await?
                .filter(|c| actor.is_global() || actor.constituencies.contains(c))
            {
                Some(c) => Some(c),
                None if !actor.is_global() => actor.constituencies.first().copied(),
                None => None,
            },
        };
        if !actor.is_global() {
            match constituency {
                Some(c) if actor.constituencies.contains(&c) => {}
                _ => {
                    return Err(Error::Forbidden("not a member of that constituency".into()));
                }
            }
        }
        let occurred = input.occurred_at.map(super::micros);
        let mut content = input.description.clone();
        content.push_str(&format!("\n\nsource: {source}\n"));
        if let Some(s) = input.severity {
            content.push_str(&format!("severity: {s}\n"));
        }
        if let Some(t) = occurred {
            content.push_str(&format!("occurred_at: {t}\n"));
        }
        content.push_str(&observable_lines(&observables));
        let mut draft = Report {
            id: ReportId::new(self.now_ms()),
            reference: String::new(),
            channel: Channel::Api,
            reporter: source.clone(),
            reporter_type: ReporterType::Automated,
            received_at: now,
            subject: input.title.trim().to_string(),
            content,
            status: ReportStatus::New,
            reject_reason: None,
            constituency,
            owner: None,
            tlp,
            tags: vec!["alert".into()],
            incidents: vec![],
            named_users: vec![],
            created_by: actor.user,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let details = StructuredDetails {
            format: "alert".into(),
            observables,
            details: serde_json::json!({
                "source": source,
                "severity": input.severity,
                "occurred_at": occurred,
                "dedup_key": key,
            }),
        };
        let series = AlertSeries {
            source: source.clone(),
            dedup_key: key.clone(),
            count: 1,
            first_seen: now,
            last_seen: now,
        };
        let opened_after = now
            .checked_sub(policy.window(&source))
            .unwrap_or(Timestamp::MIN);
        // Triage rules, SLA clocks and observables: written only when the alert opens a
        // new report (a repeat only counts).
        let (mut triage, create) = self.plan_triage(actor, &mut draft, observed).await?;
        triage.structured = Some(details);
        let repeat = self.audit(
            who(actor),
            "alert.repeat",
            TargetKind::Report,
            String::new(),
            None,
            Some(serde_json::json!({"source": source, "dedup_key": key, "at": now})),
        );
        let (report, series, created) = self
            .store
            .record_alert(&draft, &triage, &series, opened_after, &create, &repeat)
            .await?;
        Ok(AlertLanded {
            id: report.id.to_string(),
            reference: report.reference,
            created,
            series,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(kind: &str, value: &str) -> Observable {
        Observable {
            kind: kind.into(),
            value: value.into(),
        }
    }

    #[test]
    fn observables_are_checked_and_normalised() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("ipv4", "198.51.100.7", Some("198.51.100.7")),
            ("ipv6", "2001:DB8:0::1", Some("2001:db8::1")),
            ("domain", "Example.COM", Some("example.com")),
            ("domain", "example[.]com", Some("example.com")),
            (
                "url",
                "hxxp://example[.]com/a",
                Some("http://example.com/a"),
            ),
            ("ipv4", "example.com", None),
            ("ipv4", "198.51.100.0/24", None),
            ("cidr", "198.51.100.0/24", Some("198.51.100.0/24")),
            ("sha256", "abc", None),
            ("port", "80", None),
        ];
        for (kind, value, want) in cases {
            let got = check_observable("o", &obs(kind, value))
                .ok()
                .map(|o| o.value);
            assert_eq!(got.as_deref(), *want, "{kind} {value}");
        }
    }

    #[test]
    fn default_key_ignores_observable_order() {
        let a = [obs("ipv4", "192.0.2.1"), obs("domain", "example.com")];
        let b = [obs("domain", "example.com"), obs("ipv4", "192.0.2.1")];
        assert_eq!(default_key("t", &a), default_key("t", &b));
        assert_ne!(default_key("t", &a), default_key("u", &a));
    }

    #[test]
    fn window_per_source() {
        let mut p = AlertPolicy::default();
        p.per_source
            .insert("ids".into(), SignedDuration::from_mins(10));
        assert_eq!(p.window("ids"), SignedDuration::from_mins(10));
        assert_eq!(p.window("siem"), SignedDuration::from_hours(24));
    }
}
