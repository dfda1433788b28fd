//! Secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the installation key.
//! Sealed form: `nonce (12 bytes) || ciphertext+tag`. The purpose string binds a sealed value
//! to its use, so a sealed team key cannot be passed off as anything else.

use crate::{Error, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;

fn cipher(installation_key: &[u8], purpose: &str) -> Result<Aes256Gcm> {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"hikeshi seal v1"), installation_key);
    let mut key = [0u8; 32];
    hk.expand(purpose.as_bytes(), &mut key)
        .map_err(|_| Error::Seal)?;
    Aes256Gcm::new_from_slice(&key).map_err(|_| Error::Seal)
}

pub fn seal(installation_key: &[u8], purpose: &str, plain: &[u8]) -> Result<Vec<u8>> {
    let c = cipher(installation_key, purpose)?;
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let ct = c
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: purpose.as_bytes(),
            },
        )
        .map_err(|_| Error::Seal)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

pub fn open(installation_key: &[u8], purpose: &str, sealed: &[u8]) -> Result<Vec<u8>> {
    if sealed.len() < 12 + 16 {
        return Err(Error::Seal);
    }
    let c = cipher(installation_key, purpose)?;
    let (nonce, ct) = sealed.split_at(12);
    c.decrypt(
        Nonce::from_slice(nonce),
        Payload {
            msg: ct,
            aad: purpose.as_bytes(),
        },
    )
    .map_err(|_| Error::Seal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_and_refusals() {
        let k = b"installation key 0123456789abcdef";
        let s = seal(k, "team-key", b"secret").unwrap();
        assert_ne!(&s[12..], b"secret");
        assert_eq!(open(k, "team-key", &s).unwrap(), b"secret");
        assert!(open(b"other key", "team-key", &s).is_err());
        assert!(open(k, "other-purpose", &s).is_err());
        let mut bad = s.clone();
        bad[20] ^= 1;
        assert!(open(k, "team-key", &bad).is_err());
        assert!(open(k, "team-key", b"short").is_err());
        assert_ne!(seal(k, "team-key", b"secret").unwrap(), s, "fresh nonce");
    }
}
