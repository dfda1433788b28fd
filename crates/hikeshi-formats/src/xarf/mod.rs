//! X-ARF JSON: v4 (xarf-spec) and the abusix versions, validated against their bundled
//! schemas with format assertion on (ipv4, ipv6, date-time, hostname, email, uri).

mod schemas;

use crate::observe::Observables;
use crate::{Error, Structured};
use jsonschema::Validator;
use serde_json::Value;
use std::sync::LazyLock;

/// Largest X-ARF document accepted (bytes).
pub const MAX_DOCUMENT: usize = 5 * 1024 * 1024;

/// Resolves `$ref`s to the bundled schemas only; nothing is ever fetched.
struct Bundled;

impl jsonschema::Retrieve for Bundled {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let s = uri.as_str();
        for (base, list) in [
            (schemas::V4_BASE, schemas::V4),
            (schemas::ABUSIX_BASE, schemas::ABUSIX),
        ] {
            if let Some(rest) = s.strip_prefix(base)
                && let Some((_, text)) = list.iter().find(|(p, _)| *p == rest)
            {
                return Ok(serde_json::from_str(text)?);
            }
        }
        Err(format!("schema {s} is not bundled").into())
    }
}

fn build(list: &[(&str, &str)], root: &str) -> Result<Validator, String> {
    let text = list
        .iter()
        .find(|(p, _)| *p == root)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("schema {root} is not bundled"))?;
    let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    jsonschema::options()
        .with_retriever(Bundled)
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| e.to_string())
}

static V4: LazyLock<Result<Validator, String>> =
    LazyLock::new(|| build(schemas::V4, "xarf-v4-master.json"));
static ABUSIX: LazyLock<Result<Validator, String>> =
    LazyLock::new(|| build(schemas::ABUSIX, "xarf.schema.json"));

fn validate(v: &LazyLock<Result<Validator, String>>, doc: &Value) -> Result<(), Error> {
    let validator = v
        .as_ref()
        .map_err(|e| Error::invalid("xarf", format!("schema unusable: {e}")))?;
    let reasons: Vec<String> = validator
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{}: {}", e.instance_path(), e))
        .collect();
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid {
            format: "xarf",
            reasons,
        })
    }
}

/// True when `doc` looks like an X-ARF document of any version (worth validating).
pub fn looks_like(doc: &Value) -> bool {
    doc.get("xarf_version").is_some()
        || (doc.get("Version").is_some()
            && (doc.get("Report").is_some() || doc.get("ReporterInfo").is_some()))
}

/// Parses and validates one X-ARF JSON document.
pub fn parse(bytes: &[u8]) -> Result<Structured, Error> {
    if bytes.len() > MAX_DOCUMENT {
        return Err(Error::Syntax(format!("larger than {MAX_DOCUMENT} bytes")));
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| Error::Syntax(e.to_string()))?;
    if !doc.is_object() {
        return Err(Error::invalid("xarf", "not a JSON object"));
    }
    if doc.get("xarf_version").is_some() {
        validate(&V4, &doc)?;
        return Ok(v4(doc));
    }
    if doc.get("Version").and_then(Value::as_str) == Some("3.0.0") {
        return legacy_v3(doc);
    }
    // Everything else is held to the abusix super-schema (its `alpha` version has no
    // `Version` field).
    validate(&ABUSIX, &doc)?;
    Ok(abusix(doc))
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

/// A suggested RSIT `class/type` for an X-ARF category and type (our mapping, from
/// `domain/formats.md`; editable data, not a standard).
pub fn rsit_for(category: &str, kind: &str) -> Option<&'static str> {
    let c = category.to_ascii_lowercase();
    let k = kind.to_ascii_lowercase().replace('_', "-");
    Some(match (c.as_str(), k.as_str()) {
        (_, "ddos" | "dos") => "availability/ddos",
        (_, "infected-host") => "malicious-code/infected-system",
        (_, "login-attack" | "loginattack") => "intrusion-attempts/brute-force",
        (_, "port-scan" | "portscan" | "reconnaissance" | "vulnerability-scan") => {
            "information-gathering/scanner"
        }
        (_, "sql-injection" | "exploit") => "intrusion-attempts/ids-alert",
        (_, "phishing") => "fraud/phishing",
        (_, "malware") => "malicious-code/malware-distribution",
        (_, "csam" | "csem" | "childabuse") => "abusive-content/violence",
        (_, "exposed-data") => "information-content-security/data-leak",
        ("copyright", _) | (_, "copyright") => "fraud/copyright",
        (_, "botnet") => "malicious-code/c2-server",
        (_, "compromised-server") => "intrusions/system-compromise",
        ("messaging", _) | (_, "spam") => "abusive-content/spam",
        (_, "open-service" | "openservice") => "vulnerable/potentially-unwanted-accessible",
        ("vulnerability", _) => "vulnerable/vulnerable-system",
        ("reputation", _) => "other/other",
        _ => return None,
    })
}

