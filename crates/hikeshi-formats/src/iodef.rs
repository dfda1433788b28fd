//! IODEF v2 (RFC 7970) XML, read with quick-xml (a streaming reader; no DTD, no external
//! entities: a document with a `DOCTYPE` is refused). Checked: the root
//! `IODEF-Document version="2.00"` in the `urn:ietf:params:xml:ns:iodef-2.0` namespace, at
//! least one `Incident` with a valid `purpose`, an `IncidentID` naming its issuer, a
//! `GenerationTime`, and at least one `Contact` with `role` and `type`. Observables come
//! from `Address`, `DomainName`, `URL`, e-mail addresses and `DigestValue` (base64 → hex)
//! outside `Contact` (which describes the reporter, not the incident).

use crate::observe::Observables;
use crate::{Error, Structured};
use base64::Engine;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::{Value, json};

/// Largest IODEF document accepted (bytes).
pub const MAX_DOCUMENT: usize = 5 * 1024 * 1024;
const NS: &str = "urn:ietf:params:xml:ns:iodef-2.0";
const PURPOSES: &[&str] = &[
    "traceback",
    "mitigation",
    "reporting",
    "watch",
    "other",
    "ext-value",
];
const MAX_DEPTH: usize = 64;

struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
}

impl Elem {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Incident {
    id: Option<(String, String)>,
    purpose: String,
    status: Option<String>,
    restriction: Option<String>,
    generation_time: Option<String>,
    detect_time: Option<String>,
    start_time: Option<String>,
    report_time: Option<String>,
    descriptions: Vec<String>,
    contacts: Vec<Value>,
    contact_elements: usize,
}

fn elem(e: &BytesStart<'_>) -> Result<Elem, Error> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| Error::Syntax(e.to_string()))?;
        let k = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let v = a
            .unescape_value()
            .map_err(|e| Error::Syntax(e.to_string()))?
            .into_owned();
        attrs.push((k, v));
    }
    Ok(Elem {
        name,
        attrs,
        text: String::new(),
    })
}

