//! OpenPGP keyring management and the team key (admin only), the published team public
//! key, and the helpers mail intake and outbound mail use.
//!
//! The team's secret key is stored sealed (AES-256-GCM) under a key derived from the
//! installation key, together with its passphrase, so the server can sign and decrypt
//! unattended while a copy of the database alone does not give the key away.

use super::{App, who};
use crate::access::Actor;
use crate::error::{Error, Result};
use crate::model::*;
use hikeshi_pgp::{PublicKey, SecretKey};
use jiff::Timestamp;

/// Largest key file accepted (bytes).
pub const MAX_KEY_FILE: usize = 1024 * 1024;
const SEAL_PURPOSE: &str = "team-key";

/// What the team-key import answers (never anything secret).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamKeyInfo {
    pub fingerprint: String,
    pub user_ids: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub expires_at: Option<Timestamp>,
}

fn secs(t: i64) -> Timestamp {
    Timestamp::from_second(t).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn key_error(e: hikeshi_pgp::Error) -> Error {
    Error::validation("key", e.to_string())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SealedTeamKey {
    key: String,
    passphrase: String,
}

impl App {
    fn unix_now(&self) -> i64 {
        self.now().as_second()
    }

    fn record(&self, actor: &Actor, p: &PublicKey) -> Result<PgpKey> {
        Ok(PgpKey {
            fingerprint: p.info.fingerprint.clone(),
            user_ids: p.info.user_ids.clone(),
            emails: p.info.emails.clone(),
            created_at: secs(p.info.created),
            expires_at: p.info.expires.map(secs),
            armored: p.armored().map_err(|e| Error::Internal(e.to_string()))?,
            added_by: who(actor).to_string(),
            added_at: self.now(),
        })
    }

    /// Adds a contact's public key (armored or binary) to the keyring; a key with the same
    /// fingerprint is replaced (e.g. a refreshed expiry).
    pub async fn import_contact_key(&self, actor: &Actor, bytes: &[u8]) -> Result<PgpKey> {
        actor.require_admin()?;
        if bytes.len() > MAX_KEY_FILE {
            return Err(Error::validation(
                "key",
                format!("larger than {MAX_KEY_FILE} bytes"),
            ));
        }
        let p = PublicKey::parse(bytes).map_err(key_error)?;
        let k = self.record(actor, &p)?;
        let mut shown = k.clone();
        shown.armored = String::new();
        let audit = self.audit(
            who(actor),
            "pgp_key.add",
            TargetKind::System,
            format!("pgp-key:{}", k.fingerprint),
            None,
            super::json(&shown),
        );
        self.store.upsert_pgp_key(&k, &audit).await?;
        Ok(k)
    }

    pub async fn list_pgp_keys(&self, actor: &Actor) -> Result<Vec<PgpKey>> {
        actor.require_admin()?;
        self.store.pgp_keys().await
    }

    pub async fn remove_pgp_key(&self, actor: &Actor, fingerprint: &str) -> Result<()> {
        actor.require_admin()?;
        let fpr: String = fingerprint
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if fpr.is_empty() || fpr.len() > 64 || !fpr.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::validation(
                "fingerprint",
                "a key fingerprint in hex (40 or 64 digits)",
            ));
        }
        let audit = self.audit(
            who(actor),
            "pgp_key.remove",
            TargetKind::System,
            format!("pgp-key:{fpr}"),
            None,
            None,
        );
        self.store.delete_pgp_key(&fpr, &audit).await
    }

    /// Installs the team's secret key (replacing any previous one). `passphrase` unlocks it
    /// (empty when the key has none); the key is stored without it, sealed.
    pub async fn install_team_key(
        &self,
        actor: &Actor,
        bytes: &[u8],
        passphrase: &str,
    ) -> Result<TeamKeyInfo> {
        actor.require_admin()?;
        if bytes.len() > MAX_KEY_FILE {
            return Err(Error::validation(
                "key",
                format!("larger than {MAX_KEY_FILE} bytes"),
            ));
        }
        // Stored unlocked (sealed instead), so no passphrase is derived per message.
        let sk = SecretKey::parse(bytes, passphrase)
            .and_then(|k| k.unlocked())
            .map_err(key_error)?;
        if sk.info.is_expired(self.unix_now()) {
            return Err(Error::validation("key", "the team key has expired"));
        }
        let public = self.record(actor, &sk.public())?;
        let plain = serde_json::to_vec(&SealedTeamKey {
            key: sk.armored().map_err(|e| Error::Internal(e.to_string()))?,
            passphrase: String::new(),
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        let sealed = hikeshi_pgp::seal::seal(&self.key().await?, SEAL_PURPOSE, &plain)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let info = TeamKeyInfo {
            fingerprint: public.fingerprint.clone(),
            user_ids: public.user_ids.clone(),
            expires_at: public.expires_at,
        };
        let audit = self.audit(
            who(actor),
            "pgp_team_key.install",
            TargetKind::System,
            format!("pgp-team-key:{}", info.fingerprint),
            None,
            super::json(&info),
        );
        self.store
            .set_team_key(
                &TeamKeyRecord {
                    public,
                    sealed_secret: sealed,
                },
                &audit,
            )
            .await?;
        Ok(info)
    }

    /// The team key's public half (what the well-known URL publishes), if one is installed.
    pub async fn team_public_key(&self) -> Result<Option<PgpKey>> {
        Ok(self.store.team_key().await?.map(|k| k.public))
    }

    /// The team key in binary form for a Web Key Directory look-up (`/.well-known/openpgpkey/
    /// hu/{hash}`): found when one of its addresses has that local-part hash.
    pub async fn team_key_for_wkd(&self, hash: &str) -> Result<Vec<u8>> {
        let k = self.team_public_key().await?.ok_or(Error::NotFound)?;
        let listed = k.emails.iter().any(|e| {
            e.rsplit_once('@')
                .is_some_and(|(local, _)| hikeshi_pgp::wkd::hash(local) == hash)
        });
        if !listed {
            return Err(Error::NotFound);
        }
        PublicKey::parse(k.armored.as_bytes())
            .and_then(|p| p.binary())
            .map_err(|e| Error::Internal(e.to_string()))
    }

    /// The team's secret key, unsealed, if one is installed.
    pub async fn team_secret_key(&self) -> Result<Option<SecretKey>> {
        let Some(rec) = self.store.team_key().await? else {
            return Ok(None);
        };
        let plain = hikeshi_pgp::seal::open(&self.key().await?, SEAL_PURPOSE, &rec.sealed_secret)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let s: SealedTeamKey =
            serde_json::from_slice(&plain).map_err(|e| Error::Internal(e.to_string()))?;
        SecretKey::parse(s.key.as_bytes(), &s.passphrase)
            .map(Some)
            .map_err(|e| Error::Internal(format!("stored team key: {e}")))
    }

    /// Every key of the keyring, parsed (a stored key that no longer parses is skipped).
    pub(crate) async fn keyring(&self) -> Result<Vec<PublicKey>> {
        Ok(self
            .store
            .pgp_keys()
            .await?
            .iter()
            .filter_map(|k| PublicKey::parse(k.armored.as_bytes()).ok())
            .collect())
    }

    /// The keys to encrypt to for these recipients: one valid (unexpired, encryption-capable)
    /// key per address, else a validation error on `to` naming every address without one.
    pub async fn recipient_keys(&self, emails: &[String]) -> Result<Vec<PublicKey>> {
        let ring = self.keyring().await?;
        let now = self.unix_now();
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for e in emails {
            let e = e.trim().to_ascii_lowercase();
            let found = ring
                .iter()
                .filter(|k| k.info.emails.contains(&e))
                .filter(|k| !k.info.is_expired(now) && k.info.can_encrypt)
                .max_by_key(|k| k.info.created);
            match found {
                Some(k) => out.push(k.clone()),
                None => missing.push(e),
            }
        }
        if !missing.is_empty() {
            return Err(Error::validation(
                "to",
                format!(
                    "no valid OpenPGP key is known for {}; import one with `hikeshi key import`",
                    missing.join(", ")
                ),
            ));
        }
        Ok(out)
    }

    /// The decrypted form of a report's message (kept beside the raw one), if the caller may
    /// see the report; `NotFound` when the message was not decrypted.
    pub async fn decrypted_mail_of_report(
        &self,
        actor: &Actor,
        id_or_ref: &str,
    ) -> Result<Vec<u8>> {
        let d = self.get_report_details(actor, id_or_ref).await?;
        let raw_id = d.mail.map(|m| m.raw_id).ok_or(Error::NotFound)?;
        self.store
            .mail_pgp(&raw_id)
            .await?
            .filter(|p| p.encrypted)
            .and_then(|p| p.decrypted)
            .ok_or(Error::NotFound)
    }

    /// OpenPGP on an inbound message: verify against the keyring, decrypt with the team key.
    /// Cheap for mail without OpenPGP in it (no key is loaded).
    pub(crate) async fn examine_pgp(&self, raw_id: &str, raw: &[u8]) -> Result<Option<MailPgp>> {
        if !hikeshi_pgp::inbound::looks_like_pgp(raw) {
            return Ok(None);
        }
        let ring = self.keyring().await?;
        // A damaged stored key must not stop intake: the mail is kept, flagged.
        let team = self.team_secret_key().await.unwrap_or_default();
        let r = hikeshi_pgp::process_inbound(raw, &ring, team.as_ref(), self.unix_now());
        if !r.encrypted && r.verification.status == hikeshi_pgp::SigStatus::None {
            return Ok(None);
        }
        let p = MailPgp {
            raw_id: raw_id.to_string(),
            encrypted: r.encrypted,
            decrypted: r.inner,
            decrypt_error: r.decrypt_error,
            signature: r.verification.status.as_str().to_string(),
            signer: r.verification.signer,
        };
        self.store.insert_mail_pgp(&p).await?;
        Ok(Some(p))
    }
}
