//! The analyzers as headless use cases, for the `sextant` CLI's analyzer commands
//! (`shared/specs/cli-contract.md`): each submodule takes files and options and returns a
//! report that serializes to the contract's JSON, or an [`AnalysisError`].
//!
//! The frontends never see objects or adapters: they hand over paths and print what comes back.

pub mod drift;
pub mod drift_status;
pub mod gateway;

use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Map, Value};
use sextant_adapters::manifests::{self, ManifestError, SourcedObject};

pub mod vault;

/// Why an analysis could not run: bad input or a failure to run (exit code 2). Serializes as
/// the contract's `{"error": {"kind", "message", ...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisError {
    /// A stable, snake_case kind, e.g. `bad_manifest` or `template_forbidden_value`.
    pub kind: &'static str,
    /// What is wrong and where, in words; names the file and the place in it.
    pub message: String,
    /// Further keys of the error object (`file`, `line`, `policy`, ...).
    pub detail: Map<String, Value>,
}

impl AnalysisError {
    /// An error with no further keys.
    #[must_use]
    pub fn new(kind: &'static str, message: impl Into<String>) -> AnalysisError {
        AnalysisError { kind, message: message.into(), detail: Map::new() }
    }

    /// Adds a key to the error object.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> AnalysisError {
        self.detail.insert(key.to_owned(), value.into());
        self
    }
}

impl std::fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AnalysisError {}

impl Serialize for AnalysisError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut error = Map::new();
        error.insert("kind".to_owned(), Value::from(self.kind));
        error.insert("message".to_owned(), Value::from(self.message.clone()));
        for (key, value) in &self.detail {
            error.insert(key.clone(), value.clone());
        }
        let mut outer = Map::new();
        outer.insert("error".to_owned(), Value::Object(error));
        outer.serialize(serializer)
    }
}

impl From<ManifestError> for AnalysisError {
    fn from(error: ManifestError) -> AnalysisError {
        let mut analysis = AnalysisError::new("bad_manifest", error.to_string())
            .with("file", error.file.display().to_string());
        if let Some(line) = error.line {
            analysis = analysis.with("line", line);
        }
        if let Some(column) = error.column {
            analysis = analysis.with("column", column);
        }
        analysis
    }
}

/// Reads `--manifests PATH...` (files or directories), naming the first bad file.
///
/// # Errors
/// `bad_manifest`, with `file`, `line` and `column`.
pub fn load_manifests(paths: &[PathBuf]) -> Result<Vec<SourcedObject>, AnalysisError> {
    if paths.is_empty() {
        return Err(AnalysisError::new(
            "no_manifests",
            "no manifests given: pass --manifests PATH",
        ));
    }
    Ok(manifests::load(paths)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialize_as_the_contract_says() {
        let error =
            AnalysisError::new("template_forbidden_value", "policy x: bad").with("policy", "x");
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({"error": {"kind": "template_forbidden_value", "message": "policy x: bad", "policy": "x"}})
        );
    }

    #[test]
    fn a_bad_manifest_names_file_line_and_column() {
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("bad.yaml");
        std::fs::write(&file, "kind: A\nmetadata: {name: [\n").unwrap();
        let error = load_manifests(std::slice::from_ref(&file)).unwrap_err();
        assert_eq!(error.kind, "bad_manifest");
        assert_eq!(error.detail["file"], file.display().to_string());
        assert!(error.detail.contains_key("line"), "{error:?}");
        assert!(error.message.starts_with(&file.display().to_string()), "{}", error.message);
    }
}
