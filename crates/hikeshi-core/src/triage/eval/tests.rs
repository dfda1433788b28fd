use super::*;
use crate::model::Constituency;
use crate::triage::{RuleSet, validate};
use serde_json::json;

fn constituency(slug: &str, net: &str) -> Constituency {
    let t = jiff::Timestamp::UNIX_EPOCH;
    Constituency {
        id: ConstituencyId::new(slug.len() as u64 * 1000),
        slug: slug.into(),
        name: slug.into(),
        parent: None,
        netblocks: vec![net.parse().expect("cidr")],
        domains: vec![],
        email_domains: vec![],
        default_lang: crate::model::Lang::Ja,
        contacts: vec![],
        created_at: t,
        updated_at: t,
        version: 1,
    }
}

fn compile(v: serde_json::Value) -> (Compiled, Vec<Constituency>) {
    let set: RuleSet = serde_json::from_value(v).expect("rule set");
    let cs = vec![
        constituency("acme", "192.0.2.0/24"),
        constituency("beta-corp", "198.51.100.0/24"),
    ];
    validate(&set, &|kind, v| {
        kind != "constituency" || cs.iter().any(|c| c.slug == v)
    })
    .expect("valid");
    let routing = Arc::new(RoutingTable::build(&cs));
    let cs2 = cs.clone();
    let c = Compiled::new(set, routing, &move |s| {
        cs2.iter().find(|c| c.slug == s).map(|c| c.id)
    });
    (c, cs)
}

fn facts(subject: &str, content: &str) -> Facts {
    let mut observables: Vec<(Kind, String)> = hikeshi_indicators::extract(content)
        .into_iter()
        .map(|i| (i.kind, i.value))
        .collect();
    observables.sort();
    Facts {
        subject: subject.into(),
        content: content.into(),
        channel: Channel::Email,
        reporter_type: ReporterType::Other,
        tlp: Tlp::Amber,
        constituency: None,
        observables,
    }
}

/// (subject, content, expected matched rule ids)
fn check(rules: serde_json::Value, cases: &[(&str, &str, &[&str])]) -> Compiled {
    let (c, _) = compile(rules);
    for (subject, content, want) in cases {
        let got = c.evaluate(&facts(subject, content)).matched;
        assert_eq!(&got, want, "subject {subject:?} content {content:?}");
    }
    c
}

#[test]
fn keywords_any_all_none_case_insensitive_and_japanese() {
    check(
        json!({"rules": [
            {"id": "phish", "when": {"keywords_any": ["Phishing", "フィッシング"]}},
            {"id": "both", "when": {"keywords_all": ["bank", "login"], "keywords_none": ["test"]}}
        ]}),
        &[
            ("PHISHING site", "", &["phish"]),
            ("報告", "フィッシングサイトを発見", &["phish"]),
            ("bank", "please LOGIN", &["both"]),
            ("bank login", "this is a test", &[]),
            ("nothing", "here", &[]),
        ],
    );
}

#[test]
fn observables_ip_in_constituency_and_watchlist() {
    check(
        json!({
            "watchlists": {"brands": ["example-bank.jp"]},
            "rules": [
                {"id": "acme-ip", "when": {"ip_in_constituency": "acme"}},
                {"id": "any-ip", "when": {"ip_in_constituency": "*"}},
                {"id": "brand", "when": {"domain_on_watchlist": "brands"}},
                {"id": "cve", "when": {"observable_kind": ["cve"]}}
            ]
        }),
        &[
            ("scan", "from 192.0.2[.]10", &["acme-ip", "any-ip"]),
            ("scan", "from 198.51.100.7", &["any-ip"]),
            ("scan", "from 203.0.113.9", &[]),
            ("fake", "hxxps://login.example-bank[.]jp/x", &["brand"]),
            ("fake", "mail from a@example-bank.jp", &["brand"]),
            ("fake", "visit example-bank.jp.evil.com now", &[]),
            ("fake", "notexample-bank.jp", &[]),
            ("vuln", "CVE-2024-3400 exploited", &["cve"]),
        ],
    );
}

