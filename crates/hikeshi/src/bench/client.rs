//! A minimal keep-alive HTTP/1.1 client for the benchmark (loopback only): one connection
//! per simulated client, requests written by hand, responses read by Content-Length.

use anyhow::{Context, Result, bail};
use std::net::SocketAddr;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Client {
    stream: BufReader<TcpStream>,
    /// The credentials header line (Bearer token or session cookie).
    auth: String,
}

impl Client {
    pub async fn connect(addr: SocketAddr, token: &str) -> Result<Client> {
        Self::with_auth(addr, format!("Authorization: Bearer {token}")).await
    }

    /// A browser-like client: the UI pages take the session cookie.
    pub async fn with_cookie(addr: SocketAddr, session: &str) -> Result<Client> {
        Self::with_auth(addr, format!("Cookie: hikeshi_session={session}")).await
    }

    async fn with_auth(addr: SocketAddr, auth: String) -> Result<Client> {
        let s = TcpStream::connect(addr)
            .await
            .context("connecting to the bench server")?;
        s.set_nodelay(true)?;
        Ok(Client {
            stream: BufReader::new(s),
            auth,
        })
    }

    /// Sends one request and returns (status, body).
    pub async fn call(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<(u16, Vec<u8>)> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\n{}\r\n",
            self.auth
        );
        if let Some(b) = body {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        if let Some(b) = body {
            req.push_str(b);
        }
        self.stream.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("bad status line")?;
        let mut len = 0usize;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                bail!("connection closed");
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut buf = vec![0u8; len];
        self.stream.read_exact(&mut buf).await?;
        Ok((status, buf))
    }
}
