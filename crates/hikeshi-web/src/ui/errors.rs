//! Turning outcomes into pages: rendering templates, the error page (404, 403, 500), form
//! fields, CSRF checks and user-facing messages for domain errors.

use super::ctx::{Ctx, Ui};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hikeshi_core::Error;

/// Handlers return a page either way.
pub type Out = Result<Response, Response>;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub ctx: &'a Ctx,
    pub title: &'static str,
    pub message: String,
}

/// Renders a template with a status.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

pub fn ok(t: &impl Template) -> Out {
    Ok(render(StatusCode::OK, t))
}

/// The message shown for a domain error, in the user's language.
pub fn message(ctx: &Ctx, e: &Error) -> String {
    match e {
        Error::NotFound => ctx.t("err.not-found").into(),
        Error::Forbidden(_) => ctx.t("err.forbidden").into(),
        Error::Unauthenticated => ctx.t("err.unauthenticated").into(),
        Error::Conflict { .. } => ctx.t("err.conflict").into(),
        Error::Duplicate { field } => ctx.tf("err.duplicate", &[("field", field)]),
        Error::InvalidTransition { from, to } => ctx.tf(
            "err.transition",
            &[
                ("from", ctx.t(&format!("status.{from}"))),
                ("to", ctx.t(&format!("status.{to}"))),
            ],
        ),
        Error::Validation { field, message } => {
            ctx.tf("err.validation", &[("field", field), ("message", message)])
        }
        Error::Internal(_) => ctx.t("err.internal").into(),
    }
}

/// The status for a domain error shown on a form.
pub fn status(e: &Error) -> StatusCode {
    match e {
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Conflict { .. } | Error::Duplicate { .. } => StatusCode::CONFLICT,
        Error::InvalidTransition { .. } | Error::Validation { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Error::Internal(msg) => {
            tracing::error!(error = %msg, "internal error");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// A whole error page for a domain error.
pub fn page(ctx: &Ctx, e: Error) -> Response {
    if matches!(e, Error::Unauthenticated) {
        return Redirect::to("/login").into_response();
    }
    let title = match e {
        Error::NotFound => ctx.t("err.not-found.title"),
        Error::Forbidden(_) => ctx.t("err.forbidden.title"),
        Error::Internal(_) => ctx.t("err.internal.title"),
        _ => ctx.t("err.bad-request.title"),
    };
    let message = message(ctx, &e);
    render(
        status(&e),
        &ErrorPage {
            ctx,
            title,
            message,
        },
    )
}

pub fn not_found(ctx: &Ctx) -> Response {
    page(ctx, Error::NotFound)
}

/// `result.or_page(&ui)?`: a domain error becomes the error page.
pub trait OrPage<T> {
    fn or_page(self, ui: &Ui) -> Result<T, Response>;
}

impl<T> OrPage<T> for Result<T, Error> {
    fn or_page(self, ui: &Ui) -> Result<T, Response> {
        self.map_err(|e| page(&ui.ctx, e))
    }
}

/// Submitted form fields, in order (repeated names allowed).
#[derive(Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The trimmed value of a field ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The value, or `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).to_string()).filter(|s| !s.is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// The optimistic version sent back with an edit form.
    pub fn version(&self) -> Option<i64> {
        self.get("version").parse().ok()
    }

    /// Lines of a textarea, without blanks.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .split(['\n', ','])
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// Refuses a form without the session's CSRF token.
pub fn check_csrf(ui: &Ui, f: &Fields) -> Result<(), Response> {
    let sent = f.get("csrf");
    if !sent.is_empty() && sent == ui.ctx.csrf {
        Ok(())
    } else {
        Err(csrf_refused(&ui.ctx))
    }
}

pub fn csrf_refused(ctx: &Ctx) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &ErrorPage {
            ctx,
            title: ctx.t("err.forbidden.title"),
            message: ctx.t("err.csrf").into(),
        },
    )
}

/// See-other redirect after a successful POST.
pub fn back(to: &str) -> Out {
    Ok(Redirect::to(to).into_response())
}
