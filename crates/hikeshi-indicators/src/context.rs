//! Look-behind context: is a dotted quad really a version number (`version 2.4.1.0`)?

use unicode_normalization::UnicodeNormalization;

/// Words that, right before a dotted quad, make it a version string.
const WORDS: &[&str] = &[
    "version",
    "ver",
    "v",
    "rev",
    "revision",
    "release",
    "build",
    "firmware",
    "fw",
    "バージョン",
    "ヴァージョン",
    "版",
];

fn ends_with_word(s: &str) -> bool {
    WORDS.iter().any(|w| {
        let Some(cut) = s.len().checked_sub(w.len()) else {
            return false;
        };
        let (Some(head), Some(tail)) = (s.get(..cut), s.get(cut..)) else {
            return false;
        };
        tail.eq_ignore_ascii_case(w)
            && (!w.is_ascii()
                || !head
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric()))
    })
}

fn is_filler(c: char) -> bool {
    c.is_whitespace() || matches!(c, ':' | '=' | '#' | '.' | '(' | '[')
}

/// `in_token` is the token text before the dotted quad; `orig_before` the original text
/// before the token (consulted only when `in_token` is empty or punctuation).
pub(crate) fn is_version(in_token: &str, orig_before: &str) -> bool {
    let own = in_token.trim_end_matches(is_filler);
    if !own.is_empty() {
        return ends_with_word(own);
    }
    // NFKC of the last few characters, so `Ｖｅｒ．` counts too.
    let mut tail: Vec<char> = orig_before.chars().rev().take(16).collect();
    tail.reverse();
    let tail: String = tail.into_iter().nfkc().collect();
    ends_with_word(tail.trim_end_matches(is_filler))
}
