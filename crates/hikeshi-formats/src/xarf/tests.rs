use super::*;

const V4_DDOS: &str = r#"{"xarf_version": "4.2.0", "report_id": "9ac39cd1-85f3-4c31-ae87-a0a95f3ebc83",
  "timestamp": "2025-01-11T09:21:23Z",
  "reporter": {"org": "R", "contact": "ddos@monitor.example.com", "domain": "monitor.example.com"},
  "sender": {"org": "R", "contact": "ddos@monitor.example.com", "domain": "monitor.example.com"},
  "source_identifier": "192.0.2.155", "source_port": 1, "category": "connection", "type": "ddos",
  "evidence_source": "flow_analysis", "destination_ip": "203.0.113.100", "destination_port": 80,
  "protocol": "tcp", "attack_vector": "syn_flood", "peak_pps": 250000,
  "first_seen": "2025-01-11T08:45:00Z"}"#;

fn with(base: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(base).expect("fixture");
    edit(&mut v);
    v.to_string()
}

#[test]
fn v4_accepts_and_maps() {
    let r = parse(V4_DDOS.as_bytes()).expect("valid");
    assert_eq!(r.classification.as_deref(), Some("connection/ddos"));
    assert_eq!(r.rsit.as_deref(), Some("availability/ddos"));
    assert_eq!(r.occurred_at.as_deref(), Some("2025-01-11T09:21:23Z"));
    let obs: Vec<(&str, &str)> = r
        .observables
        .iter()
        .map(|i| (i.kind.as_str(), i.value.as_str()))
        .collect();
    assert_eq!(
        obs,
        vec![("ipv4", "192.0.2.155"), ("ipv4", "203.0.113.100")]
    );
    assert!(r.summary.contains("192.0.2.155"));
    assert!(
        !obs.iter().any(|(_, v)| v.contains("monitor")),
        "reporter data is not an observable"
    );
}

#[test]
fn v4_refusals() {
    let cases: Vec<(&str, String)> = vec![
        (
            "missing reporter",
            with(V4_DDOS, |v| {
                v.as_object_mut().map(|o| o.remove("reporter"));
            }),
        ),
        (
            "bad version",
            with(V4_DDOS, |v| v["xarf_version"] = "5.0.0".into()),
        ),
        (
            "bad timestamp",
            with(V4_DDOS, |v| v["timestamp"] = "yesterday".into()),
        ),
        (
            "unknown category",
            with(V4_DDOS, |v| v["category"] = "weather".into()),
        ),
        (
            "type of another category",
            with(V4_DDOS, |v| v["type"] = "phishing".into()),
        ),
        (
            "port out of range",
            with(V4_DDOS, |v| v["source_port"] = 70000.into()),
        ),
        ("not an object", "[1, 2]".into()),
        ("no version at all", r#"{"hello": "world"}"#.into()),
    ];
    for (name, doc) in cases {
        assert!(
            matches!(parse(doc.as_bytes()), Err(Error::Invalid { .. })),
            "{name} must be refused"
        );
    }
    assert!(matches!(parse(b"{not json"), Err(Error::Syntax(_))));
    assert!(matches!(parse(b""), Err(Error::Syntax(_))));
}

#[test]
fn rsit_mapping() {
    let cases = [
        (
            "connection",
            "login_attack",
            Some("intrusion-attempts/brute-force"),
        ),
        ("content", "phishing", Some("fraud/phishing")),
        ("messaging", "bulk_messaging", Some("abusive-content/spam")),
        (
            "Activity",
            "PortScan",
            Some("information-gathering/scanner"),
        ),
        ("Content", "Botnet", Some("malicious-code/c2-server")),
        ("vulnerability", "cve", Some("vulnerable/vulnerable-system")),
        ("weather", "rain", None),
    ];
    for (c, k, want) in cases {
        assert_eq!(rsit_for(c, k), want, "{c}/{k}");
    }
}
