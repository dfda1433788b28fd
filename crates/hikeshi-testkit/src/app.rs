//! [`TestApp`]: the use cases and the router over a fresh database, with helpers to make
//! constituencies, users and tokens and to call the API in-process.

use crate::{Backend, FixedClock, TestDb};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use hikeshi_core::access::{Actor, Scopes};
use hikeshi_core::app::{App, NewConstituency, NewToken, NewUser};
use hikeshi_core::model::{Constituency, Role};
use hikeshi_store::SqlStore;
use hikeshi_web::{AppState, WebConfig};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// The admin's password in every `TestApp`.
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// The response of [`TestApp::call`]: status, JSON body (or the text as a string), headers.
pub type Reply = (StatusCode, Value, HeaderMap);

/// The application over a fresh database, with an admin and an admin token.
pub struct TestApp {
    pub backend: Backend,
    pub store: Arc<SqlStore>,
    pub clock: Arc<FixedClock>,
    pub app: App,
    pub router: Router,
    admin_token: String,
    // Last: dropped after the pools above.
    pub db: TestDb,
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::attach(TestDb::create(backend).await).await
    }

    /// The application over an existing database (e.g. after an import): bootstraps the
    /// admin only when there is no user yet, and makes a fresh admin token.
    pub async fn attach(db: TestDb) -> TestApp {
        let backend = db.backend;
        let store = Arc::new(db.open().await);
        let clock = Arc::new(FixedClock::new());
        let app = App::new(store.clone(), clock.clone());
        app.bootstrap_admin(Some(ADMIN_PASSWORD.into()))
            .await
            .expect("bootstrap admin");
        let router = hikeshi_web::router(AppState {
            app: app.clone(),
            config: WebConfig::default(),
        });
        let mut t = TestApp {
            backend,
            store,
            clock,
            app,
            router,
            admin_token: String::new(),
            db,
        };
        let admin = t.admin_actor().await;
        let (_, secret) = t
            .app
            .create_token(
                &admin,
                NewToken {
                    user: None,
                    name: Some("test".into()),
                    scopes: vec!["read".into(), "write".into(), "admin".into()],
                },
            )
            .await
            .expect("admin token");
        t.admin_token = secret;
        t
    }

    /// The same application with these outbound mail settings (the router too).
    pub fn with_outbound(mut self, s: hikeshi_core::outbound::OutboundSettings) -> TestApp {
        self.app = self.app.clone().with_outbound(s);
        self.router = hikeshi_web::router(AppState {
            app: self.app.clone(),
            config: WebConfig::default(),
        });
        self
    }

    /// The actor of a user, found by name.
    pub async fn actor(&self, name: &str) -> Actor {
        let u = self.app.resolve_user(name).await.expect("user exists");
        self.app.actor_for(&u, Scopes::ALL)
    }

    /// The bootstrap admin, with every scope.
    pub async fn admin_actor(&self) -> Actor {
        self.actor("admin").await
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub async fn with_constituency(&self, slug: &str) -> Constituency {
        let input = NewConstituency {
            slug: slug.into(),
            name: format!("Constituency {slug}"),
            ..Default::default()
        };
        self.app
            .create_constituency(&self.admin_actor().await, input)
            .await
            .expect("create constituency")
    }

    /// Creates a user (password `password-NAME`) and returns a read/write token for them.
    pub async fn with_user(&self, name: &str, role: Role, constituencies: &[&str]) -> String {
        let input = NewUser {
            username: name.into(),
            role: Some(role),
            constituencies: constituencies.iter().map(|s| s.to_string()).collect(),
            password: Some(format!("password-{name}")),
            ..Default::default()
        };
        self.app
            .create_user(&self.admin_actor().await, input)
            .await
            .expect("create user");
        self.token_for(name, &["read", "write"]).await
    }

    /// A further token for an existing user, with these scopes.
    pub async fn token_for(&self, name: &str, scopes: &[&str]) -> String {
        let input = NewToken {
            user: Some(name.into()),
            name: Some(format!("{name}-token")),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        };
        self.app
            .create_token(&self.admin_actor().await, input)
            .await
            .expect("create token")
            .1
    }

    /// One JSON request through the router.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.raw(req.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// Any request, as built by the caller (odd content types, broken bodies, cookies).
    pub async fn raw(&self, req: Request<Body>) -> Reply {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("read body");
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (parts.status, value, parts.headers)
    }

    /// The raw response bytes of a GET (downloads).
    pub async fn get_bytes(&self, path: &str, token: &str) -> (StatusCode, Vec<u8>, HeaderMap) {
        let req = Request::builder()
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("read body");
        (parts.status, bytes.to_vec(), parts.headers)
    }

    /// Rows in a table, counted outside the application.
    pub async fn count(&self, table: &str) -> i64 {
        self.db.count(table).await
    }
}

/// The content type of a response.
pub fn content_type(h: &HeaderMap) -> &str {
    h.get(header::CONTENT_TYPE)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .unwrap_or("")
}
