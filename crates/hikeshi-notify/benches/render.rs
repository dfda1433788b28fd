//! Payload building speed: each format beside a baseline (serialising the same fields as a
//! plain JSON object) measured in the same run. Prints JSON. `cargo bench -p hikeshi-notify`.

use hikeshi_notify::{Format, Notice, render};
use std::hint::black_box;
use std::time::Instant;

const N: u32 = 200_000;

fn notice(i: u32, tlp: &str) -> Notice {
    Notice {
        event: "assignment".into(),
        reference: format!("2026-{i:04}"),
        url: format!("https://hikeshi.example/incidents/2026-{i:04}"),
        tlp: tlp.into(),
        title: "標的型メールによる不正アクセス <script>".into(),
        text: "assigned by rei".into(),
    }
}

fn per_sec(f: impl Fn(u32) -> usize) -> f64 {
    let start = Instant::now();
    let mut bytes = 0usize;
    for i in 0..N {
        bytes += black_box(f(i));
    }
    black_box(bytes);
    f64::from(N) / start.elapsed().as_secs_f64()
}

fn main() {
    let green: Vec<Notice> = (0..64).map(|i| notice(i, "green")).collect();
    let red: Vec<Notice> = (0..64).map(|i| notice(i, "red")).collect();
    let baseline = per_sec(|i| {
        let n = &green[(i % 64) as usize];
        serde_json::json!({"event": n.event, "ref": n.reference, "url": n.url, "tlp": n.tlp, "title": n.title, "text": n.text})
            .to_string()
            .len()
    });
    let mut out = serde_json::Map::new();
    out.insert(
        "baseline_plain_json_per_s".into(),
        (baseline.round()).into(),
    );
    for (name, f) in [
        ("json", Format::Json),
        ("slack", Format::Slack),
        ("mattermost", Format::Mattermost),
        ("teams", Format::Teams),
    ] {
        let g = per_sec(|i| render(f, &green[(i % 64) as usize]).body.len());
        let r = per_sec(|i| render(f, &red[(i % 64) as usize]).body.len());
        out.insert(format!("{name}_green_per_s"), g.round().into());
        out.insert(format!("{name}_red_per_s"), r.round().into());
    }
    println!("{}", serde_json::Value::Object(out));
}
