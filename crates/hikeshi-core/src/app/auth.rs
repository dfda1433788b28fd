//! Authentication: the first admin, passwords, sessions and API tokens.

use super::{App, NewUser};
use crate::access::{Actor, Scopes};
use crate::error::{Error, Result};
use crate::ids::{TokenId, UserId};
use crate::model::{ApiToken, Role, TargetKind, User};
use crate::ports::Session;
use crate::secrets;

/// Token digest → (actor, when looked up).
pub(crate) type TokenCache =
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, (Actor, jiff::Timestamp)>>>;

/// What first start created.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub username: String,
    /// Set when the password was generated (to print once).
    pub generated_password: Option<String>,
}

/// How long a node trusts a cached token look-up.
pub const TOKEN_CACHE_TTL: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);

/// How long a UI session lasts without renewal.
pub const SESSION_HOURS: i64 = 12;

impl App {
    /// The actor for local administration (CLI, start-up). Audited as "system".
    pub fn system_actor(&self) -> Actor {
        Actor {
            user: UserId(uuid::Uuid::nil()),
            username: "system".into(),
            role: Role::Admin,
            global: true,
            constituencies: vec![],
            scopes: Scopes::ALL,
        }
    }

    pub fn actor_for(&self, u: &User, scopes: Scopes) -> Actor {
        Actor {
            user: u.id,
            username: u.username.clone(),
            role: u.role,
            global: u.global || u.role == Role::Admin,
            constituencies: u.constituencies.clone(),
            scopes,
        }
    }

    pub(crate) async fn key(&self) -> Result<Vec<u8>> {
        if let Some(k) = self.key.get() {
            return Ok(k.clone());
        }
        let k = self.store.installation_key().await?;
        let _ = self.key.set(k.clone());
        Ok(k)
    }

