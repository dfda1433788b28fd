//! The driver: tokens → cheap pre-filter → re-fang → detectors, then original offsets.

use std::collections::BTreeMap;

use crate::token::{Token, for_each_token};
use crate::{Item, Kind, domain, email, ip, refang, simple, url};

/// Letters, digits and `_`: characters that glue an indicator to a longer word.
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// One indicator found in a token, with byte offsets into the token text.
pub(crate) struct Found {
    pub kind: Kind,
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// The state of the detectors over one (normalised, re-fanged) token.
pub(crate) struct Scan<'t> {
    pub t: &'t str,
    /// The token was written defanged (`evil[.]zip`).
    pub defanged: bool,
    /// The original text and the token's byte offset in it (for look-behind context).
    pub orig: &'t str,
    pub tok_start_byte: usize,
    /// Human input to `normalize`: no file-name or version-string heuristics.
    pub lenient: bool,
    /// Disjoint ranges taken by earlier detectors: start → end.
    claims: BTreeMap<usize, usize>,
    pub found: Vec<Found>,
}

impl Scan<'_> {
    /// Whether `s..e` overlaps a range already taken by another indicator.
    /// The ranges are disjoint, so only the last one starting before `e` can overlap.
    pub fn claimed(&self, s: usize, e: usize) -> bool {
        self.claims
            .range(..e)
            .next_back()
            .is_some_and(|(_, &end)| end > s)
    }

    /// Callers claim only ranges for which `claimed` was false.
    pub fn claim(&mut self, s: usize, e: usize) {
        self.claims.insert(s, e);
    }

    pub fn push(&mut self, kind: Kind, value: String, start: usize, end: usize) {
        self.found.push(Found {
            kind,
            value,
            start,
            end,
        });
    }

    /// The original text before this token.
    pub fn orig_before(&self) -> &str {
        self.orig.get(..self.tok_start_byte).unwrap_or_default()
    }
}

/// Byte counts that decide which detectors can possibly match in a token.
struct Features {
    dots: usize,
    colons: usize,
    at: bool,
    digits: usize,
    dash: bool,
}

fn features(t: &[u8]) -> Features {
    let mut f = Features {
        dots: 0,
        colons: 0,
        at: false,
        digits: 0,
        dash: false,
    };
    for &b in t {
        match b {
            b'.' => f.dots += 1,
            b':' => f.colons += 1,
            b'@' => f.at = true,
            b'-' => f.dash = true,
            b'0'..=b'9' => f.digits += 1,
            _ => {}
        }
    }
    f
}

/// Cheap test on the token before re-fanging: can it hold an indicator at all?
fn candidate(t: &[u8]) -> bool {
    t.len() >= 32
        || t.iter().any(|&b| {
            matches!(b, b'.' | b':' | b'@' | b'/' | b'[' | b'(' | b'{') || b.is_ascii_digit()
        })
}

fn detect(sc: &mut Scan<'_>) {
    let t = sc.t.as_bytes();
    let f = features(t);
    if f.colons > 0 && sc.t.contains("://") {
        url::find(sc);
    }
    if f.at {
        email::find(sc);
    }
    if f.colons >= 2 {
        ip::find_v6(sc);
    }
    if f.dots >= 3 && f.digits >= 4 {
        ip::find_v4(sc);
    }
    if t.len() >= 32 {
        simple::find_hashes(sc);
    }
    if f.dash && f.digits >= 8 {
        simple::find_cves(sc);
    }
    if f.digits > 0 {
        simple::find_asns(sc);
    }
    if f.dots > 0 {
        domain::find(sc);
    }
}

/// Whether `gap` (the original text between two tokens) is only white space.
fn blank(gap: &str) -> bool {
    gap.chars().all(char::is_whitespace)
}

/// Runs the whole pipeline. `lenient` is set for `normalize` (human input).
pub(crate) fn run(text: &str, lenient: bool) -> Vec<Item> {
    let mut out = Vec::new();
    // A preceding `ASN` / `AS` word: (start char, end byte).
    let mut pending_as: Option<(usize, usize)> = None;
    for_each_token(text, |tok| {
        if let Some((start, end_byte)) = pending_as.take() {
            let gap = text.get(end_byte..tok.start_byte).unwrap_or_default();
            if blank(gap)
                && let Some((value, e)) = simple::asn_number_token(&tok.text)
            {
                out.push(Item {
                    kind: Kind::Asn,
                    value,
                    start,
                    end: tok.orig_end(e),
                });
                return;
            }
        }
        if let Some(at) = simple::as_word_at(&tok.text) {
            pending_as = Some((tok.orig_start(at), tok.end_byte));
            return;
        }
        if candidate(tok.text.as_bytes()) {
            scan_token(text, refang::refang(tok), lenient, &mut out);
        }
    });
    out.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    out
}

fn scan_token(text: &str, tok: Token<'_>, lenient: bool, out: &mut Vec<Item>) {
    let mut sc = Scan {
        t: &tok.text,
        defanged: tok.defanged,
        orig: text,
        tok_start_byte: tok.start_byte,
        lenient,
        claims: BTreeMap::new(),
        found: Vec::new(),
    };
    detect(&mut sc);
    for f in sc.found {
        out.push(Item {
            kind: f.kind,
            value: f.value,
            start: tok.orig_start(f.start),
            end: tok.orig_end(f.end),
        });
    }
}
