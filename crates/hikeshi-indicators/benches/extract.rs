//! Throughput of `extract` over ~20 MB of mixed Japanese/English text with indicators.
//!
//! Run: `cargo bench -p hikeshi-indicators --bench extract`. Prints one JSON line; MB are
//! 10^6 bytes. The baseline is a `memchr` count of `.` over the same text in the same run,
//! so the ratio is comparable across machines.

use std::hint::black_box;
use std::time::Instant;

use hikeshi_indicators::extract;

const TARGET_BYTES: usize = 20_000_000;

const JA: &[&str] = &[
    "不正アクセスの報告を受けました。",
    "調査の結果、以下の通信が確認されました。",
    "サーバのログを確認してください。",
    "対応状況を本日中にご連絡ください。",
    "添付ファイル（請求書.pdf）を開いたとのことです。",
    "担当者：山田、連絡先は下記のとおりです。",
];

const EN: &[&str] = &[
    "We observed suspicious traffic from the following host.",
    "Please find the details below and confirm receipt.",
    "The incident was reported by our monitoring team at 09:30 JST.",
    "Version 2.4.1.0 of the agent was installed on 3 servers.",
    "See the attached report.pdf for the full timeline, e.g. the login attempts.",
    "Regards, the CSIRT on-call engineer.",
];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

fn indicator(rng: &mut Rng) -> String {
    let (a, b) = (rng.below(223) + 1, rng.below(256));
    let hex: String = (0..32)
        .map(|_| char::from(b"0123456789abcdef"[rng.below(16)]))
        .collect();
    match rng.below(9) {
        0 => format!("{a}.{b}.100.{}", rng.below(256)),
        1 => format!("hxxps://host{a}[.]example[.]com/path/{b}?id={a}"),
        2 => format!("user{a}@mail{b}.example.co.jp"),
        3 => hex,
        4 => format!("CVE-2024-{:05}", a * 100 + b),
        5 => format!("2001:db8:{a:x}::{b:x}"),
        6 => format!("evil-{a}.example.net"),
        7 => format!("１９８．５１．１００．{}", rng.below(10)),
        _ => format!("AS{}", a * 1000 + b),
    }
}

fn corpus() -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = String::with_capacity(TARGET_BYTES + 1024);
    while s.len() < TARGET_BYTES {
        match rng.below(10) {
            0..=4 => s.push_str(JA[rng.below(JA.len())]),
            5..=8 => {
                s.push_str(EN[rng.below(EN.len())]);
                s.push(' ');
            }
            _ => {
                s.push_str("送信元：");
                s.push_str(&indicator(&mut rng));
                s.push_str("。\n");
            }
        }
    }
    s
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let t = Instant::now();
    let mut out = black_box(f());
    let mut best = t.elapsed().as_secs_f64();
    for _ in 1..runs {
        let t = Instant::now();
        out = black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

fn main() {
    let text = corpus();
    let mb = text.len() as f64 / 1e6;
    let (secs, items) = best_of(3, || extract(black_box(&text)));
    let (base_secs, dots) = best_of(3, || {
        memchr::memchr_iter(b'.', black_box(text.as_bytes())).count()
    });
    let mut kinds = std::collections::BTreeMap::new();
    for it in &items {
        *kinds.entry(it.kind.as_str()).or_insert(0usize) += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("\"{k}\":{n}")).collect();
    let mb_per_s = mb / secs;
    let base = mb / base_secs;
    println!(
        "{{\"bench\":\"extract\",\"bytes\":{},\"items\":{},\"mb_per_s\":{:.1},\"baseline_memchr_mb_per_s\":{:.1},\"ratio\":{:.4},\"kinds\":{{{}}}}}",
        text.len(),
        items.len(),
        mb_per_s,
        base,
        mb_per_s / base,
        kinds.join(",")
    );
    black_box(dots);
}
