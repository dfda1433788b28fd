//! OpenPGP through the API: keyring management (admin), the published team key, inbound mail
//! verified and decrypted on intake, and the outbound rule (TLP:AMBER+ must be encrypted).

use super::*;
use axum::body::Body;
use axum::http::{Method, Request, header};
use hikeshi_core::app::Sealed;
use hikeshi_core::model::{Role, Tlp};
use hikeshi_core::outbound::protection_for;
use hikeshi_pgp::{SecretKey, generate};
use hikeshi_testkit::for_each_backend;

/// ISO-2022-JP: "不正アクセスの報告です。\r\nサーバ 192.0.2.1 から攻撃を受けました。\r\n".
const JIS: &[u8] = b"\x1b$BIT@5%\"%/%;%9$NJs9p$G$9!#\x1b(B\r\n\x1b$B%5!<%P\x1b(B 192.0.2.1 \x1b$B$+$i967b$r<u$1$^$7$?!#\x1b(B\r\n";

fn now(t: &TestApp) -> i64 {
    t.app.now().as_second()
}

async fn send(t: &TestApp, path: &str, method: Method, body: Vec<u8>, ctype: &str) -> Reply {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", t.admin_token()))
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(body))
        .expect("request");
    t.raw(req).await
}

async fn mail(t: &TestApp, raw: &[u8]) -> Value {
    let landed = ok(
        send(
            t,
            "/api/v1/reports/raw",
            Method::POST,
            raw.to_vec(),
            "message/rfc822",
        )
        .await,
        StatusCode::CREATED,
    );
    ok(
        t.get(
            &format!("/api/v1/reports/{}", s(&landed["ref"])),
            t.admin_token(),
        )
        .await,
        StatusCode::OK,
    )
}

fn message(subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: alice@partner.example.jp\r\nTo: cert@team.example\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@partner.example.jp>\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    )
    .into_bytes()
}

async fn add_key(t: &TestApp, k: &SecretKey) -> Value {
    let armored = k.public().armored().expect("armor").into_bytes();
    ok(
        send(
            t,
            "/api/v1/keys",
            Method::POST,
            armored,
            "application/pgp-keys",
        )
        .await,
        StatusCode::CREATED,
    )
}

#[tokio::test]
async fn keyring_is_managed_by_admins_and_the_team_key_is_published() {
    for_each_backend(|t| async move {
        let alice = generate("Alice <Alice@Partner.example.jp>", now(&t) - 60, None).unwrap();
        let added = add_key(&t, &alice).await;
        assert_eq!(added["fingerprint"], json!(alice.info.fingerprint));
        assert_eq!(added["emails"], json!(["alice@partner.example.jp"]));
        assert_eq!(added["added_by"], json!("admin"));
        // Re-adding the same key replaces it.
        add_key(&t, &alice).await;
        let list = ok(t.get("/api/v1/keys", t.admin_token()).await, StatusCode::OK);
        assert_eq!(list.as_array().map(Vec::len), Some(1));

        // Not a key, and a secret key given as a contact's: 422 naming the field.
        let bad = send(
            &t,
            "/api/v1/keys",
            Method::POST,
            b"hello".to_vec(),
            "text/plain",
        )
        .await;
        problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, Some("key"));
        let secret = alice.armored().unwrap().into_bytes();
        let r = send(&t, "/api/v1/keys", Method::POST, secret, "text/plain").await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("key"));
        assert!(r.1.to_string().contains("team key"), "{}", r.1);

        // Only admins manage the keyring.
        let handler = t.with_user("hana", Role::Handler, &[]).await;
        let r = t.get("/api/v1/keys", &handler).await;
        assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.1);

        let path = format!("/api/v1/keys/{}", alice.info.fingerprint.to_lowercase());
        let r = t
            .call(Method::DELETE, &path, Some(t.admin_token()), None)
            .await;
        assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
        let r = t
            .call(Method::DELETE, &path, Some(t.admin_token()), None)
            .await;
        problem(&r, StatusCode::NOT_FOUND, None);
        let r = t
            .call(
                Method::DELETE,
                "/api/v1/keys/not-hex",
                Some(t.admin_token()),
                None,
            )
            .await;
        problem(&r, StatusCode::UNPROCESSABLE_ENTITY, Some("fingerprint"));

        // The well-known URL: 404 until a team key is installed, then the public key, no auth.
        let url = "/.well-known/openpgpkey/hikeshi.asc";
        let r = t.call(Method::GET, url, None, None).await;
        assert_eq!(r.0, StatusCode::NOT_FOUND);
        let team = generate("CSIRT <cert@team.example>", now(&t) - 60, None).unwrap();
        let admin = t.admin_actor().await;
        t.app
            .install_team_key(&admin, team.armored().unwrap().as_bytes(), "")
            .await
            .expect("install");
        let r = t.call(Method::GET, url, None, None).await;
        assert_eq!(r.0, StatusCode::OK);
        assert_eq!(content_type(&r.2), "application/pgp-keys");
        let published = hikeshi_pgp::PublicKey::parse(s(&r.1).as_bytes()).expect("a key");
        assert_eq!(published.info.fingerprint, team.info.fingerprint);
        assert!(!s(&r.1).contains("PRIVATE"));
        // Web Key Directory: the binary key under the local part's hash, 404 for others.
        let hu = format!(
            "/.well-known/openpgpkey/hu/{}",
            hikeshi_pgp::wkd::hash("cert")
        );
        let r = t.call(Method::GET, &hu, None, None).await;
        assert_eq!(r.0, StatusCode::OK, "{}", r.1);
        let (st, bin, _) = t.get_bytes(&hu, "").await;
        assert_eq!(st, StatusCode::OK);
        let k = hikeshi_pgp::PublicKey::parse(&bin).expect("binary key");
        assert_eq!(k.info.fingerprint, team.info.fingerprint);
        let other = format!(
            "/.well-known/openpgpkey/hu/{}",
            hikeshi_pgp::wkd::hash("abuse")
        );
        assert_eq!(
            t.call(Method::GET, &other, None, None).await.0,
            StatusCode::NOT_FOUND
        );
        let r = t
            .call(Method::GET, "/.well-known/openpgpkey/policy", None, None)
            .await;
        assert_eq!(r.0, StatusCode::OK);
        // The secret half is stored sealed, not in clear.
        assert_eq!(
            t.count("pgp_team_key WHERE armored NOT LIKE '%PRIVATE%'")
                .await,
            1
        );
        let sk = t
            .app
            .team_secret_key()
            .await
            .expect("unseal")
            .expect("team");
        assert_eq!(sk.info.fingerprint, team.info.fingerprint);
    })
    .await;
}

