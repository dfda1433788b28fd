use super::*;
use crate::{generate, outbound};
use pgp::composed::{ArmorOptions, CleartextSignedMessage, MessageBuilder};
use pgp::crypto::sym::SymmetricKeyAlgorithm;

const T0: i64 = 1_790_000_000;

/// ISO-2022-JP bytes of "不正アクセスの報告です。\r\nサーバ 192.0.2.1 から攻撃を受けました。\r\n".
const JIS: &[u8] = b"\x1b$BIT@5%\"%/%;%9$NJs9p$G$9!#\x1b(B\r\n\x1b$B%5!<%P\x1b(B 192.0.2.1 \x1b$B$+$i967b$r<u$1$^$7$?!#\x1b(B\r\n";

fn keys() -> (SecretKey, SecretKey) {
    (
        generate("CSIRT <cert@team.example>", T0, None).unwrap(),
        generate("Reporter <alice@partner.example.jp>", T0, None).unwrap(),
    )
}

fn message(body: &str) -> Vec<u8> {
    format!(
        "From: alice@partner.example.jp\r\nTo: cert@team.example\r\nSubject: report\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    )
    .into_bytes()
}

fn status(raw: &[u8], ring: &[PublicKey], team: Option<&SecretKey>, now: i64) -> SigStatus {
    process_inbound(raw, ring, team, now).verification.status
}

#[test]
fn pgp_mime_signed_good_bad_unknown_expired() {
    let (_, alice) = keys();
    let ring = vec![alice.public()];
    let signed =
        outbound::sign(&message("侵入の痕跡を確認しました。\r\n"), &alice, T0 + 10).unwrap();
    let r = process_inbound(&signed, &ring, None, T0 + 20);
    assert_eq!(r.verification.status, SigStatus::Good);
    assert_eq!(r.verification.signer, Some(alice.info.fingerprint.clone()));
    assert!(r.inner.is_none() && !r.encrypted);
    // The signed part still reads as the original text.
    let parsed = hikeshi_mail::parse(&signed);
    assert!(parsed.text.contains("侵入の痕跡"), "{}", parsed.text);

    // A transport that turned CRLF into LF: canonicalisation still verifies.
    let lf: Vec<u8> = String::from_utf8(signed.clone())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    assert_eq!(status(&lf, &ring, None, T0 + 20), SigStatus::Good);

    // Tampered: one character of the base64 body changed.
    let text = String::from_utf8(signed.clone()).unwrap();
    let at = text
        .find("Content-Transfer-Encoding: base64\r\n\r\n")
        .unwrap()
        + 40;
    let mut tampered = signed.clone();
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(status(&tampered, &ring, None, T0 + 20), SigStatus::Bad);

    // Unknown key: the signer is named by fingerprint.
    let r = process_inbound(&signed, &[], None, T0 + 20);
    assert_eq!(r.verification.status, SigStatus::UnknownKey);
    assert_eq!(r.verification.signer, Some(alice.info.fingerprint.clone()));

    // Expired key: valid for a day, checked two days later.
    let short = generate("Old <old@partner.example.jp>", T0, Some(86_400)).unwrap();
    let signed = outbound::sign(&message("old key\r\n"), &short, T0 + 10).unwrap();
    let ring = vec![short.public()];
    assert_eq!(status(&signed, &ring, None, T0 + 20), SigStatus::Good);
    assert_eq!(
        status(&signed, &ring, None, T0 + 2 * 86_400),
        SigStatus::Expired
    );
    assert!(matches!(
        outbound::sign(&message("x"), &short, T0 + 2 * 86_400),
        Err(crate::Error::KeyExpired(_))
    ));

    // No signature at all.
    assert_eq!(status(&message("plain"), &ring, None, T0), SigStatus::None);
}

#[test]
fn inline_cleartext_signature() {
    let (_, alice) = keys();
    let ring = vec![alice.public()];
    let text = "Please block 198.51.100.7.\r\n- a dashed line\r\n";
    let csm = CleartextSignedMessage::sign(
        rand::thread_rng(),
        text,
        &Box::new(alice.signing_key().unwrap()),
        &alice.password(),
    )
    .unwrap();
    let armored = csm.to_armored_string(ArmorOptions::default()).unwrap();
    let raw = message(&format!("Hello,\r\n\r\n{armored}"));
    let r = process_inbound(&raw, &ring, None, T0);
    assert_eq!(r.verification.status, SigStatus::Good);
    let inner = r.inner.expect("armor removed");
    let parsed = hikeshi_mail::parse(&inner);
    assert!(parsed.text.contains("Hello,"), "{}", parsed.text);
    assert!(parsed.text.contains("- a dashed line"), "{}", parsed.text);
    assert!(!parsed.text.contains("BEGIN PGP"), "{}", parsed.text);
    assert_eq!(parsed.subject, "report");

    let tampered = String::from_utf8(raw)
        .unwrap()
        .replace("198.51.100.7", "198.51.100.8");
    assert_eq!(status(tampered.as_bytes(), &ring, None, T0), SigStatus::Bad);
    assert_eq!(
        status(tampered.as_bytes(), &[], None, T0),
        SigStatus::UnknownKey
    );
}

#[test]
fn pgp_mime_encrypted_to_team_key_with_japanese_inner_part() {
    let (team, alice) = keys();
    let mut inner = b"From: alice@partner.example.jp\r\nTo: cert@team.example\r\nSubject: =?ISO-2022-JP?B?GyRCSVRANRsoQg==?=\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n".to_vec();
    inner.extend_from_slice(JIS);
    // Alice signs with her key and encrypts to the team.
    let enc = outbound::sign_and_encrypt(&inner, &[team.public()], &alice, T0 + 5).unwrap();
    assert!(!String::from_utf8_lossy(&enc).contains("192.0.2.1"));
    let r = process_inbound(&enc, &[alice.public()], Some(&team), T0 + 10);
    assert!(r.encrypted);
    assert_eq!(r.decrypt_error, None);
    assert_eq!(r.verification.status, SigStatus::Good);
    let parsed = hikeshi_mail::parse(r.inner.as_ref().unwrap());
    assert!(
        parsed.text.contains("不正アクセスの報告です。"),
        "{}",
        parsed.text
    );
    assert!(
        parsed.text.contains("192.0.2.1 から攻撃を受けました"),
        "{}",
        parsed.text
    );
    assert_eq!(parsed.subject, "不正");
    // Signer not in the keyring: still decrypted, signature unknown.
    let r = process_inbound(&enc, &[], Some(&team), T0 + 10);
    assert_eq!(r.verification.status, SigStatus::UnknownKey);
    assert!(r.inner.is_some());

    // Without the team key, or encrypted to someone else: flagged, never lost.
    let r = process_inbound(&enc, &[], None, T0 + 10);
    assert!(r.encrypted && r.inner.is_none());
    assert_eq!(r.decrypt_error.as_deref(), Some("no team key is installed"));
    let other = generate("x@y.example", T0, None).unwrap();
    let r = process_inbound(&enc, &[], Some(&other), T0 + 10);
    assert_eq!(
        r.decrypt_error.as_deref(),
        Some("not encrypted to the team key")
    );

    // Damaged ciphertext.
    let mut broken = String::from_utf8(enc).unwrap();
    let at = broken
        .find("\r\n\r\nwcBMA")
        .or_else(|| broken.rfind("=\r\n"))
        .unwrap_or(0);
    let pos = broken[at + 40..]
        .find(|c: char| c.is_ascii_alphanumeric())
        .unwrap()
        + at
        + 40;
    let c = if &broken[pos..pos + 1] == "A" {
        "B"
    } else {
        "A"
    };
    broken.replace_range(pos..pos + 1, c);
    let r = process_inbound(broken.as_bytes(), &[], Some(&team), T0 + 10);
    assert!(r.decrypt_error.is_some() || r.verification.status == SigStatus::Bad);
}

#[test]
fn inline_armored_message_is_decrypted() {
    let (team, _) = keys();
    let public = team.public();
    let mut b = MessageBuilder::from_bytes("", "インシデント報告\r\n".as_bytes().to_vec())
        .seipd_v1(rand::thread_rng(), SymmetricKeyAlgorithm::AES256);
    for k in public.encryption_keys() {
        b.encrypt_to_key(rand::thread_rng(), &k).unwrap();
    }
    let armored = b
        .to_armored_string(rand::thread_rng(), ArmorOptions::default())
        .unwrap();
    let raw = message(&format!("before\r\n{armored}\r\nafter\r\n"));
    let r = process_inbound(&raw, &[], Some(&team), T0);
    assert!(r.encrypted);
    assert_eq!(r.verification.status, SigStatus::None);
    let parsed = hikeshi_mail::parse(&r.inner.unwrap());
    assert!(parsed.text.contains("before"));
    assert!(parsed.text.contains("インシデント報告"), "{}", parsed.text);
    assert!(parsed.text.contains("after"));
}

#[test]
fn signed_then_team_reads_own_encrypted_mail() {
    // sign_and_encrypt always adds the team key: the team can read what it sent.
    let (team, alice) = keys();
    let out =
        outbound::sign_and_encrypt(&message("返信です\r\n"), &[alice.public()], &team, T0).unwrap();
    for reader in [&team, &alice] {
        let r = process_inbound(&out, &[team.public()], Some(reader), T0);
        assert_eq!(r.verification.status, SigStatus::Good);
        let parsed = hikeshi_mail::parse(&r.inner.unwrap());
        assert!(parsed.text.contains("返信です"), "{}", parsed.text);
        assert_eq!(parsed.subject, "report");
    }
    // An expired recipient key is refused, naming the recipient.
    let old = generate("Old <old@partner.example.jp>", T0, Some(60)).unwrap();
    let e =
        outbound::sign_and_encrypt(&message("x"), &[old.public()], &team, T0 + 120).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the key of old@partner.example.jp has expired"
    );
}

