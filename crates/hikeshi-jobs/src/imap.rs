//! IMAP intake: polls one mailbox (implicit TLS, STARTTLS, or plain on loopback), IDLE
//! where the server offers it. Each message is claimed in the database by (mailbox,
//! UIDVALIDITY, UID) before it is fetched, so two nodes never ingest the same message;
//! it goes through `App::ingest_mail` (raw stored before parsing) and is then flagged
//! (`\Seen $Hikeshi`) or moved to a folder. A failed ingest releases the claim.

use anyhow::{Context, Result, anyhow};
use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use hikeshi_core::Error;
use hikeshi_core::app::App;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The keyword set on processed messages (with `\Seen`) when they are not moved.
pub const KEYWORD: &str = "$Hikeshi";

/// One mailbox to poll.
#[derive(Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    /// `tls` (implicit, 993), `starttls`, or `none` (loopback only).
    pub security: String,
    pub username: String,
    pub password: String,
    pub mailbox: String,
    /// Move processed mail to this folder instead of flagging it.
    pub move_to: Option<String>,
    /// Intake channel recorded with each message (e.g. the constituency address).
    pub channel: String,
    /// Longest wait between checks (also the IDLE timeout).
    pub poll: Duration,
    /// Extra CA certificates (PEM) trusted for the server, besides the Mozilla roots.
    pub ca_pem: Option<Vec<u8>>,
}

impl Debug for ImapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

impl ImapSettings {
    /// The mailbox's name in the claims table.
    pub fn key(&self) -> String {
        format!(
            "imap://{}@{}:{}/{}",
            self.username, self.host, self.port, self.mailbox
        )
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Io for T {}
type Stream = Box<dyn Io>;

async fn tls(host: &str, ca_pem: Option<&[u8]>, tcp: TcpStream) -> Result<Stream> {
    use tokio_rustls::rustls::pki_types::{CertificateDer, pem::PemObject};
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            roots
                .add(cert.context("imap ca_file: not a PEM certificate")?)
                .context("imap ca_file")?;
        }
    }
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_string())?;
    let s = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .context("imap tls handshake")?;
    Ok(Box::new(s))
}

