//! Outbound PGP/MIME (RFC 3156): sign, or sign and encrypt, a built message.
//!
//! Input is a built RFC 5322 message (or a bare MIME entity). Its `Content-*` header fields
//! and body become the protected entity; every other header field (From, To, Subject,
//! Message-ID, …) stays outside. 8-bit single-part bodies are re-encoded as base64 first, as
//! RFC 3156 §3 requires a 7-bit-safe signed part.

use crate::keys::{PublicKey, SecretKey};
use crate::{Error, Result, mime};
use base64::Engine;
use pgp::composed::{ArmorOptions, DetachedSignature, MessageBuilder, SubpacketConfig};
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::packet::{Subpacket, SubpacketData};
use pgp::types::{KeyVersion, SigningKey, Timestamp};
use rand::Rng;

fn boundary() -> String {
    let n: u128 = rand::thread_rng().r#gen();
    format!("hikeshi-pgp-{n:032x}")
}

/// Signature subpackets dated `now` (Unix seconds) instead of the library's clock.
fn subpackets(signer: &dyn SigningKey, now: i64) -> Result<SubpacketConfig> {
    let created = Timestamp::from_secs(u32::try_from(now.max(0)).unwrap_or(u32::MAX));
    let hashed = vec![
        Subpacket::regular(SubpacketData::IssuerFingerprint(signer.fingerprint()))?,
        Subpacket::regular(SubpacketData::SignatureCreationTime(created))?,
    ];
    let mut unhashed = vec![];
    if signer.version() <= KeyVersion::V4 {
        unhashed.push(Subpacket::regular(SubpacketData::IssuerKeyId(
            signer.legacy_key_id(),
        ))?);
    }
    Ok(SubpacketConfig::UserDefined { hashed, unhashed })
}

/// Header fields copied into the encrypted part by header protection (RFC 9788).
const PROTECTED: &[&str] = &[
    "subject",
    "from",
    "to",
    "cc",
    "reply-to",
    "date",
    "message-id",
    "in-reply-to",
    "references",
];

fn with_crlf(f: &[u8]) -> Vec<u8> {
    let mut v = f.to_vec();
    if !v.ends_with(b"\n") {
        v.extend_from_slice(b"\r\n");
    }
    v
}

/// Header protection (RFC 9788, `hp="cipher"`): the outer header block with its Subject
/// replaced by `outer_subject` (RFC 2047-encoded when not ASCII), and the inner content header
/// block with copies of the [`PROTECTED`] fields and `hp="cipher"` on its Content-Type.
fn protect_headers(headers: &[u8], outer_subject: &str) -> (Vec<u8>, Vec<u8>) {
    use base64::Engine;
    let (mut outer, mut inner) = (Vec::new(), Vec::new());
    let subject = if outer_subject.is_ascii() {
        outer_subject.to_string()
    } else {
        let b64 = base64::engine::general_purpose::STANDARD.encode(outer_subject);
        format!("=?UTF-8?B?{b64}?=")
    };
    let mut has_ct = false;
    for (n, f) in mime::fields(headers) {
        if n.starts_with("content-") {
            if n == "content-type" {
                has_ct = true;
                let mut v = with_crlf(f);
                while v.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
                    v.pop();
                }
                v.extend_from_slice(b";\r\n hp=\"cipher\"\r\n");
                inner.extend_from_slice(&v);
            } else {
                inner.extend_from_slice(&with_crlf(f));
            }
            continue;
        }
        if PROTECTED.contains(&n.as_str()) {
            inner.extend_from_slice(&with_crlf(f));
        }
        if n == "subject" {
            outer.extend_from_slice(format!("Subject: {subject}\r\n").as_bytes());
        } else {
            outer.extend_from_slice(&with_crlf(f));
        }
    }
    if !has_ct {
        inner.extend_from_slice(b"Content-Type: text/plain; charset=utf-8; hp=\"cipher\"\r\n");
    }
    (outer, inner)
}

