//! Re-fanging: `hxxp` → `http`, `[.]` → `.`, `[at]` → `@` and friends, inside one token.

use std::borrow::Cow;

use crate::token::Token;

/// Defanged spellings (matched case-insensitively) and their replacement.
const RULES: &[(&[u8], &str)] = &[
    (b"[.]", "."),
    (b"(.)", "."),
    (b"{.}", "."),
    (b"[dot]", "."),
    (b"(dot)", "."),
    (b"{dot}", "."),
    (b"[://]", "://"),
    (b"[:]", ":"),
    (b"[/]", "/"),
    (b"[@]", "@"),
    (b"(@)", "@"),
    (b"{@}", "@"),
    (b"[at]", "@"),
    (b"(at)", "@"),
    (b"{at}", "@"),
    (b"hxxp", "http"),
];

fn rule_at(t: &[u8], i: usize) -> Option<(usize, &'static str)> {
    let rest = t.get(i..)?;
    RULES.iter().find_map(|&(pat, rep)| {
        let head = rest.get(..pat.len())?;
        head.eq_ignore_ascii_case(pat).then_some((pat.len(), rep))
    })
}

/// Returns the token with defanged forms replaced; the offset map is kept exact.
/// Repeats until nothing changes, so that the result is itself fully re-fanged
/// (`[[.]]` → `[.]` → `.`): `normalize` must be idempotent.
pub(crate) fn refang(mut tok: Token<'_>) -> Token<'_> {
    for _ in 0..8 {
        let (next, changed) = refang_once(tok);
        tok = next;
        if !changed {
            break;
        }
    }
    tok
}

fn refang_once(tok: Token<'_>) -> (Token<'_>, bool) {
    let t = tok.text.as_bytes();
    if !t
        .iter()
        .any(|&b| matches!(b, b'[' | b'(' | b'{' | b'x' | b'X'))
    {
        return (tok, false);
    }
    let mut out: Option<(String, Vec<usize>)> = None;
    let (mut i, mut copied) = (0usize, 0usize);
    while i < t.len() {
        let Some((plen, rep)) = rule_at(t, i) else {
            i += 1;
            continue;
        };
        let (s, src) = out.get_or_insert_with(|| (String::with_capacity(t.len()), Vec::new()));
        for (j, &b) in t.iter().enumerate().take(i).skip(copied) {
            s.push(char::from(b));
            src.push(j);
        }
        s.push_str(rep);
        for k in 0..rep.len() {
            src.push(i + (k * plen) / rep.len());
        }
        i += plen;
        copied = i;
    }
    let Some((mut s, mut src)) = out else {
        return (tok, false);
    };
    for (j, &b) in t.iter().enumerate().skip(copied) {
        s.push(char::from(b));
        src.push(j);
    }
    let map: Vec<usize> = src
        .iter()
        .map(|&b| tok.orig_start(b))
        .chain(std::iter::once(tok.end_char))
        .collect();
    let tok = Token {
        text: Cow::Owned(s),
        map: Some(map),
        defanged: true,
        ..tok
    };
    (tok, true)
}
