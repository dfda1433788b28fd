//! Outbound OpenPGP against the real SMTP sink, on every backend: correspondence signed with
//! the team key and encrypted to the recipients' keys, TLP:AMBER refused at the API when a key
//! is missing (nothing written), acknowledgements signed and never carrying the report, and
//! — when Debian's `gpg` is installed — GnuPG accepting what the sink received.

use crate::api::{ok, problem, s};
use crate::mailout::{addr, ingest, plain, settings};
use axum::http::StatusCode;
use hikeshi_core::outbound::OutboundSettings;
use hikeshi_pgp::{SecretKey, SigStatus, generate, process_inbound};
use hikeshi_testkit::mail::{Received, smtp_sink};
use hikeshi_testkit::{TestApp, for_each_backend};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn now(t: &TestApp) -> i64 {
    t.app.now().as_second()
}

/// Generates and installs the team key.
async fn team_key(t: &TestApp) -> SecretKey {
    let k = generate("Team CSIRT <cert@team.example>", now(t) - 60, None).expect("keygen");
    t.app
        .install_team_key(
            &t.admin_actor().await,
            k.armored().expect("armor").as_bytes(),
            "",
        )
        .await
        .expect("install team key");
    k
}

/// Generates a contact's key and adds its public half to the keyring.
async fn contact_key(t: &TestApp, email: &str) -> SecretKey {
    let k = generate(&format!("Contact <{email}>"), now(t) - 60, None).expect("keygen");
    t.app
        .import_contact_key(
            &t.admin_actor().await,
            k.public().armored().expect("armor").as_bytes(),
        )
        .await
        .expect("import contact key");
    k
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// The one message the sink received for `rcpt`.
fn one(sink: &hikeshi_testkit::mail::Sink, rcpt: &str) -> Received {
    let mut got = sink.received_for(rcpt);
    assert_eq!(got.len(), 1, "one message for {rcpt}");
    got.remove(0)
}

/// Asserts a received message is PGP/MIME signed by the team key; returns its text.
fn assert_signed(r: &Received, team: &SecretKey, at: i64) -> String {
    let raw = text(&r.raw);
    assert!(raw.contains("multipart/signed"), "{raw}");
    assert!(
        raw.contains("protocol=\"application/pgp-signature\""),
        "{raw}"
    );
    let v = process_inbound(&r.raw, &[team.public()], None, at);
    assert!(!v.encrypted);
    assert_eq!(v.verification.status, SigStatus::Good, "{raw}");
    gpg_check(&r.raw, team, None);
    r.parsed.text.clone()
}

/// Asserts a received message is PGP/MIME encrypted to `reader` and signed by the team key;
/// returns the decrypted message (with the protected header fields inside, RFC 9788).
fn assert_encrypted(
    r: &Received,
    team: &SecretKey,
    reader: &SecretKey,
    at: i64,
) -> hikeshi_mail::ParsedMessage {
    let raw = text(&r.raw);
    assert!(raw.contains("multipart/encrypted"), "{raw}");
    assert!(
        raw.contains("protocol=\"application/pgp-encrypted\""),
        "{raw}"
    );
    let v = process_inbound(&r.raw, &[team.public()], Some(reader), at);
    assert!(
        v.encrypted && v.decrypt_error.is_none(),
        "{:?}",
        v.decrypt_error
    );
    assert_eq!(v.verification.status, SigStatus::Good);
    gpg_check(&r.raw, team, Some(reader));
    hikeshi_mail::parse(&v.inner.expect("decrypted"))
}

#[tokio::test]
async fn correspondence_is_signed_and_encrypted_and_amber_without_a_key_is_refused() {
    let test = "correspondence_is_signed_and_encrypted_and_amber_without_a_key_is_refused";
    let Some(sink) = smtp_sink(test) else { return };
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(OutboundSettings { acknowledge: false, ..settings() });
            let tok = t.admin_token().to_string();
            let team = team_key(&t).await;
            let alice = addr("pgpcorr", t.backend, "alice");
            let bob = addr("pgpcorr", t.backend, "bob");
            let alice_key = contact_key(&t, &alice).await;
            let ra = ingest(&t, &plain(&alice, "Phishing kit", "", "pa@example.jp")).await;
            let rb = ingest(&t, &plain(&bob, "Defacement", "", "pb@example.jp")).await;

            // AMBER (a mail report's default) to Bob, whose key we lack: refused, nothing written.
            let path_b = format!("/api/v1/reports/{}/mail", rb.reference);
            let body = json!({"to": "reporter", "body": "Which server?", "lang": "en"});
            let r = t.post(&path_b, &tok, body).await;
            problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("to"));
            let detail = s(&r.1["detail"]);
            assert!(detail.contains(&bob) && detail.contains("TLP:AMBER"), "{detail}");
            // Explicit third-party addresses are named as `addresses`.
            problem(
                &t.post(&path_b, &tok, json!({"to": "third_party", "addresses": [bob], "body": "x"})).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("addresses"),
            );
            assert!(t.app.store.list_jobs(None, 100).await.expect("jobs").is_empty(), "no job");
            let listed = ok(t.get(&path_b, &tok).await, StatusCode::OK);
            assert_eq!(listed, json!([]), "no outbound message");
            let entries = ok(t.get(&format!("/api/v1/reports/{}/entries", rb.reference), &tok).await, StatusCode::OK);
            assert!(entries.as_array().expect("list").iter().all(|e| e["direction"] != json!("out")), "{entries}");

            // AMBER to Alice, whose key we have: signed and encrypted.
            let sent = ok(
                t.post(
                    &format!("/api/v1/reports/{}/mail", ra.reference),
                    &tok,
                    json!({"to": "reporter", "body": "Please send the kit's archive. 機密です。", "lang": "en"}),
                )
                .await,
                StatusCode::ACCEPTED,
            );
            assert_eq!(sent["status"], json!("queued"));
            // GREEN to Bob: no key needed; signed only.
            ok(
                t.post(&path_b, &tok, json!({"to": "reporter", "body": "Which server?", "lang": "en", "tlp": "green"})).await,
                StatusCode::ACCEPTED,
            );
            assert_eq!(sink.runner(&t).run_pending().await.expect("run").done, 2);
            let at = now(&t);

            let got = one(&sink, &alice);
            assert!(!text(&got.raw).contains("kit's archive"), "the body travels encrypted");
            // Threading, the TLP mark and the reference stay readable outside; the rest of the
            // subject (the record's title) travels encrypted (header protection, RFC 9788).
            assert_eq!(
                got.parsed.subject,
                format!("[TLP:AMBER] [Hikeshi #{}] [...]", ra.reference)
            );
            assert!(!text(&got.raw).contains("Phishing kit"), "title not in clear");
            assert_eq!(got.parsed.in_reply_to, vec!["pa@example.jp".to_string()]);
            let inner = assert_encrypted(&got, &team, &alice_key, at);
            assert_eq!(
                inner.subject,
                format!("[TLP:AMBER] [Hikeshi #{}] Re: Phishing kit", ra.reference)
            );
            assert!(
                inner.text.contains("Please send the kit's archive. 機密です。"),
                "{}",
                inner.text
            );
            // What the record keeps as sent is what went out (encrypted).
            let m = t.app.store.get_outbound(&s(&sent["id"])).await.expect("read").expect("stored");
            assert_eq!(m.status, "sent");

            let got = one(&sink, &bob);
            assert_eq!(got.parsed.subject, format!("[TLP:GREEN] [Hikeshi #{}] Re: Defacement", rb.reference));
            let body = assert_signed(&got, &team, at);
            assert!(body.contains("Which server?"), "{body}");
        }
    })
    .await;
}

