//! IPv4, IPv6 and CIDR detectors.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::scan::{Scan, is_word};
use crate::{Kind, context};

/// Parses a dotted quad, accepting leading zeros as decimal (`010` is 10).
pub(crate) fn parse_v4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

/// Reads `/N` at `at` with `N <= max`; returns (N, end). Rejects `N` glued to a word or
/// followed by `.digit`.
fn prefix_len(b: &[u8], at: usize, max: u32) -> Option<(u32, usize)> {
    if b.get(at) != Some(&b'/') {
        return None;
    }
    let mut e = at + 1;
    while e < b.len() && b[e].is_ascii_digit() && e - at <= 3 {
        e += 1;
    }
    let digits = std::str::from_utf8(b.get(at + 1..e)?).ok()?;
    if digits.is_empty() || b.get(e).is_some_and(|&c| is_word(c)) {
        return None;
    }
    if b.get(e) == Some(&b'.') && b.get(e + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    (n <= max).then_some((n, e))
}

/// IPv4 addresses and IPv4 CIDR blocks.
pub(crate) fn find_v4(sc: &mut Scan<'_>) {
    let b = sc.t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !(b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        v4_run(sc, run_start, i);
    }
}

fn v4_run(sc: &mut Scan<'_>, s: usize, e: usize) {
    let b = sc.t.as_bytes();
    // A dotted run glued to a word or starting with a dot (`v10.3.2.1`, `x.1.2.3.4`).
    if b[s] == b'.' || (s > 0 && is_word(b[s - 1])) {
        return;
    }
    let mut z = e;
    while z > s && b[z - 1] == b'.' {
        z -= 1;
    }
    let Some(addr) = parse_v4(&sc.t[s..z]) else {
        return;
    };
    match b.get(e) {
        // `1.2.3.4.example.com` or `1.2.3.4.5` (checked by parse) or `1.2.3.4x`.
        Some(&c) if is_word(c) => return,
        _ => {}
    }
    if sc.claimed(s, z) {
        return;
    }
    if !sc.lenient && context::is_version(&sc.t[..s], sc.orig_before()) {
        return;
    }
    if z == e
        && let Some((n, pe)) = prefix_len(b, e, 32)
        && !sc.claimed(s, pe)
    {
        sc.push(Kind::Cidr, format!("{addr}/{n}"), s, pe);
        sc.claim(s, pe);
        return;
    }
    sc.push(Kind::Ipv4, addr.to_string(), s, z);
    sc.claim(s, z);
}

fn is_v6_byte(c: u8) -> bool {
    c.is_ascii_hexdigit() || c == b':' || c == b'.'
}

/// IPv6 addresses (zone ids dropped) and IPv6 CIDR blocks.
pub(crate) fn find_v6(sc: &mut Scan<'_>) {
    let b = sc.t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !is_v6_byte(b[i]) {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < b.len() && is_v6_byte(b[i]) {
            i += 1;
        }
        if b[run_start..i].iter().filter(|&&c| c == b':').count() >= 2 {
            v6_run(sc, run_start, i);
        }
    }
}

fn v6_run(sc: &mut Scan<'_>, s: usize, e: usize) {
    let b = sc.t.as_bytes();
    let mut a = s;
    if a > 0 && is_word(b[a - 1]) {
        // Glued to a word: only a `label:` prefix may be skipped (`IPv6:2001:db8::1`),
        // never `::` (`Vec::new`, `std::fmt`).
        let Some(c) = sc.t[a..e].find(':') else {
            return;
        };
        if b.get(a + c + 1) == Some(&b':') {
            return;
        }
        a += c + 1;
    }
    if b.get(a) == Some(&b':') && b.get(a + 1) != Some(&b':') {
        a += 1;
    }
    let mut z = e;
    while z > a && b[z - 1] == b'.' {
        z -= 1;
    }
    if z >= a + 2 && b[z - 1] == b':' && b[z - 2] != b':' {
        z -= 1;
    }
    if z <= a {
        return;
    }
    let cand = &sc.t[a..z];
    if cand.bytes().filter(|&c| c == b':').count() < 2 {
        return;
    }
    let Ok(addr) = cand.parse::<Ipv6Addr>() else {
        return;
    };
    if addr.is_unspecified() {
        return;
    }
    let next = if z == e { b.get(e).copied() } else { None };
    let mut claim_end = z;
    match next {
        Some(b'%') => {
            claim_end = e + 1;
            while claim_end < b.len()
                && (is_word(b[claim_end]) || matches!(b[claim_end], b'.' | b'-'))
            {
                claim_end += 1;
            }
        }
        Some(b'/') => {
            if let Some((n, pe)) = prefix_len(b, e, 128) {
                if !sc.claimed(a, pe) {
                    sc.push(Kind::Cidr, format!("{addr}/{n}"), a, pe);
                    sc.claim(a, pe);
                }
                return;
            }
        }
        Some(c) if is_word(c) => return,
        _ => {}
    }
    if sc.claimed(a, claim_end) {
        return;
    }
    sc.push(Kind::Ipv6, addr.to_string(), a, z);
    sc.claim(a, claim_end);
}
