//! How analyzer commands print: `--output human|json`, and the contract's error shape.

use std::process::ExitCode;

use sextant_app::analyze::AnalysisError;

/// How results are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    /// A readable table or tree.
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
}

/// Prints `error` as the contract says (a message on stderr; with JSON output, also
/// `{"error": {...}}` on stdout) and returns exit code 2.
pub(crate) fn fail(output: Output, error: &AnalysisError) -> ExitCode {
    eprintln!("sextant: {}", sextant_app::redact(&error.message));
    if output == Output::Json {
        match serde_json::to_string_pretty(error) {
            Ok(json) => println!("{json}"),
            Err(serialize) => eprintln!("sextant: cannot print the error as JSON: {serialize}"),
        }
    }
    ExitCode::from(2)
}

/// Prints `report` as one JSON document.
///
/// # Errors
/// Only if the report cannot be serialized, which is a bug.
pub(crate) fn print_json<T: serde::Serialize>(report: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(report)?);
    Ok(())
}
