//! Domain names: validation against the public suffix list, and the free-text detector.

use psl::{Psl, Type};
use std::sync::OnceLock;

use crate::Kind;
use crate::scan::{Scan, is_word};

/// TLDs that are also common file extensions. A bare `name.ext` with one of these
/// (`invoice.zip`, `clip.mov`, `setup.sh`) is taken for a file name in free text, unless it
/// was defanged, has three labels or more, or is a URL host or e-mail domain.
/// Kept short on purpose: TLDs much used for real (often abused) hosts, such as `cc`,
/// `ly`, `ml`, `tf` or `ai`, are not listed.
pub(crate) const FILE_EXT_TLDS: &[&str] = &[
    "zip", "mov", "one", "app", "py", "pl", "pm", "rs", "sh", "md", "mk", "so", "ps",
];

fn valid_label(l: &[u8]) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && l.first() != Some(&b'-')
        && l.last() != Some(&b'-')
}

/// A public suffix list given at start-up, used instead of the one compiled in.
static LOADED: OnceLock<publicsuffix::List> = OnceLock::new();

/// Uses `dat` (the `public_suffix_list.dat` format of publicsuffix.org) instead of the list
/// compiled in with the `psl` crate, for the rest of the process: new TLDs and private
/// suffixes are recognised without a new release. Call once at start-up, before extracting.
/// Refuses text that is not a suffix list (it must know `com` and `jp`) and a second,
/// different list.
pub fn use_suffix_list(dat: &[u8]) -> Result<(), String> {
    let list = publicsuffix::List::from_bytes(dat)
        .map_err(|e| format!("not a public suffix list: {e}"))?;
    for probe in ["example.com", "example.jp"] {
        if !list.suffix(probe.as_bytes()).is_some_and(|s| s.is_known()) {
            return Err(format!(
                "not a public suffix list: it does not know {}",
                &probe[7..]
            ));
        }
    }
    if LOADED.set(list).is_err() {
        return Err("a public suffix list is already in use".into());
    }
    Ok(())
}

/// Whether `name` (lower-case, no trailing dot) is a domain under a known public suffix,
/// with at least one label of its own (a private suffix such as `github.io` counts).
pub(crate) fn valid(name: &str) -> bool {
    let b = name.as_bytes();
    if b.len() > 253 || !name.contains('.') {
        return false;
    }
    let mut labels = b.split(|&c| c == b'.');
    if !labels.all(valid_label) {
        return false;
    }
    let tld = b.rsplit(|&c| c == b'.').next().unwrap_or_default();
    let tld_ok = tld.iter().all(u8::is_ascii_alphabetic) || tld.starts_with(b"xn--");
    if !tld_ok {
        return false;
    }
    let suffix = match LOADED.get() {
        Some(list) => list.suffix(b),
        None => psl::List.suffix(b),
    };
    match suffix {
        Some(s) if s.is_known() => s.as_bytes().len() < b.len() || s.typ() == Some(Type::Private),
        _ => false,
    }
}

/// The byte length of the longest prefix of `run`, made of whole labels, that is a valid
/// domain. `run` must start with a label (not a dot).
pub(crate) fn longest_prefix(run: &str) -> Option<usize> {
    let mut ends = Vec::new();
    let mut pos = 0;
    for label in run.split('.') {
        if label.is_empty() || pos > 253 {
            break; // an empty label ends the name
        }
        pos += label.len();
        ends.push(pos);
        pos += 1;
    }
    // `ends[k]` is the end of label k; a domain needs two labels at least and at most
    // 253 bytes (this bound also keeps the search linear on long dotted runs).
    ends.iter()
        .skip(1)
        .rev()
        .copied()
        .filter(|&end| end <= 253)
        .find(|&end| {
            run.get(..end)
                .is_some_and(|n| valid(&n.to_ascii_lowercase()))
        })
}

fn is_run_byte(b: u8) -> bool {
    is_word(b) || b == b'.' || b == b'-'
}

/// Finds bare domain names in the token.
pub(crate) fn find(sc: &mut Scan<'_>) {
    let b = sc.t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !is_run_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_run_byte(b[i]) {
            i += 1;
        }
        scan_run(sc, start, i);
    }
}

fn scan_run(sc: &mut Scan<'_>, start: usize, end: usize) {
    let mut s = start;
    while s < end {
        // Skip separators; a name starts with a letter or digit.
        while s < end && !sc.t.as_bytes()[s].is_ascii_alphanumeric() {
            s += 1;
        }
        let seg_end = sc.t[s..end].find("..").map_or(end, |p| s + p);
        let seg = &sc.t[s..seg_end];
        if seg.contains('.')
            && let Some(len) = longest_prefix(seg)
        {
            consider(sc, s, s + len, len == seg.trim_end_matches('.').len());
        }
        s = seg_end;
    }
}

fn consider(sc: &mut Scan<'_>, s: usize, e: usize, whole: bool) {
    if sc.claimed(s, e) {
        return;
    }
    let name = sc.t[s..e].to_ascii_lowercase();
    let b = sc.t.as_bytes();
    // `obj.name(` is code, not a host.
    if whole && b.get(e) == Some(&b'(') {
        return;
    }
    if !sc.lenient && name.bytes().filter(|&c| c == b'.').count() == 1 {
        let tld = name.rsplit('.').next().unwrap_or_default();
        if FILE_EXT_TLDS.contains(&tld) && !sc.defanged {
            return;
        }
    }
    sc.push(Kind::Domain, name, s, e);
}
