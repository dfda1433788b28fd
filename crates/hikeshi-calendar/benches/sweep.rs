//! SLA sweep benchmark: due times for 1,000,000 (start, business time) pairs on `jp-business`
//! (and a DST zone), against plain `Timestamp + duration` of the same pairs as a baseline.
//! Prints one JSON line. Run: `cargo bench -p hikeshi-calendar --bench sweep`.

use std::hint::black_box;
use std::time::Instant;

use hikeshi_calendar::{Calendar, CalendarSpec, Day, DayTime, WeeklyHours, add_business_duration};
use jiff::{SignedDuration, Timestamp};

const N: usize = 1_000_000;

/// Deterministic pairs: starts spread over 2025-01-01 .. 2027-01-01, durations of 1 minute to
/// 72 business hours (minute resolution).
fn pairs() -> Vec<(Timestamp, SignedDuration)> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let base = 1_735_689_600i64; // 2025-01-01T00:00:00Z
    let span = 2 * 365 * 86_400;
    (0..N)
        .map(|_| {
            let s = base + (next() % span) as i64;
            let m = 1 + (next() % (72 * 60)) as i64;
            (
                Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH),
                SignedDuration::from_mins(m),
            )
        })
        .collect()
}

fn sweep(cal: &Calendar, pairs: &[(Timestamp, SignedDuration)]) -> (f64, i64) {
    let t = Instant::now();
    let mut check = 0i64;
    for &(from, d) in pairs {
        match add_business_duration(cal, black_box(from), black_box(d)) {
            Ok(due) => check = check.wrapping_add(due.as_second()),
            Err(e) => panic!("sweep failed: {e}"),
        }
    }
    (t.elapsed().as_secs_f64(), check)
}

fn main() {
    let pairs = pairs();
    let jp = Calendar::builtin("jp-business").unwrap_or_else(|e| panic!("{e}"));
    let berlin = Calendar::from_spec(CalendarSpec {
        id: "berlin".into(),
        time_zone: "Europe/Berlin".into(),
        weekly: vec![WeeklyHours {
            days: Day::WEEKDAYS.to_vec(),
            open: DayTime::hm(9, 0).unwrap_or(DayTime::MIDNIGHT),
            close: DayTime::hm(17, 0).unwrap_or(DayTime::END_OF_DAY),
        }],
        holidays: vec![],
        closed_days: vec![],
        closures: vec![],
    })
    .unwrap_or_else(|e| panic!("{e}"));

    let t = Instant::now();
    let mut base_check = 0i64;
    for &(from, d) in &pairs {
        if let Ok(due) = black_box(from).checked_add(black_box(d)) {
            base_check = base_check.wrapping_add(due.as_second());
        }
    }
    let baseline = t.elapsed().as_secs_f64();
    // Warm the lazily built holiday table outside the timed loop.
    let _ = add_business_duration(&jp, pairs[0].0, pairs[0].1);
    let (jp_s, jp_check) = sweep(&jp, &pairs);
    let (de_s, de_check) = sweep(&berlin, &pairs);
    println!(
        "{{\"bench\":\"sweep\",\"items\":{N},\"hours_max\":72,\
\"jp_business_s\":{jp_s:.4},\"jp_business_items_per_s\":{:.0},\
\"berlin_dst_s\":{de_s:.4},\"berlin_dst_items_per_s\":{:.0},\
\"baseline_plain_add_s\":{baseline:.4},\"baseline_items_per_s\":{:.0},\
\"checksum\":{}}}",
        N as f64 / jp_s,
        N as f64 / de_s,
        N as f64 / baseline.max(1e-9),
        jp_check ^ de_check ^ base_check
    );
}
