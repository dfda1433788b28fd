//! Settings, constituencies (with their netblock and domain index tables), users, API
//! tokens and sessions.

use crate::audit::{update_row, write};
use crate::codec::{self, CONSTITUENCY_COLS, USER_COLS, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::sql::{Sql, insert};
use hikeshi_core::ids::{ConstituencyId, TokenId, UserId};
use hikeshi_core::model::{ApiToken, AuditEntry, Constituency, User};
use hikeshi_core::ports::Session;
use hikeshi_core::{Error, Result};
use sqlx::{Any, Row, Transaction};

async fn index_constituency(tx: &mut Transaction<'static, Any>, c: &Constituency) -> Result<()> {
    let id = c.id.to_string();
    for table in ["constituency_netblocks", "constituency_domains"] {
        Sql::new(&format!("DELETE FROM {table} WHERE constituency_id = "))
            .bind(id.clone())
            .query()
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    for n in &c.netblocks {
        insert(
            "constituency_netblocks",
            &["constituency_id", "cidr"],
            vec![id.clone().into(), n.to_string().into()],
        )
        .query()
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    for (kind, list) in [("domain", &c.domains), ("email", &c.email_domains)] {
        for d in list {
            insert(
                "constituency_domains",
                &["constituency_id", "kind", "domain"],
                vec![id.clone().into(), kind.into(), d.clone().into()],
            )
            .query()
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        }
    }
    Ok(())
}

impl SqlStore {
    pub(crate) async fn installation_key_impl(&self) -> Result<Vec<u8>> {
        let fresh = hex::encode(hikeshi_core::secrets::random_bytes::<32>());
        let mut tx = self.write.begin().await.map_err(db_err)?;
        Sql::new("INSERT INTO settings (key, value) VALUES ('installation_key', ")
            .bind(fresh)
            .push(") ON CONFLICT (key) DO NOTHING")
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let row = sqlx::query("SELECT value FROM settings WHERE key = 'installation_key'")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        let v: String = row.try_get("value").map_err(db_err)?;
        hex::decode(v).map_err(|e| Error::Internal(format!("corrupt installation key: {e}")))
    }

    pub(crate) async fn insert_constituency_impl(
        &self,
        c: &Constituency,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert(
            "constituencies",
            CONSTITUENCY_COLS,
            codec::constituency_vals(c),
        )
        .query()
        .execute(&mut *tx)
        .await
        .map_err(|e| match db_err(e) {
            Error::Duplicate { .. } => Error::Duplicate {
                field: "slug".into(),
            },
            other => other,
        })?;
        index_constituency(&mut tx, c).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn update_constituency_impl(
        &self,
        c: &Constituency,
        expected: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        update_row(
            &mut tx,
            "constituencies",
            CONSTITUENCY_COLS,
            codec::constituency_vals(c),
            c.id.to_string(),
            expected,
        )
        .await?;
        index_constituency(&mut tx, c).await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn constituencies_where(&self, s: Sql) -> Result<Vec<Constituency>> {
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(codec::constituency).collect()
    }

    pub(crate) async fn get_constituency_impl(
        &self,
        id: ConstituencyId,
    ) -> Result<Option<Constituency>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM constituencies WHERE id = ",
            CONSTITUENCY_COLS.join(", ")
        ));
        s.bind(id.to_string());
        Ok(self.constituencies_where(s).await?.pop())
    }

    pub(crate) async fn constituency_by_slug_impl(
        &self,
        slug: &str,
    ) -> Result<Option<Constituency>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM constituencies WHERE slug = ",
            CONSTITUENCY_COLS.join(", ")
        ));
        s.bind(slug);
        Ok(self.constituencies_where(s).await?.pop())
    }

    pub(crate) async fn list_constituencies_impl(&self) -> Result<Vec<Constituency>> {
        self.constituencies_where(Sql::new(&format!(
            "SELECT {} FROM constituencies ORDER BY slug",
            CONSTITUENCY_COLS.join(", ")
        )))
        .await
    }

    pub(crate) async fn insert_user_impl(&self, u: &User, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert("users", USER_COLS, codec::user_vals(u))
            .query()
            .execute(&mut *tx)
            .await
            .map_err(|e| match db_err(e) {
                Error::Duplicate { .. } => Error::Duplicate {
                    field: "username".into(),
                },
                other => other,
            })?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn update_user_impl(
        &self,
        u: &User,
        expected: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        update_row(
            &mut tx,
            "users",
            USER_COLS,
            codec::user_vals(u),
            u.id.to_string(),
            expected,
        )
        .await?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn users_where(&self, s: Sql) -> Result<Vec<User>> {
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(codec::user).collect()
    }

    pub(crate) async fn get_user_impl(&self, id: UserId) -> Result<Option<User>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM users WHERE id = ",
            USER_COLS.join(", ")
        ));
        s.bind(id.to_string());
        Ok(self.users_where(s).await?.pop())
    }

    pub(crate) async fn user_by_name_impl(&self, name: &str) -> Result<Option<User>> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM users WHERE username = ",
            USER_COLS.join(", ")
        ));
        s.bind(name);
        Ok(self.users_where(s).await?.pop())
    }

    pub(crate) async fn list_users_impl(&self) -> Result<Vec<User>> {
        self.users_where(Sql::new(&format!(
            "SELECT {} FROM users ORDER BY username",
            USER_COLS.join(", ")
        )))
        .await
    }

    pub(crate) async fn count_users_impl(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.read)
            .await
            .map_err(db_err)?;
        row.try_get::<i64, _>("n").map_err(db_err)
    }

    pub(crate) async fn insert_token_impl(
        &self,
        t: &ApiToken,
        digest: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        insert(
            "api_tokens",
            &[
                "id",
                "user_id",
                "name",
                "digest",
                "scopes",
                "created_at",
                "revoked",
            ],
            vec![
                t.id.to_string().into(),
                t.user.to_string().into(),
                t.name.clone().into(),
                digest.into(),
                to_json(&t.scopes).into(),
                us(t.created_at).into(),
                i64::from(t.revoked).into(),
            ],
        )
        .query()
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn token_by_digest_impl(&self, digest: &str) -> Result<Option<ApiToken>> {
        let row = Sql::new(
            "SELECT id, user_id, name, scopes, created_at, revoked FROM api_tokens WHERE digest = ",
        )
        .bind(digest)
        .query()
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.as_ref().map(codec::token).transpose()
    }

    pub(crate) async fn list_tokens_impl(&self, user: Option<UserId>) -> Result<Vec<ApiToken>> {
        let mut s =
            Sql::new("SELECT id, user_id, name, scopes, created_at, revoked FROM api_tokens");
        if let Some(u) = user {
            s.push(" WHERE user_id = ").bind(u.to_string());
        }
        s.push(" ORDER BY created_at");
        let rows = s.query().fetch_all(&self.read).await.map_err(db_err)?;
        rows.iter().map(codec::token).collect()
    }

    pub(crate) async fn revoke_token_impl(&self, id: TokenId, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let res = Sql::new("UPDATE api_tokens SET revoked = 1 WHERE id = ")
            .bind(id.to_string())
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn insert_session_impl(&self, digest: &str, s: &Session) -> Result<()> {
        insert(
            "sessions",
            &["digest", "user_id", "csrf", "expires_at"],
            vec![
                digest.into(),
                s.user.to_string().into(),
                s.csrf.clone().into(),
                us(s.expires_at).into(),
            ],
        )
        .query()
        .execute(&self.write)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    pub(crate) async fn session_impl(&self, digest: &str) -> Result<Option<Session>> {
        let row = Sql::new("SELECT user_id, csrf, expires_at FROM sessions WHERE digest = ")
            .bind(digest)
            .query()
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        match row {
            Some(row) => {
                let r = codec::R(&row);
                Ok(Some(Session {
                    user: r.id("user_id", UserId::parse)?,
                    csrf: r.s("csrf")?,
                    expires_at: r.t("expires_at")?,
                }))
            }
            None => Ok(None),
        }
    }

    pub(crate) async fn delete_session_impl(&self, digest: &str) -> Result<()> {
        Sql::new("DELETE FROM sessions WHERE digest = ")
            .bind(digest)
            .query()
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
