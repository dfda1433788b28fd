//! Keys: contacts' public keys (the keyring) and the team's secret key.

use crate::{Error, Result};
use pgp::composed::{ArmorOptions, Deserializable, SignedPublicKey, SignedSecretKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{KeyFlags, Signature};
use pgp::ser::Serialize;
use pgp::types::{KeyDetails, KeyVersion, Password, SigningKey};

/// What Hikeshi keeps about a key, beside the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Primary key fingerprint, upper-case hex without spaces.
    pub fingerprint: String,
    pub user_ids: Vec<String>,
    /// Lower-cased addr-specs taken from the user ids.
    pub emails: Vec<String>,
    /// Creation time of the primary key (Unix seconds).
    pub created: i64,
    /// When the key expires (Unix seconds), from its newest user-id self-signature.
    pub expires: Option<i64>,
    pub can_encrypt: bool,
    pub can_sign: bool,
}

impl KeyInfo {
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }
}

/// A contact's public key (certificate).
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub(crate) key: SignedPublicKey,
    pub info: KeyInfo,
}

/// The team's secret key, unlocked by its passphrase (empty when it has none).
#[derive(Clone)]
pub struct SecretKey {
    pub(crate) key: SignedSecretKey,
    pub(crate) passphrase: String,
    pub info: KeyInfo,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material or the passphrase.
        f.debug_struct("SecretKey")
            .field("info", &self.info)
            .finish()
    }
}

pub(crate) fn hex_fpr(fp: &pgp::types::Fingerprint) -> String {
    format!("{fp:X}")
}

/// The addr-spec inside a user id such as `Team <cert@example.jp>`, lower-cased.
pub fn email_of(uid: &str) -> Option<String> {
    let s = match (uid.rfind('<'), uid.rfind('>')) {
        (Some(a), Some(b)) if a < b => &uid[a + 1..b],
        _ => uid,
    };
    let s = s.trim();
    let (local, domain) = s.split_once('@')?;
    if local.is_empty() || domain.is_empty() || s.contains(char::is_whitespace) {
        return None;
    }
    Some(s.to_ascii_lowercase())
}

fn flags_of(sigs: &[Signature]) -> Option<KeyFlags> {
    sigs.iter()
        .max_by_key(|s| s.created().map(|t| t.as_secs()).unwrap_or(0))
        .map(|s| s.key_flags())
}

fn info(
    primary: &impl KeyDetails,
    details: &pgp::composed::SignedKeyDetails,
    subkeys: &[pgp::composed::SignedPublicSubKey],
) -> KeyInfo {
    let user_ids: Vec<String> = details
        .users
        .iter()
        .filter_map(|u| u.id.as_str().map(str::to_string))
        .collect();
    let mut emails: Vec<String> = Vec::new();
    for e in user_ids.iter().filter_map(|u| email_of(u)) {
        if !emails.contains(&e) {
            emails.push(e);
        }
    }
    let created = i64::from(primary.created_at().as_secs());
    // The newest self-signature on a user id (or a direct-key signature) carries the expiry.
    let newest = details
        .users
        .iter()
        .flat_map(|u| u.signatures.iter())
        .chain(details.direct_signatures.iter())
        .max_by_key(|s| s.created().map(|t| t.as_secs()).unwrap_or(0));
    let expires = newest
        .and_then(|s| s.key_expiration_time())
        .filter(|d| d.as_secs() > 0)
        .map(|d| created + i64::from(d.as_secs()));
    let primary_flags = newest.map(|s| s.key_flags()).unwrap_or_default();
    let mut can_sign = primary_flags.sign();
    let mut can_encrypt = primary_flags.encrypt_comms() || primary_flags.encrypt_storage();
    for sk in subkeys {
        if let Some(f) = flags_of(&sk.signatures) {
            can_sign |= f.sign();
            can_encrypt |= f.encrypt_comms() || f.encrypt_storage();
        }
    }
    KeyInfo {
        fingerprint: hex_fpr(&primary.fingerprint()),
        user_ids,
        emails,
        created,
        expires,
        can_encrypt,
        can_sign,
    }
}

fn looks_secret(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.windows(24).any(|w| w == b"BEGIN PGP PRIVATE KEY BL")
}

impl PublicKey {
    /// One certificate, ASCII-armored or binary. Its self-signatures must verify.
    pub fn parse(bytes: &[u8]) -> Result<PublicKey> {
        if looks_secret(bytes) {
            return Err(Error::SecretGiven);
        }
        let (key, _) = SignedPublicKey::from_reader_single(bytes)
            .map_err(|e| Error::NotAKey(crate::one_line(&e.to_string())))?;
        key.verify_bindings()
            .map_err(|e| Error::NotAKey(format!("self-signatures do not verify: {e}")))?;
        let info = info(&key.primary_key, &key.details, &key.public_subkeys);
        Ok(PublicKey { key, info })
    }

    pub fn armored(&self) -> Result<String> {
        Ok(self.key.to_armored_string(ArmorOptions::default())?)
    }

    /// The certificate in binary form (what WKD serves).
    pub fn binary(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.key.to_writer(&mut out)?;
        Ok(out)
    }

    /// Component keys (primary first) that carry an encryption flag.
    pub(crate) fn encryption_keys(&self) -> Vec<&pgp::composed::SignedPublicSubKey> {
        self.key
            .public_subkeys
            .iter()
            .filter(|sk| {
                flags_of(&sk.signatures).is_some_and(|f| f.encrypt_comms() || f.encrypt_storage())
                    && sk.key.algorithm().can_encrypt()
            })
            .collect()
    }
}

