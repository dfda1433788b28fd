//! mail-parser's `Message` → [`ParsedMessage`], with the charset repairs.

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, HeaderValue, Message, MessagePart, MimeHeaders, PartType};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

use crate::model::{Address, Attachment, ParsedMessage};
use crate::{charset, classify, header, html};

/// How deep forwarded messages are parsed; deeper ones stay attachments only.
pub(crate) const MAX_FORWARD_DEPTH: usize = 8;
/// Notes kept per message; pathological input would otherwise make thousands.
const MAX_NOTES: usize = 50;

pub(crate) fn convert(msg: &Message<'_>, depth: usize) -> ParsedMessage {
    // The whole buffer: part and header offsets index into it (`raw_message()`
    // would return only this message's slice, and panics on an empty message).
    let raw = msg.raw_message.as_ref();
    let mut out = ParsedMessage::empty();
    read_headers(msg, raw, &mut out);
    read_bodies(msg, raw, &mut out);
    read_parts(msg, raw, depth, &mut out);
    classify::classify(msg, &mut out);
    if out.malformed.len() > MAX_NOTES {
        let more = out.malformed.len() - MAX_NOTES;
        out.malformed.truncate(MAX_NOTES);
        out.malformed.push(format!("… and {more} more notes"));
    }
    out
}

fn read_headers(msg: &Message<'_>, raw: &[u8], out: &mut ParsedMessage) {
    if msg.headers().is_empty() {
        out.malformed.push("no header fields found".to_owned());
    }
    for h in msg.headers() {
        let value = raw
            .get(h.offset_start() as usize..h.offset_end() as usize)
            .unwrap_or_default();
        let decoded = header::decode_value(value);
        for note in decoded.notes {
            out.malformed.push(format!("{}: {note}", h.name()));
        }
        if h.name().eq_ignore_ascii_case("subject") && out.header("subject").is_none() {
            out.subject = decoded.text.clone();
        }
        out.headers.push((h.name().to_owned(), decoded.text));
    }
    out.message_id = msg.message_id().map(clean_id).filter(|s| !s.is_empty());
    out.in_reply_to = ids(msg.in_reply_to());
    out.references = ids(msg.references());
    out.from = msg.from().and_then(|a| addresses(a).into_iter().next());
    let decoded_from = out.header("from").map(str::to_owned);
    if let (Some(from), Some(decoded)) = (out.from.as_mut(), decoded_from) {
        repair_name(from, &decoded);
    }
    out.sender = msg.sender().and_then(|a| addresses(a).into_iter().next());
    out.to = msg.to().map(addresses).unwrap_or_default();
    out.cc = msg.cc().map(addresses).unwrap_or_default();
    out.reply_to = msg.reply_to().map(addresses).unwrap_or_default();
    out.return_path = out.header("return-path").map(|v| clean_id(v.trim()));
    out.date = msg.date().filter(|d| d.is_valid()).map(|d| d.to_rfc3339());
    if out.date.is_none() && out.header("date").is_some() {
        out.malformed.push("Date: could not be parsed".to_owned());
    }
}

fn clean_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_owned()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.as_ref()).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
        .map(clean_id)
        .filter(|s| !s.is_empty())
        .collect()
}

fn addresses(a: &mail_parser::Address<'_>) -> Vec<Address> {
    a.iter()
        .filter_map(|addr| {
            let spec = addr.address()?.trim();
            (!spec.is_empty()).then(|| Address {
                name: addr
                    .name()
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
                addr: spec.to_owned(),
            })
        })
        .collect()
}

/// mail-parser reads raw 8-bit display names as lossy UTF-8; take the name
/// from our own decoding of the header instead when that happened.
fn repair_name(addr: &mut Address, decoded_header: &str) {
    let broken = addr
        .name
        .as_deref()
        .is_some_and(|n| n.contains('\u{FFFD}') || n.contains('\u{1b}'));
    if broken && let Some(lt) = decoded_header.find('<') {
        let name = decoded_header[..lt].trim().trim_matches('"').trim();
        addr.name = (!name.is_empty()).then(|| name.to_owned());
    }
}

