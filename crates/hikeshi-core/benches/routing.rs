//! Constituency look-ups over 100,000 netblocks, in process. Prints one JSON line with the
//! rate and, as the same-run baseline, a `HashMap<u32, _>` probe of the same addresses.

use hikeshi_core::ids::ConstituencyId;
use hikeshi_core::model::{Constituency, Lang};
use hikeshi_core::routing::RoutingTable;
use std::collections::HashMap;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

fn main() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // 1,000 constituencies × 100 netblocks of /16 to /28, IPv4 and some IPv6.
    let t0 = jiff::Timestamp::UNIX_EPOCH;
    let mut cs = Vec::new();
    for c in 0..1000u64 {
        let mut nets = Vec::new();
        for _ in 0..100 {
            let len = 16 + (next() % 13) as u8;
            let addr = Ipv4Addr::from(next() as u32);
            if let Ok(n) = ipnet::Ipv4Net::new(addr, len) {
                nets.push(ipnet::IpNet::V4(n.trunc()));
            }
        }
        cs.push(Constituency {
            id: ConstituencyId::new(c),
            slug: format!("c{c}"),
            name: format!("C{c}"),
            parent: None,
            netblocks: nets,
            domains: vec![format!("c{c}.example.jp")],
            email_domains: vec![],
            default_lang: Lang::Ja,
            contacts: vec![],
            created_at: t0,
            updated_at: t0,
            version: 1,
        });
    }
    let netblocks: usize = cs.iter().map(|c| c.netblocks.len()).sum();
    let build = Instant::now();
    let table = RoutingTable::build(&cs);
    let build_ms = build.elapsed().as_secs_f64() * 1000.0;
    let ips: Vec<IpAddr> = (0..1_000_000)
        .map(|_| IpAddr::V4(Ipv4Addr::from(next() as u32)))
        .collect();

    let t = Instant::now();
    let mut hits = 0u64;
    for ip in &ips {
        if black_box(table.lookup_ip(*ip)).is_some() {
            hits += 1;
        }
    }
    let lpm = t.elapsed().as_secs_f64();

    let map: HashMap<u32, u32> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761), i))
        .collect();
    let t = Instant::now();
    let mut base_hits = 0u64;
    for ip in &ips {
        if let IpAddr::V4(a) = ip
            && black_box(map.get(&u32::from(*a))).is_some()
        {
            base_hits += 1;
        }
    }
    let base = t.elapsed().as_secs_f64();
    let per_s = ips.len() as f64 / lpm;
    let base_per_s = ips.len() as f64 / base;
    println!(
        "{{\"bench\":\"routing\",\"netblocks\":{netblocks},\"build_ms\":{build_ms:.1},\"lookups_per_s\":{per_s:.0},\"hits\":{hits},\"baseline_hashmap_per_s\":{base_per_s:.0},\"baseline_hits\":{base_hits},\"ratio\":{:.3}}}",
        per_s / base_per_s
    );
}