impl SecretKey {
    /// The team's transferable secret key, armored or binary, unlocked with `passphrase`
    /// (empty for none). The passphrase is checked by making a signature.
    pub fn parse(bytes: &[u8], passphrase: &str) -> Result<SecretKey> {
        let (key, _) = match SignedSecretKey::from_reader_single(bytes) {
            Ok(k) => k,
            Err(e) => {
                if SignedPublicKey::from_reader_single(bytes).is_ok() {
                    return Err(Error::PublicGiven);
                }
                return Err(Error::NotAKey(crate::one_line(&e.to_string())));
            }
        };
        key.verify_bindings()
            .map_err(|e| Error::NotAKey(format!("self-signatures do not verify: {e}")))?;
        let public = key.to_public_key();
        let info = info(&public.primary_key, &public.details, &public.public_subkeys);
        let sk = SecretKey {
            key,
            passphrase: passphrase.to_string(),
            info,
        };
        let signer = sk.signing_key()?;
        pgp::composed::DetachedSignature::sign_binary_data(
            rand::thread_rng(),
            &Box::new(signer),
            &sk.password(),
            HashAlgorithm::Sha256,
            &b"unlock check"[..],
        )
        .map_err(|_| Error::Locked)?;
        Ok(sk)
    }

    /// The same key with its passphrase protection removed from every secret component (the
    /// caller stores it sealed instead): unlocking an iterated-S2K passphrase on every
    /// message would cost far more than the message itself.
    pub fn unlocked(&self) -> Result<SecretKey> {
        let pw = self.password();
        let mut key = self.key.clone();
        key.primary_key
            .remove_password(&pw)
            .map_err(|_| Error::Locked)?;
        for sk in &mut key.secret_subkeys {
            sk.key.remove_password(&pw).map_err(|_| Error::Locked)?;
        }
        Ok(SecretKey {
            key,
            passphrase: String::new(),
            info: self.info.clone(),
        })
    }

    /// The public half, as published at the well-known URL and used to encrypt to the team.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            key: self.key.to_public_key(),
            info: self.info.clone(),
        }
    }

    /// The transferable secret key, armored (still under its own passphrase, if any).
    pub fn armored(&self) -> Result<String> {
        Ok(self.key.to_armored_string(ArmorOptions::default())?)
    }

    /// The passphrase the key was imported with (empty for none).
    pub fn passphrase(&self) -> &str {
        &self.passphrase
    }

    pub(crate) fn password(&self) -> Password {
        Password::from(self.passphrase.as_str())
    }

    /// The signing-capable subkey, else the primary key when it may sign.
    pub(crate) fn signing_key(&self) -> Result<&dyn SigningKey> {
        for sk in &self.key.secret_subkeys {
            if flags_of(&sk.signatures).is_some_and(|f| f.sign()) {
                return Ok(&sk.key);
            }
        }
        let primary_flags = self
            .key
            .details
            .users
            .iter()
            .flat_map(|u| u.signatures.iter())
            .chain(self.key.details.direct_signatures.iter())
            .max_by_key(|s| s.created().map(|t| t.as_secs()).unwrap_or(0))
            .map(|s| s.key_flags())
            .unwrap_or_default();
        if primary_flags.sign() || self.key.primary_key.version() == KeyVersion::V6 {
            return Ok(&self.key.primary_key);
        }
        Err(Error::NoUsableKey("signing"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;

    #[test]
    fn emails_from_user_ids() {
        for (uid, want) in [
            ("Team <CERT@Example.JP>", Some("cert@example.jp")),
            ("cert@example.jp", Some("cert@example.jp")),
            ("日本 チーム <soc@例え.jp>", Some("soc@例え.jp")),
            ("No Address", None),
            ("Broken <@x>", None),
        ] {
            assert_eq!(email_of(uid).as_deref(), want, "{uid}");
        }
    }

    #[test]
    fn generated_key_round_trips_with_expiry() {
        let k = generate("CSIRT <cert@example.jp>", 1_700_000_000, Some(86_400)).unwrap();
        assert_eq!(k.info.emails, vec!["cert@example.jp"]);
        assert_eq!(k.info.expires, Some(1_700_086_400));
        assert!(k.info.can_encrypt && k.info.can_sign);
        assert!(!k.info.is_expired(1_700_000_001));
        assert!(k.info.is_expired(1_700_086_400));
        let armored = k.public().armored().unwrap();
        let p = PublicKey::parse(armored.as_bytes()).unwrap();
        assert_eq!(p.info, k.info);
        assert_eq!(p.info.fingerprint.len(), 40);
        let again = SecretKey::parse(k.armored().unwrap().as_bytes(), "").unwrap();
        assert_eq!(again.info.fingerprint, k.info.fingerprint);
    }

    #[test]
    fn wrong_kind_of_input_is_named() {
        let k = generate("a@example.jp", 1_700_000_000, None).unwrap();
        let sec = k.armored().unwrap();
        assert!(matches!(
            PublicKey::parse(sec.as_bytes()),
            Err(Error::SecretGiven)
        ));
        let public = k.public().armored().unwrap();
        assert!(matches!(
            SecretKey::parse(public.as_bytes(), ""),
            Err(Error::PublicGiven)
        ));
        assert!(matches!(
            PublicKey::parse(b"hello world"),
            Err(Error::NotAKey(_))
        ));
    }
}
