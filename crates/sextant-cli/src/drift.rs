//! `sextant drift diff`: desired objects against live ones, without a cluster.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sextant_app::analyze::drift::DiffInput;
use sextant_protocol::drift::{DriftDiff, FieldClass, FieldDiff, ObjectDiff, ObjectState};

use crate::output::Output;

/// Arguments of `sextant drift`.
#[derive(Debug, clap::Args)]
pub(crate) struct DriftArgs {
    #[command(subcommand)]
    command: DriftCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DriftCommand {
    /// Compare rendered desired objects with live objects, as an API server returns them,
    /// without a cluster ("estimated" mode).
    ///
    /// Objects are matched by group, kind, namespace and name. Fields the API server or a
    /// controller fills in or canonicalises are not drift; every differing field is classed
    /// `drift`, `expected_mutation` or `ignored` by who set it (its managedFields manager).
    ///
    /// JSON (`--output json`): {"objects": [{"id": {"group", "version", "kind", "namespace"?,
    /// "name"}, "state": "in_sync|drifted|missing_live|not_in_git", "fields": [{"path",
    /// "desired"?, "live"?, "class": "drift|expected_mutation|ignored", "reason", "manager"?,
    /// "time"?, "redacted"?}]}], "summary": {"in_sync", "drifted", "missing_live",
    /// "not_in_git"}, "mode": "estimated", "skipped_owned"?, "problems"?}.
    /// Secret values are never printed.
    Diff(DiffArgs),
    /// The Flux and Argo CD controllers' own verdicts on a live cluster, per application, in
    /// tree order (a parent before the applications it applies or generates).
    ///
    /// Reads Kustomizations, HelmReleases, their sources, Applications, ApplicationSets and
    /// AppProjects once through the kubeconfig context. A verdict is doubted ("stale") when the
    /// controller has not observed the latest generation, when the source offers a newer revision
    /// than the one last attempted, when Argo CD compared another source than the spec names, or
    /// when the last reconcile is more than 3 intervals old (Flux `spec.interval`; Argo CD's
    /// default 180 s).
    ///
    /// JSON (`--output json`): {"context", "namespace"?, "as_of" (Unix seconds), "apps": [{"tool":
    /// "flux|argo_cd", "kind", "namespace", "name", "depth", "verdict": "in_sync|out_of_sync|
    /// failed|progressing|stale|suspended|unknown", "needs_attention", "revisions": {"source"?,
    /// "attempted"?, "applied"?}, "stale_reasons": [], "suspended", "parent"? ("Kind/ns/name"),
    /// "children": [{"name", "missing"}], "explanation"}], "summary": {"apps",
    /// "needs_attention", "missing_children"}}.
    ///
    /// Exit codes: 0; 1 with `--fail-on attention` when an application needs attention (failed,
    /// out of sync or stale); 2 when the context is unknown or the cluster cannot be read, with
    /// `{"error": {"kind", "message", "context"}}` on stdout under `--output json`.
    Status(crate::drift_status::StatusArgs),
}

/// Arguments of `sextant drift diff`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// Rendered desired objects: files or directories (YAML, JSON, List kinds).
    #[arg(long, value_name = "PATH", num_args = 1.., required = true)]
    desired: Vec<PathBuf>,
    /// Live objects as an API server returns them (`kubectl get -o yaml --show-managed-fields`).
    #[arg(long, value_name = "PATH", num_args = 1.., required = true)]
    live: Vec<PathBuf>,
    /// Ignore rules in Argo CD's `ignoreDifferences` shape (a list, or an Application).
    #[arg(long, value_name = "FILE")]
    ignore: Option<PathBuf>,
    /// CustomResourceDefinitions whose schema defaults apply to custom resources.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    crds: Vec<PathBuf>,
    /// The namespace of namespaced desired objects that name none.
    #[arg(long, value_name = "NS", default_value = "default")]
    default_namespace: String,
    /// Exit with 1 when an object is drifted, missing live or not in Git.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Print one JSON document instead of a table.
    #[arg(long, value_enum, default_value_t)]
    output: Output,
}

