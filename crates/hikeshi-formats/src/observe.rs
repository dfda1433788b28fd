//! Collecting typed observables from the values a document names.

use crate::Indicator;
use serde_json::Value;

/// A growing, duplicate-free list of observables.
#[derive(Debug, Default)]
pub(crate) struct Observables(pub Vec<Indicator>);

impl Observables {
    /// Adds `value` when it is exactly one indicator (normalised as extraction does).
    /// `hash` values may carry an `algo:` prefix (`sha256:…`).
    pub fn add(&mut self, value: &str) {
        let v = value.trim();
        let v = v
            .split_once(':')
            .filter(|(algo, _)| matches!(*algo, "md5" | "sha1" | "sha256" | "sha512"))
            .map(|(_, h)| h)
            .unwrap_or(v);
        if let Some((kind, value)) = hikeshi_indicators::normalize(v) {
            let i = Indicator {
                kind: kind.as_str().to_string(),
                value,
            };
            if !self.0.contains(&i) {
                self.0.push(i);
            }
        }
    }

    /// Adds every string leaf of `v` that is one indicator, skipping the subtrees whose key
    /// is in `skip` (the reporter's own contact data, evidence payloads).
    pub fn walk(&mut self, v: &Value, skip: &[&str]) {
        match v {
            Value::String(s) if s.len() <= 2048 => self.add(s),
            Value::Array(a) => a.iter().for_each(|x| self.walk(x, skip)),
            Value::Object(o) => {
                for (k, x) in o {
                    if !skip.contains(&k.as_str()) {
                        self.walk(x, skip);
                    }
                }
            }
            _ => {}
        }
    }

    /// The observables as lines of text (for the report body).
    pub fn lines(&self) -> String {
        self.0
            .iter()
            .map(|i| format!("- {}: {}\n", i.kind, i.value))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_typed_observables() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("192.0.2.1", Some(("ipv4", "192.0.2.1"))),
            ("Example.COM", Some(("domain", "example.com"))),
            (
                "http://example.net/a",
                Some(("url", "http://example.net/a")),
            ),
            (
                "sha256:4586a6802ae021fbda3f5a8923109d6c4469a0c36d2f46e3face6c297b1f24e8",
                Some((
                    "sha256",
                    "4586a6802ae021fbda3f5a8923109d6c4469a0c36d2f46e3face6c297b1f24e8",
                )),
            ),
            ("abuse@example.com", Some(("email", "abuse@example.com"))),
            ("syn_flood", None),
            ("2025-01-11T09:21:23Z", None),
            ("tcp", None),
        ];
        for (input, want) in cases {
            let mut o = Observables::default();
            o.add(input);
            let got = o.0.first().map(|i| (i.kind.as_str(), i.value.as_str()));
            assert_eq!(got, *want, "{input}");
        }
    }

    #[test]
    fn walk_skips_named_subtrees_and_duplicates() {
        let v = serde_json::json!({
            "reporter": {"domain": "reporter.example.com"},
            "source_identifier": "192.0.2.1",
            "x": ["192.0.2.1", {"url": "http://example.net/"}]
        });
        let mut o = Observables::default();
        o.walk(&v, &["reporter"]);
        let got: Vec<&str> = o.0.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(got, vec!["192.0.2.1", "http://example.net/"]);
    }
}