#[test]
fn first_rule_wins_for_scalars_tags_accumulate_stop_halts() {
    let (c, _) = compile(json!({"rules": [
        {"id": "a", "when": {"keywords_any": ["ransom"]}, "then": {"severity": "critical", "tags": ["r"], "impact": "high"}},
        {"id": "b", "when": {"keywords_any": ["ransom"]}, "then": {"severity": "low", "tags": ["s"], "urgency": "high", "queue": "ir"}, "stop": true},
        {"id": "c", "then": {"tags": ["never"]}}
    ]}));
    let o = c.evaluate(&facts("ransomware", ""));
    assert_eq!(o.matched, vec!["a", "b"]);
    assert_eq!(o.severity, Some(Severity::Critical));
    assert_eq!(o.tags, vec!["r", "s", "queue:ir"]);
    assert_eq!((o.priority, o.priority_from.as_str()), (1, "matrix"));
    let o = c.evaluate(&facts("hello", ""));
    assert_eq!(o.matched, vec!["c"]);
    assert_eq!(
        (o.priority, o.impact, o.urgency),
        (3, Level::Medium, Level::Medium)
    );
}

#[test]
fn classification_set_by_earlier_rule_and_custom_matrix() {
    let (c, _) = compile(json!({
        "matrix": {"high": [1, 1, 2], "medium": [2, 2, 3], "low": [3, 4, 5]},
        "rules": [
            {"id": "cls", "when": {"keywords_any": ["phish"]}, "then": {"classification": "fraud/phishing"}},
            {"id": "fraud", "when": {"classification": ["fraud"]}, "then": {"impact": "high", "urgency": "medium"}},
            {"id": "disabled", "enabled": false, "then": {"priority": 5}}
        ]
    }));
    let o = c.evaluate(&facts("phish", ""));
    assert_eq!(o.matched, vec!["cls", "fraud"]);
    assert_eq!(o.priority, 1);
    assert_eq!(c.evaluate(&facts("x", "")).matched, Vec::<String>::new());
}

#[test]
fn channel_reporter_type_tlp_constituency() {
    let (c, cs) = compile(json!({"rules": [
        {"id": "web", "when": {"channel": ["web"]}},
        {"id": "csirt-red", "when": {"reporter_type": ["csirt"], "tlp": ["red"]}},
        {"id": "acme", "when": {"constituency": ["acme"]}},
        {"id": "unrouted", "when": {"constituency": ["none"]}}
    ]}));
    let mut f = facts("x", "");
    assert_eq!(c.evaluate(&f).matched, vec!["unrouted"]);
    f.channel = Channel::Web;
    f.reporter_type = ReporterType::Csirt;
    f.tlp = Tlp::Red;
    f.constituency = Some(cs[0].id);
    assert_eq!(c.evaluate(&f).matched, vec!["web", "csirt-red", "acme"]);
}

#[test]
fn validation_names_the_field() {
    let bad = [
        (json!({"rules": [{"id": "a"}, {"id": "a"}]}), "rules[1].id"),
        (
            json!({"rules": [{"id": "a", "then": {"priority": 9}}]}),
            "rules[0].then.priority",
        ),
        (
            json!({"rules": [{"id": "a", "when": {"constituency": ["nope"]}}]}),
            "rules[0].when.constituency",
        ),
        (
            json!({"rules": [{"id": "a", "when": {"domain_on_watchlist": "x"}}]}),
            "rules[0].when.domain_on_watchlist",
        ),
        (
            json!({"rules": [{"id": "a", "when": {"observable_kind": ["bogus"]}}]}),
            "rules[0].when.observable_kind",
        ),
        (
            json!({"rules": [{"id": "a", "then": {"classification": "nope"}}]}),
            "rules[0].then.classification",
        ),
        (
            json!({"matrix": {"high": [0, 1, 1], "medium": [1, 1, 1], "low": [1, 1, 1]}}),
            "matrix[0]",
        ),
        (
            json!({"watchlists": {"w": ["not a domain"]}}),
            "watchlists.w",
        ),
    ];
    for (v, field) in bad {
        let set: RuleSet = serde_json::from_value(v).expect("parses");
        match validate(&set, &|k, v| k != "constituency" || v == "acme") {
            Err(crate::Error::Validation { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
}
