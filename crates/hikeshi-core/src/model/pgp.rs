//! OpenPGP records: contacts' public keys, the team key, and what OpenPGP made of a message.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A contact's public key in the team's keyring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PgpKey {
    /// Primary key fingerprint, upper-case hex.
    pub fingerprint: String,
    pub user_ids: Vec<String>,
    /// Lower-cased addresses from the user ids (used to find a recipient's key).
    pub emails: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub expires_at: Option<Timestamp>,
    /// The certificate, ASCII-armored.
    pub armored: String,
    /// User name of who added it.
    pub added_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub added_at: Timestamp,
}

/// The team's key pair: the public half in clear, the secret half (with its passphrase)
/// sealed under a key derived from the installation key.
#[derive(Clone, PartialEq)]
pub struct TeamKeyRecord {
    /// Everything about the public half (`armored` is the public key).
    pub public: PgpKey,
    /// Sealed JSON `{"key": armored secret key, "passphrase": ...}`.
    pub sealed_secret: Vec<u8>,
}

impl std::fmt::Debug for TeamKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamKeyRecord")
            .field("public", &self.public.fingerprint)
            .field(
                "sealed_secret",
                &format_args!("{} bytes", self.sealed_secret.len()),
            )
            .finish()
    }
}

/// What OpenPGP made of one raw message: kept beside the raw bytes, so both the raw and the
/// decrypted forms survive.
#[derive(Debug, Clone, PartialEq)]
pub struct MailPgp {
    pub raw_id: String,
    /// The message was encrypted.
    pub encrypted: bool,
    /// The decrypted message (outer headers + decrypted content) when decryption worked.
    pub decrypted: Option<Vec<u8>>,
    /// Why decryption failed (the raw message is kept and the report made from it).
    pub decrypt_error: Option<String>,
    /// `good`, `bad`, `unknown-key`, `expired` or `none`.
    pub signature: String,
    /// Fingerprint of the signing key (or the key id the signature names).
    pub signer: Option<String>,
}