fn read_bodies(msg: &Message<'_>, raw: &[u8], out: &mut ParsedMessage) {
    let mut texts = Vec::new();
    for id in &msg.text_body {
        let Some(part) = msg.parts.get(*id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(_) => texts.push(part_text(raw, part, *id, out)),
            PartType::Html(_) => texts.push(html::html_to_text(&part_text(raw, part, *id, out))),
            _ => {}
        }
    }
    let mut htmls = Vec::new();
    for id in &msg.html_body {
        if let Some(
            part @ MessagePart {
                body: PartType::Html(_),
                ..
            },
        ) = msg.parts.get(*id as usize)
        {
            htmls.push(part_text(raw, part, *id, &mut ParsedMessage::empty()));
        }
    }
    out.text = texts.join("\n");
    out.html = (!htmls.is_empty()).then(|| htmls.join("\n"));
}

/// The text of a text/* part, re-decoded from the raw bytes when mail-parser
/// could not know the charset (unknown label such as `cp932`, or none at all
/// with 8-bit or ISO-2022-JP bytes).
fn part_text(raw: &[u8], part: &MessagePart<'_>, id: u32, out: &mut ParsedMessage) -> String {
    let text = match &part.body {
        PartType::Text(t) | PartType::Html(t) => t.as_ref(),
        _ => return String::new(),
    };
    let label = part.content_type().and_then(|ct| ct.attribute("charset"));
    // Re-decode when mail-parser could not know the charset, or when its
    // result shows damage (U+FFFD, or ISO-2022-JP escapes left undecoded).
    let redecode = label.is_some_and(|l| !charset::mail_parser_knows(l))
        || text.contains('\u{FFFD}')
        || text.contains('\u{1b}');
    if !redecode || part.is_encoding_problem {
        return text.to_owned();
    }
    let decoded = charset::decode(label, &decoded_bytes(raw, part));
    match (label, decoded.guessed) {
        (Some(l), Some(g)) if charset::lookup(l).is_none() => out
            .malformed
            .push(format!("part {id}: unknown charset {l:?}, decoded as {g}")),
        (_, Some(g)) if g != "UTF-8" => out.malformed.push(format!(
            "part {id}: undeclared 8-bit charset, decoded as {g}"
        )),
        _ if decoded.had_errors => out.malformed.push(format!(
            "part {id}: bytes not valid in the declared charset"
        )),
        _ => {}
    }
    decoded.text
}

/// A part's content after transfer decoding, before charset decoding.
fn decoded_bytes(raw: &[u8], part: &MessagePart<'_>) -> Vec<u8> {
    if let PartType::Binary(b) | PartType::InlineBinary(b) = &part.body {
        return b.to_vec();
    }
    let slice = raw
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    let decoded = match part.encoding {
        Encoding::Base64 => base64_decode(slice),
        Encoding::QuotedPrintable => quoted_printable_decode(slice),
        Encoding::None => None,
    };
    decoded.unwrap_or_else(|| slice.to_vec())
}

fn read_parts(msg: &Message<'_>, raw: &[u8], depth: usize, out: &mut ParsedMessage) {
    let mut closings = None;
    for (idx, part) in msg.parts.iter().enumerate() {
        let ct = content_type(part);
        if part.is_encoding_problem {
            out.malformed.push(format!(
                "part {idx} ({ct}): content could not be decoded, kept as raw text"
            ));
        }
        check_header_lines(raw, part, idx, out);
        if ct.starts_with("multipart/") && !check_multipart(raw, &mut closings, part, idx, out) {
            // No usable boundary: mail-parser kept the body as one leaf; show it as text.
            if out.text.is_empty() {
                out.text = charset::decode(None, &decoded_bytes(raw, part)).text;
            }
            continue;
        }
        let is_attachment = msg.attachments.contains(&(idx as u32));
        match &part.body {
            PartType::Multipart(_) => {}
            PartType::Message(inner) => {
                let a = attachment(raw, part, ct, &mut out.malformed);
                out.attachments.push(a);
                if depth < MAX_FORWARD_DEPTH {
                    let inner = convert(inner, depth + 1);
                    let n = out.forwarded.len();
                    for note in &inner.malformed {
                        out.malformed.push(format!("forwarded message {n}: {note}"));
                    }
                    out.forwarded.push(inner);
                } else {
                    out.malformed.push(format!(
                        "part {idx}: forwarded message nested deeper than {MAX_FORWARD_DEPTH}, kept as attachment only"
                    ));
                }
            }
            _ if is_attachment => {
                let a = attachment(raw, part, ct, &mut out.malformed);
                out.attachments.push(a);
            }
            _ => {}
        }
    }
}

