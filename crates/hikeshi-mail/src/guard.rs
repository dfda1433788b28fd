//! Defence against pathological nesting before mail-parser sees the bytes.
//!
//! mail-parser parses nested `message/rfc822` parts iteratively, but the
//! resulting tree is dropped (and cloned) recursively: 20,000 nested
//! messages in a 640 KB mail overflow the stack and abort the process, which
//! no `catch_unwind` can stop. So past a fixed number of nested-message
//! content types the type names are overwritten with same-length names that
//! mail-parser treats as plain leaf parts. Offsets stay valid; the deeper
//! messages stay in the output as attachments and the message is flagged.

/// Content types that make mail-parser nest, each with a same-length stand-in.
const NESTING: &[(&[u8], &[u8])] = &[
    (b"message/rfc822", b"message/x-deep"),
    (b"message/global", b"message/x-deep"),
    (b"multipart/digest", b"multipart/x-deep"),
];

/// How many nesting content types are left alone.
pub(crate) const MAX_NESTING_TYPES: usize = 64;

/// Returns a defused copy when `raw` names more than [`MAX_NESTING_TYPES`]
/// nesting content types; `None` when it is fine as it is.
pub(crate) fn defuse(raw: &[u8]) -> Option<Vec<u8>> {
    let mut hits = Vec::new();
    for (i, b) in raw.iter().enumerate() {
        if !matches!(b, b'm' | b'M') {
            continue;
        }
        for (name, stand_in) in NESTING {
            if raw
                .get(i..i + name.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(name))
            {
                hits.push((i, *stand_in));
            }
        }
    }
    if hits.len() <= MAX_NESTING_TYPES {
        return None;
    }
    let mut out = raw.to_vec();
    for (at, stand_in) in hits.into_iter().skip(MAX_NESTING_TYPES) {
        if let Some(w) = out.get_mut(at..at + stand_in.len()) {
            w.copy_from_slice(stand_in);
        }
    }
    Some(out)
}