#[test]
fn other_protocols_are_not_judged() {
    let smime = b"From: a@x\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/pkcs7-signature\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--b--\r\n";
    let r = process_inbound(smime, &[], None, T0);
    assert_eq!(r, Inbound::plain());
    // A PGP/MIME signature part that is not a signature at all: bad, not a crash.
    let broken = String::from_utf8_lossy(smime).replace(
        "application/pkcs7-signature\"",
        "application/pgp-signature\"",
    );
    assert_eq!(status(broken.as_bytes(), &[], None, T0), SigStatus::Bad);
}

#[test]
fn precheck_sees_through_transfer_encodings() {
    use base64::Engine;
    let (_, alice) = keys();
    let csm = CleartextSignedMessage::sign(
        rand::thread_rng(),
        "base64 で送られた署名\r\n",
        &Box::new(alice.signing_key().unwrap()),
        &alice.password(),
    )
    .unwrap();
    let armored = csm.to_armored_string(ArmorOptions::default()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(armored.as_bytes());
    let raw = format!(
        "From: a@x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n"
    );
    assert!(looks_like_pgp(raw.as_bytes()));
    let r = process_inbound(raw.as_bytes(), &[alice.public()], None, T0);
    assert_eq!(r.verification.status, SigStatus::Good);
    assert!(!looks_like_pgp(&message("nothing here")));
}

#[test]
fn header_protection_hides_the_subject_in_transit_and_restores_it_inside() {
    let (team, alice) = keys();
    let msg = b"From: cert@team.example\r\nTo: alice@partner.example.jp\r\nSubject: [TLP:AMBER] [Hikeshi #2026-0042] =?UTF-8?B?5qmf5a+G?=\r\nMessage-ID: <hp1@team.example>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xe6\xa9\x9f\xe5\xaf\x86\xe3\x81\xa7\xe3\x81\x99\r\n";
    let out = outbound::sign_and_encrypt_protected(
        msg,
        &[alice.public()],
        &team,
        T0,
        "[TLP:AMBER] [Hikeshi #2026-0042] [...]",
    )
    .unwrap();
    let wire = String::from_utf8_lossy(&out);
    assert!(
        wire.contains("Subject: [TLP:AMBER] [Hikeshi #2026-0042] [...]\r\n"),
        "{wire}"
    );
    assert!(
        !wire.contains("5qmf5a+G"),
        "the real subject is not in clear: {wire}"
    );
    assert!(
        wire.contains("Message-ID: <hp1@team.example>"),
        "threading stays outside"
    );
    let r = process_inbound(&out, &[team.public()], Some(&alice), T0);
    assert_eq!(r.verification.status, SigStatus::Good);
    let inner = r.inner.unwrap();
    assert!(String::from_utf8_lossy(&inner).contains("hp=\"cipher\""));
    let parsed = hikeshi_mail::parse(&inner);
    assert_eq!(parsed.subject, "[TLP:AMBER] [Hikeshi #2026-0042] 機密");
    assert_eq!(parsed.message_id.as_deref(), Some("hp1@team.example"));
    assert!(parsed.text.contains("機密です"), "{}", parsed.text);
    assert_eq!(
        String::from_utf8_lossy(&inner).matches("Subject:").count(),
        1
    );
}