/// Flags header blocks with a line that is neither a field nor a folded
/// continuation: usually a missing blank line between header and body, in
/// which case mail-parser has read body text as header (kept in the raw).
/// Lines starting with `--` are skipped: mail-parser's header offset of a
/// part can start before its boundary line.
fn check_header_lines(raw: &[u8], part: &MessagePart<'_>, idx: usize, out: &mut ParsedMessage) {
    let block = raw
        .get(part.offset_header as usize..part.offset_body as usize)
        .unwrap_or_default();
    let bad = block.split(|b| *b == b'\n').enumerate().any(|(n, line)| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mbox_from = n == 0 && idx == 0 && line.starts_with(b"From ");
        !(line.is_empty()
            || mbox_from
            || line.starts_with(b"--")
            || line[0] == b' '
            || line[0] == b'\t'
            || line.contains(&b':'))
    });
    if bad {
        out.malformed.push(format!(
            "part {idx}: header line without a colon (missing blank line before the body?)"
        ));
    }
}

/// Notes what is wrong with a multipart; false when it has no usable boundary.
fn check_multipart<'r>(
    raw: &'r [u8],
    closings: &mut Option<HashSet<&'r [u8]>>,
    part: &MessagePart<'_>,
    idx: usize,
    out: &mut ParsedMessage,
) -> bool {
    let boundary = part.content_type().and_then(|ct| ct.attribute("boundary"));
    let Some(boundary) = boundary else {
        out.malformed
            .push(format!("part {idx}: multipart without boundary parameter"));
        return matches!(part.body, PartType::Multipart(_));
    };
    if !matches!(part.body, PartType::Multipart(_)) {
        out.malformed.push(format!(
            "part {idx}: multipart boundary {boundary:?} never found, kept as text"
        ));
        return false;
    }
    let closings = closings.get_or_insert_with(|| closing_delimiters(raw));
    if !closings.contains(boundary.as_bytes()) {
        out.malformed.push(format!(
            "part {idx}: closing boundary \"--{boundary}--\" missing"
        ));
    }
    true
}

/// Every `X` of a `--X--` line in the buffer: one pass, so that checking
/// many (possibly nested) multiparts stays linear.
fn closing_delimiters(raw: &[u8]) -> HashSet<&[u8]> {
    raw.split(|b| *b == b'\n')
        .filter_map(|line| {
            let line = line.trim_ascii_end();
            line.strip_prefix(b"--")?.strip_suffix(b"--")
        })
        .collect()
}

fn content_type(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => match part.body {
            PartType::Html(_) => "text/html",
            PartType::Message(_) => "message/rfc822",
            PartType::Binary(_) | PartType::InlineBinary(_) => "application/octet-stream",
            _ => "text/plain",
        }
        .to_owned(),
    }
}

/// Re-reads a file name from the raw header bytes (see [`header::raw_param`]).
fn raw_file_name(raw: &[u8], part: &MessagePart<'_>, notes: &mut Vec<String>) -> Option<String> {
    for (field, param) in [
        ("content-disposition", "filename"),
        ("content-type", "name"),
    ] {
        let value = part
            .headers
            .iter()
            .find(|h| h.name().eq_ignore_ascii_case(field))
            .and_then(|h| raw.get(h.offset_start() as usize..h.offset_end() as usize));
        if let Some(bytes) = value.and_then(|v| header::raw_param(v, param)) {
            let decoded = header::decode_value(bytes);
            if !decoded.text.is_empty() {
                notes.extend(
                    decoded
                        .notes
                        .into_iter()
                        .map(|n| format!("{field} {param}: {n}")),
                );
                return Some(decoded.text);
            }
        }
    }
    None
}

fn attachment(
    raw: &[u8],
    part: &MessagePart<'_>,
    content_type: String,
    notes: &mut Vec<String>,
) -> Attachment {
    let bytes = decoded_bytes(raw, part);
    let mut name = part
        .attachment_name()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if name
        .as_deref()
        .is_some_and(|n| n.contains('\u{FFFD}') || n.contains('\u{1b}'))
    {
        name = raw_file_name(raw, part, notes).or(name);
    }
    Attachment {
        name,
        content_type,
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes,
    }
}
