//! URLs with a known scheme. A URL also yields its host (domain, IPv4 or IPv6).

use std::net::Ipv6Addr;

use crate::scan::Scan;
use crate::{Kind, domain, ip};

/// Schemes recognised before `://` (after re-fanging `hxxp`).
const SCHEMES: &[&str] = &[
    "http", "https", "ftp", "ftps", "sftp", "ws", "wss", "ldap", "ldaps", "rmi", "smb", "tftp",
    "ssh", "telnet", "rdp", "irc",
];

fn is_url_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&c)
}

/// Bytes of an authority (`user:pass@host:port`, `[v6]`): no path, query or brackets.
fn is_auth_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~%!$&'*+,;=:@[]".contains(&c)
}

fn is_scheme_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-')
}

/// Drops trailing punctuation and closing brackets that have no opening partner.
fn trim_end(b: &[u8], s: usize, min: usize, mut e: usize) -> usize {
    while e > min {
        let c = b[e - 1];
        let open = match c {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' => {
                e -= 1;
                continue;
            }
            b')' => b'(',
            b']' => b'[',
            b'}' => b'{',
            _ => break,
        };
        let span = &b[s..e];
        let opens = span.iter().filter(|&&x| x == open).count();
        let closes = span.iter().filter(|&&x| x == c).count();
        if closes > opens {
            e -= 1;
        } else {
            break;
        }
    }
    e
}

/// Drops trailing punctuation from an authority, and a `]` that closes nothing.
fn trim_auth(b: &[u8], a: usize, mut z: usize) -> usize {
    while z > a {
        match b[z - 1] {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' => z -= 1,
            b']' if !b[a..z].contains(&b'[') => z -= 1,
            _ => break,
        }
    }
    z
}

struct Host {
    kind: Kind,
    value: String,
    /// The host as written in the canonical URL (`[2001:db8::1]`, `example.com`).
    repr: String,
    start: usize,
    end: usize,
}

/// Parses the authority `t[a..z]`; offsets are token offsets.
/// Returns the host, where the host text begins, and where it ends (after `]`).
fn parse_host(t: &str, a: usize, z: usize) -> Option<(Host, usize, usize)> {
    let auth = t.get(a..z)?;
    let h = auth.rfind('@').map_or(a, |p| a + p + 1);
    let host_port = t.get(h..z)?;
    let (host, after) = if let Some(inner) = host_port.strip_prefix('[') {
        let close = inner.find(']')?;
        let inside = &inner[..close];
        let (addr_txt, zone) = inside.split_at(inside.find('%').unwrap_or(inside.len()));
        let addr: Ipv6Addr = addr_txt.parse().ok()?;
        let host = Host {
            kind: Kind::Ipv6,
            value: addr.to_string(),
            repr: format!("[{addr}{zone}]"),
            start: h + 1,
            end: h + 1 + addr_txt.len(),
        };
        (host, h + close + 2)
    } else {
        let name_len = host_port.find(':').unwrap_or(host_port.len());
        let name = host_port[..name_len].trim_end_matches('.');
        let lower = name.to_ascii_lowercase();
        let (kind, value) = if let Some(v4) = ip::parse_v4(name) {
            (Kind::Ipv4, v4.to_string())
        } else if domain::valid(&lower) {
            (Kind::Domain, lower)
        } else {
            return None;
        };
        let end = h + name.len();
        let host = Host {
            kind,
            repr: value.clone(),
            value,
            start: h,
            end,
        };
        (host, end)
    };
    // What may follow the host: nothing, or `:port`, or a trailing root dot.
    let rest = t.get(after..z)?.trim_start_matches('.');
    let port_ok = rest.is_empty()
        || rest
            .strip_prefix(':')
            .is_some_and(|p| p.len() <= 5 && p.bytes().all(|c| c.is_ascii_digit()));
    port_ok.then_some((host, h, after))
}

/// Finds URLs (and their hosts) in the token.
pub(crate) fn find(sc: &mut Scan<'_>) {
    let t = sc.t;
    let b = t.as_bytes();
    let mut from = 0;
    while let Some(rel) = t.get(from..).and_then(|r| r.find("://")) {
        let p = from + rel;
        from = p + 3;
        let mut s = p;
        while s > 0 && is_scheme_byte(b[s - 1]) {
            s -= 1;
        }
        let scheme = t[s..p].to_ascii_lowercase();
        if !SCHEMES.contains(&scheme.as_str()) || sc.claimed(s, p + 3) {
            continue;
        }
        // The authority first: a failed host costs only its own bytes, so the scan
        // stays linear even on `http:///http:///...`.
        let mut auth_end = p + 3;
        while auth_end < b.len() && is_auth_byte(b[auth_end]) {
            auth_end += 1;
        }
        let auth_end = trim_auth(b, p + 3, auth_end);
        let Some((host, host_at, host_end)) = parse_host(t, p + 3, auth_end) else {
            continue;
        };
        let mut e = auth_end;
        while e < b.len() && is_url_byte(b[e]) {
            e += 1;
        }
        let e = trim_end(b, s, host_end, e);
        let value = format!(
            "{scheme}://{}{}{}",
            &t[p + 3..host_at],
            host.repr,
            &t[host_end..e]
        );
        sc.push(Kind::Url, value, s, e);
        sc.push(host.kind, host.value, host.start, host.end);
        sc.claim(s, e);
        from = e;
    }
}
