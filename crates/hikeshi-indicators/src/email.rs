//! E-mail addresses. An address also yields its domain.

use crate::scan::Scan;
use crate::{Kind, domain};

fn is_local(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')
}

/// Finds `local@domain` in the token; the domain must pass the public suffix check.
pub(crate) fn find(sc: &mut Scan<'_>) {
    let t = sc.t;
    let b = t.as_bytes();
    for at in (0..b.len()).filter(|&i| b[i] == b'@') {
        let mut s = at;
        while s > 0 && is_local(b[s - 1]) {
            s -= 1;
        }
        while s < at && matches!(b[s], b'.' | b'-' | b'+') {
            s += 1;
        }
        let local = &t[s..at];
        if local.is_empty() || local.ends_with('.') || local.contains("..") {
            continue;
        }
        let mut e = at + 1;
        while e < b.len() && is_domain_byte(b[e]) {
            e += 1;
        }
        let Some(len) = domain::longest_prefix(&t[at + 1..e]) else {
            continue;
        };
        let de = at + 1 + len;
        if sc.claimed(s, de) {
            continue;
        }
        sc.push(Kind::Email, t[s..de].to_ascii_lowercase(), s, de);
        sc.push(Kind::Domain, t[at + 1..de].to_ascii_lowercase(), at + 1, de);
        sc.claim(s, de);
    }
}