async fn connect(s: &ImapSettings) -> Result<Session<Stream>> {
    let tcp = tokio::time::timeout(
        Duration::from_secs(30),
        TcpStream::connect((s.host.as_str(), s.port)),
    )
    .await
    .context("imap connect timed out")?
    .with_context(|| format!("imap connect {}:{}", s.host, s.port))?;
    let mut client = match s.security.as_str() {
        "tls" => {
            let mut c = Client::new(tls(&s.host, s.ca_pem.as_deref(), tcp).await?);
            c.read_response().await?.context("no greeting")?;
            c
        }
        "starttls" => {
            let mut c = Client::new(tcp);
            c.read_response().await?.context("no greeting")?;
            c.run_command_and_check_ok("STARTTLS", None).await?;
            let tcp = c.into_inner();
            Client::new(tls(&s.host, s.ca_pem.as_deref(), tcp).await?)
        }
        "none" => {
            let mut c = Client::new(Box::new(tcp) as Stream);
            c.read_response().await?.context("no greeting")?;
            c
        }
        other => {
            return Err(anyhow!(
                "imap security {other:?}: expected tls, starttls or none"
            ));
        }
    };
    let _ = &mut client;
    client
        .login(&s.username, &s.password)
        .await
        .map_err(|(e, _)| anyhow!("imap login: {e}"))
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PollStats {
    pub ingested: usize,
    /// Claimed by another node (or an earlier run): left alone.
    pub skipped: usize,
}

/// Polls one mailbox for one node.
pub struct ImapPoller {
    app: App,
    s: ImapSettings,
}

impl ImapPoller {
    pub fn new(app: App, s: ImapSettings) -> ImapPoller {
        ImapPoller { app, s }
    }

    /// Connects, ingests every unprocessed message once, and logs out.
    pub async fn poll_once(&self) -> Result<PollStats> {
        let mut session = connect(&self.s).await?;
        let stats = self.process(&mut session).await;
        let _ = session.logout().await;
        stats
    }

    async fn process(&self, session: &mut Session<Stream>) -> Result<PollStats> {
        let mb = session.select(&self.s.mailbox).await?;
        let validity = i64::from(mb.uid_validity.unwrap_or(0));
        let query = if self.s.move_to.is_some() {
            "ALL".to_string()
        } else {
            format!("UNKEYWORD {KEYWORD}")
        };
        let mut uids: Vec<u32> = session.uid_search(&query).await?.into_iter().collect();
        uids.sort_unstable();
        let key = self.s.key();
        let actor = self.app.system_actor();
        let prefix = self.app.outbound().tag_prefix.clone();
        let mut stats = PollStats::default();
        for uid in uids {
            if !self
                .app
                .store
                .claim_imap_message(&key, validity, i64::from(uid), self.app.now())
                .await?
            {
                stats.skipped += 1;
                continue;
            }
            let raw = match self.fetch(session, uid).await {
                Ok(r) => r,
                Err(e) => {
                    self.release(&key, validity, uid).await;
                    return Err(e);
                }
            };
            match self
                .app
                .ingest_mail(&actor, &raw, &self.s.channel, &prefix)
                .await
            {
                Ok(_) | Err(Error::Validation { .. }) => {}
                Err(e) => {
                    self.release(&key, validity, uid).await;
                    return Err(anyhow!("ingest: {e}"));
                }
            }
            stats.ingested += 1;
            self.mark(session, uid).await?;
        }
        Ok(stats)
    }

    async fn release(&self, key: &str, validity: i64, uid: u32) {
        if let Err(e) = self
            .app
            .store
            .release_imap_message(key, validity, i64::from(uid))
            .await
        {
            tracing::error!(error = %e, uid, "imap: releasing a claim failed");
        }
    }

    async fn fetch(&self, session: &mut Session<Stream>, uid: u32) -> Result<Vec<u8>> {
        let fetches: Vec<_> = session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await?
            .try_collect()
            .await?;
        fetches
            .iter()
            .find_map(|f| f.body().map(<[u8]>::to_vec))
            .ok_or_else(|| anyhow!("imap: no body for UID {uid}"))
    }

    async fn mark(&self, session: &mut Session<Stream>, uid: u32) -> Result<()> {
        match &self.s.move_to {
            Some(folder) => session.uid_mv(uid.to_string(), folder).await?,
            None => {
                let _: Vec<_> = session
                    .uid_store(uid.to_string(), format!("+FLAGS (\\Seen {KEYWORD})"))
                    .await?
                    .try_collect()
                    .await?;
            }
        }
        Ok(())
    }

    /// Polls until the task is dropped: a pass, then IDLE (or a sleep) up to `poll`.
    pub async fn run_forever(self) {
        let mut failures = 0u32;
        loop {
            match self.session_loop().await {
                Ok(()) => failures = 0,
                Err(e) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(mailbox = %self.s.key(), error = %e, "imap: will reconnect");
                }
            }
            let wait = Duration::from_secs(5u64.saturating_mul(1 << failures.min(6)));
            tokio::time::sleep(wait.min(self.s.poll.max(Duration::from_secs(5)))).await;
        }
    }

    async fn session_loop(&self) -> Result<()> {
        let mut session = connect(&self.s).await?;
        let idle = session.capabilities().await?.has_str("IDLE");
        loop {
            let stats = self.process(&mut session).await?;
            if stats.ingested > 0 {
                tracing::info!(mailbox = %self.s.key(), n = stats.ingested, "imap: ingested");
            }
            if idle {
                let mut h = session.idle();
                h.init().await?;
                let (wait, _stop) = h.wait_with_timeout(self.s.poll);
                wait.await?;
                session = h.done().await?;
            } else {
                tokio::time::sleep(self.s.poll).await;
                session.noop().await?;
            }
        }
    }
}
