//! `sextant drift status`: the controllers' verdicts on a live cluster (help text on the
//! `Status` variant in `drift.rs`).

use std::fmt::Write as _;
use std::process::ExitCode;

use sextant_app::analyze::drift_status::{StatusReport, status};

use crate::output::Output;

/// Arguments of `sextant drift status`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    /// The kubeconfig context to read.
    #[arg(long, value_name = "NAME")]
    context: String,
    /// Only the applications in this namespace (their parents and children are still named).
    #[arg(long, value_name = "NS")]
    namespace: Option<String>,
    /// Exit with 1 when an application needs attention (failed, out of sync or stale).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Print one JSON document instead of a table.
    #[arg(long, value_enum, default_value_t)]
    output: Output,
}

/// What `--fail-on` looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// Any application that is failed, out of sync or stale.
    Attention,
}

pub(crate) async fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let report = match status(&args.context, args.namespace.as_deref(), now).await {
        Ok(report) => report,
        Err(error) => return Ok(crate::output::fail(args.output, &error)),
    };
    match args.output {
        Output::Json => crate::output::print_json(&report)?,
        Output::Human => print!("{}", render(&report)),
    }
    Ok(if args.fail_on == Some(FailOn::Attention) && report.summary.needs_attention > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn render(report: &StatusReport) -> String {
    let mut text = String::new();
    if report.apps.is_empty() {
        let _ = writeln!(
            text,
            "No Flux Kustomization or HelmRelease and no Argo CD Application in context {}{}.",
            report.context,
            report.namespace.as_ref().map(|ns| format!(", namespace {ns}")).unwrap_or_default()
        );
        return text;
    }
    let rows: Vec<[String; 5]> = report
        .apps
        .iter()
        .map(|app| {
            [
                if app.tool == "flux" { "Flux" } else { "Argo CD" }.to_owned(),
                app.kind.clone(),
                format!("{}{}/{}", "  ".repeat(app.depth), app.namespace, app.name),
                app.verdict.replace('_', " "),
                app.revisions.applied.as_deref().map_or_else(|| "-".to_owned(), short),
            ]
        })
        .collect();
    let headers = ["TOOL", "KIND", "NAME", "VERDICT", "APPLIED"];
    let widths: Vec<usize> = (0..5)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .chain([headers[column].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 5]| {
        let mut line = String::new();
        for (column, cell) in cells.iter().enumerate() {
            let _ = write!(line, "{cell:<width$}  ", width = widths[column]);
        }
        line.trim_end().to_owned()
    };
    let _ = writeln!(text, "{}", line(headers));
    for row in &rows {
        let _ = writeln!(text, "{}", line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
    let attention: Vec<_> = report.apps.iter().filter(|app| app.needs_attention).collect();
    if !attention.is_empty() {
        let _ = writeln!(text, "\nNeeds attention:");
        for app in attention {
            let _ = writeln!(
                text,
                "  {} {}/{}: {}",
                app.kind, app.namespace, app.name, app.explanation
            );
        }
    }
    let missing: Vec<String> = report
        .apps
        .iter()
        .flat_map(|app| {
            app.children.iter().filter(|child| child.missing).map(move |child| {
                format!("  {} names {}, which is not in the cluster", app.name, child.name)
            })
        })
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(text, "\nMissing children:\n{}", missing.join("\n"));
    }
    let summary = &report.summary;
    let _ = writeln!(
        text,
        "\n{} application(s), {} need(s) attention (context {}; stale means older than the spec, behind the source, or not reconciled for 3 intervals)",
        summary.apps, summary.needs_attention, report.context
    );
    text
}

/// `main@sha1:e5363df0814cd336…` → `main@sha1:e5363df0814c`; a bare 40-hex commit → 12 digits.
fn short(revision: &str) -> String {
    let (prefix, hash) = match revision.rsplit_once(':') {
        Some((prefix, hash)) => (format!("{prefix}:"), hash),
        None => (String::new(), revision),
    };
    if hash.len() >= 40 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        format!("{prefix}{}", &hash[..12])
    } else {
        revision.to_owned()
    }
}