#[tokio::test]
async fn inbound_signatures_show_on_the_report() {
    for_each_backend(|t| async move {
        let n = now(&t);
        let alice = generate("Alice <alice@partner.example.jp>", n - 3600, None).unwrap();
        let old = generate("Old <old@partner.example.jp>", n - 3 * 86_400, Some(86_400)).unwrap();
        let stranger = generate("Eve <eve@elsewhere.example>", n - 3600, None).unwrap();
        add_key(&t, &alice).await;
        add_key(&t, &old).await;

        let good = hikeshi_pgp::sign(&message("good", "署名付きの報告\r\n"), &alice, n).unwrap();
        let r = mail(&t, &good).await;
        assert_eq!(r["signature"], json!("good"));
        assert!(s(&r["content"]).contains("署名付きの報告"), "{r}");

        let text =
            String::from_utf8(hikeshi_pgp::sign(&message("bad", "abc\r\n"), &alice, n).unwrap())
                .unwrap();
        // Tamper with the signed part's body.
        let tampered = text.replace("8bit\r\n\r\nabc\r\n", "8bit\r\n\r\nabd\r\n");
        assert_ne!(tampered, text);
        assert_eq!(
            mail(&t, tampered.as_bytes()).await["signature"],
            json!("bad")
        );

        let unknown = hikeshi_pgp::sign(&message("unknown", "x\r\n"), &stranger, n).unwrap();
        assert_eq!(mail(&t, &unknown).await["signature"], json!("unknown-key"));

        let expired =
            hikeshi_pgp::sign(&message("expired", "x\r\n"), &old, n - 3 * 86_400 + 60).unwrap();
        assert_eq!(mail(&t, &expired).await["signature"], json!("expired"));

        assert_eq!(
            mail(&t, &message("plain", "x\r\n")).await["signature"],
            json!("none")
        );

        // List items carry it too.
        let list = ok(
            t.get("/api/v1/reports?q=署名付きの報告", t.admin_token())
                .await,
            StatusCode::OK,
        );
        assert_eq!(list["items"][0]["signature"], json!("good"), "{list}");
    })
    .await;
}

