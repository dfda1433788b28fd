//! `parse` never panics: arbitrary bytes, mutated real messages, and
//! pathological nesting.

use std::time::{Duration, Instant};

use hikeshi_mail::{html_to_text, parse};
use proptest::prelude::*;

/// Small real-looking messages to mutate (the corpus is used as well when present).
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = vec![
        b"From: a@b\r\nSubject: =?ISO-2022-JP?B?GyRCJCIbKEI=?= x\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: base64\r\n\r\nh0CHioFg\r\n--q\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--q--\r\n".to_vec(),
        b"Subject: html\r\nContent-Type: text/html; charset=cp932\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>a=87=40</p><script>x</script>&amp;\r\n".to_vec(),
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--r\r\n".to_vec(),
    ];
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/stalwart-mail-parser/resources/eml/malformed");
    if let Ok(entries) = std::fs::read_dir(corpus) {
        for e in entries.flatten() {
            if let Ok(raw) = std::fs::read(e.path())
                && raw.len() < 20_000
            {
                seeds.push(raw);
            }
        }
    }
    seeds
}

const TOKENS: &[&[u8]] = &[
    b"\r\n\r\n",
    b"\n",
    b"--q",
    b"--q--",
    b"=?",
    b"?=",
    b"=?UTF-8?B?",
    b"=?ISO-2022-JP?Q?",
    b"\x1b$B",
    b"\x1b(B",
    b"Content-Type: message/rfc822\r\n\r\n",
    b"Content-Type: multipart/mixed; boundary=q\r\n\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"charset=\"",
    b"<",
    b"&#x",
    b"\xff\x87\x40",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, usize),
    Truncate(usize),
    Delete(usize, usize),
}

fn apply(mut raw: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = raw.len().max(1);
        match *m {
            Mutation::Flip(at, b) => {
                if let Some(x) = raw.get_mut(at % len) {
                    *x ^= b;
                }
            }
            Mutation::Insert(at, tok) => {
                let at = (at % len).min(raw.len());
                let tok = TOKENS[tok % TOKENS.len()];
                raw.splice(at..at, tok.iter().copied());
            }
            Mutation::Truncate(at) => raw.truncate(at % len),
            Mutation::Delete(at, n) => {
                let at = (at % len).min(raw.len());
                let end = (at + n).min(raw.len());
                raw.drain(at..end);
            }
        }
    }
    raw
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(a, b)| Mutation::Flip(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0usize..64).prop_map(|(a, n)| Mutation::Delete(a, n)),
    ]
}

fn assert_sane(raw: &[u8]) {
    let m = parse(raw);
    assert!(
        !m.malformed.iter().any(|n| n.contains("parser failed")),
        "mail-parser panicked on {raw:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES=50000 for a longer run.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1500),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
        assert_sane(&raw);
    }

    #[test]
    fn mutated_messages_never_panic(
        seed in any::<usize>(),
        muts in proptest::collection::vec(mutation(), 1..12),
    ) {
        let seeds = seeds();
        let raw = apply(seeds[seed % seeds.len()].clone(), &muts);
        assert_sane(&raw);
    }

    #[test]
    fn html_to_text_never_panics(s in ".{0,400}") {
        let _ = html_to_text(&s);
    }
}

fn timed(name: &str, raw: &[u8]) {
    let start = Instant::now();
    let m = parse(raw);
    let took = start.elapsed();
    println!(
        "{name}: {} bytes in {took:?}, {} notes",
        raw.len(),
        m.malformed.len()
    );
    assert!(took < Duration::from_secs(10), "{name} took {took:?}");
    assert!(m.malformed.len() <= 51, "{name}: notes are capped");
}

#[test]
fn pathological_nesting_is_bounded() {
    let depth: usize = std::env::var("HIKESHI_NEST_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(20_000);
    let mut nested_msgs = Vec::new();
    for _ in 0..depth {
        nested_msgs.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    nested_msgs.extend_from_slice(b"Subject: bottom\r\n\r\nhello\r\n");
    timed("nested message/rfc822", &nested_msgs);

    let mut nested_parts = Vec::new();
    for i in 0..depth {
        nested_parts.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n").as_bytes(),
        );
    }
    nested_parts.extend_from_slice(b"\r\nleaf\r\n");
    timed("nested multipart", &nested_parts);

    let words: String = (0..20_000).map(|_| "=?UTF-8?B?44GC?= ").collect();
    timed(
        "many encoded words",
        format!("Subject: {words}\r\n\r\nx").as_bytes(),
    );
    let addrs: String = (0..20_000)
        .map(|i| format!("=?UTF-8?B?44GC?= <a{i}@b>, "))
        .collect();
    timed("huge To header", format!("To: {addrs}\r\n\r\nx").as_bytes());
    let html = format!(
        "Content-Type: text/html\r\n\r\n{}",
        "<div><a href=x:y>".repeat(50_000)
    );
    timed("deep html", html.as_bytes());
}
