//! List filters from the query string: what the filter form shows, what the use case
//! gets, and the links to the next page.

use super::ctx::{Ui, enc};
use super::view::Opt;
use crate::api::{list_params, page, resolve_filters};
use hikeshi_core::model::{Severity, Tlp};
use hikeshi_core::ports::ListQuery;

/// Parameters the UI adds on top of the API's (messages after a redirect).
const UI_ONLY: &[&str] = &["done", "failed"];

pub struct Filters {
    /// Non-empty parameters as sent (without the cursor).
    pub pairs: Vec<(String, String)>,
    pub cursor: Option<String>,
    pub done: Option<String>,
    pub failed: Option<String>,
}

impl Filters {
    pub fn new(raw: Vec<(String, String)>) -> Filters {
        let mut f = Filters {
            pairs: vec![],
            cursor: None,
            done: None,
            failed: None,
        };
        for (k, v) in raw {
            let v = v.trim().to_string();
            if v.is_empty() {
                continue;
            }
            match k.as_str() {
                "cursor" => f.cursor = Some(v),
                "done" => f.done = Some(v),
                "failed" => f.failed = Some(v),
                _ => f.pairs.push((k, v)),
            }
        }
        f
    }

    /// From the query part of a same-site URL.
    pub fn from_url(url: &str) -> Filters {
        let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let pairs = q
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        Filters::new(pairs)
    }

    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The use case's query; `owner=me` means the caller.
    pub async fn query(&self, ui: &Ui) -> Result<ListQuery, hikeshi_core::Error> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in self
            .pairs
            .iter()
            .filter(|(k, _)| !UI_ONLY.contains(&k.as_str()))
        {
            pairs.push(match k.as_str() {
                "owner" if v == "me" => (k.clone(), ui.actor.username.clone()),
                "from" => ("created_from".into(), day_start(ui, k, v, false)?),
                "to" => ("created_to".into(), day_start(ui, k, v, true)?),
                _ => (k.clone(), v.clone()),
            });
        }
        if let Some(c) = &self.cursor {
            pairs.push(("cursor".into(), c.clone()));
        }
        let to_core = |e: crate::error::WebError| hikeshi_core::Error::Validation {
            field: e.field.unwrap_or_default(),
            message: e.detail,
        };
        let p = list_params(&pairs).map_err(to_core)?;
        resolve_filters(&ui.app, &pairs, p).await.map_err(to_core)
    }

    /// This list's URL, with a cursor.
    pub fn href(&self, path: &str, cursor: Option<&str>) -> String {
        let mut parts: Vec<String> = self
            .pairs
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        if let Some(c) = cursor {
            parts.push(format!("cursor={}", enc(c)));
        }
        if parts.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", parts.join("&"))
        }
    }

    pub fn severity_opts(&self, ui: &Ui) -> Vec<Opt> {
        Opt::list(&ui.ctx, "severity", Severity::ALL, self.get("severity"))
    }

    /// RSIT classes (incidents only; reports are not classified).
    pub fn class_opts(&self, ui: &Ui) -> Vec<Opt> {
        let classes: Vec<&str> = hikeshi_core::taxonomy::RSIT
            .iter()
            .map(|(c, _)| *c)
            .collect();
        Opt::list(&ui.ctx, "rsit", &classes, self.get("rsit_class"))
    }

    pub fn tlp_opts(&self, ui: &Ui) -> Vec<Opt> {
        Opt::list(&ui.ctx, "tlp", Tlp::ALL, self.get("tlp"))
    }

    pub fn sort_opts(&self, ui: &Ui) -> Vec<Opt> {
        let cur = match self.get("sort") {
            "" => "-created",
            s => s,
        };
        Opt::list(
            &ui.ctx,
            "sort",
            &["-created", "created", "-updated", "updated"],
            cur,
        )
    }

    pub async fn constituency_opts(&self, ui: &Ui) -> Vec<Opt> {
        let cur = self.get("constituency");
        ui.app
            .list_constituencies(&ui.actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|c| ui.actor.is_global() || ui.actor.constituencies.contains(&c.id))
            .map(|c| Opt {
                selected: c.slug == cur,
                value: c.slug,
                label: c.name,
            })
            .collect()
    }
}

/// The start of a day (`YYYY-MM-DD`) in the user's zone, or of the day after it (for "to",
/// which includes its whole day), as RFC 3339.
fn day_start(ui: &Ui, field: &str, v: &str, after: bool) -> Result<String, hikeshi_core::Error> {
    let bad = || hikeshi_core::Error::validation(field, ui.ctx.t("err.date"));
    let d: jiff::civil::Date = v.parse().map_err(|_| bad())?;
    let d = if after {
        d.tomorrow().map_err(|_| bad())?
    } else {
        d
    };
    let z = d.to_zoned(ui.ctx.tz.clone()).map_err(|_| bad())?;
    Ok(z.timestamp().to_string())
}

/// The next-page cursor of a page, as the API encodes it.
pub fn next_cursor<T>(p: hikeshi_core::ports::Page<T>) -> (Vec<T>, Option<String>) {
    let l = page(p);
    (l.items, l.next_cursor)
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
