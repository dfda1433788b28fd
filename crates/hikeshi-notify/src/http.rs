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
