//! In-memory login rate limit: at most `MAX_TRIES` attempts per minute per client address
//! and per user name. One process only; a cluster would need a shared store.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_TRIES: usize = 10;
const WINDOW: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Limiter {
    tries: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Limiter {
    /// Records an attempt under every key; false when any key is over the limit.
    pub fn allow(&self, keys: &[String], now: Instant) -> bool {
        let Ok(mut map) = self.tries.lock() else {
            return false;
        };
        if map.len() > 10_000 {
            map.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        let mut ok = true;
        for k in keys {
            let v = map.entry(k.clone()).or_default();
            v.retain(|t| now.duration_since(*t) < WINDOW);
            if v.len() >= MAX_TRIES {
                ok = false;
            }
            v.push(now);
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleventh_try_in_a_minute_is_refused() {
        let l = Limiter::default();
        let t0 = Instant::now();
        let keys = ["user:alice".to_string()];
        for _ in 0..MAX_TRIES {
            assert!(l.allow(&keys, t0));
        }
        assert!(!l.allow(&keys, t0));
        assert!(!l.allow(&["user:bob".into(), "user:alice".into()], t0));
        assert!(l.allow(&["user:bob".into()], t0 + WINDOW * 2));
        assert!(l.allow(&keys, t0 + WINDOW * 2));
    }
}
