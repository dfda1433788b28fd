//! Splitting the original text into ASCII tokens, NFKC-normalised, with an offset map.
//!
//! Every indicator we extract is printable ASCII once normalised, so the text is cut at
//! every character that cannot be part of one: whitespace, control characters, and
//! non-ASCII characters whose NFKC form is not printable ASCII (kana, kanji, `。`, `「`...).
//! Characters whose NFKC form *is* printable ASCII (full-width `１`, `．`, `＠`, `［`...)
//! are replaced by it. A pure-ASCII token borrows the input and needs no map.

use std::borrow::Cow;
use std::iter;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// A maximal run of printable ASCII (after NFKC) in the original text.
pub(crate) struct Token<'a> {
    /// The normalised text of the token (printable ASCII only).
    pub text: Cow<'a, str>,
    /// Absolute character offset in the original text for every byte of `text`, plus
    /// one final entry for the end. `None` means identity: `start_char + byte`.
    pub map: Option<Vec<usize>>,
    /// Whether re-fanging changed the token (see `refang`).
    pub defanged: bool,
    pub start_char: usize,
    pub end_char: usize,
    pub start_byte: usize,
    pub end_byte: usize,
}

impl Token<'_> {
    /// Original character offset of the character starting at byte `b` of `text`.
    pub fn orig_start(&self, b: usize) -> usize {
        match &self.map {
            None => self.start_char + b,
            Some(m) => m.get(b).copied().unwrap_or(self.end_char),
        }
    }

    /// Original character offset for an exclusive end at byte `e` of `text`.
    pub fn orig_end(&self, e: usize) -> usize {
        match &self.map {
            None => self.start_char + e,
            Some(m) => {
                let here = m.get(e).copied().unwrap_or(self.end_char);
                // Inside the expansion of one original character (e.g. `ﬁ` → `fi`).
                match e.checked_sub(1).and_then(|p| m.get(p)) {
                    Some(&prev) if prev == here && e < self.text.len() => here + 1,
                    _ => here,
                }
            }
        }
    }
}

enum Class {
    Sep,
    One(u8),
    Many(String),
}

fn classify(c: char) -> Class {
    let u = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&u) {
        // Full-width ASCII variants: NFKC maps them to U+0021..U+007E.
        return u8::try_from(u - 0xFEE0).map_or(Class::Sep, Class::One);
    }
    // Kana, CJK ideographs, CJK punctuation and Hangul are NFKC-stable and not ASCII.
    if matches!(u, 0x3001..=0x3011 | 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3)
    {
        return Class::Sep;
    }
    if is_nfkc_quick(iter::once(c)) == IsNormalized::Yes {
        return Class::Sep;
    }
    let s: String = iter::once(c).nfkc().collect();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()) {
        match s.as_bytes() {
            [b] => Class::One(*b),
            _ => Class::Many(s),
        }
    } else {
        Class::Sep
    }
}

struct Builder {
    start_byte: usize,
    start_char: usize,
    owned: Option<(String, Vec<usize>)>,
}

impl Builder {
    fn new(start_byte: usize, start_char: usize) -> Self {
        Builder {
            start_byte,
            start_char,
            owned: None,
        }
    }

    fn push_ascii(&mut self, b: u8, ci: usize) {
        if let Some((s, m)) = &mut self.owned {
            s.push(char::from(b));
            m.push(ci);
        }
    }

    fn push_mapped(&mut self, text: &str, at_byte: usize, ci: usize, bytes: &[u8]) {
        let (start_byte, start_char) = (self.start_byte, self.start_char);
        let (s, m) = self.owned.get_or_insert_with(|| {
            let prefix = text.get(start_byte..at_byte).unwrap_or_default();
            (prefix.to_owned(), (start_char..ci).collect())
        });
        for &b in bytes {
            s.push(char::from(b));
            m.push(ci);
        }
    }

    fn finish(self, text: &str, end_byte: usize, end_char: usize) -> Token<'_> {
        let (text, map) = match self.owned {
            Some((s, mut m)) => {
                m.push(end_char);
                (Cow::Owned(s), Some(m))
            }
            None => (
                Cow::Borrowed(text.get(self.start_byte..end_byte).unwrap_or_default()),
                None,
            ),
        };
        Token {
            text,
            map,
            defanged: false,
            start_char: self.start_char,
            end_char,
            start_byte: self.start_byte,
            end_byte,
        }
    }
}

/// Calls `f` with every token of `text`, in order.
pub(crate) fn for_each_token<'a>(text: &'a str, mut f: impl FnMut(Token<'a>)) {
    let bytes = text.as_bytes();
    let (mut i, mut ci) = (0usize, 0usize);
    let mut cur: Option<Builder> = None;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if b.is_ascii_graphic() {
                match cur.as_mut() {
                    Some(bd) => bd.push_ascii(b, ci),
                    None => cur = Some(Builder::new(i, ci)),
                }
            } else if let Some(bd) = cur.take() {
                f(bd.finish(text, i, ci));
            }
            i += 1;
            ci += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else {
            break;
        };
        match classify(c) {
            Class::Sep => {
                if let Some(bd) = cur.take() {
                    f(bd.finish(text, i, ci));
                }
            }
            Class::One(b) => {
                let bd = cur.get_or_insert_with(|| Builder::new(i, ci));
                bd.push_mapped(text, i, ci, &[b]);
            }
            Class::Many(s) => {
                let bd = cur.get_or_insert_with(|| Builder::new(i, ci));
                bd.push_mapped(text, i, ci, s.as_bytes());
            }
        }
        i += c.len_utf8();
        ci += 1;
    }
    if let Some(bd) = cur.take() {
        f(bd.finish(text, i, ci));
    }
}
