//! The four payload shapes. Each builds from [`Outbound`] only, so restricted text cannot
//! reach a payload by mistake.

use crate::{Notice, Outbound};
use serde_json::{Value, json};

/// Payload shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"event", "ref", "url", "tlp", "restricted", "title"?, "text"?}`.
    Json,
    /// Incoming webhook: `text` plus Block Kit `blocks` (mrkdwn).
    Slack,
    /// Incoming webhook: Markdown `text`.
    Mattermost,
    /// Workflows / Power Automate: a message with one Adaptive Card.
    Teams,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "json" => Some(Format::Json),
            "slack" => Some(Format::Slack),
            "mattermost" => Some(Format::Mattermost),
            "teams" => Some(Format::Teams),
            _ => None,
        }
    }
}

/// A body ready to POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub content_type: &'static str,
    pub body: String,
}

pub fn render(f: Format, n: &Notice) -> Rendered {
    let o = n.outbound();
    let v = match f {
        Format::Json => generic(&o),
        Format::Slack => slack(&o),
        Format::Mattermost => mattermost(&o),
        Format::Teams => teams(&o),
    };
    Rendered {
        content_type: "application/json",
        body: v.to_string(),
    }
}

fn generic(o: &Outbound) -> Value {
    let mut v = json!({
        "event": o.event,
        "label": o.label,
        "ref": o.reference,
        "url": o.url,
        "tlp": o.tlp,
        "restricted": o.title.is_none(),
    });
    if let Some(t) = &o.title {
        v["title"] = json!(t);
    }
    if let Some(t) = &o.text {
        v["text"] = json!(t);
    }
    v
}

/// Slack mrkdwn needs `&`, `<` and `>` escaped (they delimit links and mentions).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn slack(o: &Outbound) -> Value {
    let link = format!("<{}|{}>", slack_escape(&o.url), slack_escape(&o.reference));
    let mut line = format!("*{}*: {} (TLP:{})", slack_escape(&o.label), link, o.tlp);
    if let Some(t) = &o.title {
        line.push_str(&format!("\n{}", slack_escape(t)));
    }
    if let Some(t) = &o.text {
        line.push_str(&format!("\n{}", slack_escape(t)));
    }
    json!({
        "text": format!("{}: {} {}", o.label, o.reference, o.url),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": line}}],
    })
}

/// Markdown link text must not close the bracket early.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_{}[]()#+!|<>".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn mattermost(o: &Outbound) -> Value {
    let mut text = format!(
        "**{}**: [{}]({}) (TLP:{})",
        md_escape(&o.label),
        md_escape(&o.reference),
        o.url.replace(')', "%29"),
        o.tlp
    );
    if let Some(t) = &o.title {
        text.push_str(&format!("\n{}", md_escape(t)));
    }
    if let Some(t) = &o.text {
        text.push_str(&format!("\n{}", md_escape(t)));
    }
    json!({"username": "Hikeshi", "text": text})
}

fn teams(o: &Outbound) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock", "weight": "Bolder", "wrap": true,
        "text": format!("{}: {} (TLP:{})", o.label, o.reference, o.tlp),
    })];
    if let Some(t) = &o.title {
        body.push(json!({"type": "TextBlock", "wrap": true, "text": t}));
    }
    if let Some(t) = &o.text {
        body.push(json!({"type": "TextBlock", "wrap": true, "isSubtle": true, "text": t}));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "actions": [{"type": "Action.OpenUrl", "title": format!("Open {}", o.reference), "url": o.url}],
            },
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Format; 4] = [
        Format::Json,
        Format::Slack,
        Format::Mattermost,
        Format::Teams,
    ];

    fn notice(tlp: &str) -> Notice {
        Notice {
            event: "assignment".into(),
            reference: "2026-0042".into(),
            url: "https://hikeshi.example/incidents/2026-0042".into(),
            tlp: tlp.into(),
            title: "SECRET-TITLE 標的型メール".into(),
            text: "SECRET-DETAIL 社外秘の本文".into(),
        }
    }

    /// The hard rule: AMBER, AMBER+STRICT, RED (and unknown labels) never leave as text,
    /// in any format; the reference and the link always do.
    #[test]
    fn restricted_text_never_leaves_in_any_format() {
        for tlp in ["amber", "AMBER+STRICT", "amber+strict", "red", "purple", ""] {
            for f in ALL {
                let r = render(f, &notice(tlp));
                for secret in ["SECRET", "標的型", "社外秘", "本文"] {
                    assert!(!r.body.contains(secret), "{f:?} {tlp}: {}", r.body);
                }
                assert!(r.body.contains("2026-0042"), "{f:?} {tlp}");
                assert!(
                    r.body
                        .contains("https://hikeshi.example/incidents/2026-0042")
                );
                let v: Value = serde_json::from_str(&r.body).expect("valid JSON");
                assert!(v.is_object());
            }
            assert!(!notice(tlp).headline().contains("SECRET"));
        }
    }

    #[test]
    fn clear_and_green_text_is_sent() {
        for tlp in ["clear", "green"] {
            for f in ALL {
                let r = render(f, &notice(tlp));
                assert!(r.body.contains("SECRET-TITLE"), "{f:?} {tlp}: {}", r.body);
            }
        }
    }

    /// A check per format: the fields each service reads.
    fn check(f: Format, path: &[&str], expect: &str) {
        let r = render(f, &notice("green"));
        let mut v: Value = serde_json::from_str(&r.body).expect("json");
        for p in path {
            v = match p.parse::<usize>() {
                Ok(i) => v[i].clone(),
                Err(_) => v[*p].clone(),
            };
        }
        let got = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        assert!(got.contains(expect), "{f:?} {path:?}: {got}");
    }

    #[test]
    fn formats_have_their_services_fields() {
        check(Format::Json, &["ref"], "2026-0042");
        check(Format::Json, &["restricted"], "false");
        check(Format::Slack, &["blocks", "0", "text", "type"], "mrkdwn");
        check(
            Format::Slack,
            &["blocks", "0", "text", "text"],
            "<https://hikeshi.example/incidents/2026-0042|2026-0042>",
        );
        check(
            Format::Mattermost,
            &["text"],
            "[2026-0042](https://hikeshi.example/incidents/2026-0042)",
        );
        check(
            Format::Teams,
            &["attachments", "0", "contentType"],
            "application/vnd.microsoft.card.adaptive",
        );
        check(
            Format::Teams,
            &["attachments", "0", "content", "actions", "0", "url"],
            "https://hikeshi.example/incidents/2026-0042",
        );
    }

    #[test]
    fn slack_text_cannot_inject_links_or_mentions() {
        let mut n = notice("clear");
        n.title = "<!channel> <https://evil.example|click>".into();
        let r = render(Format::Slack, &n);
        assert!(!r.body.contains("<!channel>"));
        assert!(r.body.contains("&lt;!channel&gt;"));
    }
}
