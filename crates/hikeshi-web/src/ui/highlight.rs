//! Search result snippets: escape the text, then wrap the matches in `<mark>`. Matching
//! is case-insensitive on the raw text; every piece of text is escaped before output, so
//! only our own `<mark>` tags reach the page.

/// HTML-escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

fn fold(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Character ranges of the terms' occurrences, merged and sorted.
fn ranges(text: &[char], terms: &[Vec<char>]) -> Vec<(usize, usize)> {
    let folded: Vec<char> = text.iter().map(|c| fold(*c)).collect();
    let mut found = Vec::new();
    for t in terms.iter().filter(|t| !t.is_empty()) {
        let mut i = 0;
        while i + t.len() <= folded.len() {
            if folded[i..i + t.len()] == t[..] {
                found.push((i, i + t.len()));
                i += t.len();
            } else {
                i += 1;
            }
        }
    }
    found.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in found {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Escaped HTML of (a window of at most `width` characters of) `text` around the first
/// match, with matches in `<mark>`.
pub fn highlight(text: &str, query: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let terms: Vec<Vec<char>> = query
        .split_whitespace()
        .map(|t| t.trim_matches('"').chars().map(fold).collect())
        .collect();
    let rs = ranges(&chars, &terms);
    let start = match rs.first() {
        Some((s, _)) if chars.len() > width => s.saturating_sub(width / 4),
        _ => 0,
    };
    let end = (start + width).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut pos = start;
    for (s, e) in rs.into_iter().filter(|(s, e)| *e > start && *s < end) {
        let (s, e) = (s.max(start), e.min(end));
        out.push_str(&escape(&chars[pos..s].iter().collect::<String>()));
        out.push_str("<mark>");
        out.push_str(&escape(&chars[s..e].iter().collect::<String>()));
        out.push_str("</mark>");
        pos = e;
    }
    out.push_str(&escape(&chars[pos..end].iter().collect::<String>()));
    if end < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::highlight;

    fn check(text: &str, q: &str, want: &str) {
        assert_eq!(highlight(text, q, 200), want, "{text:?} / {q:?}");
    }

    #[test]
    fn escapes_then_marks() {
        check(
            "Phishing <b>mail</b>",
            "mail",
            "Phishing &lt;b&gt;<mark>mail</mark>&lt;/b&gt;",
        );
        check(
            "<script>alert(1)</script>",
            "script",
            "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;",
        );
        check("a & b", "amp", "a &amp; b");
        check(
            "不正アクセスの報告",
            "アクセス",
            "不正<mark>アクセス</mark>の報告",
        );
        check("DDoS ddos", "DDOS", "<mark>DDoS</mark> <mark>ddos</mark>");
        check("nothing here", "zzz", "nothing here");
    }

    #[test]
    fn windows_long_text() {
        let long = format!("{}needle{}", "x".repeat(300), "y".repeat(300));
        let h = highlight(&long, "needle", 100);
        assert!(h.starts_with('…') && h.ends_with('…') && h.contains("<mark>needle</mark>"));
    }
}
