//! The only error shape the UI sees: `{code, message}`.

use serde::{Deserialize, Serialize};

/// What kind of failure happened, so the UI can branch without reading the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The credentials were missing, rejected or expired.
    Unauthenticated,
    /// The credentials were accepted but do not allow this read.
    Forbidden,
    /// The object, source or context does not exist.
    NotFound,
    /// The server could not be reached.
    Unreachable,
    /// The server answered that it cannot serve now (a sealed Vault, a 503).
    Unavailable,
    /// The request or a file it named was malformed.
    InvalidInput,
    /// The request conflicts with the current state.
    Conflict,
    /// A bug or an unexpected failure inside Sextant.
    Internal,
}

/// A failed command, as sent to the UI. The message names the input and says what to do; it
/// never contains a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    /// The failure's class.
    pub code: ErrorCode,
    /// A human sentence: what failed, on which input, and what to do about it.
    pub message: String,
}

impl CommandError {
    /// An error of `code` with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError { code, message: message.into() }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}
