//! `sextant gateway status` and `sextant gateway explain` (`shared/specs/cli-contract.md`):
//! Gateway API attachment status and the request explainer over manifests on disk.
//!
//! The domain's report types already serialize to the contract's JSON, so they are handed to the
//! CLI as they are; they are named here so that the CLI never depends on the domain crate.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sextant_domain::gateway::RouteTable;
use sextant_domain::object::KubeObject;

use crate::analyze::{AnalysisError, load_manifests};

pub use sextant_domain::gateway::explain::{
    BackendShare, Explanation, Mirror, Outcome, Redirect, Request, UpstreamRequest,
};
pub use sextant_domain::gateway::status::{
    Condition, Diagnostic, GatewayReport, ListenerReport, RouteParentReport, Severity, StatusReport,
};
/// The JSON of a `parentRef` as written ([`RouteParentReport::parent_ref`]).
pub use sextant_domain::json::Json;

/// The keys a request may carry (contract: HTTP/HTTPS, GRPC, TLS, TCP/UDP shapes together).
const REQUEST_KEYS: [&str; 11] = [
    "protocol",
    "gateway",
    "port",
    "host",
    "sni",
    "method",
    "path",
    "headers",
    "authority",
    "service",
    "metadata",
];

/// What the gateway commands read.
#[derive(Debug, Clone, Default)]
pub struct GatewayInput {
    /// `--manifests PATH...`.
    pub manifests: Vec<PathBuf>,
    /// `--unreadable KIND...`: kinds to treat as unreadable (no permission), so that answers
    /// depending on them are reported as unknown rather than absent.
    pub unreadable: Vec<String>,
}

impl GatewayInput {
    fn objects(&self) -> Result<Vec<KubeObject>, AnalysisError> {
        Ok(load_manifests(&self.manifests)?
            .into_iter()
            .map(|sourced| sourced.object.to_object())
            .collect())
    }

    fn unreadable(&self) -> Vec<&str> {
        self.unreadable.iter().map(String::as_str).collect()
    }
}

/// Computes what a conformant controller would write on every route, listener and Gateway in
/// the manifests, and what no controller writes (diagnostics).
///
/// # Errors
/// `no_manifests`, `bad_manifest`.
pub fn status(input: &GatewayInput) -> Result<StatusReport, AnalysisError> {
    let objects = input.objects()?;
    Ok(sextant_domain::gateway::gateway_status(&objects, &input.unreadable()))
}

/// Whether the report holds an error diagnostic (`--fail-on error`).
#[must_use]
pub fn has_error(report: &StatusReport) -> bool {
    report.diagnostics.iter().any(|diagnostic| diagnostic.severity == Severity::Error)
}

/// Explains one request against the manifests.
///
/// # Errors
/// `no_manifests`, `bad_manifest`.
pub fn explain(input: &GatewayInput, request: &Request) -> Result<Explanation, AnalysisError> {
    let objects = input.objects()?;
    Ok(RouteTable::build(&objects, &input.unreadable()).explain(request))
}

/// Reads `--request`: inline JSON (an argument starting with `{`), `-` for `stdin`, or a file.
///
/// # Errors
/// `bad_request` naming the source (file, `--request` or stdin), with `line` and `column` for
/// JSON errors; `unknown_field` keys are refused so that a typo cannot be silently ignored.
pub fn read_request(
    argument: &str,
    stdin: impl FnOnce() -> std::io::Result<String>,
) -> Result<Request, AnalysisError> {
    let (source, text) = if argument.trim_start().starts_with('{') {
        ("--request".to_owned(), argument.to_owned())
    } else if argument == "-" {
        let text = stdin().map_err(|error| {
            AnalysisError::new("bad_request", format!("<stdin>: cannot read the request: {error}"))
                .with("file", "<stdin>")
        })?;
        ("<stdin>".to_owned(), text)
    } else {
        let path = Path::new(argument);
        let text = std::fs::read_to_string(path).map_err(|error| {
            let why = match error.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_owned(),
                _ => error.to_string(),
            };
            AnalysisError::new(
                "bad_request",
                format!(
                    "{argument}: cannot read the request: {why} (pass a file, inline JSON starting with {{, or - for stdin)"
                ),
            )
            .with("file", argument)
        })?;
        (argument.to_owned(), text)
    };
    parse_request(&source, &text)
}