/// Parses and checks one IODEF v2 document.
pub fn parse(bytes: &[u8]) -> Result<Structured, Error> {
    if bytes.len() > MAX_DOCUMENT {
        return Err(Error::Syntax(format!("larger than {MAX_DOCUMENT} bytes")));
    }
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut stack: Vec<Elem> = Vec::new();
    let mut incidents: Vec<Incident> = Vec::new();
    let mut cur: Option<Incident> = None;
    let mut reasons: Vec<String> = Vec::new();
    let mut o = Observables::default();
    let mut seen_root = false;
    let syntax = |e: quick_xml::Error| Error::Syntax(e.to_string());
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(syntax)?;
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(elem(e)?), false),
            Event::Empty(e) => (Some(elem(e)?), true),
            _ => (None, false),
        };
        if let Some(el) = start {
            if !seen_root {
                seen_root = true;
                if el.name != "IODEF-Document" {
                    return Err(Error::invalid("iodef", "the root is not IODEF-Document"));
                }
                if !el
                    .attrs
                    .iter()
                    .any(|(k, v)| k.starts_with("xmlns") && v == NS)
                {
                    return Err(Error::invalid(
                        "iodef",
                        format!("not in the IODEF v2 namespace {NS}"),
                    ));
                }
                if el.attr("version") != Some("2.00") {
                    return Err(Error::invalid(
                        "iodef",
                        "IODEF-Document version is not 2.00",
                    ));
                }
            }
            if stack.len() >= MAX_DEPTH {
                return Err(Error::Syntax("nested too deeply".into()));
            }
            match el.name.as_str() {
                "Incident" => {
                    let purpose = el.attr("purpose").unwrap_or("").to_string();
                    if !PURPOSES.contains(&purpose.as_str()) {
                        reasons.push(format!("Incident purpose {purpose:?} is not valid"));
                    }
                    cur = Some(Incident {
                        purpose,
                        status: el.attr("status").map(str::to_string),
                        restriction: el.attr("restriction").map(str::to_string),
                        ..Default::default()
                    });
                }
                "Contact" => {
                    if el.attr("role").is_none() || el.attr("type").is_none() {
                        reasons.push("Contact needs role and type".into());
                    }
                    if let Some(inc) = cur.as_mut() {
                        inc.contact_elements += 1;
                    }
                }
                _ => {}
            }
            stack.push(el);
            if !empty {
                continue;
            }
        }
        let ending = empty || matches!(ev, Event::End(_));
        match ev {
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text
                        .push_str(&t.xml_content().map_err(|e| Error::Syntax(e.to_string()))?);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(syntax)? {
                    Some(c) => c,
                    None => match r
                        .decode()
                        .map_err(|e| Error::Syntax(e.to_string()))?
                        .as_ref()
                    {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(Error::Syntax(format!("unknown entity &{other};"))),
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::DocType(_) => {
                return Err(Error::invalid("iodef", "a DOCTYPE is not allowed"));
            }
            Event::Eof => break,
            _ => {}
        }
        if !ending {
            continue;
        }
        // End of an element (or an empty one): use what it held.
        let Some(el) = stack.pop() else { continue };
        let in_contact = stack.iter().any(|e| e.name == "Contact");
        let parent = stack.last().map(|e| e.name.as_str()).unwrap_or("");
        let text = el.text.trim().to_string();
        if let Some(inc) = cur.as_mut() {
            match el.name.as_str() {
                "IncidentID" => {
                    inc.id = Some((el.attr("name").unwrap_or("").to_string(), text.clone()))
                }
                "GenerationTime" => inc.generation_time = Some(text.clone()),
                "DetectTime" => inc.detect_time = Some(text.clone()),
                "StartTime" => inc.start_time = Some(text.clone()),
                "ReportTime" => inc.report_time = Some(text.clone()),
                "Description" if parent == "Incident" => inc.descriptions.push(text.clone()),
                "ContactName" | "EmailTo" if in_contact => inc
                    .contacts
                    .push(json!({ el.name.to_ascii_lowercase(): text })),
                _ => {}
            }
        }
        if !in_contact {
            match el.name.as_str() {
                "Address" | "DomainName" | "URL" | "EmailTo" => o.add(&text),
                "DigestValue" => {
                    let compact: String = text.split_whitespace().collect();
                    if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(compact) {
                        o.add(&hex(&raw));
                    }
                }
                _ => {}
            }
        }
        if el.name == "Incident"
            && let Some(inc) = cur.take()
        {
            check(&inc, incidents.len(), &mut reasons);
            incidents.push(inc);
        }
        if stack.is_empty() {
            break;
        }
    }
    if !seen_root {
        return Err(Error::Syntax("no root element".into()));
    }
    if incidents.is_empty() {
        reasons.push("no Incident".into());
    }
    if !reasons.is_empty() {
        return Err(Error::Invalid {
            format: "iodef",
            reasons,
        });
    }
    Ok(structured(&incidents, o))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn check(inc: &Incident, i: usize, reasons: &mut Vec<String>) {
    match &inc.id {
        Some((name, id)) if !name.trim().is_empty() && !id.is_empty() => {}
        Some(_) => reasons.push(format!("Incident {i}: IncidentID needs a name and a value")),
        None => reasons.push(format!("Incident {i}: IncidentID is missing")),
    }
    match &inc.generation_time {
        Some(t) if t.parse::<jiff::Timestamp>().is_ok() => {}
        Some(t) => reasons.push(format!(
            "Incident {i}: GenerationTime {t:?} is not a date-time"
        )),
        None => reasons.push(format!("Incident {i}: GenerationTime is missing")),
    }
    if inc.contact_elements == 0 {
        reasons.push(format!("Incident {i}: Contact is missing"));
    }
}

fn structured(incidents: &[Incident], o: Observables) -> Structured {
    let first = &incidents[0];
    let (issuer, id) = first.id.clone().unwrap_or_default();
    let mut summary = String::new();
    for inc in incidents {
        for d in &inc.descriptions {
            summary.push_str(d);
            summary.push('\n');
        }
        let (n, i) = inc.id.clone().unwrap_or_default();
        summary.push_str(&format!("incident_id: {n}#{i}\npurpose: {}\n", inc.purpose));
        if let Some(t) = inc.detect_time.as_ref().or(inc.start_time.as_ref()) {
            summary.push_str(&format!("detected: {t}\n"));
        }
        summary.push('\n');
    }
    if !o.0.is_empty() {
        summary.push_str("observables:\n");
        summary.push_str(&o.lines());
    }
    let details: Vec<Value> = incidents
        .iter()
        .map(|inc| {
            json!({
                "incident_id": inc.id.as_ref().map(|(n, i)| json!({"name": n, "id": i})),
                "purpose": inc.purpose,
                "status": inc.status,
                "restriction": inc.restriction,
                "generation_time": inc.generation_time,
                "detect_time": inc.detect_time,
                "start_time": inc.start_time,
                "report_time": inc.report_time,
                "descriptions": inc.descriptions,
                "contacts": inc.contacts,
            })
        })
        .collect();
    let title = first
        .descriptions
        .first()
        .map(|d| {
            d.lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(120)
                .collect::<String>()
        })
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| format!("{issuer}#{id}"));
    Structured {
        format: "iodef",
        title: format!("IODEF {}: {title}", first.purpose),
        summary,
        reporter: Some(issuer),
        occurred_at: first
            .detect_time
            .clone()
            .or(first.start_time.clone())
            .or(first.generation_time.clone()),
        classification: Some(first.purpose.clone()),
        rsit: None,
        observables: o.0,
        details: json!({"incidents": details}),
    }
}

#[cfg(test)]
mod tests;
