//! Recognising machine-readable reports inside a raw mail message.

use crate::{Error, Structured, arf, xarf};
use mail_parser::{MessageParser, MimeHeaders};

/// The structured report a mail carries: IODEF (an `application/iodef+xml` part), X-ARF (an
/// `X-XARF` header, or a JSON part or body that is an X-ARF document) or ARF
/// (`multipart/report; report-type=feedback-report`).
/// `None` for any other mail; `Some(Err)` when it claims a format but breaks its rules.
pub fn from_mail(raw: &[u8]) -> Option<Result<Structured, Error>> {
    let msg = MessageParser::default().parse(raw)?;
    let flagged = msg.header_raw("X-XARF").is_some();
    // IODEF travels as an `application/iodef+xml` part.
    if let Some(p) = msg.parts.iter().find(|p| {
        p.content_type()
            .and_then(|ct| ct.subtype())
            .is_some_and(|s| s.eq_ignore_ascii_case("iodef+xml"))
    }) {
        return Some(crate::iodef::parse(p.contents()));
    }
    for p in &msg.parts {
        let json_type = p.content_type().is_some_and(|ct| {
            ct.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("json") || s.ends_with("+json"))
        });
        let json_name = p
            .attachment_name()
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".json"));
        let text_body = p.is_text() && !p.is_text_html();
        if !(json_type || json_name || text_body) {
            continue;
        }
        let bytes = p.contents();
        let trimmed = bytes.trim_ascii_start();
        if !trimmed.starts_with(b"{") {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(trimmed.trim_ascii_end()) {
            Ok(v) if xarf::looks_like(&v) || (flagged && (json_type || json_name)) => {
                return Some(xarf::parse(trimmed.trim_ascii_end()));
            }
            Err(e) if flagged && (json_type || json_name) => {
                return Some(Err(Error::Syntax(e.to_string())));
            }
            _ => {}
        }
    }
    if flagged {
        return Some(Err(Error::invalid(
            "xarf",
            "X-XARF header but no X-ARF JSON part (X-ARF 0.2 YAML reports are not supported)",
        )));
    }
    if arf::is_arf(&msg) {
        return Some(arf::from_message(&msg));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"xarf_version": "4.2.0", "report_id": "9ac39cd1-85f3-4c31-ae87-a0a95f3ebc83",
 "timestamp": "2025-01-11T09:21:23Z",
 "reporter": {"org": "R", "contact": "abuse@monitor.example.com", "domain": "monitor.example.com"},
 "sender": {"org": "R", "contact": "abuse@monitor.example.com", "domain": "monitor.example.com"},
 "source_identifier": "192.0.2.155", "source_port": 4444, "category": "connection", "type": "port_scan",
 "destination_ip": "203.0.113.100", "protocol": "tcp", "destination_ports": [22, 23], "scan_type": "tcp_syn",
 "first_seen": "2025-01-11T08:45:00Z", "evidence_source": "firewall_logs"}"#;

    fn check(raw: &str, want: Option<Result<&str, ()>>) {
        let got = from_mail(raw.as_bytes());
        match (&got, want) {
            (None, None) => {}
            (Some(Ok(s)), Some(Ok(format))) => assert_eq!(s.format, format, "{raw}"),
            (Some(Err(_)), Some(Err(()))) => {}
            (g, w) => panic!("{raw}\ngot {g:?}\nwant {w:?}"),
        }
    }

    #[test]
    fn table() {
        let head = "From: a@monitor.example.com\r\nTo: abuse@example.net\r\nSubject: report\r\n";
        check(&format!("{head}\r\nhello"), None);
        // X-ARF v4 as the body, with or without the X-XARF header.
        check(
            &format!("{head}Content-Type: application/json\r\n\r\n{DOC}"),
            Some(Ok("xarf")),
        );
        check(&format!("{head}\r\n{DOC}"), Some(Ok("xarf")));
        check(
            &format!("{head}X-XARF: PLAIN\r\n\r\n{DOC}"),
            Some(Ok("xarf")),
        );
        // As a JSON part of a multipart message.
        check(
            &format!(
                "{head}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
                 Content-Type: text/plain\r\n\r\nSee the report.\r\n--b\r\nContent-Type: application/json\r\n\
                 Content-Disposition: attachment; filename=\"report.json\"\r\n\r\n{DOC}\r\n--b--\r\n"
            ),
            Some(Ok("xarf")),
        );
        // Flagged but broken, or flagged without a JSON part: refused, not ignored.
        check(
            &format!(
                "{head}X-XARF: PLAIN\r\nContent-Type: application/json\r\n\r\n{{\"xarf_version\": \"4.2.0\"}}"
            ),
            Some(Err(())),
        );
        check(
            &format!("{head}X-XARF: PLAIN\r\n\r\nplain text"),
            Some(Err(())),
        );
        // IODEF as a part.
        check(
            &format!("{head}Content-Type: application/iodef+xml\r\n\r\n<IODEF-Document/>"),
            Some(Err(())),
        );
        // JSON that is not X-ARF, unflagged: an ordinary mail.
        check(&format!("{head}\r\n{{\"hello\": 1}}"), None);
    }
}
