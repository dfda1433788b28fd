//! `hikeshi key import|list|remove` as an operator uses it, on SQLite and (when
//! `HIKESHI_TEST_DATABASE_URL` is set) PostgreSQL: one-line errors, non-zero exits.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hikeshi-keys-{name}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// Where the commands point: `--data DIR` or `--database-url URL`.
fn databases() -> Vec<Vec<String>> {
    let mut out = vec![vec![
        "--data".to_string(),
        tmp("sqlite").to_string_lossy().to_string(),
    ]];
    match std::env::var("HIKESHI_TEST_DATABASE_URL") {
        Ok(base) => {
            let name = format!("hk_keys_{}", uuid::Uuid::now_v7().simple());
            let rt = tokio::runtime::Runtime::new().expect("rt");
            rt.block_on(async {
                sqlx::any::install_default_drivers();
                let pool = sqlx::AnyPool::connect(&base).await.expect("pg");
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
                )))
                .execute(&pool)
                .await
                .expect("create db");
                pool.close().await;
            });
            let (prefix, _) = base.rsplit_once('/').expect("url with a database");
            out.push(vec!["--database-url".into(), format!("{prefix}/{name}")]);
        }
        Err(_) => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must test PostgreSQL: HIKESHI_TEST_DATABASE_URL is not set"
            );
            println!("skipped: PostgreSQL (HIKESHI_TEST_DATABASE_URL not set)");
        }
    }
    out
}

fn run(db: &[String], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hikeshi"))
        .env_remove("HIKESHI_DATABASE_URL")
        .env_remove("HIKESHI_DATA")
        .env_remove("HIKESHI_CONFIG")
        .env_remove("HIKESHI_KEY_PASSPHRASE_FILE")
        .args(args)
        .args(db)
        .stdin(Stdio::null())
        .output()
        .expect("run hikeshi")
}

#[track_caller]
fn fails_in_one_line(o: &Output, code: i32, contains: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("hikeshi: error: "), "{err}");
    assert!(
        err.contains(contains),
        "{err:?} should mention {contains:?}"
    );
}

#[test]
fn key_import_list_remove() {
    let now = 1_790_000_000;
    let files = tmp("files");
    let alice = hikeshi_pgp::generate("Alice <alice@partner.example.jp>", now, None).unwrap();
    let team = hikeshi_pgp::generate("CSIRT <cert@team.example>", now, None).unwrap();
    let public = files.join("alice.asc");
    std::fs::write(&public, alice.public().armored().unwrap()).unwrap();
    let secret = files.join("team.sec.asc");
    std::fs::write(&secret, team.armored().unwrap()).unwrap();
    let garbage = files.join("garbage.txt");
    std::fs::write(&garbage, "this is not a key\n").unwrap();
    let p = |p: &PathBuf| p.to_string_lossy().to_string();

    for db in databases() {
        let o = run(&db, &["migrate"]);
        assert!(o.status.success(), "{}", text(&o.stderr));

        // Errors: missing file, not a key, the wrong kind of key. One line, non-zero.
        let o = run(&db, &["key", "import", "/nonexistent/key.asc"]);
        fails_in_one_line(&o, 2, "cannot read /nonexistent/key.asc");
        let o = run(&db, &["key", "import", &p(&garbage)]);
        fails_in_one_line(&o, 2, "key: not an OpenPGP key");
        let o = run(&db, &["key", "import", &p(&secret)]);
        fails_in_one_line(&o, 2, "import it as the team key");
        let o = run(&db, &["key", "import", "--team", &p(&public)]);
        fails_in_one_line(&o, 2, "must include its secret part");

        let o = run(&db, &["key", "import", &p(&public)]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_eq!(
            text(&o.stdout).trim(),
            format!(
                "imported key {} (Alice <alice@partner.example.jp>)",
                alice.info.fingerprint
            )
        );
        let o = run(&db, &["key", "import", "--team", &p(&secret)]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).starts_with("installed the team key "));

        let o = run(&db, &["key", "list"]);
        assert_eq!(
            text(&o.stdout),
            format!(
                "team\t{}\tnever\tcert@team.example\ncontact\t{}\tnever\talice@partner.example.jp\n",
                team.info.fingerprint, alice.info.fingerprint
            )
        );

        let fpr = alice.info.fingerprint.to_lowercase();
        let o = run(&db, &["key", "remove", &fpr]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let o = run(&db, &["key", "remove", &fpr]);
        fails_in_one_line(&o, 1, "no key with fingerprint");
        let o = run(&db, &["key", "list"]);
        assert!(!text(&o.stdout).contains("contact"), "{}", text(&o.stdout));
    }
}