#[tokio::test]
async fn without_a_team_key_green_goes_out_unsigned_and_amber_is_refused() {
    let test = "without_a_team_key_green_goes_out_unsigned_and_amber_is_refused";
    let Some(sink) = smtp_sink(test) else { return };
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(OutboundSettings { acknowledge: false, ..settings() });
            let tok = t.admin_token().to_string();
            let carol = addr("nokey", t.backend, "carol");
            let carol_key = contact_key(&t, &carol).await;
            let r = ingest(&t, &plain(&carol, "Spam run", "", "pc@example.jp")).await;
            let path = format!("/api/v1/reports/{}/mail", r.reference);
            // Carol's key is known, but there is no team key: AMBER cannot be signed.
            let r = t.post(&path, &tok, json!({"to": "reporter", "body": "x", "lang": "en"})).await;
            problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("tlp"));
            assert!(s(&r.1["detail"]).contains("team key"), "{}", r.1);
            assert!(t.app.store.list_jobs(None, 100).await.expect("jobs").is_empty());
            ok(
                t.post(&path, &tok, json!({"to": "reporter", "body": "Thanks, noted.", "lang": "en", "tlp": "green"})).await,
                StatusCode::ACCEPTED,
            );
            sink.runner(&t).run_pending().await.expect("run");
            let got = one(&sink, &carol);
            let raw = text(&got.raw);
            assert!(!raw.contains("multipart/"), "unsigned, unencrypted: {raw}");
            assert!(got.parsed.text.contains("Thanks, noted."));

            // A key removed after the request was accepted: the job refuses to send in clear.
            let team = team_key(&t).await;
            let sent = ok(
                t.post(&path, &tok, json!({"to": "reporter", "body": "Second, confidential.", "lang": "en"})).await,
                StatusCode::ACCEPTED,
            );
            let admin = t.admin_actor().await;
            t.app.remove_pgp_key(&admin, &carol_key.info.fingerprint).await.expect("remove");
            let stats = sink.runner(&t).run_pending().await.expect("run");
            assert_eq!(stats.dead, 1, "{stats:?}");
            let m = t.app.store.get_outbound(&s(&sent["id"])).await.expect("read").expect("stored");
            assert_eq!(m.status, "failed");
            assert_eq!(sink.received_for(&carol).len(), 1, "nothing more was sent");
            let _ = team;
        }
    })
    .await;
}