fn summary(lines: &[(&str, Option<String>)], description: Option<&str>, o: &Observables) -> String {
    let mut out = String::new();
    if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    for (k, v) in lines {
        if let Some(v) = v {
            out.push_str(&format!("{k}: {v}\n"));
        }
    }
    if !o.0.is_empty() {
        out.push_str("\nobservables:\n");
        out.push_str(&o.lines());
    }
    out
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn v4(doc: Value) -> Structured {
    let category = s(&doc, &["category"]).unwrap_or_default().to_string();
    let kind = s(&doc, &["type"]).unwrap_or_default().to_string();
    let source = s(&doc, &["source_identifier"])
        .unwrap_or_default()
        .to_string();
    let mut o = Observables::default();
    o.add(&source);
    o.walk(
        &doc,
        &[
            "reporter",
            "sender",
            "payload",
            "_internal",
            "report_id",
            "xarf_version",
        ],
    );
    let text = summary(
        &[
            ("category", Some(format!("{category}/{kind}"))),
            ("source", Some(source.clone())),
            ("source_port", scalar(doc.get("source_port"))),
            ("timestamp", scalar(doc.get("timestamp"))),
            ("reporter", scalar(doc.pointer("/reporter/org"))),
            ("contact", scalar(doc.pointer("/reporter/contact"))),
            ("report_id", scalar(doc.get("report_id"))),
        ],
        s(&doc, &["description"]),
        &o,
    );
    Structured {
        format: "xarf",
        title: format!("X-ARF {category}/{kind}: {source}"),
        summary: text,
        reporter: s(&doc, &["reporter", "contact"])
            .or(s(&doc, &["reporter", "org"]))
            .map(str::to_string),
        occurred_at: s(&doc, &["timestamp"]).map(str::to_string),
        rsit: rsit_for(&category, &kind).map(str::to_string),
        classification: Some(format!("{category}/{kind}")),
        observables: o.0,
        details: doc,
    }
}

fn abusix(doc: Value) -> Structured {
    let class = s(&doc, &["Report", "ReportClass"])
        .unwrap_or_default()
        .to_string();
    let kind = s(&doc, &["Report", "ReportType"])
        .unwrap_or_default()
        .to_string();
    let source = s(&doc, &["Report", "SourceIp"])
        .or(s(&doc, &["Report", "SourceUrl"]))
        .or(s(&doc, &["Report", "SourceHost"]))
        .unwrap_or_default()
        .to_string();
    legacy(doc, class, kind, source)
}

fn legacy(doc: Value, class: String, kind: String, source: String) -> Structured {
    let mut o = Observables::default();
    o.add(&source);
    o.walk(
        &doc,
        &[
            "ReporterInfo",
            "Payload",
            "Data",
            "InternalProcessing",
            "OnBehalfOf",
        ],
    );
    let version = scalar(doc.get("Version")).unwrap_or_default();
    let text = summary(
        &[
            ("class", Some(format!("{class}/{kind}"))),
            ("source", Some(source.clone())),
            ("date", scalar(doc.pointer("/Report/Date"))),
            ("reporter", scalar(doc.pointer("/ReporterInfo/ReporterOrg"))),
            (
                "contact",
                scalar(doc.pointer("/ReporterInfo/ReporterContactEmail")),
            ),
            ("version", Some(version)),
        ],
        s(&doc, &["Report", "Description"]),
        &o,
    );
    Structured {
        format: "xarf",
        title: format!("X-ARF {class}/{kind}: {source}"),
        summary: text,
        reporter: s(&doc, &["ReporterInfo", "ReporterOrgEmail"])
            .or(s(&doc, &["ReporterInfo", "ReporterOrg"]))
            .map(str::to_string),
        occurred_at: s(&doc, &["Report", "Date"]).map(str::to_string),
        rsit: rsit_for(&class, &kind).map(str::to_string),
        classification: Some(format!("{class}/{kind}")),
        observables: o.0,
        details: doc,
    }
}

/// xarf-spec's v3 samples (`"Version": "3.0.0"`, `Report.Source` as an object): migration
/// input. Upstream's v3 schema rejects them, so only the structure is checked.
fn legacy_v3(doc: Value) -> Result<Structured, Error> {
    let mut reasons = Vec::new();
    if !doc.get("ReporterInfo").is_some_and(Value::is_object) {
        reasons.push("/ReporterInfo: required object".to_string());
    }
    for f in ["ReportClass", "ReportType", "Date"] {
        if s(&doc, &["Report", f]).is_none_or(|v| v.trim().is_empty()) {
            reasons.push(format!("/Report/{f}: required string"));
        }
    }
    if let Some(d) = s(&doc, &["Report", "Date"])
        && d.parse::<jiff::Timestamp>().is_err()
    {
        reasons.push("/Report/Date: not an RFC 3339 date-time".into());
    }
    let source = s(&doc, &["Report", "Source", "IP"])
        .or(s(&doc, &["Report", "Source", "URL"]))
        .or(s(&doc, &["Report", "Source", "Value"]))
        .or(s(&doc, &["Report", "SourceIp"]));
    if source.is_none() {
        reasons.push("/Report/Source: no IP or URL".into());
    }
    if !reasons.is_empty() {
        return Err(Error::Invalid {
            format: "xarf",
            reasons,
        });
    }
    let class = s(&doc, &["Report", "ReportClass"])
        .unwrap_or_default()
        .to_string();
    let kind = s(&doc, &["Report", "ReportType"])
        .unwrap_or_default()
        .to_string();
    let source = source.unwrap_or_default().to_string();
    Ok(legacy(doc, class, kind, source))
}

#[cfg(test)]
mod tests;
