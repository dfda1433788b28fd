//! OpenPGP tables: the keyring (`pgp_keys`), the team key (`pgp_team_key`, one row, its
//! secret half sealed by the core before it gets here) and per-message results (`mail_pgp`).

use crate::audit::write;
use crate::codec::{R, to_json, us};
use crate::connect::{SqlStore, db_err};
use crate::sql::{Sql, Val, insert};
use hikeshi_core::model::*;
use hikeshi_core::{Error, Result};
use sqlx::Row;
use sqlx::any::AnyRow;

const KEY_COLS: &str =
    "fingerprint, user_ids, emails, created_at, expires_at, armored, added_by, added_at";

fn key_vals(k: &PgpKey) -> Vec<Val> {
    vec![
        k.fingerprint.clone().into(),
        to_json(&k.user_ids).into(),
        to_json(&k.emails).into(),
        us(k.created_at).into(),
        k.expires_at.map(us).into(),
        k.armored.clone().into(),
        k.added_by.clone().into(),
        us(k.added_at).into(),
    ]
}

fn key(row: &AnyRow) -> Result<PgpKey> {
    let r = R(row);
    Ok(PgpKey {
        fingerprint: r.s("fingerprint")?,
        user_ids: r.json("user_ids")?,
        emails: r.json("emails")?,
        created_at: r.t("created_at")?,
        expires_at: r.ot("expires_at")?,
        armored: r.s("armored")?,
        added_by: r.s("added_by")?,
        added_at: r.t("added_at")?,
    })
}

fn cols(list: &str) -> Vec<&str> {
    list.split(", ").collect()
}

impl SqlStore {
    pub(crate) async fn upsert_pgp_key_impl(&self, k: &PgpKey, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        Sql::new("DELETE FROM pgp_keys WHERE fingerprint = ")
            .bind(k.fingerprint.clone())
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        insert("pgp_keys", &cols(KEY_COLS), key_vals(k))
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn pgp_keys_impl(&self) -> Result<Vec<PgpKey>> {
        let rows = Sql::new(&format!(
            "SELECT {KEY_COLS} FROM pgp_keys ORDER BY fingerprint"
        ))
        .query()
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.iter().map(key).collect()
    }

    pub(crate) async fn delete_pgp_key_impl(&self, fpr: &str, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        let res = Sql::new("DELETE FROM pgp_keys WHERE fingerprint = ")
            .bind(fpr)
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

    pub(crate) async fn set_team_key_impl(
        &self,
        k: &TeamKeyRecord,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        Sql::new("DELETE FROM pgp_team_key WHERE id = ")
            .bind("team")
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let mut vals: Vec<Val> = vec!["team".into()];
        vals.extend(key_vals(&k.public));
        vals.push(k.sealed_secret.clone().into());
        let mut c = vec!["id"];
        c.extend(cols(KEY_COLS));
        c.push("sealed_secret");
        insert("pgp_team_key", &c, vals)
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        write(&mut tx, audit).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn team_key_impl(&self) -> Result<Option<TeamKeyRecord>> {
        let row = Sql::new(&format!(
            "SELECT {KEY_COLS}, sealed_secret FROM pgp_team_key WHERE id = "
        ))
        .bind("team")
        .query()
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(|row| {
            Ok(TeamKeyRecord {
                public: key(&row)?,
                sealed_secret: row.try_get::<Vec<u8>, _>("sealed_secret").map_err(db_err)?,
            })
        })
        .transpose()
    }

    /// Replaces any earlier result for the same message (a retried message is examined again).
    pub(crate) async fn insert_mail_pgp_impl(&self, p: &MailPgp) -> Result<()> {
        let mut tx = self.write.begin().await.map_err(db_err)?;
        Sql::new("DELETE FROM mail_pgp WHERE raw_id = ")
            .bind(p.raw_id.clone())
            .query()
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        insert(
            "mail_pgp",
            &[
                "raw_id",
                "encrypted",
                "decrypted",
                "decrypt_error",
                "signature",
                "signer",
            ],
            vec![
                p.raw_id.clone().into(),
                i64::from(p.encrypted).into(),
                p.decrypted.clone().unwrap_or_default().into(),
                p.decrypt_error.clone().into(),
                p.signature.clone().into(),
                p.signer.clone().into(),
            ],
        )
        .query()
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn mail_pgp_impl(&self, raw_id: &str) -> Result<Option<MailPgp>> {
        let row = Sql::new(
            "SELECT raw_id, encrypted, decrypted, decrypt_error, signature, signer FROM mail_pgp WHERE raw_id = ",
        )
        .bind(raw_id)
        .query()
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(|row| {
            let r = R(&row);
            let decrypted = row.try_get::<Vec<u8>, _>("decrypted").map_err(db_err)?;
            Ok(MailPgp {
                raw_id: r.s("raw_id")?,
                encrypted: r.b("encrypted")?,
                decrypted: (!decrypted.is_empty()).then_some(decrypted),
                decrypt_error: r.os("decrypt_error")?,
                signature: r.s("signature")?,
                signer: r.os("signer")?,
            })
        })
        .transpose()
    }
}
