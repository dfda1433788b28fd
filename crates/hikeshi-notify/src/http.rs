//! Real delivery: one HTTP/1.1 POST per message over TCP (`http://`) or TLS (`https://`,
//! rustls with the ring provider and the Mozilla root store from `webpki-roots`).

use crate::Poster;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// Posts with a time limit per message (connect, TLS, request and response together).
#[derive(Debug, Clone)]
pub struct HttpPoster {
    pub timeout: Duration,
}

impl Default for HttpPoster {
    fn default() -> Self {
        HttpPoster {
            timeout: Duration::from_secs(10),
        }
    }
}

#[async_trait::async_trait]
impl Poster for HttpPoster {
    async fn post(&self, url: &str, content_type: &str, body: &str) -> Result<u16, String> {
        match tokio::time::timeout(self.timeout, post(url, content_type, body)).await {
            Ok(r) => r,
            Err(_) => Err(format!("timed out after {:?}", self.timeout)),
        }
    }
}

/// One POST; returns the response status.
pub async fn post(url: &str, content_type: &str, body: &str) -> Result<u16, String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
    let tls = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("the URL must be http:// or https://".into()),
    };
    let host = uri.host().ok_or("the URL has no host")?.to_string();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let authority = uri
        .authority()
        .map(|a| a.as_str().to_string())
        .unwrap_or_else(|| host.clone());
    let req = Request::post(path)
        .header(HOST, authority)
        .header(CONTENT_TYPE, content_type)
        .header(CONTENT_LENGTH, body.len())
        .header(USER_AGENT, "hikeshi-webhook/1")
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| format!("request: {e}"))?;
    let tcp = TcpStream::connect((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    if tls {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("tls: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(
            host.trim_matches(['[', ']']).to_string(),
        )
        .map_err(|e| format!("tls name: {e}"))?;
        let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("tls: {e}"))?;
        send(stream, req).await
    } else {
        send(tcp, req).await
    }
}

async fn send<S>(stream: S, req: Request<Full<Bytes>>) -> Result<u16, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let driver = tokio::spawn(conn);
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("send: {e}"))?;
    let status = resp.status().as_u16();
    // Read (and drop) the body so the server sees a complete exchange.
    let _ = resp.into_body().collect().await;
    driver.abort();
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-shot server on 127.0.0.1 that reads the request (up to its JSON body's closing
    /// brace, or not at all when `read` is false) and answers `reply`.
    async fn server(reply: &'static [u8]) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
        serve(reply, true).await
    }

    async fn serve(reply: &'static [u8], read: bool) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = l.local_addr().expect("addr").port();
        let h = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.expect("accept");
            let mut buf = vec![0u8; 8192];
            let mut got = Vec::new();
            // Read until the end of the body (the request is small and sent at once).
            while read && !String::from_utf8_lossy(&got).contains("}") {
                let n = s.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            let _ = s.write_all(reply).await;
            let _ = s.shutdown().await;
            got
        });
        (port, h)
    }

    #[tokio::test]
    async fn posts_json_and_returns_the_status() {
        let (port, h) = server(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").await;
        let url = format!("http://127.0.0.1:{port}/hooks/x?token=t");
        assert_eq!(post(&url, "application/json", "{\"a\":1}").await, Ok(204));
        let req = String::from_utf8(h.await.expect("server")).expect("utf-8");
        assert!(
            req.starts_with("POST /hooks/x?token=t HTTP/1.1\r\n"),
            "{req}"
        );
        assert!(
            req.to_ascii_lowercase()
                .contains("content-type: application/json")
        );
        assert!(req.ends_with("{\"a\":1}"));
    }

    #[tokio::test]
    async fn refuses_bad_urls_and_reports_tls_failures() {
        assert!(post("ftp://x/", "application/json", "{}").await.is_err());
        assert!(post("not a url", "application/json", "{}").await.is_err());
        // A plain-text server where TLS is expected: the handshake fails, nothing panics.
        let (port, _h) = serve(b"HTTP/1.1 200 OK\r\n\r\n", false).await;
        let e = HttpPoster::default()
            .post(
                &format!("https://127.0.0.1:{port}/"),
                "application/json",
                "{}",
            )
            .await
            .expect_err("not TLS");
        assert!(e.starts_with("tls"), "{e}");
        let poster = HttpPoster {
            timeout: Duration::from_secs(5),
        };
        let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        let e = poster
            .post(
                &format!("http://127.0.0.1:{port}/"),
                "application/json",
                "{}",
            )
            .await
            .expect_err("nobody listens");
        assert!(e.starts_with("connect"), "{e}");
    }
}
