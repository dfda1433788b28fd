//! Just enough raw MIME for RFC 3156: byte-exact part boundaries (a signature covers the
//! first part's raw bytes, which a decoding parser does not keep), header lookup, transfer
//! decoding and CRLF canonicalisation. Display parsing stays in `hikeshi-mail`.

use base64::Engine;

/// An entity split at the first empty line: header block (without the empty line) and body.
pub(crate) fn split(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0;
    while i < raw.len() {
        // Position i is the start of a line.
        if raw[i..].starts_with(b"\r\n") {
            return (&raw[..i], &raw[i + 2..]);
        }
        if raw[i] == b'\n' {
            return (&raw[..i], &raw[i + 1..]);
        }
        match raw[i..].iter().position(|&b| b == b'\n') {
            Some(p) => i += p + 1,
            None => break,
        }
    }
    (raw, &[])
}

/// Header fields as (name, raw field bytes including continuation lines and line end).
pub(crate) fn fields(headers: &[u8]) -> Vec<(String, &[u8])> {
    let mut out: Vec<(String, &[u8])> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < headers.len() {
        let end = headers[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| i + p + 1)
            .unwrap_or(headers.len());
        let continuation = matches!(headers[i], b' ' | b'\t');
        if !continuation && i > start {
            out.push((name_of(&headers[start..i]), &headers[start..i]));
            start = i;
        }
        i = end;
    }
    if start < headers.len() {
        out.push((name_of(&headers[start..]), &headers[start..]));
    }
    out
}

fn name_of(field: &[u8]) -> String {
    let n = field.iter().position(|&b| b == b':').unwrap_or(0);
    String::from_utf8_lossy(&field[..n])
        .trim()
        .to_ascii_lowercase()
}

/// The unfolded value of the first field called `name` (case-insensitive).
pub(crate) fn header(headers: &[u8], name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    fields(headers)
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| {
            let v = String::from_utf8_lossy(f);
            let v = v.split_once(':').map(|(_, v)| v).unwrap_or("");
            v.split(['\r', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
}

/// Header fields that do not describe the content (everything but `Content-*`), raw.
pub(crate) fn non_content_headers(headers: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, f) in fields(headers) {
        if !n.starts_with("content-") {
            out.extend_from_slice(f);
            if !f.ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

/// Only the `Content-*` header fields, raw.
pub(crate) fn content_headers(headers: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, f) in fields(headers) {
        if n.starts_with("content-") {
            out.extend_from_slice(f);
            if !f.ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

/// `type/subtype` of a Content-Type value, lower-cased.
pub(crate) fn mime_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A parameter of a Content-Type value (quoted or not).
pub(crate) fn param(value: &str, name: &str) -> Option<String> {
    let mut rest = value.split_once(';')?.1;
    loop {
        let (k, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (v, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (&q[..end], q.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        if k.trim().eq_ignore_ascii_case(name) {
            return Some(v.to_string());
        }
        rest = next.split_once(';').map(|(_, r)| r).unwrap_or("");
        if rest.is_empty() {
            return None;
        }
    }
}

/// The parts of a multipart body, each exactly as it stands between its delimiter line
/// and the line break that precedes the next delimiter (RFC 2046 §5.1.1).
pub(crate) fn parts<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delim = format!("--{boundary}");
    let mut out = Vec::new();
    let mut current: Option<usize> = None;
    let mut i = 0;
    while i <= body.len() {
        let line_end = body[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| i + p + 1)
            .unwrap_or(body.len());
        let line = &body[i..line_end];
        if let Some(rest) = line.strip_prefix(delim.as_bytes()) {
            let closing = rest.starts_with(b"--");
            let tail = if closing { &rest[2..] } else { rest };
            if tail.iter().all(|b| b.is_ascii_whitespace()) {
                if let Some(s) = current {
                    // The line break before the delimiter belongs to the delimiter.
                    let mut e = i.saturating_sub(1).max(s);
                    if e > s && body[e - 1] == b'\r' {
                        e -= 1;
                    }
                    out.push(&body[s..e.max(s)]);
                }
                if closing {
                    return out;
                }
                current = Some(line_end);
            }
        }
        if line_end == body.len() {
            break;
        }
        i = line_end;
    }
    out
}

/// Body bytes after undoing base64 or quoted-printable, per the entity's headers.
pub(crate) fn decode(headers: &[u8], body: &[u8]) -> Vec<u8> {
    let cte = header(headers, "content-transfer-encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    match cte.trim() {
        "base64" => {
            let clean: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(&clean)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&clean))
                .unwrap_or_else(|_| body.to_vec())
        }
        "quoted-printable" => quoted_printable(body),
        _ => body.to_vec(),
    }
}

fn quoted_printable(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'=' {
            if s[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if s[i + 1..].starts_with(b"\n") {
                i += 2;
                continue;
            }
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// Every line break as CRLF (RFC 3156 §5: signatures are computed over the canonical form).
pub(crate) fn crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 40);
    let mut prev = 0u8;
    for &b in data {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_byte_exact() {
        let body = b"preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n\r\n--b1\r\nX: y\r\n\r\nsig\r\n--b1--\r\nepilogue";
        let p = parts(body, "b1");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0], b"Content-Type: text/plain\r\n\r\nhello\r\n");
        assert_eq!(p[1], b"X: y\r\n\r\nsig");
        let lf = b"--b\nA: 1\n\nx\n--b--\n";
        assert_eq!(parts(lf, "b"), vec![&b"A: 1\n\nx"[..]]);
        assert!(parts(b"--bb\r\nx\r\n--b--", "b").is_empty());
    }

    #[test]
    fn headers_and_params() {
        let raw = b"From: a@x\r\nContent-Type: multipart/signed;\r\n micalg=pgp-sha256;\r\n\tprotocol=\"application/pgp-signature\"; boundary=abc\r\nSubject: s\r\n\r\nbody";
        let (h, b) = split(raw);
        assert_eq!(b, b"body");
        let ct = header(h, "content-type").unwrap();
        assert_eq!(mime_type(&ct), "multipart/signed");
        assert_eq!(param(&ct, "boundary").as_deref(), Some("abc"));
        assert_eq!(
            param(&ct, "protocol").as_deref(),
            Some("application/pgp-signature")
        );
        assert_eq!(non_content_headers(h), b"From: a@x\r\nSubject: s\r\n");
        assert!(content_headers(h).starts_with(b"Content-Type: multipart/signed;\r\n micalg"));
    }

    #[test]
    fn transfer_decoding_and_crlf() {
        assert_eq!(
            quoted_printable(b"a=3Db=\r\nc=E3=81=82"),
            "a=bcあ".as_bytes()
        );
        assert_eq!(
            decode(b"Content-Transfer-Encoding: base64", b"aGVs\r\nbG8=\r\n"),
            b"hello"
        );
        assert_eq!(crlf(b"a\nb\r\nc\n"), b"a\r\nb\r\nc\r\n");
    }
}
