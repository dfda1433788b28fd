//! Fixed-shape indicators: hashes, CVE ids and AS numbers.

use crate::Kind;
use crate::scan::{Scan, is_word};

/// Hex digests of 32/40/64/128 digits that are a whole hex run, not glued to a word, and
/// contain at least one digit and one letter.
pub(crate) fn find_hashes(sc: &mut Scan<'_>) {
    let b = sc.t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_hexdigit() {
            i += 1;
            continue;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            i += 1;
        }
        let Some(kind) = Kind::hash_of_len(i - s) else {
            continue;
        };
        let glued = (s > 0 && is_word(b[s - 1])) || b.get(i).is_some_and(|&c| is_word(c));
        let run = &b[s..i];
        let mixed = run.iter().any(u8::is_ascii_digit) && run.iter().any(u8::is_ascii_alphabetic);
        if !glued && mixed && !sc.claimed(s, i) {
            sc.push(kind, sc.t[s..i].to_ascii_lowercase(), s, i);
            sc.claim(s, i);
        }
    }
}

fn digits_at(b: &[u8], at: usize) -> usize {
    b.get(at..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// `CVE-YYYY-NNNN...` (any case), year from 1999.
pub(crate) fn find_cves(sc: &mut Scan<'_>) {
    let b = sc.t.as_bytes();
    for i in 0..b.len() {
        let Some(head) = b.get(i..i + 4) else {
            break;
        };
        if !head.eq_ignore_ascii_case(b"cve-") || (i > 0 && is_word(b[i - 1])) {
            continue;
        }
        if digits_at(b, i + 4) != 4 || b.get(i + 8) != Some(&b'-') {
            continue;
        }
        let n = digits_at(b, i + 9);
        let e = i + 9 + n;
        let year: u32 = sc.t[i + 4..i + 8].parse().unwrap_or(0);
        if !(4..=10).contains(&n) || year < 1999 || b.get(e).is_some_and(|&c| is_word(c)) {
            continue;
        }
        if !sc.claimed(i, e) {
            sc.push(Kind::Cve, sc.t[i..e].to_ascii_uppercase(), i, e);
            sc.claim(i, e);
        }
    }
}

/// Parses an AS number (1..=4294967295, leading zeros allowed) into `AS<n>`.
fn asn_value(digits: &str) -> Option<String> {
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    (1..=u64::from(u32::MAX))
        .contains(&n)
        .then(|| format!("AS{n}"))
}

/// `AS64500`, `ASN64500`, `ASN:64500`, `AS-64500` glued in one token (any case).
pub(crate) fn find_asns(sc: &mut Scan<'_>) {
    let b = sc.t.as_bytes();
    for i in 0..b.len() {
        let Some(head) = b.get(i..i + 2) else {
            break;
        };
        if !head.eq_ignore_ascii_case(b"as") || (i > 0 && is_word(b[i - 1])) {
            continue;
        }
        let mut j = i + 2;
        if b.get(j).is_some_and(|c| c.eq_ignore_ascii_case(&b'n')) {
            j += 1;
        }
        if matches!(b.get(j), Some(b':' | b'-')) {
            j += 1;
        }
        let n = digits_at(b, j);
        let e = j + n;
        if b.get(e).is_some_and(|&c| is_word(c))
            || (b.get(e) == Some(&b'.') && b.get(e + 1).is_some_and(u8::is_ascii_digit))
        {
            continue;
        }
        if let Some(v) = asn_value(&sc.t[j..e])
            && !sc.claimed(i, e)
        {
            sc.push(Kind::Asn, v, i, e);
            sc.claim(i, e);
        }
    }
}

/// A token that announces an AS number in the next token: `ASN`, `asn:` or `AS`
/// (upper case only, since "as" is an English word), maybe after `(` or `[`.
/// Returns the byte offset of the word in the token.
pub(crate) fn as_word_at(t: &str) -> Option<usize> {
    let w = t.trim_start_matches(['(', '[']);
    let at = t.len() - w.len();
    let w = w.strip_suffix(':').unwrap_or(w);
    (w.eq_ignore_ascii_case("asn") || w == "AS").then_some(at)
}

/// The token after an `ASN` word: digits, then optional closing punctuation.
/// Returns the value and the byte end of the digits.
pub(crate) fn asn_number_token(t: &str) -> Option<(String, usize)> {
    let digits = t.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((asn_value(digits)?, digits.len()))
}
