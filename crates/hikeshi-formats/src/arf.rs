//! ARF, the Abuse Reporting Format (RFC 5965; auth-failure fields of RFC 6591): a
//! `multipart/report; report-type=feedback-report` message whose `message/feedback-report`
//! part holds header-style fields, followed by the original message (`message/rfc822`) or
//! its headers (`text/rfc822-headers`).

use crate::observe::Observables;
use crate::{Error, Structured};
use mail_parser::{Message, MessageParser, MimeHeaders};
use serde::Serialize;

/// The machine-readable fields of one feedback report. Field names and values are kept as
/// the report writes them (values trimmed, unfolded); `feedback_type` and `auth_failure`
/// are lower-cased.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Feedback {
    pub feedback_type: String,
    pub user_agent: Option<String>,
    pub version: Option<String>,
    pub arrival_date: Option<String>,
    pub source_ip: Option<String>,
    pub reported_domain: Vec<String>,
    pub reported_uri: Vec<String>,
    pub original_mail_from: Option<String>,
    pub original_rcpt_to: Vec<String>,
    pub original_envelope_id: Option<String>,
    pub reporting_mta: Option<String>,
    pub authentication_results: Vec<String>,
    pub auth_failure: Option<String>,
    pub dkim_domain: Option<String>,
    pub incidents: Option<u64>,
    /// Subject, sender and message id of the reported message, when included.
    pub original_subject: Option<String>,
    pub original_from: Option<String>,
    pub original_message_id: Option<String>,
}

/// `name: value` fields with continuation lines joined (RFC 5322 unfolding).
fn fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

fn strip_angle(s: &str) -> &str {
    s.trim().trim_start_matches('<').trim_end_matches('>')
}

/// True when the message is (or carries) a feedback report.
pub fn is_arf(msg: &Message<'_>) -> bool {
    msg.parts.iter().any(|p| {
        p.content_type().is_some_and(|ct| {
            (ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("report"))
                && ct
                    .attribute("report-type")
                    .is_some_and(|r| r.eq_ignore_ascii_case("feedback-report")))
                || (ct.ctype().eq_ignore_ascii_case("message")
                    && ct
                        .subtype()
                        .is_some_and(|s| s.eq_ignore_ascii_case("feedback-report")))
        })
    })
}

/// Parses a raw message as ARF. `None` when it is not a feedback report at all.
pub fn parse(raw: &[u8]) -> Option<Result<Structured, Error>> {
    let msg = MessageParser::default().parse(raw)?;
    if !is_arf(&msg) {
        return None;
    }
    Some(from_message(&msg))
}

pub(crate) fn from_message(msg: &Message<'_>) -> Result<Structured, Error> {
    let is = |p: &mail_parser::MessagePart<'_>, t: &str, s: &str| {
        p.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case(t)
                && ct.subtype().is_some_and(|x| x.eq_ignore_ascii_case(s))
        })
    };
    let report = msg
        .parts
        .iter()
        .find(|p| is(p, "message", "feedback-report"))
        .ok_or_else(|| Error::invalid("arf", "no message/feedback-report part"))?;
    let text = String::from_utf8_lossy(report.contents());
    let mut f = Feedback::default();
    for (k, v) in fields(&text) {
        match k.as_str() {
            "feedback-type" => f.feedback_type = v.to_ascii_lowercase(),
            "user-agent" => f.user_agent = Some(v),
            "version" => f.version = Some(v),
            "arrival-date" | "received-date" => f.arrival_date = Some(v),
            // `192.0.2.1 (host.example)`: the address without its comment.
            "source-ip" => {
                f.source_ip = v
                    .split_whitespace()
                    .next()
                    .map(|a| a.trim_matches(['[', ']']).to_string())
            }
            "reported-domain" => f.reported_domain.push(v),
            "reported-uri" => f.reported_uri.push(strip_angle(&v).to_string()),
            "original-mail-from" => f.original_mail_from = Some(v),
            "original-rcpt-to" => f.original_rcpt_to.push(v),
            "original-envelope-id" => f.original_envelope_id = Some(v),
            "reporting-mta" => f.reporting_mta = Some(v),
            "authentication-results" => f.authentication_results.push(v),
            "auth-failure" => f.auth_failure = Some(v.to_ascii_lowercase()),
            "dkim-domain" => f.dkim_domain = Some(v),
            "incidents" => f.incidents = v.parse().ok(),
            _ => {}
        }
    }
    // RFC 5965 §3.1: Feedback-Type, User-Agent and Version are required.
    let mut reasons = Vec::new();
    if f.feedback_type.is_empty() {
        reasons.push("Feedback-Type is missing".to_string());
    }
    if f.user_agent.is_none() {
        reasons.push("User-Agent is missing".to_string());
    }
    if f.version.is_none() {
        reasons.push("Version is missing".to_string());
    }
    if !reasons.is_empty() {
        return Err(Error::Invalid {
            format: "arf",
            reasons,
        });
    }
    if let Some(orig) = msg.parts.iter().find_map(|p| p.message()) {
        f.original_subject = orig.subject().map(str::to_string);
        f.original_from = orig
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_string);
        f.original_message_id = orig.message_id().map(str::to_string);
    } else if let Some(h) = msg.parts.iter().find(|p| is(p, "text", "rfc822-headers")) {
        for (k, v) in fields(&String::from_utf8_lossy(h.contents())) {
            match k.as_str() {
                "subject" => f.original_subject = Some(v),
                "from" => f.original_from = Some(strip_angle(&v).to_string()),
                "message-id" => f.original_message_id = Some(v),
                _ => {}
            }
        }
    }
    Ok(structured(f, msg))
}

