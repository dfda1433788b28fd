//! Constituency routing: which constituency owns an IP, a domain or an e-mail address.
//! Netblocks by longest-prefix match (IPv4 and IPv6), domains and e-mail domains by suffix
//! (`mail.acme.example` belongs to the owner of `acme.example`). Pure and in memory: built
//! from the constituency list, then millions of look-ups per second.

use crate::ids::ConstituencyId;
use crate::model::Constituency;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;
use std::collections::HashMap;
use std::net::IpAddr;

/// How a value was matched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Route {
    pub constituency: ConstituencyId,
    /// The netblock or domain that matched.
    pub matched: String,
    /// `netblock`, `domain` or `email-domain`.
    pub how: &'static str,
}

#[derive(Default)]
pub struct RoutingTable {
    v4: PrefixMap<Ipv4Net, ConstituencyId>,
    v6: PrefixMap<Ipv6Net, ConstituencyId>,
    domains: HashMap<String, ConstituencyId>,
    email_domains: HashMap<String, ConstituencyId>,
}

impl RoutingTable {
    /// Builds the table. When two constituencies claim the same netblock or domain, the one
    /// listed first (by slug) wins; a more specific netblock always beats a wider one.
    pub fn build(cs: &[Constituency]) -> RoutingTable {
        let mut t = RoutingTable::default();
        for c in cs {
            for n in &c.netblocks {
                match n {
                    IpNet::V4(n) => {
                        if t.v4.get(n).is_none() {
                            t.v4.insert(*n, c.id);
                        }
                    }
                    IpNet::V6(n) => {
                        if t.v6.get(n).is_none() {
                            t.v6.insert(*n, c.id);
                        }
                    }
                }
            }
            for d in &c.domains {
                t.domains.entry(d.clone()).or_insert(c.id);
            }
            for d in &c.email_domains {
                t.email_domains.entry(d.clone()).or_insert(c.id);
            }
        }
        t
    }

    pub fn lookup_ip(&self, ip: IpAddr) -> Option<Route> {
        let (net, id) = match ip {
            IpAddr::V4(a) => self
                .v4
                .get_lpm(&Ipv4Net::from(a))
                .map(|(n, id)| (IpNet::V4(n), *id))?,
            IpAddr::V6(a) => self
                .v6
                .get_lpm(&Ipv6Net::from(a))
                .map(|(n, id)| (IpNet::V6(n), *id))?,
        };
        Some(Route {
            constituency: id,
            matched: net.to_string(),
            how: "netblock",
        })
    }

    fn suffix(
        map: &HashMap<String, ConstituencyId>,
        domain: &str,
        how: &'static str,
    ) -> Option<Route> {
        let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let mut rest = d.as_str();
        loop {
            if let Some(id) = map.get(rest) {
                return Some(Route {
                    constituency: *id,
                    matched: rest.to_string(),
                    how,
                });
            }
            rest = rest.split_once('.')?.1;
        }
    }

    /// A domain: its own or a parent domain among the constituencies' domains.
    pub fn lookup_domain(&self, domain: &str) -> Option<Route> {
        Self::suffix(&self.domains, domain, "domain")
    }

    /// An e-mail address: its domain among e-mail domains first, then among domains.
    pub fn lookup_email(&self, addr: &str) -> Option<Route> {
        let domain = addr.rsplit_once('@').map(|(_, d)| d)?;
        Self::suffix(&self.email_domains, domain, "email-domain")
            .or_else(|| self.lookup_domain(domain))
    }

