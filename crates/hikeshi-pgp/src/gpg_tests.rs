//! Outside check against GnuPG: what we sign and encrypt, gpg verifies and decrypts; what gpg
//! signs and encrypts, we verify and decrypt. Says "skipped" when `gpg` is not installed.

use crate::inbound::process_inbound;
use crate::{PublicKey, SigStatus, generate, mime, outbound};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const T0: i64 = 1_790_000_000;

struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Option<Gpg> {
        let ok = Command::new("gpg")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: gpg (Debian package gnupg) is not installed");
            return None;
        }
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in("/tmp")
            .unwrap();
        // The agent's passphrase protection is calibrated to ~100 ms of CPU; on a busy
        // machine that is seconds per key operation. The lowest count keeps tests quick.
        std::fs::write(home.path().join("gpg-agent.conf"), "s2k-count 65536\n").unwrap();
        Some(Gpg { home })
    }

    fn run(&self, args: &[&str], stdin: &[u8]) -> (bool, Vec<u8>, String) {
        use std::io::Write;
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args([
                "--batch",
                "--yes",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--trust-model",
                "always",
                "--status-fd",
                "2",
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            out.stdout,
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.home.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn two_parts(raw: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (h, b) = mime::split(raw);
    let ct = mime::header(h, "content-type").unwrap();
    let parts = mime::parts(b, &mime::param(&ct, "boundary").unwrap());
    let (ph, pb) = mime::split(parts[1]);
    (parts[0].to_vec(), mime::decode(ph, pb))
}

#[test]
fn gpg_checks_what_we_send_and_we_check_what_gpg_sends() {
    let Some(gpg) = Gpg::new() else { return };
    let team = generate("CSIRT <cert@team.example>", T0, None).unwrap();
    // gpg's own key: Ed25519 signing primary + Curve25519 encryption subkey.
    let (ok, _, err) = gpg.run(
        &[
            "--quick-gen-key",
            "Partner <gpg@partner.example.jp>",
            "ed25519",
            "sign,cert",
            "never",
        ],
        b"",
    );
    assert!(ok, "{err}");
    let (_, listing, _) = gpg.run(
        &["--with-colons", "--list-keys", "gpg@partner.example.jp"],
        b"",
    );
    let listing = String::from_utf8(listing).unwrap();
    let fpr = listing
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .unwrap()
        .to_string();
    let (ok, _, err) = gpg.run(&["--quick-add-key", &fpr, "cv25519", "encr", "never"], b"");
    assert!(ok, "{err}");
    let (ok, partner_pub, _) = gpg.run(&["--armor", "--export", &fpr], b"");
    assert!(ok);
    let partner = PublicKey::parse(&partner_pub).unwrap();
    assert_eq!(partner.info.fingerprint, fpr);
    assert_eq!(partner.info.emails, vec!["gpg@partner.example.jp"]);
    let team_pub = gpg.file("team.asc", team.public().armored().unwrap().as_bytes());
    let (ok, _, err) = gpg.run(&["--import", s(&team_pub)], b"");
    assert!(ok, "{err}");

    let body = "From: cert@team.example\r\nTo: gpg@partner.example.jp\r\nSubject: =?UTF-8?B?5aCx5ZGK?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n調査結果をお送りします。\r\n";

    // 1. Our PGP/MIME signature verifies in gpg over the first part.
    let signed = outbound::sign(body.as_bytes(), &team, T0).unwrap();
    let (part, sig) = two_parts(&signed);
    let data = gpg.file("part", &part);
    let sigf = gpg.file("part.sig", &sig);
    let (ok, _, err) = gpg.run(&["--verify", s(&sigf), s(&data)], b"");
    assert!(ok && err.contains("[GNUPG:] GOODSIG"), "{err}");

    // 2. Our sign+encrypt decrypts in gpg, signature good.
    let enc =
        outbound::sign_and_encrypt(body.as_bytes(), std::slice::from_ref(&partner), &team, T0)
            .unwrap();
    let (_, armored) = two_parts(&enc);
    let (ok, plain, err) = gpg.run(&["--decrypt"], &armored);
    assert!(ok && err.contains("[GNUPG:] GOODSIG"), "{err}");
    assert!(String::from_utf8_lossy(&plain).contains("Content-Transfer-Encoding: base64"));
    let inner = hikeshi_mail::parse(&plain);
    assert!(inner.text.contains("調査結果"), "{}", inner.text);

    // 3. gpg's detached signature over a part we frame as PGP/MIME verifies here.
    let entity = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n返信: 確認しました。\r\n";
    let (ok, gsig, err) = gpg.run(&["--armor", "--detach-sign", "-u", &fpr], entity.as_bytes());
    assert!(ok, "{err}");
    let mail = format!(
        "From: gpg@partner.example.jp\r\nSubject: re\r\nContent-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\"; boundary=\"XX\"\r\n\r\n--XX\r\n{entity}\r\n--XX\r\nContent-Type: application/pgp-signature\r\n\r\n{}\r\n--XX--\r\n",
        String::from_utf8(gsig).unwrap()
    );
    let ring = vec![partner.clone()];
    let (p0, _) = two_parts(mail.as_bytes());
    assert_eq!(p0, entity.as_bytes());
    let r = process_inbound(mail.as_bytes(), &ring, Some(&team), T0);
    assert_eq!(r.verification.status, SigStatus::Good, "{r:?}");
    let tampered = mail.replace("確認しました", "確認しません");
    let r = process_inbound(tampered.as_bytes(), &ring, Some(&team), T0);
    assert_eq!(r.verification.status, SigStatus::Bad);

    // 4. gpg sign+encrypt to the team key, as PGP/MIME: decrypted and verified here.
    let (ok, genc, err) = gpg.run(
        &[
            "--armor",
            "--sign",
            "--encrypt",
            "-u",
            &fpr,
            "-r",
            &team.info.fingerprint,
        ],
        entity.as_bytes(),
    );
    assert!(ok, "{err}");
    let mail = format!(
        "From: gpg@partner.example.jp\r\nSubject: enc\r\nMIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"YY\"\r\n\r\n--YY\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--YY\r\nContent-Type: application/octet-stream\r\n\r\n{}\r\n--YY--\r\n",
        String::from_utf8(genc).unwrap()
    );
    let r = process_inbound(mail.as_bytes(), &ring, Some(&team), T0);
    assert_eq!(r.decrypt_error, None);
    assert_eq!(r.verification.status, SigStatus::Good);
    let parsed = hikeshi_mail::parse(&r.inner.unwrap());
    assert!(parsed.text.contains("確認しました"), "{}", parsed.text);

    // 5. gpg --clearsign inline.
    let (ok, clear, err) = gpg.run(&["--clearsign", "-u", &fpr], "インライン署名\n".as_bytes());
    assert!(ok, "{err}");
    let mail = [
        b"From: gpg@partner.example.jp\r\nSubject: inline\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".to_vec(),
        clear,
    ]
    .concat();
    let r = process_inbound(&mail, &ring, Some(&team), T0);
    assert_eq!(r.verification.status, SigStatus::Good);
    assert!(
        hikeshi_mail::parse(&r.inner.unwrap())
            .text
            .contains("インライン署名")
    );
}

#[test]
fn a_passphrase_protected_gpg_key_serves_as_the_team_key() {
    let Some(gpg) = Gpg::new() else { return };
    use std::io::Write;
    let mut child = Command::new("gpg")
        .env("GNUPGHOME", gpg.home.path())
        .args([
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "s3cret パス",
        ])
        .args([
            "--quick-gen-key",
            "Team <cert@team.example>",
            "ed25519",
            "sign,cert",
            "never",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"").unwrap();
    assert!(child.wait().unwrap().success());
    let pw = [
        "--batch",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "s3cret パス",
    ];
    let gpg_pw = |args: &[&str]| {
        let out = Command::new("gpg")
            .env("GNUPGHOME", gpg.home.path())
            .args(pw)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let (_, listing, _) = gpg.run(&["--with-colons", "--list-keys", "cert@team.example"], b"");
    let listing = String::from_utf8(listing).unwrap();
    let fpr = listing
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .unwrap()
        .to_string();
    gpg_pw(&["--quick-add-key", &fpr, "cv25519", "encr", "never"]);
    let secret = gpg_pw(&["--armor", "--export-secret-keys", &fpr]);
    assert!(matches!(
        crate::SecretKey::parse(&secret, "wrong"),
        Err(crate::Error::Locked)
    ));
    let locked = crate::SecretKey::parse(&secret, "s3cret パス").unwrap();
    assert_eq!(locked.info.fingerprint, fpr);
    // Stored without its passphrase (the store seals it): it parses with none.
    let team = locked.unlocked().unwrap();
    let team = crate::SecretKey::parse(team.armored().unwrap().as_bytes(), "").unwrap();
    assert!(!team.armored().unwrap().is_empty());
    let now = team.info.created + 60;
    // It signs (gpg verifies) and decrypts what is encrypted to it.
    let signed = outbound::sign(b"Subject: s\r\n\r\nhello\r\n", &team, now).unwrap();
    let (part, sig) = two_parts(&signed);
    let data = gpg.file("p2", &part);
    let sigf = gpg.file("p2.sig", &sig);
    let (ok, _, err) = gpg.run(&["--verify", s(&sigf), s(&data)], b"");
    assert!(ok && err.contains("[GNUPG:] GOODSIG"), "{err}");
    let alice = generate("Alice <alice@partner.example.jp>", now, None).unwrap();
    let enc = outbound::sign_and_encrypt(
        b"Subject: e\r\n\r\n\xe6\x9a\x97\xe5\x8f\xb7\r\n",
        &[team.public()],
        &alice,
        now,
    )
    .unwrap();
    let r = process_inbound(&enc, &[alice.public()], Some(&team), now);
    assert_eq!(r.verification.status, SigStatus::Good);
    assert!(hikeshi_mail::parse(&r.inner.unwrap()).text.contains("暗号"));
}