    /// Creates `admin` when no user exists yet (first start).
    pub async fn bootstrap_admin(&self, password: Option<String>) -> Result<Option<Bootstrap>> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let generated = password.is_none();
        let password = password.unwrap_or_else(secrets::generate_password);
        let input = NewUser {
            username: "admin".into(),
            display_name: Some("Administrator".into()),
            role: Some(Role::Admin),
            global: true,
            password: Some(password.clone()),
            ..Default::default()
        };
        self.create_user(&self.system_actor(), input).await?;
        Ok(Some(Bootstrap {
            username: "admin".into(),
            generated_password: generated.then_some(password),
        }))
    }

    /// Checks a password; the same error for unknown users and wrong passwords.
    pub async fn check_password(&self, username: &str, password: &str) -> Result<User> {
        let user = self
            .store
            .user_by_name(&username.trim().to_lowercase())
            .await?;
        match user {
            Some(u)
                if !u.disabled
                    && u.password_hash
                        .as_deref()
                        .is_some_and(|h| secrets::verify_password(password, h)) =>
            {
                Ok(u)
            }
            _ => Err(Error::Unauthenticated),
        }
    }

    /// Logs in with a password; returns the session secret (for the cookie) and the session.
    pub async fn login(&self, username: &str, password: &str) -> Result<(String, Session, Actor)> {
        let user = self.check_password(username, password).await?;
        let secret = secrets::generate_token();
        let session = Session {
            user: user.id,
            csrf: hex::encode(secrets::random_bytes::<16>()),
            expires_at: self.now() + jiff::SignedDuration::from_hours(SESSION_HOURS),
        };
        let digest = secrets::token_digest(&self.key().await?, &secret);
        self.store.insert_session(&digest, &session).await?;
        let actor = self.actor_for(&user, Scopes::ALL);
        let entry = self.audit(
            &user.username,
            "session.login",
            TargetKind::User,
            user.id.to_string(),
            None,
            None,
        );
        self.store.append_audit(&entry).await?;
        Ok((secret, session, actor))
    }

    pub async fn session_actor(&self, secret: &str) -> Result<(Actor, Session)> {
        let digest = secrets::token_digest(&self.key().await?, secret);
        let s = self
            .store
            .session(&digest)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if s.expires_at <= self.now() {
            self.store.delete_session(&digest).await?;
            return Err(Error::Unauthenticated);
        }
        let user = self
            .store
            .get_user(s.user)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if user.disabled {
            return Err(Error::Unauthenticated);
        }
        Ok((self.actor_for(&user, Scopes::ALL), s))
    }

    pub async fn logout(&self, secret: &str) -> Result<()> {
        let digest = secrets::token_digest(&self.key().await?, secret);
        self.store.delete_session(&digest).await
    }

    /// The actor behind an API token. Answers from a per-node cache for up to
    /// [`TOKEN_CACHE_TTL`]: a revocation (or role change) on another node takes effect within
    /// that time; on this node at once.
    pub async fn token_actor(&self, token: &str) -> Result<Actor> {
        let digest = secrets::token_digest(&self.key().await?, token.trim());
        let now = self.now();
        if let Ok(cache) = self.tokens.lock()
            && let Some((actor, at)) = cache.get(&digest)
            && now.duration_since(*at) < TOKEN_CACHE_TTL
        {
            return Ok(actor.clone());
        }
        let actor = self.token_actor_uncached(&digest).await?;
        if let Ok(mut cache) = self.tokens.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(digest, (actor.clone(), now));
        }
        Ok(actor)
    }

    pub(crate) fn forget_tokens(&self) {
        if let Ok(mut cache) = self.tokens.lock() {
            cache.clear();
        }
    }

    async fn token_actor_uncached(&self, digest: &str) -> Result<Actor> {
        let t = self
            .store
            .token_by_digest(digest)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if t.revoked {
            return Err(Error::Unauthenticated);
        }
        let user = self
            .store
            .get_user(t.user)
            .await?
            .ok_or(Error::Unauthenticated)?;
        if user.disabled {
            return Err(Error::Unauthenticated);
        }
        Ok(self.actor_for(&user, Scopes::parse(&t.scopes)?))
    }

    /// Creates an API token; returns the record and the secret (shown once).
    pub async fn create_token(
        &self,
        actor: &Actor,
        input: super::NewToken,
    ) -> Result<(ApiToken, String)> {
        actor.require_write_scope()?;
        let user = match &input.user {
            Some(u) => self.resolve_user(u).await?,
            None => self
                .store
                .get_user(actor.user)
                .await?
                .ok_or(Error::NotFound)?,
        };
        if user.id != actor.user {
            actor.require_admin()?;
        }
        let scopes = if input.scopes.is_empty() {
            vec!["read".to_string(), "write".to_string()]
        } else {
            input.scopes.clone()
        };
        let parsed = Scopes::parse(&scopes)?;
        actor.require_scopes_within(parsed)?;
        if parsed.admin && user.role != Role::Admin {
            return Err(Error::validation(
                "scopes",
                "the admin scope needs an admin user",
            ));
        }
        let name = input.name.clone().unwrap_or_else(|| "api".into());
        super::text("name", &name, 200, true)?;
        let t = ApiToken {
            id: TokenId::new(self.now_ms()),
            user: user.id,
            name,
            scopes,
            created_at: self.now(),
            revoked: false,
        };
        let secret = secrets::generate_token();
        let digest = secrets::token_digest(&self.key().await?, &secret);
        let entry = self.audit(
            super::who(actor),
            "token.create",
            TargetKind::Token,
            t.id.to_string(),
            None,
            super::json(&t),
        );
        self.store.insert_token(&t, &digest, &entry).await?;
        Ok((t, secret))
    }

    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>> {
        if actor.require_admin().is_ok() {
            self.store.list_tokens(None).await
        } else {
            self.store.list_tokens(Some(actor.user)).await
        }
    }

    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> Result<()> {
        actor.require_write_scope()?;
        let mine = self
            .store
            .list_tokens(Some(actor.user))
            .await?
            .iter()
            .any(|t| t.id == id);
        if !mine {
            actor.require_admin()?;
        }
        let entry = self.audit(
            super::who(actor),
            "token.revoke",
            TargetKind::Token,
            id.to_string(),
            None,
            None,
        );
        self.store.revoke_token(id, &entry).await?;
        self.forget_tokens();
        Ok(())
    }
}
