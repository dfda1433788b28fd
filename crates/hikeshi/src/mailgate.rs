//! `hikeshi mailgate`: one RFC 5322 message on stdin → `POST /api/v1/reports/raw`, for an
//! MTA pipe (Postfix, Exim, procmail), like RT's `rt-mailgate`. Prints the reference of the
//! record the message landed on. Exit codes follow sysexits.h so the MTA does the right
//! thing: 75 (temporary failure: retry later) when the server is unreachable or failing.
//!
//! Speaks plain HTTP/1.1 to the server (run it on the server host, or behind a local proxy
//! to a remote node); `https://` URLs are refused with a clear message.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

const EX_USAGE: u8 = 64;
const EX_DATAERR: u8 = 65;
const EX_NOPERM: u8 = 77;
const EX_TEMPFAIL: u8 = 75;

fn fail(code: u8, msg: &str) -> ExitCode {
    eprintln!("hikeshi mailgate: {msg}");
    ExitCode::from(code)
}

/// Splits `http://host:port/prefix` into (host:port, path prefix).
fn split_url(url: &str) -> Result<(String, String), String> {
    if url.starts_with("https://") {
        return Err("https is not supported by mailgate: point --url at the local http listener (or a local TLS-terminating proxy)".into());
    }
    let rest = url
        .strip_prefix("http://")
        .ok_or("--url must start with http://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    if host.is_empty() {
        return Err("--url has no host".into());
    }
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    Ok((host, path.to_string()))
}

pub fn run(url: &str, token: &str, channel: &str) -> ExitCode {
    let (host, prefix) = match split_url(url) {
        Ok(x) => x,
        Err(e) => return fail(EX_USAGE, &e),
    };
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut raw) {
        return fail(EX_TEMPFAIL, &format!("reading the message from stdin: {e}"));
    }
    if raw.is_empty() {
        return fail(EX_DATAERR, "empty message on stdin");
    }
    let channel: String = channel
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let path = format!("{prefix}/api/v1/reports/raw?channel={channel}");
    let mut stream = match TcpStream::connect(&host) {
        Ok(s) => s,
        Err(e) => {
            return fail(
                EX_TEMPFAIL,
                &format!("cannot reach {host}: {e} (the MTA will retry)"),
            );
        }
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(120)));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: message/rfc822\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        raw.len()
    );
    if let Err(e) = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(&raw))
    {
        return fail(EX_TEMPFAIL, &format!("sending to {host}: {e}"));
    }
    let mut resp = Vec::new();
    if let Err(e) = stream.read_to_end(&mut resp) {
        return fail(EX_TEMPFAIL, &format!("reading the answer from {host}: {e}"));
    }
    let text = String::from_utf8_lossy(&resp);
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    match status {
        200 | 201 => match json.get("ref").and_then(|r| r.as_str()) {
            Some(r) => {
                println!("{r}");
                ExitCode::SUCCESS
            }
            None => fail(
                EX_TEMPFAIL,
                "the server accepted the message but sent no reference",
            ),
        },
        401 | 403 => fail(
            EX_NOPERM,
            &format!(
                "refused ({status}): {}",
                json.get("detail")
                    .and_then(|d| d.as_str())
                    .unwrap_or("check --token")
            ),
        ),
        400..=499 => fail(
            EX_DATAERR,
            &format!(
                "rejected ({status}): {}",
                json.get("detail").and_then(|d| d.as_str()).unwrap_or(body)
            ),
        ),
        _ => fail(
            EX_TEMPFAIL,
            &format!("server error ({status}); the MTA will retry"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn urls() {
        assert_eq!(
            split_url("http://127.0.0.1:8080"),
            Ok(("127.0.0.1:8080".into(), String::new()))
        );
        assert_eq!(
            split_url("http://hk.example/prefix/"),
            Ok(("hk.example:80".into(), "/prefix".into()))
        );
        assert!(split_url("https://x").is_err());
        assert!(split_url("ftp://x").is_err());
    }
}
