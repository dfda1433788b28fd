//! Key generation: for tests, and for a team that has no key yet.

use crate::keys::SecretKey;
use crate::{Error, Result};
use pgp::composed::{EncryptionCaps, KeyType, SecretKeyParamsBuilder, SubkeyParamsBuilder};
use pgp::crypto::ecc_curve::ECCCurve;
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::packet::{
    Features, KeyFlags, PacketTrait, SignatureConfig, SignatureType, Subpacket, SubpacketData,
};
use pgp::ser::Serialize;
use pgp::types::{CompressionAlgorithm, Duration, KeyDetails, Password, Timestamp};

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_secs(u32::try_from(secs.max(0)).unwrap_or(u32::MAX))
}

/// Generates a v4 key: an Ed25519 primary that certifies and signs, and a Curve25519
/// encryption subkey, created at `created` (Unix seconds), valid for `valid_for` seconds
/// (`None`: no expiry). For tests and for teams without a key yet.
pub fn generate(user_id: &str, created: i64, valid_for: Option<u32>) -> Result<SecretKey> {
    let mut rng = rand::thread_rng();
    let mut enc = SubkeyParamsBuilder::default();
    enc.key_type(KeyType::ECDH(ECCCurve::Curve25519Legacy))
        .can_sign(false)
        .can_encrypt(EncryptionCaps::All)
        .created_at(ts(created));
    let mut params = SecretKeyParamsBuilder::default();
    params
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .can_encrypt(EncryptionCaps::None)
        .created_at(ts(created))
        .primary_user_id(user_id.into())
        .subkeys(vec![enc.build().map_err(|e| Error::Pgp(e.to_string()))?]);
    let mut key = params
        .build()
        .map_err(|e| Error::Pgp(e.to_string()))?
        .generate(&mut rng)?;
    // The builder has no expiry setting: re-certify the user id with a dated self-signature.
    let mut flags = KeyFlags::default();
    flags.set_certify(true);
    flags.set_sign(true);
    let mut features = Features::default();
    features.set_seipd_v1(true);
    let mut hashed = vec![
        Subpacket::regular(SubpacketData::SignatureCreationTime(ts(created)))?,
        Subpacket::regular(SubpacketData::IssuerFingerprint(
            key.primary_key.fingerprint(),
        ))?,
        Subpacket::regular(SubpacketData::KeyFlags(flags))?,
        Subpacket::regular(SubpacketData::IsPrimary(true))?,
        Subpacket::regular(SubpacketData::Features(features))?,
        Subpacket::regular(SubpacketData::PreferredSymmetricAlgorithms(
            [SymmetricKeyAlgorithm::AES256, SymmetricKeyAlgorithm::AES128]
                .into_iter()
                .collect(),
        ))?,
        Subpacket::regular(SubpacketData::PreferredHashAlgorithms(
            [HashAlgorithm::Sha512, HashAlgorithm::Sha256]
                .into_iter()
                .collect(),
        ))?,
        Subpacket::regular(SubpacketData::PreferredCompressionAlgorithms(
            [CompressionAlgorithm::ZLIB, CompressionAlgorithm::ZIP]
                .into_iter()
                .collect(),
        ))?,
    ];
    if let Some(v) = valid_for {
        hashed.push(Subpacket::regular(SubpacketData::KeyExpirationTime(
            Duration::from_secs(v),
        ))?);
    }
    let mut cfg =
        SignatureConfig::from_key(&mut rng, &key.primary_key, SignatureType::CertPositive)?;
    cfg.hashed_subpackets = hashed;
    cfg.unhashed_subpackets = vec![Subpacket::regular(SubpacketData::IssuerKeyId(
        key.primary_key.legacy_key_id(),
    ))?];
    let Some(user) = key.details.users.first_mut() else {
        return Err(Error::Pgp("generated key has no user id".into()));
    };
    let sig = cfg.sign_certification(
        &key.primary_key,
        key.primary_key.public_key(),
        &Password::empty(),
        user.id.tag(),
        &user.id,
    )?;
    user.signatures = vec![sig];
    let mut bytes = Vec::new();
    key.to_writer(&mut bytes)?;
    SecretKey::parse(&bytes, "")
}