fn structured(f: Feedback, msg: &Message<'_>) -> Structured {
    let mut o = Observables::default();
    if let Some(ip) = &f.source_ip {
        o.add(ip);
    }
    f.reported_domain.iter().for_each(|d| o.add(d));
    f.reported_uri
        .iter()
        .filter(|u| !u.starts_with("mailto:"))
        .for_each(|u| o.add(u));
    if let Some(m) = &f.original_mail_from {
        o.add(strip_angle(m));
    }
    if let Some(m) = &f.original_from {
        o.add(strip_angle(m));
    }
    let subject = f.original_subject.clone().unwrap_or_default();
    let about = f
        .source_ip
        .clone()
        .or_else(|| f.reported_domain.first().cloned())
        .unwrap_or_else(|| subject.clone());
    let mut summary = msg
        .body_text(0)
        .map(|t| format!("{}\n\n", t.trim()))
        .unwrap_or_default();
    let rows = [
        ("feedback_type", Some(f.feedback_type.clone())),
        ("auth_failure", f.auth_failure.clone()),
        ("source_ip", f.source_ip.clone()),
        ("arrival_date", f.arrival_date.clone()),
        ("user_agent", f.user_agent.clone()),
        ("original_subject", f.original_subject.clone()),
        ("original_from", f.original_from.clone()),
    ];
    for (k, v) in rows {
        if let Some(v) = v {
            summary.push_str(&format!("{k}: {v}\n"));
        }
    }
    if !o.0.is_empty() {
        summary.push_str("\nobservables:\n");
        summary.push_str(&o.lines());
    }
    let rsit = match f.feedback_type.as_str() {
        "abuse" => Some("abusive-content/spam"),
        "fraud" => Some("fraud/phishing"),
        "virus" => Some("malicious-code/malware-distribution"),
        _ => None,
    };
    Structured {
        format: "arf",
        title: format!("ARF {}: {}", f.feedback_type, about.trim()),
        summary,
        reporter: msg
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_string),
        occurred_at: f.arrival_date.clone(),
        classification: Some(f.feedback_type.clone()),
        rsit: rsit.map(str::to_string),
        observables: o.0,
        details: serde_json::to_value(&f).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(report: &str) -> String {
        format!(
            "From: <abuse@isp.example.com>\r\nTo: <abuse@example.net>\r\nSubject: FW: spam\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nAn abuse report.\r\n\
             --b\r\nContent-Type: message/feedback-report\r\n\r\n{report}\r\n\
             --b\r\nContent-Type: message/rfc822\r\n\r\nFrom: <spammer@spam.example.org>\r\nSubject: Earn money\r\n\r\nbody\r\n--b--\r\n"
        )
    }

    #[test]
    fn table() {
        // (feedback report part, Ok(observable values) | Err)
        let cases: &[(&str, Result<&[&str], ()>)] = &[
            (
                "Feedback-Type: abuse\r\nUser-Agent: X/1\r\nVersion: 1\r\nSource-IP: 192.0.2.1\r\nReported-Domain: spam.example.org\r\nReported-URI: <http://spam.example.org/x>",
                Ok(&[
                    "192.0.2.1",
                    "spam.example.org",
                    "http://spam.example.org/x",
                    "spammer@spam.example.org",
                ]),
            ),
            (
                "Feedback-Type: abuse\r\nUser-Agent: X/1\r\nVersion: 1",
                Ok(&["spammer@spam.example.org"]),
            ),
            ("User-Agent: X/1\r\nVersion: 1", Err(())),
            ("Feedback-Type: abuse\r\nVersion: 1", Err(())),
            ("Feedback-Type: abuse\r\nUser-Agent: X/1", Err(())),
        ];
        for (report, want) in cases {
            let got = parse(mail(report).as_bytes()).expect("is ARF");
            match (got, want) {
                (Ok(s), Ok(values)) => {
                    let v: Vec<&str> = s.observables.iter().map(|i| i.value.as_str()).collect();
                    assert_eq!(&v, values, "{report}");
                    assert_eq!(s.classification.as_deref(), Some("abuse"));
                    assert_eq!(s.details["original_subject"], "Earn money");
                }
                (Err(_), Err(())) => {}
                (g, w) => panic!("{report}: got {g:?}, want {w:?}"),
            }
        }
    }

    #[test]
    fn plain_mail_is_not_arf() {
        assert!(parse(b"From: a@example.com\r\nSubject: hi\r\n\r\nhello").is_none());
        assert!(parse(b"").is_none());
    }
}
