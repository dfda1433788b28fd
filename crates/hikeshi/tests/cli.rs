//! The `hikeshi` binary as an operator uses it: exit codes, one-line errors, first start,
//! audit tampering, kill -9 durability, online backup, SQLite → PostgreSQL migration.
//! PostgreSQL parts use `HIKESHI_TEST_DATABASE_URL` (set by scripts/test.sh).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hikeshi"));
    c.env_remove("HIKESHI_DATABASE_URL")
        .env_remove("HIKESHI_DATA")
        .env_remove("HIKESHI_CONFIG");
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hikeshi-cli-{name}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn run(args: &[&str], data: &Path, stdin: Option<&str>) -> Output {
    let mut c = bin();
    c.args(args);
    // Commands that touch no database take no --data.
    if !matches!(
        args.first(),
        Some(&"calendar" | &"deadline" | &"config" | &"extract" | &"mailgate")
    ) && !args.contains(&"--help")
    {
        c.arg("--data").arg(data);
    }
    finish(c, stdin)
}

/// Runs a prepared command with `stdin` piped in, and collects its output.
fn finish(mut c: Command, stdin: Option<&str>) -> Output {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn hikeshi");
    if let Some(s) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(s.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// Runs `hikeshi` with `args` and checks it fails with exit 2 and exactly one line on stderr.
fn check_usage_error(args: &[&str], data: &Path, expect: &str) {
    let o = run(args, data, None);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: stderr={err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one line expected, got {err:?}"
    );
    assert!(
        err.contains(expect),
        "{args:?}: {err:?} should mention {expect:?}"
    );
}

#[test]
fn bad_flags_and_values_give_one_line_and_exit_2() {
    let d = tmp("usage");
    check_usage_error(&["--bogus"], &d, "--bogus");
    check_usage_error(&["serve", "--listen"], &d, "--listen");
    check_usage_error(&["user", "add", "x", "--role", "wizard"], &d, "wizard");
    check_usage_error(
        &[
            "constituency",
            "add",
            "a",
            "--name",
            "A",
            "--netblock",
            "300.0.0.0/8",
        ],
        &d,
        "netblocks",
    );
    check_usage_error(
        &["constituency", "add", "Bad Slug", "--name", "A"],
        &d,
        "slug",
    );
    check_usage_error(
        &[
            "calendar",
            "due",
            "--calendar",
            "nope",
            "--from",
            "2026-01-05T09:00:00+09:00",
            "--business-hours",
            "1",
        ],
        &d,
        "--calendar",
    );
    check_usage_error(
        &[
            "deadline",
            "due",
            "--preset",
            "nope",
            "--aware-at",
            "2026-01-05T09:00:00+09:00",
        ],
        &d,
        "--preset",
    );
    for sub in [
        &["--help"][..],
        &["serve", "--help"],
        &["user", "add", "--help"],
        &["db", "export", "--help"],
        &["audit", "verify", "--help"],
    ] {
        let o = run(sub, &d, None);
        assert_eq!(o.status.code(), Some(0), "{sub:?}");
        assert!(text(&o.stdout).contains("Usage"), "{sub:?}");
    }
}

#[test]
fn users_tokens_constituencies_and_audit_verify() {
    let d = tmp("admin");
    let o = run(
        &[
            "constituency",
            "add",
            "acme",
            "--name",
            "ACME 株式会社",
            "--netblock",
            "198.51.100.0/24",
            "--netblock",
            "2001:db8::/32",
            "--domain",
            "acme.example",
        ],
        &d,
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(
        &[
            "user",
            "add",
            "alice",
            "--role",
            "handler",
            "--constituency",
            "acme",
        ],
        &d,
        Some("alice-password-1\n"),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        !text(&o.stdout).contains("alice-password-1"),
        "a piped password is never echoed"
    );
    let o = run(
        &["user", "add", "alice", "--role", "handler"],
        &d,
        Some("another-pass-1\n"),
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "duplicate user name is a bad value"
    );
    let o = run(&["user", "list"], &d, None);
    assert!(
        text(&o.stdout).contains("alice\thandler\tacme"),
        "{}",
        text(&o.stdout)
    );
    let o = run(
        &["token", "create", "--user", "alice", "--scope", "read"],
        &d,
        None,
    );
    let out = text(&o.stdout);
    assert!(o.status.success());
    assert_eq!(out.lines().count(), 1, "only the token: {out:?}");
    assert!(out.starts_with("hks_") && out.trim().len() > 40);

    let o = run(&["audit", "verify"], &d, None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("intact"));

    // Tamper with the second entry directly in the database.
    let db = d.join("hikeshi.db");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", db.display()))
            .await
            .expect("open");
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
            .execute(&pool)
            .await
            .expect("tamper");
        pool.close().await;
    });
    let o = run(&["audit", "verify"], &d, None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("entry 2"), "{}", text(&o.stderr));
}

#[test]
fn older_binary_on_newer_schema_stops_with_a_readable_message() {
    let d = tmp("schema");
    assert!(run(&["migrate"], &d, None).status.success());
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", d.join("hikeshi.db").display())).await.expect("open");
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future.sql', 0)").execute(&pool).await.expect("bump");
        pool.close().await;
    });
    let o = run(&["user", "list"], &d, None);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("newer") && err.lines().count() == 1, "{err}");
}

