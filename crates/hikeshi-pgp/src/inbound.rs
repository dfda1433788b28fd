//! Inbound mail: verify PGP/MIME and inline signatures, decrypt mail sent to the team key.

use crate::keys::{PublicKey, SecretKey, hex_fpr};
use crate::mime;
use crate::{SigStatus, Verification};
use pgp::composed::{
    CleartextSignedMessage, DecryptionOptions, Deserializable, DetachedSignature, Message, TheRing,
};
use pgp::packet::Signature;
use pgp::types::{KeyDetails, VerifyingKey};

/// What OpenPGP made of one raw message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub verification: Verification,
    /// The message was OpenPGP-encrypted (PGP/MIME or an inline armored message).
    pub encrypted: bool,
    /// The message to parse for display and search instead of the raw one: the decrypted
    /// form (outer headers + decrypted content), or an inline-signed text without its armor.
    /// `None`: parse the raw message as it is.
    pub inner: Option<Vec<u8>>,
    /// Why an encrypted message could not be decrypted (the raw message is kept regardless).
    pub decrypt_error: Option<String>,
}

impl Inbound {
    fn plain() -> Inbound {
        Inbound {
            verification: Verification::none(),
            encrypted: false,
            inner: None,
            decrypt_error: None,
        }
    }
}

