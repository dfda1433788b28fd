//! The message catalogue: `locales/en.ftl` and `locales/ja.ftl`, compiled in.
//!
//! The files use a small subset of Fluent: one `key = value` per line, `#` comments, and
//! `{ $name }` placeables. A test checks that both languages define the same keys.

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A language of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The best match in an `Accept-Language` header (by q-value), English by default.
    pub fn negotiate(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse().ok()))
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(l) = Lang::parse(primary)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::En)
    }

    /// The default time zone for people using this language.
    pub fn default_tz(self) -> &'static str {
        match self {
            Lang::En => "UTC",
            Lang::Ja => "Asia/Tokyo",
        }
    }
}

pub type Catalogue = BTreeMap<&'static str, &'static str>;

/// Parses the Fluent subset; a line that is not `key = value` is ignored.
pub fn parse(src: &'static str) -> Catalogue {
    src.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

static EN: LazyLock<Catalogue> = LazyLock::new(|| parse(include_str!("../../locales/en.ftl")));
static JA: LazyLock<Catalogue> = LazyLock::new(|| parse(include_str!("../../locales/ja.ftl")));

pub fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::En => &EN,
        Lang::Ja => &JA,
    }
}

/// The message for `key`; a missing key shows itself (and fails the catalogue test).
pub fn t(lang: Lang, key: &str) -> &'static str {
    match catalogue(lang).get(key) {
        Some(v) => v,
        None => {
            tracing::warn!(key, lang = lang.code(), "missing message");
            catalogue(Lang::En).get(key).copied().unwrap_or("??")
        }
    }
}

/// The message with `{ $name }` placeables filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{ ${name} }}"), value);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        for (h, want) in [
            ("ja,en;q=0.8", Lang::Ja),
            ("en-US,en;q=0.9,ja;q=0.8", Lang::En),
            ("fr, ja-JP;q=0.5", Lang::Ja),
            ("", Lang::En),
            ("de", Lang::En),
        ] {
            assert_eq!(Lang::negotiate(h), want, "{h}");
        }
    }

    #[test]
    fn placeables() {
        assert_eq!(
            tf(Lang::En, "list.assigned", &[("count", "3")]),
            "3 assigned."
        );
    }
}
