//! Signature hints, threading headers and dates.

use crate::common::{Expect, check, mail};
use hikeshi_mail::SignatureHint;

#[test]
fn signatures_threading_and_dates() {
    let pgp = mail(
        &["Subject: signed", "Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=s"],
        b"--s\r\nContent-Type: text/plain\r\n\r\nsigned text\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\nxx\r\n-----END PGP SIGNATURE-----\r\n--s--\r\n",
    );
    check(
        "pgp/mime",
        &pgp,
        &Expect {
            sig: Some(SignatureHint::PgpMime),
            text: &["signed text"],
            ..Default::default()
        },
    );
    let inline = mail(
        &["Subject: i"],
        b"-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nhi\r\n",
    );
    check(
        "inline pgp",
        &inline,
        &Expect {
            sig: Some(SignatureHint::InlinePgp),
            ..Default::default()
        },
    );
    let enc = mail(
        &["Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=e"],
        b"--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--e--\r\n",
    );
    check(
        "pgp encrypted",
        &enc,
        &Expect {
            sig: Some(SignatureHint::PgpEncrypted),
            ..Default::default()
        },
    );

    let reply = mail(
        &[
            "Message-ID: <r1@example.org>",
            "In-Reply-To: <orig@hikeshi.example>",
            "References: <a@x> <b@y>\r\n <orig@hikeshi.example>",
            "Date: Tue, 03 Feb 2026 10:11:12 +0900",
        ],
        b"x",
    );
    let m = check(
        "threading",
        &reply,
        &Expect {
            in_reply_to: Some(&["orig@hikeshi.example"]),
            references: Some(&["a@x", "b@y", "orig@hikeshi.example"]),
            clean: true,
            ..Default::default()
        },
    );
    assert_eq!(m.message_id.as_deref(), Some("r1@example.org"));
    assert_eq!(m.date.as_deref(), Some("2026-02-03T10:11:12+09:00"));
}
