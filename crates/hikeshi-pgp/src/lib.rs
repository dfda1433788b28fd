//! OpenPGP for Hikeshi mail, over rPGP (`pgp`): pure functions, no database, no network and
//! no clock — every function that needs the time takes it (Unix seconds).
//!
//! - [`keys`]: contacts' public keys and the team's secret key (armored or binary), with
//!   fingerprint, user ids, e-mail addresses and expiry.
//! - [`inbound`]: RFC 3156 PGP/MIME (`multipart/signed`, `multipart/encrypted`) and inline
//!   (cleartext-signed, armored message) mail: verification against a keyring and decryption
//!   with the team key. The result is a [`Verification`] and, after decryption, the inner
//!   RFC 5322 message for the MIME parser.
//! - [`outbound`]: PGP/MIME signing and sign-and-encrypt of a built message.
//! - [`seal`]: the team key encrypted at rest (AES-256-GCM, key derived by HKDF-SHA256 from
//!   the installation key).

mod generate;
pub mod inbound;
pub mod keys;
mod mime;
pub mod outbound;
pub mod seal;
pub mod wkd;

#[cfg(test)]
mod gpg_tests;

pub use generate::generate;
pub use inbound::{Inbound, process_inbound};
pub use keys::{KeyInfo, PublicKey, SecretKey};
pub use outbound::{sign, sign_and_encrypt, sign_and_encrypt_protected};

/// What a signature check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigStatus {
    /// The message carries no OpenPGP signature.
    None,
    /// Valid signature by a key in the keyring that has not expired.
    Good,
    /// A signature by a known key that does not match the content (tampered or broken).
    Bad,
    /// Signed by a key not in the keyring.
    UnknownKey,
    /// Valid signature, but by a key that has expired.
    Expired,
}

impl SigStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SigStatus::None => "none",
            SigStatus::Good => "good",
            SigStatus::Bad => "bad",
            SigStatus::UnknownKey => "unknown-key",
            SigStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<SigStatus> {
        Some(match s {
            "none" => SigStatus::None,
            "good" => SigStatus::Good,
            "bad" => SigStatus::Bad,
            "unknown-key" => SigStatus::UnknownKey,
            "expired" => SigStatus::Expired,
            _ => return None,
        })
    }

    /// Preference when a message carries several signatures: the best one counts.
    fn rank(self) -> u8 {
        match self {
            SigStatus::Good => 4,
            SigStatus::Expired => 3,
            SigStatus::Bad => 2,
            SigStatus::UnknownKey => 1,
            SigStatus::None => 0,
        }
    }
}

/// The outcome of checking a message's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub status: SigStatus,
    /// Fingerprint (upper-case hex) of the signing key when known, else the issuer key id
    /// named by the signature.
    pub signer: Option<String>,
}

impl Verification {
    pub fn none() -> Self {
        Verification {
            status: SigStatus::None,
            signer: None,
        }
    }
}

/// Errors of this crate; messages are one line, fit for a CLI or an API field error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not an OpenPGP key: {0}")]
    NotAKey(String),
    #[error("the key is a secret key; import it as the team key")]
    SecretGiven,
    #[error("the key is a public key; the team key must include its secret part")]
    PublicGiven,
    #[error("the secret key is locked and the passphrase does not unlock it")]
    Locked,
    #[error("the key has no usable {0} key")]
    NoUsableKey(&'static str),
    #[error("the key of {0} has expired")]
    KeyExpired(String),
    #[error("OpenPGP: {0}")]
    Pgp(String),
    #[error("sealed data is damaged or was sealed under another installation key")]
    Seal,
}

impl From<pgp::errors::Error> for Error {
    fn from(e: pgp::errors::Error) -> Self {
        Error::Pgp(one_line(&e.to_string()))
    }
}

pub type Result<T> = std::result::Result<T, Error>;

fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}
