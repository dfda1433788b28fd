//! The warning list: values that are everywhere (public resolvers, CDN and cloud ranges,
//! private and documentation ranges, big providers' domains, our own domains). A listed
//! value is stored like any other but marked common and never correlated record by record.
//! Built in (`warning_list.txt`, sources named there) and extended from a file.

use super::Kind;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;
use std::collections::HashMap;
use std::net::IpAddr;

const BUILTIN: &str = include_str!("warning_list.txt");

/// Why a value is on the list: the list name and the entry that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningMatch {
    pub list: String,
    pub entry: String,
}

#[derive(Default, Clone)]
pub struct WarningList {
    v4: PrefixMap<Ipv4Net, String>,
    v6: PrefixMap<Ipv6Net, String>,
    /// Domains (suffix match) and exact values (ASNs), lower-case.
    names: HashMap<String, String>,
}

impl std::fmt::Debug for WarningList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WarningList({} names)", self.names.len())
    }
}

impl WarningList {
    pub fn builtin() -> WarningList {
        let mut w = WarningList::default();
        // The built-in list is ours and parses; a bad line would only be skipped.
        let _ = w.extend(BUILTIN);
        w
    }

    /// Adds the entries of a list in the built-in format; returns the bad lines (1-based).
    pub fn extend(&mut self, text: &str) -> Vec<usize> {
        let mut bad = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((list, entry)) = line.split_once(char::is_whitespace) else {
                bad.push(n + 1);
                continue;
            };
            let (list, entry) = (list.to_string(), entry.trim());
            if let Ok(net) = entry.parse::<IpNet>() {
                self.insert_net(net, list);
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                self.insert_net(IpNet::from(ip), list);
            } else if !entry.is_empty() && !entry.contains(char::is_whitespace) {
                self.names.insert(entry.to_ascii_lowercase(), list);
            } else {
                bad.push(n + 1);
            }
        }
        bad
    }

    fn insert_net(&mut self, net: IpNet, list: String) {
        match net.trunc() {
            IpNet::V4(n) => {
                self.v4.insert(n, list);
            }
            IpNet::V6(n) => {
                self.v6.insert(n, list);
            }
        }
    }

    fn ip(&self, ip: IpAddr) -> Option<WarningMatch> {
        let (net, list) = match ip {
            IpAddr::V4(a) => self
                .v4
                .get_lpm(&Ipv4Net::from(a))
                .map(|(n, l)| (n.to_string(), l))?,
            IpAddr::V6(a) => self
                .v6
                .get_lpm(&Ipv6Net::from(a))
                .map(|(n, l)| (n.to_string(), l))?,
        };
        Some(WarningMatch {
            list: list.clone(),
            entry: net,
        })
    }

    fn domain(&self, d: &str) -> Option<WarningMatch> {
        let mut rest = d;
        loop {
            if let Some(list) = self.names.get(rest) {
                return Some(WarningMatch {
                    list: list.clone(),
                    entry: rest.to_string(),
                });
            }
            rest = rest.split_once('.')?.1;
        }
    }

    /// Whether a normalised value is listed, and why.
    pub fn check(&self, kind: Kind, value: &str) -> Option<WarningMatch> {
        let v = value.to_ascii_lowercase();
        match kind {
            Kind::Ipv4 | Kind::Ipv6 => self.ip(v.parse().ok()?),
            Kind::Cidr => self.ip(v.parse::<IpNet>().ok()?.network()),
            Kind::Domain => self.domain(&v),
            Kind::Email => self.domain(v.rsplit_once('@')?.1),
            Kind::Url => {
                let host = v.split_once("://")?.1;
                let host = host.split(['/', '?', '#']).next()?;
                let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
                if let Some(h6) = host.strip_prefix('[') {
                    return self.ip(h6.split(']').next()?.parse().ok()?);
                }
                let host = host.split(':').next()?;
                match host.parse::<IpAddr>() {
                    Ok(ip) => self.ip(ip),
                    Err(_) => self.domain(host),
                }
            }
            Kind::Asn => self.names.get(&v).map(|list| WarningMatch {
                list: list.clone(),
                entry: value.to_string(),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row per value: kind, value, expected list (None = not listed).
    #[test]
    fn builtin_list_matches() {
        let w = WarningList::builtin();
        let cases: &[(Kind, &str, Option<&str>)] = &[
            (Kind::Ipv4, "8.8.8.8", Some("resolver")),
            (Kind::Ipv4, "10.20.30.40", Some("private")),
            (Kind::Ipv4, "192.168.1.1", Some("private")),
            (Kind::Ipv4, "198.51.100.7", Some("documentation")),
            (Kind::Ipv4, "104.16.1.1", Some("cdn")),
            (Kind::Ipv4, "45.33.32.156", None),
            (Kind::Ipv6, "2001:db8::1", Some("documentation")),
            (Kind::Ipv6, "2606:4700:4700::1111", Some("resolver")),
            (Kind::Ipv6, "2a01:4f8::1", None),
            (Kind::Cidr, "10.1.0.0/16", Some("private")),
            (Kind::Domain, "www.google.com", Some("provider")),
            (Kind::Domain, "google.com.evil.jp", None),
            (Kind::Domain, "notgoogle.com", None),
            (Kind::Email, "a@gmail.com", Some("provider")),
            (Kind::Url, "https://s3.amazonaws.com/x", Some("provider")),
            (Kind::Url, "http://8.8.8.8:53/", Some("resolver")),
            (Kind::Url, "http://[2001:db8::5]/x", Some("documentation")),
            (Kind::Url, "http://evil.jp/google.com", None),
            (Kind::Asn, "AS13335", Some("provider")),
            (Kind::Sha256, "ab", None),
        ];
        for (kind, value, want) in cases {
            let got = w.check(*kind, value).map(|m| m.list);
            assert_eq!(got.as_deref(), *want, "{kind} {value}");
        }
    }

    #[test]
    fn extending_reports_bad_lines() {
        let mut w = WarningList::builtin();
        let bad = w.extend("# ours\nown acme.co.jp\nbroken\nown 2a01:4f8::/32\n");
        assert_eq!(bad, vec![3]);
        assert!(w.check(Kind::Domain, "mail.acme.co.jp").is_some());
        assert!(w.check(Kind::Ipv6, "2a01:4f8::1").is_some());
    }
}