#[tokio::test]
async fn mail_encrypted_to_the_team_key_is_decrypted_and_both_forms_kept() {
    for_each_backend(|t| async move {
        let n = now(&t);
        let team = generate("CSIRT <cert@team.example>", n - 3600, None).unwrap();
        let alice = generate("Alice <alice@partner.example.jp>", n - 3600, None).unwrap();
        add_key(&t, &alice).await;

        let mut inner = b"From: alice@partner.example.jp\r\nTo: cert@team.example\r\nSubject: =?ISO-2022-JP?B?GyRCSVRANSUiJS8lOyU5GyhC?=\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n".to_vec();
        inner.extend_from_slice(JIS);
        let enc = hikeshi_pgp::sign_and_encrypt(&inner, &[team.public()], &alice, n).unwrap();

        // Before the team key is installed: kept, flagged, never lost.
        let r = mail(&t, &enc).await;
        assert!(!s(&r["content"]).contains("192.0.2.1"));
        let (_, raw, _) = t
            .get_bytes(&format!("/api/v1/reports/{}/raw", s(&r["ref"])), t.admin_token())
            .await;
        assert_eq!(raw, enc, "raw kept exactly");
        assert_eq!(
            t.count("raw_messages WHERE status = 'processed'").await,
            1
        );
        assert_eq!(t.count("mail_pgp WHERE encrypted = 1 AND decrypt_error IS NOT NULL").await, 1);

        let admin = t.admin_actor().await;
        t.app
            .install_team_key(&admin, team.armored().unwrap().as_bytes(), "")
            .await
            .expect("install");
        let r = mail(&t, &enc).await;
        assert_eq!(r["signature"], json!("good"));
        assert_eq!(r["subject"], json!("不正アクセス"));
        let content = s(&r["content"]);
        assert!(content.contains("不正アクセスの報告です。"), "{content}");
        assert!(content.contains("192.0.2.1 から攻撃を受けました"), "{content}");
        // Search finds the decrypted text; the raw stays the encrypted message.
        let list = ok(
            t.get("/api/v1/reports?q=攻撃を受けました", t.admin_token()).await,
            StatusCode::OK,
        );
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
        let (_, raw, _) = t
            .get_bytes(&format!("/api/v1/reports/{}/raw", s(&r["ref"])), t.admin_token())
            .await;
        assert_eq!(raw, enc);
        assert_eq!(t.count("mail_pgp WHERE decrypt_error IS NULL").await, 1);
        let (st, dec, _) = t
            .get_bytes(&format!("/api/v1/reports/{}/decrypted", s(&r["ref"])), t.admin_token())
            .await;
        assert_eq!(st, StatusCode::OK);
        let dec = String::from_utf8_lossy(&dec).to_string();
        assert!(dec.contains("charset=ISO-2022-JP") && dec.contains("192.0.2.1"), "{dec}");
        // A report from plain mail has no decrypted form.
        let plain = mail(&t, &message("plain", "x\r\n")).await;
        let (st, _, _) = t
            .get_bytes(&format!("/api/v1/reports/{}/decrypted", s(&plain["ref"])), t.admin_token())
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn amber_and_above_must_be_encrypted() {
    for_each_backend(|t| async move {
        let n = now(&t);
        let msg = message("outbound", "連絡です\r\n");
        let rcpt = vec!["bob@isp.example.jp".to_string()];
        let protect = |tlp| {
            let (app, msg, rcpt) = (t.app.clone(), msg.clone(), rcpt.clone());
            async move { app.protect_outbound(&msg, &rcpt, protection_for(tlp), None).await }
        };
        // No team key yet: GREEN leaves as built (unsigned), AMBER is refused.
        assert_eq!(protect(Tlp::Green).await.unwrap(), (msg.clone(), Sealed::Plain));
        let e = protect(Tlp::Amber).await.unwrap_err();
        assert!(e.to_string().starts_with("tlp: "), "{e}");
        let team = generate("CSIRT <cert@team.example>", n - 60, None).unwrap();
        let admin = t.admin_actor().await;
        t.app
            .install_team_key(&admin, team.armored().unwrap().as_bytes(), "")
            .await
            .unwrap();
        // No key for the recipient: AMBER refused naming them, GREEN signed only.
        let e = protect(Tlp::Amber).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "to: TLP:AMBER and above must be encrypted: no valid OpenPGP key is known for bob@isp.example.jp; import one with `hikeshi key import`"
        );
        let (green, how) = protect(Tlp::Green).await.unwrap();
        assert_eq!(how, Sealed::Signed);
        assert!(String::from_utf8_lossy(&green).contains("multipart/signed"));
        // With Bob's key: encrypted (GREEN too, since his key is known), and Bob can read it.
        let bob = generate("Bob <bob@isp.example.jp>", n - 60, None).unwrap();
        add_key(&t, &bob).await;
        assert_eq!(t.app.recipient_keys(&rcpt).await.unwrap().len(), 1);
        for tlp in [Tlp::Green, Tlp::Amber, Tlp::Red] {
            let (out, how) = protect(tlp).await.unwrap();
            assert_eq!(how, Sealed::Encrypted);
            assert!(String::from_utf8_lossy(&out).contains("multipart/encrypted"));
            assert!(!String::from_utf8_lossy(&out).contains("連絡です"));
            let r = hikeshi_pgp::process_inbound(&out, &[team.public()], Some(&bob), n);
            assert_eq!(r.verification.status, hikeshi_pgp::SigStatus::Good);
            assert!(String::from_utf8_lossy(&r.inner.unwrap()).contains("Subject: outbound"));
        }
    })
    .await;
}
