//! `hikeshi serve`: migrate, create the first admin, seal the audit trail in the background,
//! serve HTTP until SIGTERM or Ctrl-C.

use crate::cli::DbArgs;
use crate::commands::{app, open};
use crate::config::Config;
use anyhow::{Context, Result};
use hikeshi_web::{AppState, WebConfig};
use std::time::Duration;

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HIKESHI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub async fn run(listen: Option<String>, db: DbArgs) -> Result<()> {
    init_logging();
    let mut cfg = Config::load(&db)?;
    if let Some(l) = listen {
        cfg.listen = l;
    }
    crate::config::use_suffix_list(cfg.public_suffix_list.as_deref())?;
    let store = open(&cfg).await?;
    let app = app(&store)
        .with_observable_settings(cfg.observable_settings()?)
        .with_outbound(cfg.mail.settings()?);
    let admin_pw = std::env::var("HIKESHI_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    if let Some(b) = app.bootstrap_admin(admin_pw).await? {
        match b.generated_password {
            Some(p) => println!(
                "Created the first user '{}' with password: {p}  (shown once; change it after logging in)",
                b.username
            ),
            None => println!(
                "Created the first user '{}' with the password from HIKESHI_ADMIN_PASSWORD",
                b.username
            ),
        }
    }
    // Seal audit entries in commit order, once a second, on every node (they take turns).
    let sealer = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Err(e) = sealer.store.seal_audit().await {
                tracing::warn!(error = %e, "audit sealing failed; will retry");
            }
        }
    });
    // Notifications, then the webhook outbox, every few seconds (retries back off exponentially).
    if let Some(u) = &cfg.public_url {
        app.set_public_url(u);
    }
    let courier = app.clone();
    tokio::spawn(async move {
        let poster = hikeshi_notify::http::HttpPoster::default();
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            // Notification requests (triage, SLA, deadlines) → in-app, outbox, mail jobs;
            // each request is claimed once, so every node may run this.
            match courier.deliver_requests(500).await {
                Ok(r) if r.delivered > 0 => tracing::info!(
                    delivered = r.delivered,
                    mails = r.mails,
                    webhooks = r.webhooks,
                    "notification requests delivered"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "notification delivery failed; will retry"),
            }
            match courier.deliver_webhooks(&poster, 100).await {
                Ok(r) if r.failed > 0 => {
                    tracing::warn!(failed = r.failed, "webhook deliveries given up")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook delivery run failed; will retry"),
            }
        }
    });
    // Record SLA and deadline warnings and breaches every 10 s (idempotent across nodes).
    let sweeper = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(10)).await;
            if let Err(e) = sweeper.sweep_clocks().await {
                tracing::warn!(error = %e, "SLA sweep failed; will retry");
            }
        }
    });
    // Background jobs (acknowledgements, outbound mail) on every node; claims never overlap.
    match &cfg.smtp {
        Some(smtp) => {
            let mailer = hikeshi_jobs::SmtpMailer::new(&smtp.settings()?)?
                .with_iso_2022_jp(cfg.mail.iso_2022_jp()?);
            let runner = hikeshi_jobs::Runner::new(app.clone(), std::sync::Arc::new(mailer));
            tokio::spawn(runner.run_forever(Duration::from_secs(1)));
        }
        None => tracing::warn!(
            "no [smtp] in the configuration: acknowledgements and outbound mail stay queued"
        ),
    }
    for m in &cfg.imap {
        let poller = hikeshi_jobs::imap::ImapPoller::new(app.clone(), m.settings()?);
        tokio::spawn(poller.run_forever());
    }
    let web = WebConfig {
        max_body: cfg.max_body,
        secure_cookies: cfg.secure_cookies,
        alerts: cfg.alert_policy(),
    };
    let router = hikeshi_web::router(AppState {
        app: app.clone(),
        config: web,
    });
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let db_desc = if cfg.database_url.is_some() {
        "database from --database-url".to_string()
    } else {
        format!("SQLite in {}", cfg.data.display())
    };
    println!("Hikeshi is running ({db_desc}). Open http://{addr}/");
    tracing::info!(%addr, "listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    app.store.seal_audit().await?;
    store.close().await;
    Ok(())
}
