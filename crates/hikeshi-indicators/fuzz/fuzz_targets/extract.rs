//! Fuzz `extract` and `normalize`: no panic, valid positions, idempotent normalisation.

#![no_main]

use hikeshi_indicators::{extract, normalize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let n = text.chars().count();
    let items = extract(text);
    for pair in items.windows(2) {
        assert!(pair[0].start <= pair[1].start);
    }
    for item in &items {
        assert!(item.start < item.end && item.end <= n, "{item:?}");
        let again = normalize(&item.value);
        assert_eq!(again, Some((item.kind, item.value.clone())), "{item:?}");
    }
    if let Some((kind, value)) = normalize(text) {
        assert_eq!(normalize(&value), Some((kind, value)));
    }
});
