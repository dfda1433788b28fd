//! Long and adversarial inputs: extraction must stay linear and keep positions exact.

use std::time::{Duration, Instant};

use hikeshi_indicators::extract;

/// Each input is ~400 KB in one token; a quadratic path would take minutes.
#[test]
fn adversarial_long_tokens_finish_quickly() {
    let inputs = [
        "http:///".repeat(50_000),
        "http://x".repeat(50_000),
        "a.".repeat(200_000),
        "a@".repeat(200_000),
        "1.".repeat(200_000),
        "1:".repeat(200_000),
        "[.]".repeat(130_000),
        "f".repeat(400_000),
        "CVE-".repeat(100_000),
        "AS1-".repeat(100_000),
        format!("http://example.com/{}", "(".repeat(400_000)),
    ];
    for input in &inputs {
        let t = Instant::now();
        let items = extract(input);
        let took = t.elapsed();
        assert!(
            took < Duration::from_secs(20),
            "{took:?} for {:?}…",
            &input[..16]
        );
        assert!(items.len() <= input.len());
    }
}

#[test]
fn positions_survive_a_long_japanese_prefix() {
    let prefix = "不正アクセス。".repeat(10_000);
    let text = format!("{prefix}送信元：１９８．５１．１００．７");
    let items = extract(&text);
    let start = prefix.chars().count() + 4;
    assert_eq!(items.len(), 1);
    assert_eq!((items[0].start, items[0].end), (start, start + 12));
    let cut: String = text.chars().skip(start).take(12).collect();
    assert_eq!(cut, "１９８．５１．１００．７");
}