/// What `--fail-on` looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// Any object that is not in sync.
    Drift,
}

pub(crate) async fn run(args: DriftArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        DriftCommand::Diff(args) => diff(args),
        DriftCommand::Status(args) => crate::drift_status::run(args).await,
    }
}

fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let input = DiffInput {
        desired: args.desired,
        live: args.live,
        ignore: args.ignore,
        crds: args.crds,
        default_namespace: Some(args.default_namespace),
    };
    let report = match sextant_app::analyze::drift::diff(&input) {
        Ok(report) => report,
        Err(error) => return Ok(crate::output::fail(args.output, &error)),
    };
    for problem in &report.problems {
        eprintln!("sextant: warning: {problem}");
    }
    match args.output {
        Output::Json => crate::output::print_json(&report)?,
        Output::Human => print!("{}", render(&report)),
    }
    let drifted = report.objects.iter().any(|object| object.state != ObjectState::InSync);
    Ok(if args.fail_on == Some(FailOn::Drift) && drifted {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn render(report: &DriftDiff) -> String {
    let mut text = String::new();
    for object in &report.objects {
        render_object(&mut text, object);
    }
    let summary = &report.summary;
    let _ = writeln!(
        text,
        "{} in sync, {} drifted, {} missing live, {} not in Git (estimated locally, no cluster asked)",
        summary.in_sync, summary.drifted, summary.missing_live, summary.not_in_git
    );
    if report.skipped_owned > 0 {
        let _ = writeln!(
            text,
            "{} live objects owned by a controller (ReplicaSets, Pods, ...) were left out",
            report.skipped_owned
        );
    }
    text
}

fn render_object(text: &mut String, object: &ObjectDiff) {
    let id = &object.id;
    let kind =
        if id.group.is_empty() { id.kind.clone() } else { format!("{}.{}", id.kind, id.group) };
    let name = match &id.namespace {
        Some(namespace) => format!("{namespace}/{}", id.name),
        None => id.name.clone(),
    };
    let state = match object.state {
        ObjectState::InSync => "in sync",
        ObjectState::Drifted => "DRIFTED",
        ObjectState::MissingLive => "MISSING LIVE",
        ObjectState::NotInGit => "NOT IN GIT",
        ObjectState::Unknown => "UNKNOWN",
    };
    let _ = writeln!(text, "{kind} {name}: {state}");
    if object.fields.is_empty() {
        return;
    }
    let rows: Vec<[String; 5]> = object.fields.iter().map(row).collect();
    let headers = ["PATH", "CLASS", "GIT", "LIVE", "REASON"];
    let widths: Vec<usize> = (0..4)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .chain([headers[column].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 5]| {
        let mut line = String::from("  ");
        for (column, cell) in cells.iter().enumerate().take(4) {
            let _ = write!(line, "{cell:<width$}  ", width = widths[column]);
        }
        line.push_str(cells[4]);
        line
    };
    let _ = writeln!(text, "{}", line(headers));
    for row in &rows {
        let _ = writeln!(text, "{}", line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
}

fn row(field: &FieldDiff) -> [String; 5] {
    let value = |value: &Option<serde_json::Value>| {
        if field.redacted {
            return "(secret)".to_owned();
        }
        match value {
            None => "-".to_owned(),
            Some(serde_json::Value::String(text)) => shorten(text),
            Some(other) => shorten(&other.to_string()),
        }
    };
    let class = match field.class {
        FieldClass::Drift => "drift",
        FieldClass::ExpectedMutation => "expected_mutation",
        FieldClass::Ignored => "ignored",
    };
    [
        field.path.clone(),
        class.to_owned(),
        value(&field.desired),
        value(&field.live),
        field.reason.clone(),
    ]
}

/// Long values (a ConfigMap's file, a whole list element) are cut for the table; the JSON
/// output has them whole.
fn shorten(text: &str) -> String {
    const LIMIT: usize = 48;
    let single_line = text.replace('\n', "\\n");
    if single_line.chars().count() <= LIMIT {
        single_line
    } else {
        let cut: String = single_line.chars().take(LIMIT - 1).collect();
        format!("{cut}…")
    }
}