/// Parses a request's JSON text; `source` names it in errors.
///
/// # Errors
/// `bad_request`, with `file`, `line` and `column` when the JSON or a field is wrong.
pub fn parse_request(source: &str, text: &str) -> Result<Request, AnalysisError> {
    let located = |error: &serde_json::Error| {
        AnalysisError::new(
            "bad_request",
            format!("{source}:{}:{}: {}", error.line(), error.column(), strip_location(error)),
        )
        .with("file", source)
        .with("line", error.line())
        .with("column", error.column())
    };
    let value: Value = serde_json::from_str(text).map_err(|error| located(&error))?;
    let Some(object) = value.as_object() else {
        return Err(AnalysisError::new(
            "bad_request",
            format!("{source}: the request must be a JSON object"),
        )
        .with("file", source));
    };
    if let Some(unknown) = object.keys().find(|key| !REQUEST_KEYS.contains(&key.as_str())) {
        return Err(AnalysisError::new(
            "bad_request",
            format!(
                "{source}: unknown request field `{unknown}`; expected {}",
                REQUEST_KEYS.join(", ")
            ),
        )
        .with("file", source)
        .with("field", unknown.clone()));
    }
    // Parse the text again (not the value) so that type errors keep their line and column.
    let request: Request = serde_json::from_str(text).map_err(|error| located(&error))?;
    if request.gateway.split_once('/').is_none_or(|(namespace, name)| {
        namespace.is_empty() || name.is_empty() || name.contains('/')
    }) {
        return Err(AnalysisError::new(
            "bad_request",
            format!("{source}: `gateway` must be namespace/name, got {:?}", request.gateway),
        )
        .with("file", source)
        .with("field", "gateway"));
    }
    Ok(request)
}

/// serde_json appends " at line L column C"; the location is reported on its own.
fn strip_location(error: &serde_json::Error) -> String {
    let message = error.to_string();
    message.find(" at line ").map_or(message.clone(), |at| message[..at].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_stdin() -> std::io::Result<String> {
        Err(std::io::Error::other("no stdin in tests"))
    }

    #[test]
    fn inline_requests_parse_and_bad_ones_name_the_place() {
        let request = read_request(
            r#"{"protocol": "HTTP", "gateway": "infra/gw", "port": 80, "host": "a"}"#,
            no_stdin,
        )
        .unwrap();
        assert_eq!(request.port, 80);
        let error =
            read_request("{\"protocol\": \"HTTP\",\n \"gateway\": 3}", no_stdin).unwrap_err();
        assert_eq!(error.kind, "bad_request");
        assert_eq!(error.detail["line"], 2, "the type error is located: {error:?}");
        assert!(error.message.starts_with("--request:2:"), "{}", error.message);
        let error =
            read_request(r#"{"protocol": "HTTP", "gateway": "infra/gw"}"#, no_stdin).unwrap_err();
        assert!(error.message.contains("missing field `port`"), "{}", error.message);
    }

    #[test]
    fn typos_and_bad_gateways_are_refused() {
        let error = parse_request(
            "r.json",
            r#"{"protocol": "HTTP", "gateway": "infra/gw", "port": 80, "hots": "a"}"#,
        )
        .unwrap_err();
        assert_eq!(error.detail["field"], "hots");
        let error = parse_request("r.json", r#"{"protocol": "HTTP", "gateway": "gw", "port": 80}"#)
            .unwrap_err();
        assert!(error.message.contains("namespace/name"), "{}", error.message);
    }

    #[test]
    fn stdin_and_missing_files_are_named() {
        let request = read_request("-", || {
            Ok(r#"{"protocol": "TCP", "gateway": "a/b", "port": 9000}"#.to_owned())
        })
        .unwrap();
        assert_eq!(request.gateway, "a/b");
        let error = read_request("/nonexistent/request.json", no_stdin).unwrap_err();
        assert!(error.message.starts_with("/nonexistent/request.json: "), "{}", error.message);
    }
}
