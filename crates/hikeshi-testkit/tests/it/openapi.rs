//! The OpenAPI document: valid 3.1, the main paths present, and equal to the committed
//! snapshot (`UPDATE_SNAPSHOTS=1` rewrites it; the first run creates it).

use serde_json::Value;
use std::path::Path;

#[test]
fn the_document_is_openapi_3_1_with_the_incident_paths() {
    let doc: Value = serde_json::from_str(&hikeshi_web::openapi::document()).expect("JSON");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    for path in ["/api/v1/incidents", "/api/v1/incidents/{id}"] {
        assert!(doc["paths"].get(path).is_some(), "missing {path}");
    }
}

#[test]
fn the_document_matches_the_snapshot() {
    let doc = hikeshi_web::openapi::document();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots/openapi.json");
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    if update || !file.exists() {
        std::fs::write(&file, format!("{doc}\n")).expect("write snapshot");
        eprintln!("wrote {}", file.display());
        return;
    }
    let want = std::fs::read_to_string(&file).expect("read snapshot");
    assert!(
        want.trim_end() == doc.trim_end(),
        "the OpenAPI document changed; review it and run with UPDATE_SNAPSHOTS=1 to accept ({})",
        file.display()
    );
}
