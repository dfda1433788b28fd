//! HTML → plain text for display and search. Not a sanitiser: the output is
//! text, never markup, so nothing in it can run.

const SKIPPED: &[&str] = &["script", "style", "template", "title", "xml"];
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];

#[derive(Default)]
struct Out {
    s: String,
    space: bool,
    pre: bool,
}

impl Out {
    fn text(&mut self, c: char) {
        if c.is_whitespace() && !self.pre {
            self.space = !self.s.is_empty() && !self.s.ends_with('\n');
            return;
        }
        if self.space {
            self.s.push(' ');
            self.space = false;
        }
        self.s.push(c);
    }

    fn str(&mut self, t: &str) {
        t.chars().for_each(|c| self.text(c));
    }

    fn newline(&mut self) {
        self.space = false;
        let trimmed = self.s.trim_end_matches([' ', '\t']).len();
        self.s.truncate(trimmed);
        if !self.s.is_empty() && !self.s.ends_with('\n') {
            self.s.push('\n');
        }
    }
}

/// Converts HTML to readable text: drops `script`/`style`/`title`/comments,
/// breaks lines at block elements, keeps `<pre>` spacing, decodes entities
/// and appends each link target as ` <URL>` after its text (phishing links
/// are evidence). Malformed HTML degrades to text, never to an error.
pub fn html_to_text(html: &str) -> String {
    let mut out = Out::default();
    let mut href: Option<(String, usize)> = None;
    let mut i = 0;
    while let Some(c) = html[i..].chars().next() {
        let rest = &html[i..];
        if c == '&' {
            let (decoded, used) = entity(rest);
            out.str(&decoded);
            i += used;
            continue;
        }
        let opens_tag = c == '<'
            && rest[1..]
                .chars()
                .next()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'));
        if !opens_tag {
            out.text(c);
            i += c.len_utf8();
            continue;
        }
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |p| p + 3);
            continue;
        }
        let end = tag_end(rest);
        let tag = rest[1..end].strip_suffix('>').unwrap_or(&rest[1..end]);
        i += end;
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if !closing && SKIPPED.contains(&name.as_str()) {
            let close = format!("</{name}");
            let lower = html[i..].to_ascii_lowercase();
            i = lower
                .find(&close)
                .map_or(html.len(), |p| i + p + tag_end(&html[i + p..]));
            continue;
        }
        if name == "pre" {
            out.pre = !closing;
        }
        if BLOCKS.contains(&name.as_str()) {
            out.newline();
        } else if matches!(name.as_str(), "td" | "th") {
            out.text(' ');
        }
        if name == "a" && !closing {
            href = attribute(tag, "href").map(|h| (h, out.s.len()));
        } else if name == "a"
            && let Some((target, start)) = href.take()
        {
            let shown = out.s.get(start..).unwrap_or_default();
            let useful = target.contains(':') && !target.starts_with("javascript:");
            if useful && !shown.contains(&target) {
                out.str(&format!(" <{target}>"));
            }
        }
    }
    let lines: Vec<&str> = out.s.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_owned()
}

/// Length of the tag starting at `s[0] == '<'`, up to and including `>`,
/// ignoring `>` inside quoted attribute values.
fn tag_end(s: &str) -> usize {
    let mut quote: Option<char> = None;
    for (pos, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return pos + 1,
            _ => {}
        }
    }
    s.len()
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find(name) {
        let at = from + p;
        from = at + name.len();
        let before_ok = lower[..at].ends_with(|c: char| c.is_whitespace());
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let value = tag[value_start..].trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or_default(),
        };
        let mut decoded = Out::default();
        let mut j = 0;
        while let Some(c) = raw[j..].chars().next() {
            if c == '&' {
                let (d, used) = entity(&raw[j..]);
                decoded.s.push_str(&d);
                j += used;
            } else {
                decoded.s.push(c);
                j += c.len_utf8();
            }
        }
        return Some(decoded.s.trim().to_owned());
    }
    None
}

/// Decodes the entity at `s[0] == '&'`; returns the text and bytes consumed.
fn entity(s: &str) -> (String, usize) {
    let body_end = s
        .char_indices()
        .skip(1)
        .take(12)
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '#'))
        .filter(|(_, c)| *c == ';');
    let Some((semi, _)) = body_end else {
        return ("&".to_owned(), 1);
    };
    let name = &s[1..semi];
    let decoded = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse().ok(),
        };
        code.map(|c| {
            char::from_u32(c)
                .filter(|c| *c != '\0')
                .unwrap_or('\u{FFFD}')
        })
    } else {
        named(name)
    };
    match decoded {
        Some(c) => (c.to_string(), semi + 1),
        None => ("&".to_owned(), 1),
    }
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "middot" => '·',
        "bull" => '•',
        "yen" => '¥',
        "euro" => '€',
        "pound" => '£',
        "times" => '×',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "shy" => '\u{AD}',
        _ => return None,
    })
}
