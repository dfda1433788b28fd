//! Finding our reference tag (`[Hikeshi #2026-0042]`) in a decoded subject.

/// Folds full-width ASCII (`［`, `＃`, `０`…), the ideographic space and the
/// lenticular brackets `【】` to their ASCII forms.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '【' | '〔' => '[',
        '】' | '〕' => ']',
        _ => c,
    }
}

/// Finds the reference in a tag `[PREFIX #ID]` anywhere in a decoded subject
/// (so `Re:`, `AW:`, `Fwd:`, `返信:`, `転送:` and the like in front do not
/// matter). The prefix is matched case-insensitively; spaces around the
/// parts, full-width brackets, `#` and digits are accepted. The id is ASCII
/// letters, digits and `-`, with at least one digit. Returns the id, e.g.
/// `"2026-0042"`.
pub fn find_tag(subject: &str, prefix: &str) -> Option<String> {
    let folded: Vec<char> = subject.chars().map(fold).collect();
    let prefix: Vec<char> = prefix.trim().chars().map(fold).collect();
    if prefix.is_empty() {
        return None;
    }
    (0..folded.len())
        .filter(|&i| folded[i] == '[')
        .find_map(|i| tag_at(&folded, i + 1, &prefix))
}

fn tag_at(s: &[char], mut i: usize, prefix: &[char]) -> Option<String> {
    let skip_spaces = |i: &mut usize| {
        while s.get(*i).is_some_and(|c| c.is_whitespace()) {
            *i += 1;
        }
    };
    skip_spaces(&mut i);
    for p in prefix {
        let c = s.get(i)?;
        if !c.to_lowercase().eq(p.to_lowercase()) {
            return None;
        }
        i += 1;
    }
    skip_spaces(&mut i);
    if s.get(i) != Some(&'#') {
        return None;
    }
    i += 1;
    skip_spaces(&mut i);
    let start = i;
    while s
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '-')
    {
        i += 1;
    }
    let id: String = s.get(start..i)?.iter().collect();
    skip_spaces(&mut i);
    (s.get(i) == Some(&']') && id.chars().any(|c| c.is_ascii_digit())).then_some(id)
}
