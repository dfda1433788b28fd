//! The one error type of the domain layer. The web layer maps it to HTTP in one place.

/// Domain error. Every variant has a stable machine code ([`Error::code`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("unauthenticated")]
    Unauthenticated,
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("version conflict: the record is at version {current}")]
    Conflict { current: i64 },
    /// A uniqueness rule was broken (e.g. a slug or user name already taken).
    #[error("{field} already exists")]
    Duplicate { field: String },
    #[error("transition from {from} to {to} is not allowed")]
    InvalidTransition { from: String, to: String },
    /// Bad input, naming the offending field.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// Infrastructure failure (database down, disk full). Never the user's fault.
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Stable code shown to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound => "not_found",
            Error::Forbidden(_) => "forbidden",
            Error::Unauthenticated => "unauthenticated",
            Error::Conflict { .. } => "version_conflict",
            Error::Duplicate { .. } => "duplicate",
            Error::InvalidTransition { .. } => "invalid_transition",
            Error::Validation { .. } => "validation",
            Error::Internal(_) => "internal",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
