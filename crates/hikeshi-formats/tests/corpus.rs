//! The public samples under `shared/corpus/` are accepted or refused as their folders say:
//! abusix-xarf `samples/positive/**` accepted and `samples/negative/**` refused; xarf-spec
//! `samples/v4/*` accepted (and `samples/v3/*` as migration input); stalwart ARF messages
//! parsed with the fields their `.json` files give.

use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        here.join("../../../shared/corpus"),
        here.join("../../shared/corpus"),
        PathBuf::from("/work/shared/corpus"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p, ext));
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn xarf_samples_are_accepted_or_refused_as_their_folders_say() {
    let Some(c) = corpus() else {
        eprintln!("skipped: corpus not found");
        return;
    };
    let mut failures = Vec::new();
    let mut counts = [0usize; 4];
    let cases = [
        ("abusix-xarf/samples/positive", true, 0),
        ("abusix-xarf/samples/negative", false, 1),
        ("xarf-spec/samples/v4", true, 2),
        ("xarf-spec/samples/v3", true, 3),
    ];
    for (dir, accept, slot) in cases {
        for f in files(&c.join(dir), "json") {
            let bytes = std::fs::read(&f).expect("read sample");
            let got = hikeshi_formats::xarf::parse(&bytes);
            counts[slot] += 1;
            match (&got, accept) {
                (Ok(r), true) => {
                    if r.observables.is_empty() && !dir.contains("negative") {
                        failures.push(format!("{}: accepted without observables", f.display()));
                    }
                }
                (Err(_), false) => {}
                (Ok(_), false) => failures.push(format!("{}: accepted", f.display())),
                (Err(e), true) => failures.push(format!("{}: refused: {e}", f.display())),
            }
        }
    }
    eprintln!(
        "abusix positive {}, negative {}, xarf-spec v4 {}, v3 {}",
        counts[0], counts[1], counts[2], counts[3]
    );
    assert_eq!(counts, [102, 206, 32, 4], "corpus sizes as documented");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The stalwart `.json` spells enums in CamelCase (`AuthFailure`, `BodyHash`); ARF writes
/// them in lower case with hyphens (`auth-failure`, `bodyhash`).
fn arf_enum(v: &serde_json::Value) -> Option<String> {
    let s = v.as_str()?;
    if s == "Unspecified" {
        return None;
    }
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && s != "BodyHash" {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    Some(out)
}

#[test]
fn arf_samples_parse_with_their_expected_fields() {
    let Some(c) = corpus() else {
        eprintln!("skipped: corpus not found");
        return;
    };
    let dir = c.join("stalwart-mail-auth-arf/resources/arf");
    let emls = files(&dir, "eml");
    assert_eq!(emls.len(), 5, "corpus size as documented");
    for eml in emls {
        let raw = std::fs::read(&eml).expect("read eml");
        let want: serde_json::Value = serde_json::from_slice(
            &std::fs::read(eml.with_extension("json")).expect("read expected json"),
        )
        .expect("expected json");
        let s = hikeshi_formats::from_mail(&raw)
            .unwrap_or_else(|| panic!("{}: not recognised as ARF", eml.display()))
            .unwrap_or_else(|e| panic!("{}: refused: {e}", eml.display()));
        assert_eq!(s.format, "arf");
        let d = &s.details;
        let name = eml.display();
        assert_eq!(
            d["feedback_type"].as_str().map(str::to_string),
            arf_enum(&want["feedback_type"]),
            "{name}"
        );
        assert_eq!(
            d["auth_failure"].as_str().map(str::to_string),
            arf_enum(&want["auth_failure"]),
            "{name}"
        );
        assert_eq!(d["source_ip"], want["source_ip"], "{name}");
        assert_eq!(d["reported_domain"], want["reported_domain"], "{name}");
        assert_eq!(d["reported_uri"], want["reported_uri"], "{name}");
        assert_eq!(d["user_agent"], want["user_agent"], "{name}");
        assert_eq!(
            d["version"].as_str(),
            want["version"].as_u64().map(|v| v.to_string()).as_deref(),
            "{name}"
        );
        assert_eq!(d["dkim_domain"], want["dkim_domain"], "{name}");
        assert_eq!(
            d["original_envelope_id"], want["original_envelope_id"],
            "{name}"
        );
        assert_eq!(
            d["original_mail_from"], want["original_mail_from"],
            "{name}"
        );
        // The source IP and reported domains are typed observables (names under reserved
        // TLDs such as `.example` are no domains to extraction, so not to us either).
        for v in want["reported_domain"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v.as_str().and_then(hikeshi_indicators::normalize).is_some())
        {
            assert!(
                s.observables
                    .iter()
                    .any(|o| o.kind == "domain" && Some(o.value.as_str()) == v.as_str()),
                "{name}: {v}"
            );
        }
        if let Some(ip) = want["source_ip"].as_str() {
            assert!(
                s.observables
                    .iter()
                    .any(|o| o.kind == "ipv4" && o.value == ip),
                "{name}: {ip}"
            );
            assert!(s.summary.contains(ip));
        }
    }
}
