//! Static files, compiled in. URLs carry `?v=<hash of the files>`, so they may be cached
//! for a year.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

pub const HTMX: &str = "htmx-2.0.11.min.js";

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    ),
    (
        HTMX,
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx-2.0.11.min.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
];

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = DefaultHasher::new();
    for (name, _, bytes) in FILES {
        name.hash(&mut h);
        bytes.hash(&mut h);
    }
    format!("{:08x}", h.finish() as u32)
});

pub fn version() -> &'static str {
    &VERSION
}

pub async fn serve(Path(name): Path<String>) -> Response {
    let Some((_, ct, bytes)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mut r = (*bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}