#[test]
fn calendar_and_deadline_commands() {
    let d = tmp("cal");
    // Monday 5 Jan 2026 17:00 + 2 business hours = Tuesday 10:00 (09:00–18:00 Tokyo).
    let o = run(
        &[
            "calendar",
            "due",
            "--calendar",
            "jp-business",
            "--from",
            "2026-01-05T17:00:00+09:00",
            "--business-hours",
            "2",
        ],
        &d,
        None,
    );
    assert_eq!(
        text(&o.stdout).trim(),
        "2026-01-06T10:00:00+09:00",
        "{}",
        text(&o.stderr)
    );
    let o = run(&["deadline", "presets"], &d, None);
    let presets = text(&o.stdout);
    assert!(presets.lines().count() >= 10, "{presets}");
    let first = presets
        .lines()
        .next()
        .and_then(|l| l.split('\t').next())
        .unwrap_or_default()
        .to_string();
    let o = run(
        &[
            "deadline",
            "due",
            "--preset",
            &first,
            "--aware-at",
            "2026-04-01T10:00:00+09:00",
        ],
        &d,
        None,
    );
    assert!(
        o.status.success() && !text(&o.stdout).trim().is_empty(),
        "{}",
        text(&o.stderr)
    );
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn serve(data: &Path) -> (Server, String) {
    serve_with(&["--data", data.to_str().unwrap_or_default()])
}

/// Starts `hikeshi serve` on a free port with the given database flags; waits for its URL line.
fn serve_with(db: &[&str]) -> (Server, String) {
    let port = free_port();
    let mut child = bin()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(db)
        .env("HIKESHI_ADMIN_PASSWORD", "admin-password-1")
        .env("HIKESHI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut out = child.stdout.take().expect("stdout");
    let start = Instant::now();
    let mut seen = String::new();
    while !seen.contains("Open http://") {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "server did not start: {seen}"
        );
        let mut buf = [0u8; 256];
        let n = out.read(&mut buf).expect("read stdout");
        assert!(n > 0, "server exited: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    (Server { child, port }, seen)
}

fn http(port: u16, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn token(data: &Path) -> String {
    let o = run(&["token", "create", "--user", "admin"], data, None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout).trim().to_string()
}

#[test]
fn first_start_prints_the_admin_and_the_url_and_acknowledged_writes_survive_kill_9() {
    let d = tmp("kill9");
    let (mut srv, banner) = serve(&d);
    assert!(
        banner.contains("Created the first user 'admin'"),
        "{banner}"
    );
    let t = token(&d);
    let mut refs = Vec::new();
    for i in 0..20 {
        let body = format!(r#"{{"title":"kill -9 テスト {i}","severity":"low","tlp":"green"}}"#);
        let (st, b) = http(srv.port, "POST", "/api/v1/incidents", &t, Some(&body));
        assert_eq!(st, 201, "{b}");
        let v: serde_json::Value = serde_json::from_str(&b).expect("json");
        refs.push(v["ref"].as_str().unwrap_or_default().to_string());
    }
    // No graceful shutdown: SIGKILL right after the last 201.
    srv.child.kill().expect("kill -9");
    let _ = srv.child.wait();
    let (srv2, banner2) = serve(&d);
    assert!(
        !banner2.contains("Created the first user"),
        "admin is created once"
    );
    for r in &refs {
        let (st, b) = http(
            srv2.port,
            "GET",
            &format!("/api/v1/incidents/{r}"),
            &t,
            None,
        );
        assert_eq!(st, 200, "{r} lost after kill -9: {b}");
    }
}

#[test]
fn backup_while_serving_is_a_consistent_database() {
    let d = tmp("backup");
    let (srv, _) = serve(&d);
    let t = token(&d);
    for i in 0..10 {
        let (st, _) = http(
            srv.port,
            "POST",
            "/api/v1/incidents",
            &t,
            Some(&format!(r#"{{"title":"backup {i}"}}"#)),
        );
        assert_eq!(st, 201);
    }
    let file = d.join("backup.db");
    let o = run(
        &["backup", "--to", file.to_str().unwrap_or_default()],
        &d,
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(
        &["backup", "--to", file.to_str().unwrap_or_default()],
        &d,
        None,
    );
    assert_eq!(o.status.code(), Some(2), "refuses to overwrite");
    let restored = tmp("restored");
    std::fs::copy(&file, restored.join("hikeshi.db")).expect("copy");
    let o = run(&["audit", "verify"], &restored, None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let (srv2, _) = serve(&restored);
    let (st, b) = http(
        srv2.port,
        "GET",
        "/api/v1/incidents?q=backup&limit=50",
        &t,
        None,
    );
    assert_eq!(st, 200);
    let v: serde_json::Value = serde_json::from_str(&b).expect("json");
    assert_eq!(v["items"].as_array().map(Vec::len), Some(10));
    drop(srv);
}

#[test]
fn export_from_sqlite_import_into_postgresql() {
    let Ok(base) = std::env::var("HIKESHI_TEST_DATABASE_URL") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must test PostgreSQL: HIKESHI_TEST_DATABASE_URL is not set"
        );
        println!("skipped: PostgreSQL (HIKESHI_TEST_DATABASE_URL not set)");
        return;
    };
    let d = tmp("export");
    assert!(
        run(&["constituency", "add", "acme", "--name", "ACME"], &d, None)
            .status
            .success()
    );
    assert!(
        run(
            &[
                "user",
                "add",
                "alice",
                "--role",
                "handler",
                "--constituency",
                "acme"
            ],
            &d,
            Some("alice-password-1\n")
        )
        .status
        .success()
    );
    let (srv, _) = serve(&d);
    // Users existed before the first start, so no admin was created: use alice's token.
    let o = run(&["token", "create", "--user", "alice"], &d, None);
    let t = text(&o.stdout).trim().to_string();
    let (st, _) = http(
        srv.port,
        "POST",
        "/api/v1/incidents",
        &t,
        Some(r#"{"title":"移行テスト 攻撃","constituency":"acme"}"#),
    );
    assert_eq!(st, 201);
    drop(srv);
    let file = d.join("export.jsonl");
    let o = run(
        &["db", "export", "--out", file.to_str().unwrap_or_default()],
        &d,
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));

    let name = format!("hk_cli_{}", uuid::Uuid::now_v7().simple());
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&base).await.expect("pg");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")))
            .execute(&pool)
            .await
            .expect("create db");
        pool.close().await;
    });
    let (prefix, _) = base.rsplit_once('/').expect("url with a database");
    let url = format!("{prefix}/{name}");
    let pg = |args: &[&str], stdin: Option<&str>| {
        let mut c = bin();
        c.args(args).arg("--database-url").arg(&url);
        finish(c, stdin)
    };
    let o = pg(&["migrate"], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = pg(&["db", "import", file.to_str().unwrap_or_default()], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = pg(&["user", "list"], None);
    assert!(
        text(&o.stdout).contains("alice\thandler\tacme"),
        "{}",
        text(&o.stdout)
    );
    let o = pg(&["audit", "verify"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = pg(&["db", "import", file.to_str().unwrap_or_default()], None);
    assert_eq!(
        o.status.code(),
        Some(2),
        "import into a non-empty database is refused"
    );

    // The same token works against the PostgreSQL node, and search finds the 2-char word.
    let (srv, _) = serve_with(&["--database-url", &url]);
    let (st, b) = http(
        srv.port,
        "GET",
        "/api/v1/incidents?q=%E6%94%BB%E6%92%83",
        &t,
        None,
    );
    assert_eq!(st, 200, "{b}");
    assert!(b.contains("移行テスト"), "{b}");
}

#[test]
fn extract_prints_json_lines() {
    let d = tmp("extract");
    let o = run(
        &["extract"],
        &d,
        Some("不正アクセス元は１９８．５１．１００．７です。C2: hxxps://evil[.]example[.]com/x\n"),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let lines: Vec<serde_json::Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let pairs: Vec<(String, String)> = lines
        .iter()
        .map(|v| {
            (
                v["type"].as_str().unwrap_or("").to_string(),
                v["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        pairs.contains(&("ipv4".into(), "198.51.100.7".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("url".into(), "https://evil.example.com/x".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("domain".into(), "evil.example.com".into())),
        "{pairs:?}"
    );
    assert!(
        lines
            .iter()
            .all(|v| v["start"].is_u64() && v["end"].is_u64())
    );
}

/// An ISO-2022-JP message with a B-encoded subject, as a Japanese mailer sends it.
fn jis_mail(subject_b64: &str, body_jis: &[u8], extra: &str) -> Vec<u8> {
    let mut m = format!(
        "From: Taro <taro@partner.example.jp>\r\nTo: cert@acme.example\r\nSubject: {subject_b64}\r\nMessage-ID: <{}@partner.example.jp>\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n",
        uuid::Uuid::now_v7()
    )
    .into_bytes();
    m.extend_from_slice(body_jis);
    m.extend_from_slice(b"\r\n");
    m
}

fn mailgate(port: u16, token: &str, msg: &[u8]) -> Output {
    let mut c = bin();
    c.args([
        "mailgate",
        "--url",
        &format!("http://127.0.0.1:{port}"),
        "--token",
        token,
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("mailgate");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(msg)
        .expect("write");
    child.wait_with_output().expect("wait")
}

#[test]
fn mailgate_lands_japanese_mail_and_threads_the_reply() {
    let d = tmp("mailgate");
    assert!(
        run(
            &[
                "constituency",
                "add",
                "acme",
                "--name",
                "ACME",
                "--email-domain",
                "acme.example"
            ],
            &d,
            None
        )
        .status
        .success()
    );
    let (srv, _) = serve(&d);
    let t = token(&d);
    // Subject "不正アクセスの報告" in ISO-2022-JP, body "不正アクセス" (JIS escapes).
    let subject = "=?ISO-2022-JP?B?GyRCSVRANSUiJS8lOyU5JE5KczlwGyhC?=";
    let body = b"\x1b$BIT@5%\"%/%;%9\x1b(B 198.51.100.7";
    let o = mailgate(srv.port, &t, &jis_mail(subject, body, ""));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let reference = text(&o.stdout).trim().to_string();
    assert!(reference.starts_with('R'), "{reference}");
    let (st, b) = http(
        srv.port,
        "GET",
        &format!("/api/v1/reports/{reference}"),
        &t,
        None,
    );
    assert_eq!(st, 200, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).expect("json");
    assert_eq!(v["subject"], "不正アクセスの報告");
    assert_eq!(v["from"], "taro@partner.example.jp");
    assert_eq!(v["signature"], "none");
    assert_eq!(v["auto_generated"], false);
    assert!(
        v["content"].as_str().unwrap_or("").contains("不正アクセス"),
        "{b}"
    );
    assert!(
        v["constituency"].is_string(),
        "routed by the recipient's e-mail domain: {b}"
    );

    // The reporter answers with our tag in the subject: it lands on the same record.
    let reply_subject =
        format!("Re: [Hikeshi #{reference}] =?ISO-2022-JP?B?GyRCSVRANSUiJS8lOyU5JE5KczlwGyhC?=");
    let o = mailgate(
        srv.port,
        &t,
        &jis_mail(&reply_subject, b"thanks", "Auto-Submitted: no\r\n"),
    );
    assert_eq!(text(&o.stdout).trim(), reference, "{}", text(&o.stderr));
    let (_, b) = http(
        srv.port,
        "GET",
        &format!("/api/v1/reports/{reference}/entries"),
        &t,
        None,
    );
    let entries: serde_json::Value = serde_json::from_str(&b).expect("json");
    assert_eq!(entries.as_array().map(Vec::len), Some(1), "{b}");
    assert_eq!(entries[0]["direction"], "in");

    // An auto-reply is recorded and flagged.
    let o = mailgate(
        srv.port,
        &t,
        &jis_mail("Out of office", b"away", "Auto-Submitted: auto-replied\r\n"),
    );
    let r2 = text(&o.stdout).trim().to_string();
    let (_, b) = http(srv.port, "GET", &format!("/api/v1/reports/{r2}"), &t, None);
    let v: serde_json::Value = serde_json::from_str(&b).expect("json");
    assert_eq!(v["auto_generated"], true, "{b}");

    // Server down: temporary failure, so the MTA retries.
    let port = srv.port;
    drop(srv);
    let o = mailgate(port, &t, &jis_mail("x", b"y", ""));
    assert_eq!(o.status.code(), Some(75), "{}", text(&o.stderr));
    // A bad token is a permanent refusal.
    let (srv, _) = serve(&d);
    let o = mailgate(srv.port, "hks_wrong", &jis_mail("x", b"y", ""));
    assert_eq!(o.status.code(), Some(77), "{}", text(&o.stderr));
}

#[test]
fn lookup_answers_whose_it_is_and_what_we_have() {
    let d = tmp("lookup");
    let o = run(
        &[
            "constituency",
            "add",
            "acme",
            "--name",
            "ACME",
            "--netblock",
            "203.0.113.0/24",
            "--netblock",
            "203.0.113.128/25",
            "--domain",
            "acme.co.jp",
        ],
        &d,
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        run(
            &[
                "constituency",
                "add",
                "shop",
                "--name",
                "Shop",
                "--netblock",
                "203.0.113.192/26"
            ],
            &d,
            None
        )
        .status
        .success()
    );
    let (srv, _) = serve(&d);
    let t = token(&d);
    let (st, _) = http(
        srv.port,
        "POST",
        "/api/v1/incidents",
        &t,
        Some(r#"{"title":"C2 at 203.0.113.200","constituency":"shop"}"#),
    );
    assert_eq!(st, 201);
    // Longest prefix wins; defanged input is accepted.
    let (st, b) = http(
        srv.port,
        "GET",
        "/api/v1/lookup?value=203.0.113%5B.%5D200",
        &t,
        None,
    );
    assert_eq!(st, 200, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).expect("json");
    assert_eq!(v["value"], "203.0.113.200");
    assert_eq!(v["type"], "ipv4");
    assert_eq!(v["owner"]["slug"], "shop");
    assert_eq!(v["owner"]["matched"], "203.0.113.192/26");
    assert_eq!(v["incidents"].as_array().map(Vec::len), Some(1), "{b}");
    let (_, b) = http(
        srv.port,
        "GET",
        "/api/v1/lookup?value=mail.acme.co.jp",
        &t,
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&b).expect("json");
    assert_eq!(v["owner"]["slug"], "acme", "{b}");
    let (_, b) = http(
        srv.port,
        "GET",
        "/api/v1/lookup?value=198.51.100.1",
        &t,
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&b).expect("json");
    assert!(v["owner"].is_null(), "{b}");
    let (st, b) = http(
        srv.port,
        "GET",
        "/api/v1/lookup?value=hello%20world",
        &t,
        None,
    );
    assert_eq!(st, 422, "{b}");
    assert!(b.contains("\"field\":\"value\""), "{b}");
}

#[test]
fn reporters_see_exactly_their_own_reports() {
    let d = tmp("reporter");
    assert!(
        run(&["constituency", "add", "acme", "--name", "ACME"], &d, None)
            .status
            .success()
    );
    assert!(
        run(
            &["user", "add", "rita", "--role", "reporter"],
            &d,
            Some("rita-password-1\n")
        )
        .status
        .success()
    );
    assert!(
        run(
            &[
                "user",
                "add",
                "hana",
                "--role",
                "handler",
                "--constituency",
                "acme"
            ],
            &d,
            Some("hana-password-1\n")
        )
        .status
        .success()
    );
    let tok = |u: &str| {
        text(&run(&["token", "create", "--user", u], &d, None).stdout)
            .trim()
            .to_string()
    };
    let (rita, hana) = (tok("rita"), tok("hana"));
    let (srv, _) = serve(&d);
    let (st, b) = http(
        srv.port,
        "POST",
        "/api/v1/reports",
        &rita,
        Some(r#"{"subject":"不審なメールを受信しました"}"#),
    );
    assert_eq!(st, 201, "{b}");
    let (st, _) = http(
        srv.port,
        "POST",
        "/api/v1/reports",
        &hana,
        Some(r#"{"subject":"handler's own","constituency":"acme"}"#),
    );
    assert_eq!(st, 201);
    let (_, b) = http(srv.port, "GET", "/api/v1/reports", &rita, None);
    let v: serde_json::Value = serde_json::from_str(&b).expect("json");
    let subjects: Vec<&str> = v["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["subject"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(subjects, vec!["不審なメールを受信しました"], "{b}");
    let (_, b) = http(srv.port, "GET", "/api/v1/incidents", &rita, None);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&b).expect("json")["items"],
        serde_json::json!([])
    );
    let (st, _) = http(
        srv.port,
        "POST",
        "/api/v1/incidents",
        &rita,
        Some(r#"{"title":"x"}"#),
    );
    assert_eq!(st, 403, "reporters do not open incidents");
}

#[test]
fn extract_can_use_a_newer_public_suffix_list() {
    let d = tmp("psl");
    let input = "C2: evil.hikeshitest and evil.example.jp\n";
    let domains = |o: &Output| -> Vec<String> {
        text(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
            .filter(|v| v["type"] == "domain")
            .map(|v| v["value"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let o = run(&["extract"], &d, Some(input));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(domains(&o), vec!["evil.example.jp"], "compiled-in list");
    let dat = d.join("public_suffix_list.dat");
    std::fs::write(&dat, "// ===BEGIN ICANN DOMAINS===\ncom\njp\nhikeshitest\n").expect("write");
    let list = dat.display().to_string();
    let o = run(&["extract", "--suffix-list", &list], &d, Some(input));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(domains(&o), vec!["evil.hikeshitest", "evil.example.jp"]);
    // Not a list: one line naming the file, non-zero exit.
    std::fs::write(&dat, "hello\n").expect("write");
    let o = run(&["extract", "--suffix-list", &list], &d, Some(input));
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("public_suffix_list.dat") && err.contains("not a public suffix list"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