/// Splits a message into (outer header fields, protected entity in canonical CRLF form);
/// with `outer_subject`, the header fields are protected too ([`protect_headers`]).
fn entity(message: &[u8], outer_subject: Option<&str>) -> (Vec<u8>, Vec<u8>) {
    let (headers, body) = mime::split(message);
    let (mut outer, mut content) = match outer_subject {
        Some(s) => protect_headers(headers, s),
        None => (
            mime::non_content_headers(headers),
            mime::content_headers(headers),
        ),
    };
    if mime::header(headers, "mime-version").is_none() {
        outer.extend_from_slice(b"MIME-Version: 1.0\r\n");
    }
    let ct = mime::header(headers, "content-type").unwrap_or_default();
    if ct.is_empty() && outer_subject.is_none() {
        content.extend_from_slice(b"Content-Type: text/plain; charset=utf-8\r\n");
    }
    let cte = mime::header(headers, "content-transfer-encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let eight_bit = body.iter().any(|&b| b >= 0x80);
    let body = if eight_bit && !mime::mime_type(&ct).starts_with("multipart/") && cte != "base64" {
        // Re-encode: drop the old transfer encoding, wrap base64 at 76 columns.
        let (h, _) = mime::split(&content);
        let kept: Vec<u8> = {
            let mut k = Vec::new();
            let text = String::from_utf8_lossy(h).to_string();
            let mut skip = false;
            for line in text.split_inclusive('\n') {
                let cont = line.starts_with(' ') || line.starts_with('\t');
                if !cont {
                    skip = line
                        .to_ascii_lowercase()
                        .starts_with("content-transfer-encoding:");
                }
                if !skip {
                    k.extend_from_slice(line.as_bytes());
                }
            }
            k
        };
        content = kept;
        content.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
        let b64 = base64::engine::general_purpose::STANDARD.encode(body);
        let mut wrapped = Vec::with_capacity(b64.len() + b64.len() / 38);
        for chunk in b64.as_bytes().chunks(76) {
            wrapped.extend_from_slice(chunk);
            wrapped.extend_from_slice(b"\r\n");
        }
        wrapped
    } else {
        body.to_vec()
    };
    let mut e = content;
    e.extend_from_slice(b"\r\n");
    e.extend_from_slice(&body);
    (outer, mime::crlf(&e))
}

/// Signs `message` with the team key: `multipart/signed; protocol="application/pgp-signature"`,
/// the signature dated `now` (Unix seconds).
pub fn sign(message: &[u8], team: &SecretKey, now: i64) -> Result<Vec<u8>> {
    if team.info.is_expired(now) {
        return Err(Error::KeyExpired("the team".into()));
    }
    let (mut out, signed) = entity(message, None);
    let signer = team.signing_key()?;
    let sig = DetachedSignature::sign_binary_data_with_subpackets(
        rand::thread_rng(),
        &Box::new(signer),
        &team.password(),
        HashAlgorithm::Sha256,
        &signed[..],
        subpackets(signer, now)?,
    )?;
    let armored = sig.to_armored_string(ArmorOptions::default())?;
    let b = boundary();
    out.extend_from_slice(
        format!(
            "Content-Type: multipart/signed; micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\"; boundary=\"{b}\"\r\n\r\n\
             This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n--{b}\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(&signed);
    out.extend_from_slice(
        format!(
            "\r\n--{b}\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\
             Content-Description: OpenPGP digital signature\r\n\
             Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(&mime::crlf(armored.trim_end().as_bytes()));
    out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    Ok(out)
}

/// Signs with the team key and encrypts to every recipient key and to the team key itself
/// (so the team can read its own sent mail): `multipart/encrypted` (RFC 3156 §6.2, the
/// combined form). A recipient key that has expired or cannot encrypt is an error naming it.
pub fn sign_and_encrypt(
    message: &[u8],
    recipients: &[PublicKey],
    team: &SecretKey,
    now: i64,
) -> Result<Vec<u8>> {
    encrypt_inner(message, recipients, team, now, None)
}

/// [`sign_and_encrypt`] with header protection (RFC 9788, `hp="cipher"`): Subject, From,
/// To, Cc, Date and the threading fields are copied into the encrypted part, and the Subject
/// seen in transit is `outer_subject` (e.g. the reference tag and `[...]`).
pub fn sign_and_encrypt_protected(
    message: &[u8],
    recipients: &[PublicKey],
    team: &SecretKey,
    now: i64,
    outer_subject: &str,
) -> Result<Vec<u8>> {
    encrypt_inner(message, recipients, team, now, Some(outer_subject))
}

fn encrypt_inner(
    message: &[u8],
    recipients: &[PublicKey],
    team: &SecretKey,
    now: i64,
    outer_subject: Option<&str>,
) -> Result<Vec<u8>> {
    if team.info.is_expired(now) {
        return Err(Error::KeyExpired("the team".into()));
    }
    let mut rng = rand::thread_rng();
    let (mut out, plain) = entity(message, outer_subject);
    let signer = team.signing_key()?;
    let team_public = team.public();
    let mut builder =
        MessageBuilder::from_bytes("", plain).seipd_v1(&mut rng, SymmetricKeyAlgorithm::AES256);
    builder.sign_with_subpackets(
        signer,
        team.password(),
        HashAlgorithm::Sha256,
        subpackets(signer, now)?,
    );
    for r in recipients.iter().chain(std::iter::once(&team_public)) {
        let who = r
            .info
            .emails
            .first()
            .cloned()
            .unwrap_or_else(|| r.info.fingerprint.clone());
        if r.info.is_expired(now) {
            return Err(Error::KeyExpired(who));
        }
        let keys = r.encryption_keys();
        if keys.is_empty() {
            return Err(Error::NoUsableKey("encryption"));
        }
        for k in keys {
            builder.encrypt_to_key(&mut rng, &k)?;
        }
    }
    let armored = builder.to_armored_string(&mut rng, ArmorOptions::default())?;
    let b = boundary();
    out.extend_from_slice(
        format!(
            "Content-Type: multipart/encrypted;\r\n protocol=\"application/pgp-encrypted\"; boundary=\"{b}\"\r\n\r\n\
             This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n--{b}\r\n\
             Content-Type: application/pgp-encrypted\r\n\
             Content-Description: PGP/MIME version identification\r\n\r\n\
             Version: 1\r\n\r\n--{b}\r\n\
             Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\
             Content-Description: OpenPGP encrypted message\r\n\
             Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(&mime::crlf(armored.trim_end().as_bytes()));
    out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    Ok(out)
}