    /// Any value a handler types: an IP, CIDR, domain, URL or e-mail address (defanged
    /// forms accepted). Returns the normalised kind and value, and the route if any.
    pub fn lookup(&self, value: &str) -> Option<(hikeshi_indicators::Kind, String, Option<Route>)> {
        use hikeshi_indicators::Kind;
        let (kind, v) = hikeshi_indicators::normalize(value).or_else(|| plain_name(value))?;
        let route = match kind {
            Kind::Ipv4 | Kind::Ipv6 => v.parse::<IpAddr>().ok().and_then(|ip| self.lookup_ip(ip)),
            Kind::Cidr => v
                .parse::<IpNet>()
                .ok()
                .and_then(|n| self.lookup_ip(n.network())),
            Kind::Domain => self.lookup_domain(&v),
            Kind::Email => self.lookup_email(&v),
            Kind::Url => hikeshi_indicators::extract(&v)
                .into_iter()
                .find(|i| i.kind != Kind::Url)
                .and_then(|host| match host.kind {
                    Kind::Domain => self.lookup_domain(&host.value),
                    _ => host
                        .value
                        .parse::<IpAddr>()
                        .ok()
                        .and_then(|ip| self.lookup_ip(ip)),
                }),
            _ => None,
        };
        Some((kind, v, route))
    }
}

/// Names the public-suffix check refuses but a team still owns (`corp.internal`,
/// `acme.example`): a plain host name, or an address at one.
fn plain_name(value: &str) -> Option<(hikeshi_indicators::Kind, String)> {
    let v = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = |h: &str| crate::app::domain_ok(h);
    match v.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && host(domain) => {
            Some((hikeshi_indicators::Kind::Email, v.clone()))
        }
        None if host(&v) => Some((hikeshi_indicators::Kind::Domain, v.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lang;

    fn c(n: u64, nets: &[&str], domains: &[&str], email: &[&str]) -> Constituency {
        let t = jiff::Timestamp::UNIX_EPOCH;
        Constituency {
            id: ConstituencyId::new(n),
            slug: format!("c{n}"),
            name: format!("C{n}"),
            parent: None,
            netblocks: nets.iter().filter_map(|s| s.parse().ok()).collect(),
            domains: domains.iter().map(|s| s.to_string()).collect(),
            email_domains: email.iter().map(|s| s.to_string()).collect(),
            default_lang: Lang::Ja,
            contacts: vec![],
            created_at: t,
            updated_at: t,
            version: 1,
        }
    }

    /// One check per row: value → expected constituency number (0 = none) and matched text.
    #[test]
    fn longest_prefix_and_suffix_matches() {
        let cs = [
            c(
                1,
                &["198.51.100.0/24", "2001:db8::/32"],
                &["acme.example", "acme.co.jp"],
                &["acme.co.jp"],
            ),
            c(
                2,
                &["198.51.100.128/25", "2001:db8:1::/48"],
                &["shop.acme.example"],
                &[],
            ),
        ];
        let t = RoutingTable::build(&cs);
        let cases: &[(&str, u64, &str)] = &[
            ("198.51.100.7", 1, "198.51.100.0/24"),
            ("198.51.100.200", 2, "198.51.100.128/25"),
            ("１９８．５１．１００．２００", 2, "198.51.100.128/25"),
            ("203.0.113.9", 0, ""),
            ("2001:db8:1::5", 2, "2001:db8:1::/48"),
            ("2001:DB8:2::5", 1, "2001:db8::/32"),
            ("www.acme.example", 1, "acme.example"),
            ("pay.shop.acme.example", 2, "shop.acme.example"),
            ("evil[.]example", 0, ""),
            ("hxxps://login.acme[.]co[.]jp/x", 1, "acme.co.jp"),
            ("alice@acme.co.jp", 1, "acme.co.jp"),
            ("bob@shop.acme.example", 2, "shop.acme.example"),
            ("198.51.100.0/26", 1, "198.51.100.0/24"),
        ];
        for (value, want, matched) in cases {
            let got = t.lookup(value).and_then(|(_, _, r)| r);
            match got {
                Some(r) => {
                    let idx = cs
                        .iter()
                        .position(|x| x.id == r.constituency)
                        .map(|i| i as u64 + 1);
                    assert_eq!(idx, Some(*want), "{value}");
                    assert_eq!(r.matched, *matched, "{value}");
                }
                None => assert_eq!(*want, 0, "{value}: expected a match"),
            }
        }
        assert!(t.lookup("not an indicator at all").is_none());
    }
}
