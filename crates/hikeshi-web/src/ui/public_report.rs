//! The public report form at `/report` (no login): multipart with attachments, a signed
//! double-submit CSRF token (a random value and its HMAC under the installation key, in a
//! cookie and in a hidden field), a per-IP
//! rate limit (the shared [`Limiter`]) and a honeypot field. A refused form comes back
//! with the message and everything typed (attachments must be chosen again).

use super::ctx::{Anon, Ctx};
use super::errors::{message, page, render, status};
use super::i18n::Lang;
use super::limit::Limiter;
use crate::extract::cookie;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{ConnectInfo, FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use hikeshi_core::app::{FORM_MAX_FILE, FORM_MAX_FILES, Upload, WebReport};
use hikeshi_core::taxonomy::RSIT;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

pub const REPORT_CSRF_COOKIE: &str = "hikeshi_report_csrf";

/// Largest request body of the form: every file at its limit, plus the fields.
pub const FORM_MAX_BODY: usize = FORM_MAX_FILES * FORM_MAX_FILE + 1024 * 1024;

pub struct TypeOpt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct TypeGroup {
    pub label: String,
    pub options: Vec<TypeOpt>,
}

#[derive(Template)]
#[template(path = "public_report.html")]
pub struct FormPage {
    pub ctx: Ctx,
    pub form: WebReport,
    pub types: Vec<TypeGroup>,
    pub files_hint: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "public_report_thanks.html")]
pub struct ThanksPage {
    pub ctx: Ctx,
    pub reference: String,
}

fn types(ctx: &Ctx, current: &str) -> Vec<TypeGroup> {
    RSIT.iter()
        .filter(|(class, _)| *class != "test")
        .map(|(class, ts)| TypeGroup {
            label: ctx.t(&format!("rsit.{class}")).to_string(),
            options: ts
                .iter()
                .map(|t| {
                    let value = format!("{class}/{t}");
                    TypeOpt {
                        label: ctx.t(&format!("rsit-type.{class}.{t}")).to_string(),
                        selected: value == current,
                        value,
                    }
                })
                .collect(),
        })
        .collect()
}

/// The form (again), with a fresh signed token in the cookie and the field.
async fn form(
    app: &hikeshi_core::app::App,
    mut ctx: Ctx,
    st: StatusCode,
    f: WebReport,
    error: Option<String>,
) -> Response {
    ctx.csrf = match app.new_form_token().await {
        Ok(t) => t,
        Err(e) => return page(&ctx, e),
    };
    let cookie = format!(
        "{REPORT_CSRF_COOKIE}={}; Path=/report; HttpOnly; SameSite=Strict",
        ctx.csrf
    );
    let files_hint = ctx.tf(
        "pub.attachments-hint",
        &[
            ("files", &FORM_MAX_FILES.to_string()),
            ("mb", &(FORM_MAX_FILE / (1024 * 1024)).to_string()),
        ],
    );
    let page = FormPage {
        types: types(&ctx, f.incident_type.trim()),
        ctx,
        form: f,
        files_hint,
        error,
    };
    let mut r = render(st, &page);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn page_get(State(s): State<AppState>, Anon(ctx): Anon) -> Response {
    form(&s.app, ctx, StatusCode::OK, WebReport::default(), None).await
}

/// Reads the multipart body: the fields into the form, the files into uploads. Empty file
/// inputs (no file chosen) are skipped.
async fn read(mp: &mut Multipart) -> Result<(WebReport, String, Vec<Upload>), ()> {
    let (mut f, mut csrf, mut files) = (WebReport::default(), String::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field.bytes().await.map_err(|_| ())?;
            if !(file_name.is_empty() && bytes.is_empty()) {
                files.push(Upload {
                    name: file_name,
                    content_type,
                    bytes: bytes.to_vec(),
                });
            }
            continue;
        }
        let value = field.text().await.map_err(|_| ())?;
        match name.as_str() {
            "name" => f.name = value,
            "email" => f.email = value,
            "organisation" => f.organisation = value,
            "incident_type" => f.incident_type = value,
            "description" => f.description = value,
            "website" => f.website = value,
            "lang" => f.lang = value,
            "csrf" => csrf = value,
            _ => {}
        }
    }
    Ok((f, csrf, files))
}

pub async fn submit(
    State(s): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let ctx = Ctx::from_parts(&parts);
    let expected = cookie(&parts, REPORT_CSRF_COOKIE).unwrap_or("").to_string();
    let client = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    if !limiter.allow(&[format!("report-ip:{client}")], Instant::now()) {
        let msg = ctx.t("pub.too-many").to_string();
        return form(
            &s.app,
            ctx,
            StatusCode::TOO_MANY_REQUESTS,
            WebReport::default(),
            Some(msg),
        )
        .await;
    }
    let req = Request::from_parts(parts, body);
    let read = match Multipart::from_request(req, &()).await {
        Ok(mut mp) => read(&mut mp).await,
        Err(_) => Err(()),
    };
    let Ok((mut f, csrf, files)) = read else {
        let msg = ctx.t("pub.too-large").to_string();
        return form(
            &s.app,
            ctx,
            StatusCode::PAYLOAD_TOO_LARGE,
            WebReport::default(),
            Some(msg),
        )
        .await;
    };
    match s.app.check_form_token(&expected, &csrf).await {
        Ok(true) => {}
        Ok(false) => {
            let msg = ctx.t("err.csrf").to_string();
            return form(&s.app, ctx, StatusCode::FORBIDDEN, f, Some(msg)).await;
        }
        Err(e) => return page(&ctx, e),
    }
    f.lang = Lang::parse(&f.lang).unwrap_or(ctx.lang).code().to_string();
    match s.app.submit_web_report(f.clone(), files, &client).await {
        Ok(receipt) => render(
            StatusCode::OK,
            &ThanksPage {
                ctx,
                reference: receipt.reference,
            },
        ),
        Err(e @ hikeshi_core::Error::Validation { .. }) => {
            let msg = message(&ctx, &e);
            // Field names as the form labels them.
            let msg = match &e {
                hikeshi_core::Error::Validation { field, .. } => msg
                    .replace(
                        &format!("“{field}”"),
                        &format!("“{}”", ctx.t(&format!("field.{field}"))),
                    )
                    .replace(
                        &format!("「{field}」"),
                        &format!("「{}」", ctx.t(&format!("field.{field}"))),
                    ),
                _ => msg,
            };
            form(&s.app, ctx, status(&e), f, Some(msg)).await
        }
        Err(e) => page(&ctx, e),
    }
}
