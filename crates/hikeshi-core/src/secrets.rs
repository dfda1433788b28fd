//! Passwords (Argon2id) and API tokens (long random secrets, stored as an HMAC-SHA256
//! under the installation's key: checking a token costs microseconds, not a password hash).

use crate::error::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;

/// Prefix that makes leaked tokens easy to spot by secret scanners.
pub const TOKEN_PREFIX: &str = "hks_";

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A random password for generated accounts (about 120 bits).
pub fn generate_password() -> String {
    b64(&random_bytes::<15>())
}

pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 8 {
        return Err(Error::validation(
            "password",
            "must be at least 8 characters",
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// A new API token: `hks_` + 256 random bits.
pub fn generate_token() -> String {
    format!("{TOKEN_PREFIX}{}", b64(&random_bytes::<32>()))
}

/// The keyed hash stored for a token (and for session ids).
pub fn token_digest(key: &[u8], token: &str) -> String {
    // HMAC accepts keys of any length; the error case cannot occur.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(token.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip_and_minimum() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse!", &h));
        assert!(!verify_password("x", "not a phc string"));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn tokens_are_long_random_and_keyed() {
        let t = generate_token();
        assert!(t.starts_with(TOKEN_PREFIX) && t.len() > 40);
        assert_ne!(t, generate_token());
        assert_eq!(token_digest(b"k", &t), token_digest(b"k", &t));
        assert_ne!(token_digest(b"k", &t), token_digest(b"other", &t));
    }
}