/// A cheap pre-check: could this message carry OpenPGP (PGP/MIME or inline armor)?
/// When false, [`process_inbound`] would find nothing, so callers skip loading keys.
pub fn looks_like_pgp(raw: &[u8]) -> bool {
    const NEEDLES: [&[u8]; 3] = [b"-----BEGIN PGP ", b"application/pgp-", b"APPLICATION/PGP-"];
    if NEEDLES.iter().any(|n| find(raw, n).is_some()) {
        return true;
    }
    // Inline armor hidden by a transfer encoding of a single text part.
    let (headers, body) = mime::split(raw);
    let ct = mime::header(headers, "content-type").unwrap_or_default();
    let cte = mime::header(headers, "content-transfer-encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(mime::mime_type(&ct).as_str(), "" | "text/plain")
        && matches!(cte.trim(), "base64" | "quoted-printable")
        && find(&mime::decode(headers, body), b"-----BEGIN PGP ").is_some()
}

/// Examines a raw RFC 5322 message: `keyring` holds the keys signatures are checked against,
/// `team` the key mail is decrypted with, `now` (Unix seconds) decides expiry. Never fails:
/// anything it cannot make sense of is reported in the result.
pub fn process_inbound(
    raw: &[u8],
    keyring: &[PublicKey],
    team: Option<&SecretKey>,
    now: i64,
) -> Inbound {
    let (headers, body) = mime::split(raw);
    let ct = mime::header(headers, "content-type").unwrap_or_default();
    let protocol = mime::param(&ct, "protocol")
        .unwrap_or_default()
        .to_ascii_lowercase();
    match mime::mime_type(&ct).as_str() {
        // S/MIME and other protocols are not ours to judge: `none`.
        "multipart/encrypted" | "multipart/signed" if !protocol.starts_with("application/pgp-") => {
            Inbound::plain()
        }
        "multipart/encrypted" => {
            let mut out = Inbound {
                encrypted: true,
                ..Inbound::plain()
            };
            let parts = mime::param(&ct, "boundary")
                .map(|b| mime::parts(body, &b))
                .unwrap_or_default();
            let Some(payload) = parts.get(1) else {
                out.decrypt_error = Some("multipart/encrypted without its second part".into());
                return out;
            };
            let (ph, pb) = mime::split(payload);
            let data = mime::decode(ph, pb);
            let Some(team) = team else {
                out.decrypt_error = Some("no team key is installed".into());
                return out;
            };
            match decrypt(&data, team, keyring, now) {
                Ok((entity, v)) => {
                    // Signed then encrypted (RFC 3156 §6.1): the entity is multipart/signed.
                    let nested = process_inbound(&entity, keyring, None, now);
                    out.verification = if v.status == SigStatus::None {
                        nested.verification
                    } else {
                        v
                    };
                    let mut inner = outer_headers(headers, &entity);
                    inner.extend_from_slice(&entity);
                    out.inner = Some(inner);
                }
                Err(e) => out.decrypt_error = Some(e),
            }
            out
        }
        "multipart/signed" => {
            let mut out = Inbound::plain();
            let parts = mime::param(&ct, "boundary")
                .map(|b| mime::parts(body, &b))
                .unwrap_or_default();
            if let [signed, sig, ..] = parts.as_slice() {
                let (sh, sb) = mime::split(sig);
                let sig_bytes = mime::decode(sh, sb);
                out.verification = verify_detached(&mime::crlf(signed), &sig_bytes, keyring, now);
            } else {
                out.verification = Verification {
                    status: SigStatus::Bad,
                    signer: None,
                };
            }
            out
        }
        "" | "text/plain" => inline(headers, body, &ct, keyring, team, now),
        _ => Inbound::plain(),
    }
}

const SIGNED: &[u8] = b"-----BEGIN PGP SIGNED MESSAGE-----";
const MESSAGE: &[u8] = b"-----BEGIN PGP MESSAGE-----";
const MESSAGE_END: &[u8] = b"-----END PGP MESSAGE-----";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// A single text part with a cleartext signature or an armored message in it.
fn inline(
    headers: &[u8],
    body: &[u8],
    ct: &str,
    keyring: &[PublicKey],
    team: Option<&SecretKey>,
    now: i64,
) -> Inbound {
    let text = mime::decode(headers, body);
    let charset = mime::param(ct, "charset").unwrap_or_else(|| "us-ascii".into());
    let rebuild = |content: &[u8]| {
        let mut m = mime::non_content_headers(headers);
        m.extend_from_slice(
            format!(
                "Content-Type: text/plain; charset=\"{charset}\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            )
            .as_bytes(),
        );
        m.extend_from_slice(content);
        m
    };
    if let Some(start) = find(&text, SIGNED) {
        let mut out = Inbound::plain();
        let s = String::from_utf8_lossy(&text[start..]);
        match CleartextSignedMessage::from_string(&s) {
            Ok((msg, _)) => {
                out.verification = best(msg.signatures().iter().map(|sig| {
                    check(sig, keyring, now, |k| {
                        verify_one(sig, k, msg.signed_text().as_bytes())
                    })
                }));
                let mut content = text[..start].to_vec();
                content.extend_from_slice(msg.signed_text().as_bytes());
                out.inner = Some(rebuild(&content));
            }
            Err(_) => {
                out.verification = Verification {
                    status: SigStatus::Bad,
                    signer: None,
                }
            }
        }
        return out;
    }
    if let Some(start) = find(&text, MESSAGE) {
        let mut out = Inbound {
            encrypted: true,
            ..Inbound::plain()
        };
        let end = find(&text[start..], MESSAGE_END)
            .map(|e| start + e + MESSAGE_END.len())
            .unwrap_or(text.len());
        let Some(team) = team else {
            out.decrypt_error = Some("no team key is installed".into());
            return out;
        };
        match decrypt(&text[start..end], team, keyring, now) {
            Ok((plain, v)) => {
                out.verification = v;
                let mut content = text[..start].to_vec();
                content.extend_from_slice(&plain);
                content.extend_from_slice(&text[end..]);
                out.inner = Some(rebuild(&content));
            }
            Err(e) => out.decrypt_error = Some(e),
        }
        return out;
    }
    Inbound::plain()
}

/// A component key (primary or subkey) of a keyring entry.
enum Component<'k> {
    Primary(&'k pgp::packet::PublicKey),
    Sub(&'k pgp::packet::PublicSubkey),
}

impl Component<'_> {
    fn as_dyn(&self) -> &dyn VerifyingKey {
        match self {
            Component::Primary(k) => *k,
            Component::Sub(k) => *k,
        }
    }
}

fn verify_one(sig: &Signature, k: &Component<'_>, data: &[u8]) -> bool {
    match k {
        Component::Primary(key) => sig.verify(*key, data).is_ok(),
        Component::Sub(key) => sig.verify(*key, data).is_ok(),
    }
}

/// The keyring entry and component that the signature names as its issuer.
fn signer<'k>(sig: &Signature, keyring: &'k [PublicKey]) -> Option<(&'k PublicKey, Component<'k>)> {
    let fprs = sig.issuer_fingerprint();
    let ids = sig.issuer_key_id();
    let named = |k: &dyn KeyDetails| {
        let fp = k.fingerprint();
        let id = k.legacy_key_id();
        fprs.iter().any(|f| **f == fp) || ids.iter().any(|i| **i == id)
    };
    for pk in keyring {
        if named(&pk.key.primary_key) {
            return Some((pk, Component::Primary(&pk.key.primary_key)));
        }
        for sk in &pk.key.public_subkeys {
            if named(&sk.key) {
                return Some((pk, Component::Sub(&sk.key)));
            }
        }
    }
    None
}

fn issuer_label(sig: &Signature) -> Option<String> {
    if let Some(f) = sig.issuer_fingerprint().first() {
        return Some(hex_fpr(f));
    }
    sig.issuer_key_id()
        .first()
        .map(|id| id.as_ref().iter().map(|b| format!("{b:02X}")).collect())
}

/// One signature: who made it and whether `verifies` holds for that key.
fn check(
    sig: &Signature,
    keyring: &[PublicKey],
    now: i64,
    verifies: impl FnOnce(&Component<'_>) -> bool,
) -> Verification {
    let Some((pk, component)) = signer(sig, keyring) else {
        return Verification {
            status: SigStatus::UnknownKey,
            signer: issuer_label(sig),
        };
    };
    let status = if !verifies(&component) {
        SigStatus::Bad
    } else if pk.info.is_expired(now) {
        SigStatus::Expired
    } else {
        SigStatus::Good
    };
    Verification {
        status,
        signer: Some(pk.info.fingerprint.clone()),
    }
}

fn best(results: impl Iterator<Item = Verification>) -> Verification {
    results
        .max_by_key(|v| v.status.rank())
        .unwrap_or(Verification {
            status: SigStatus::Bad,
            signer: None,
        })
}

/// A detached signature (armored or binary) over `data` (already canonical).
pub fn verify_detached(
    data: &[u8],
    signature: &[u8],
    keyring: &[PublicKey],
    now: i64,
) -> Verification {
    let sigs: Vec<DetachedSignature> = match DetachedSignature::from_reader_many(signature) {
        Ok((iter, _)) => iter.filter_map(|s| s.ok()).collect(),
        Err(_) => Vec::new(),
    };
    best(sigs.iter().map(|s| {
        check(&s.signature, keyring, now, |k| {
            verify_one(&s.signature, k, data)
        })
    }))
}

/// Decrypts an OpenPGP message (armored or binary) with the team key; a signature inside it
/// is checked against the keyring.
fn decrypt(
    data: &[u8],
    team: &SecretKey,
    keyring: &[PublicKey],
    now: i64,
) -> Result<(Vec<u8>, Verification), String> {
    let armored = find(&data[..data.len().min(1024)], b"-----BEGIN PGP").is_some();
    let msg = if armored {
        Message::from_armor(data).map(|(m, _)| m)
    } else {
        Message::from_bytes(data)
    }
    .map_err(|e| {
        format!(
            "not an OpenPGP message: {}",
            crate::one_line(&e.to_string())
        )
    })?;
    let pw = team.password();
    let ring = TheRing {
        secret_keys: vec![&team.key],
        key_passwords: vec![&pw],
        decrypt_options: DecryptionOptions::new().enable_gnupg_aead(),
        ..Default::default()
    };
    let (mut msg, _) = msg.decrypt_the_ring(ring, true).map_err(|e| match e {
        pgp::errors::Error::MissingKey => "not encrypted to the team key".to_string(),
        e => format!("decryption failed: {}", crate::one_line(&e.to_string())),
    })?;
    if msg.is_compressed() {
        msg = msg
            .decompress()
            .map_err(|e| format!("decompression failed: {}", crate::one_line(&e.to_string())))?;
    }
    let plain = msg
        .as_data_vec()
        .map_err(|e| format!("decryption failed: {}", crate::one_line(&e.to_string())))?;
    let verification = match &msg {
        Message::Signed { reader, .. } => best((0..reader.num_signatures()).filter_map(|i| {
            let sig = reader.signature(i)?;
            Some(check(sig, keyring, now, |k| {
                msg.verify_nested_explicit(i, k.as_dyn()).is_ok()
            }))
        })),
        _ => Verification::none(),
    };
    Ok((plain, verification))
}

/// The outer header fields to put before a decrypted entity: all of them, except those the
/// entity carries itself under header protection (RFC 9788 `hp=`, or the older
/// `protected-headers=` of Autocrypt/Enigmail) — the protected copies are the real ones.
fn outer_headers(headers: &[u8], entity: &[u8]) -> Vec<u8> {
    let (eh, _) = mime::split(entity);
    let ct = mime::header(eh, "content-type").unwrap_or_default();
    if mime::param(&ct, "hp").is_none() && mime::param(&ct, "protected-headers").is_none() {
        return mime::non_content_headers(headers);
    }
    let inside: Vec<String> = mime::fields(eh)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| !n.starts_with("content-"))
        .collect();
    let mut out = Vec::new();
    for (n, f) in mime::fields(headers) {
        if !n.starts_with("content-") && !inside.contains(&n) {
            out.extend_from_slice(f);
            if !f.ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
