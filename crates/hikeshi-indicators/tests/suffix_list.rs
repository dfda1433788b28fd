//! A public suffix list given at run time replaces the compiled-in one (its own test binary:
//! the list is process-wide).

use hikeshi_indicators::{Kind, extract, use_suffix_list};

fn domains(text: &str) -> Vec<String> {
    extract(text)
        .into_iter()
        .filter(|i| i.kind == Kind::Domain)
        .map(|i| i.value)
        .collect()
}

#[test]
fn a_newer_list_is_used_instead_of_the_bundled_one() {
    let text = "C2 は evil.hikeshitest と evil.example.jp です";
    // Bundled list: the made-up TLD is no domain.
    assert_eq!(domains(text), vec!["evil.example.jp".to_string()]);

    // Not a suffix list: refused, and the bundled one stays.
    let e = use_suffix_list(b"hello\nworld\n").expect_err("not a list");
    assert!(e.contains("not a public suffix list"), "{e}");
    assert_eq!(domains(text), vec!["evil.example.jp".to_string()]);

    // A list with a new TLD (and the usual ones).
    let dat = "// ===BEGIN ICANN DOMAINS===\ncom\njp\nhikeshitest\n// ===END ICANN DOMAINS===\n";
    use_suffix_list(dat.as_bytes()).expect("list");
    assert_eq!(
        domains(text),
        vec![
            "evil.hikeshitest".to_string(),
            "evil.example.jp".to_string()
        ]
    );
    // Once per process.
    assert!(use_suffix_list(dat.as_bytes()).is_err());
}
