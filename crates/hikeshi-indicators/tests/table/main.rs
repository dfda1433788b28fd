//! Table-driven extraction tests. Every case goes through [`check`], which renders items
//! as `kind:value@start..end` (character offsets into the original input).

#![allow(clippy::unwrap_used)]

mod asn;
mod cidr;
mod cve;
mod defanged;
mod domain;
mod email;
mod hash;
mod ipv4;
mod ipv6;
mod japanese;
mod limits;
mod mixed;
mod normalize;
mod url;

use hikeshi_indicators::{Item, extract};

fn render(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| format!("{}:{}@{}..{}", i.kind.as_str(), i.value, i.start, i.end))
        .collect()
}

/// Asserts that `extract(input)` yields exactly `expected`, in order.
#[track_caller]
pub fn check(input: &str, expected: &[&str]) {
    let got = render(&extract(input));
    assert_eq!(got, expected, "input: {input:?}");
    // Positions must cut the original text at the indicator as written.
    let chars: Vec<char> = input.chars().collect();
    for item in extract(input) {
        assert!(
            item.start < item.end && item.end <= chars.len(),
            "{item:?} in {input:?}"
        );
    }
}