#[tokio::test]
async fn acks_are_signed_carry_no_report_content_and_are_encrypted_when_a_key_is_known() {
    let test = "acks_are_signed_carry_no_report_content_and_are_encrypted_when_a_key_is_known";
    let Some(sink) = smtp_sink(test) else { return };
    for_each_backend(move |t| {
        let sink = sink.clone();
        async move {
            let t = t.with_outbound(settings());
            let team = team_key(&t).await;
            // Dan has no key: his acknowledgement is signed, not encrypted (a mail report is
            // TLP:AMBER, but the acknowledgement carries only the reference and template text).
            let dan = addr("pgpack", t.backend, "dan");
            let secret = "The password of the VPN is hunter2";
            let raw = format!(
                "From: {dan}\r\nTo: cert@team.example\r\nSubject: VPN compromise\r\nMessage-ID: <d1@example.jp>\r\n\r\n{secret}\r\n"
            );
            let rd = ingest(&t, raw.as_bytes()).await;
            // Erin has a key and writes encrypted: her acknowledgement is encrypted, and does
            // not echo her subject (the clear outer Subject of her mail is not repeated).
            let erin = addr("pgpack", t.backend, "erin");
            let erin_key = contact_key(&t, &erin).await;
            let inner = format!(
                "From: {erin}\r\nTo: cert@team.example\r\nSubject: Breach at ACME\r\nMessage-ID: <e1@example.jp>\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\n{secret}\r\n"
            );
            let enc = hikeshi_pgp::sign_and_encrypt(inner.as_bytes(), &[team.public()], &erin_key, now(&t)).expect("encrypt");
            let re = ingest(&t, &enc).await;
            assert_eq!(re.kind, "report");
            assert_eq!(sink.runner(&t).run_pending().await.expect("run").done, 2);
            let at = now(&t);

            let got = one(&sink, &dan);
            assert!(got.parsed.is_auto_generated());
            let body = assert_signed(&got, &team, at);
            assert!(body.contains(&rd.reference), "{body}");
            assert!(!text(&got.raw).contains("hunter2") && !body.contains("hunter2"), "{body}");
            assert!(got.parsed.subject.contains("VPN compromise"), "{}", got.parsed.subject);

            let got = one(&sink, &erin);
            assert_eq!(got.parsed.subject, format!("[Hikeshi #{}] [...]", re.reference));
            let inner = assert_encrypted(&got, &team, &erin_key, at);
            assert!(!inner.subject.contains("ACME"), "{}", inner.subject);
            assert!(inner.subject.contains("your encrypted report"), "{}", inner.subject);
            let body = inner.text;
            assert!(body.contains(&re.reference), "{body}");
            assert!(!body.contains("hunter2") && !body.contains("ACME"), "{body}");
        }
    })
    .await;
}

