//! Migrations: one tree per backend with the same file names, and a readable refusal of a
//! database newer than this binary.

use hikeshi_store::{MIGRATIONS, SCHEMA_VERSION, SqlStore};
use hikeshi_testkit::for_each_db;
use std::path::Path;

fn names(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hikeshi-store/migrations")
        .join(backend);
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn both_backends_have_the_same_migration_files() {
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    let embedded: Vec<String> = MIGRATIONS.iter().map(|m| m.1.to_string()).collect();
    assert_eq!(embedded, sqlite, "every file is embedded, in order");
    assert_eq!(MIGRATIONS.last().map(|m| m.0), Some(SCHEMA_VERSION));
}

#[tokio::test]
async fn migrating_twice_is_a_no_op() {
    for_each_db(|db| async move {
        let s = db.open().await;
        assert_eq!(s.schema_version().await.expect("version"), SCHEMA_VERSION);
        assert!(s.migrate().await.expect("again").is_empty());
        s.close().await;
        let again = db.open().await;
        assert_eq!(
            again.schema_version().await.expect("version"),
            SCHEMA_VERSION
        );
    })
    .await;
}

#[tokio::test]
async fn a_newer_database_is_refused_with_a_readable_message() {
    for_each_db(|db| async move {
        db.open().await.close().await;
        db.exec(&format!("INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, 'from-the-future.sql', 0)", SCHEMA_VERSION + 1)).await;
        let err = match SqlStore::open(&db.url, &Default::default()).await {
            Ok(_) => panic!("a newer schema was opened"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("newer"), "{err}");
    })
    .await;
}