// ---- GnuPG as an outside validator ------------------------------------------------------

fn gpg_available() -> bool {
    let ok = Command::new("gpg")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: gpg check (Debian package gnupg is not installed)");
    }
    ok
}

struct GpgHome(PathBuf);

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl GpgHome {
    fn new() -> GpgHome {
        use std::os::unix::fs::PermissionsExt;
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("hikeshi-gpg-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).expect("gpg home");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        GpgHome(p)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.to_string_lossy().to_string()
    }

    /// Runs gpg; (success, stdout, status lines).
    fn run(&self, args: &[&str]) -> (bool, Vec<u8>, String) {
        let out = Command::new("gpg")
            .env("GNUPGHOME", &self.0)
            .args([
                "--batch",
                "--yes",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
            ])
            .args(["--trust-model", "always", "--status-fd", "2"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run gpg");
        (out.status.success(), out.stdout, text(&out.stderr))
    }
}

/// Byte-exact parts of a multipart body (RFC 2046: CRLF before each delimiter belongs to it).
fn parts(raw: &[u8]) -> Vec<Vec<u8>> {
    let t = text(raw);
    let b = t
        .split("boundary=\"")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .expect("boundary");
    let delim = format!("\r\n--{b}");
    let start = t.find(&format!("--{b}\r\n")).expect("first part") + b.len() + 4;
    t[start..]
        .split(&delim)
        .take_while(|p| !p.starts_with("--"))
        .map(|p| p.trim_start_matches("\r\n").as_bytes().to_vec())
        .collect()
}

/// GnuPG verifies the signature (and with `reader`, decrypts) of what the sink received.
fn gpg_check(raw: &[u8], team: &SecretKey, reader: Option<&SecretKey>) {
    if !gpg_available() {
        return;
    }
    let g = GpgHome::new();
    let team_pub = g.file(
        "team.asc",
        team.public().armored().expect("armor").as_bytes(),
    );
    let (ok, _, err) = g.run(&["--import", &team_pub]);
    assert!(ok, "gpg import: {err}");
    let p = parts(raw);
    assert_eq!(p.len(), 2, "two parts");
    match reader {
        None => {
            let data = g.file("signed", &p[0]);
            let body = text(&p[1]);
            let armor = &body[body.find("-----BEGIN PGP SIGNATURE").expect("sig")..];
            let sig = g.file("signed.asc", armor.as_bytes());
            let (ok, _, err) = g.run(&["--verify", &sig, &data]);
            assert!(ok && err.contains("GOODSIG"), "gpg --verify: {err}");
        }
        Some(k) => {
            let key = g.file("reader.asc", k.armored().expect("armor").as_bytes());
            let (ok, _, err) = g.run(&["--import", &key]);
            assert!(ok, "gpg import secret: {err}");
            let body = text(&p[1]);
            let armor = &body[body.find("-----BEGIN PGP MESSAGE").expect("message")..];
            let enc = g.file("enc.asc", armor.as_bytes());
            let (ok, out, err) = g.run(&["--decrypt", &enc]);
            assert!(
                ok && err.contains("GOODSIG") && err.contains("DECRYPTION_OKAY"),
                "gpg --decrypt: {err}"
            );
            assert!(text(&out).contains("Content-Type:"), "a MIME entity inside");
        }
    }
}
