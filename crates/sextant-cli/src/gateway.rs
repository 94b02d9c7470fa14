//! `sextant gateway status` and `sextant gateway explain`.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sextant_app::analyze::AnalysisError;
use sextant_app::analyze::gateway::{
    self as use_case, Condition, Explanation, GatewayInput, Json, StatusReport,
};

use crate::output::{self, Output};

const STATUS_HELP: &str = "\
Reads Gateway API objects (GatewayClass, Gateway, HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, \
UDPRoute, ReferenceGrant) and the Services, Secrets and Namespaces they refer to from manifests, \
and prints the status a conformant controller would write on every route (per parentRef), \
listener and Gateway, plus diagnostics no controller writes (a parentRef to a missing Gateway, \
a missing GatewayClass, stale status, duplicate listeners, certificate Secrets that do not \
resolve, ...). No cluster is needed: it runs in CI before anything is applied.

A PATH is a file or a directory searched recursively for *.yaml, *.yml and *.json; a file holds \
YAML documents, a JSON object, a JSON array of objects, or a List.

JSON (--output json), as in the CLI contract:
  {\"route_parents\": [{\"route\": {\"kind\", \"namespace\", \"name\"}, \"parentRef\": {as written},
     \"status_present\": bool, \"conditions\": {\"Accepted\": {\"status\", \"reason\", \"message\"?},
     \"ResolvedRefs\": {...}, \"PartiallyInvalid\"?: {...}}, \"attached_listeners\": [\"name\"],
     \"refused_by\"?: [{\"listener\", \"reason\", \"message\"}], \"unknown\"?, \"stale\"?}],
   \"listeners\": [{\"gateway\": \"ns/name\", \"name\", \"port\", \"protocol\", \"attachedRoutes\",
     \"supportedKinds\": [], \"conditions\": {\"Accepted\", \"Programmed\", \"ResolvedRefs\", \"Conflicted\"}}],
   \"gateways\": [{\"gateway\": \"ns/name\", \"status_present\", \"conditions\": {\"Accepted\", \"Programmed\"}}],
   \"diagnostics\": [{\"severity\": \"error|warning|info\", \"code\", \"object\", \"message\", \"fix\"}]}
Absent values are left out. status_present false means no controller would write a \
RouteParentStatus for that parentRef (for example, its Gateway does not exist).

Exit codes: 0 the command ran (whatever it found); 1 with --fail-on error when an error \
diagnostic was found; 2 bad input (a manifest that does not parse is named with file:line:column) \
or a failure to run. With --output json, errors are also printed on stdout as \
{\"error\": {\"kind\", \"message\", \"file\"?, \"line\"?, \"column\"?}}.";

const EXPLAIN_HELP: &str = "\
Answers one request the way a conformant implementation would: which listener, route, rule and \
backends serve it, what the filters (RequestHeaderModifier, URLRewrite, RequestRedirect, \
RequestMirror) do to it, or why it gets 404, 421, 500, gRPC Unimplemented or a refused \
connection, with the decisions in order (\"why\"). No cluster is needed.

--request takes inline JSON (an argument starting with {), a file, or - for stdin:
  HTTP, HTTPS: {\"protocol\": \"HTTP\"|\"HTTPS\", \"gateway\": \"ns/name\", \"port\": 80, \"host\": \"example.com[:port]\",
                \"sni\"?, \"method\"?: \"GET\", \"path\"?: \"/p?query\", \"headers\"?: {\"name\": \"value\"}}
  GRPC:        {\"protocol\": \"GRPC\", \"gateway\", \"port\", \"authority\", \"service\", \"method\", \"metadata\"?: {}}
  TLS:         {\"protocol\": \"TLS\", \"gateway\", \"port\", \"sni\"}
  TCP, UDP:    {\"protocol\": \"TCP\"|\"UDP\", \"gateway\", \"port\"}
protocol, gateway and port are required; unknown fields are refused. The method defaults to GET \
and the path to /.

JSON (--output json), as in the CLI contract:
  {\"result\": \"routed|no_match|redirect|error|misdirected|rejected\", \"http_status\"?, \"grpc_status\"?,
   \"listener\"?: \"ns/gateway/listener\", \"route\"?: {\"kind\", \"namespace\", \"name\"}, \"rule_index\"?,
   \"match_index\"?, \"backends\"?: [{\"namespace\", \"name\", \"port\"?, \"weight\", \"share\", \"valid\"}],
   \"error_share\"?, \"upstream_request\"?: {\"host\", \"path\", \"headers\": {}},
   \"mirrors\"?: [{\"namespace\", \"name\", \"port\"?, \"percent\"}], \"redirect\"?: {\"location\", \"status_code\"},
   \"ambiguous\"?: [\"§7 ambiguity the answer rests on\"], \"extended_features\"?: [], \"why\": [\"...\"]}
Fields that do not apply are left out.

Exit codes: 0 the command ran, whatever the answer; 2 bad input (a manifest or request that does \
not parse is named with file:line:column) or a failure to run. With --output json, errors are \
also printed on stdout as {\"error\": {\"kind\", \"message\", ...}}.";

/// Gateway API: attachment status and the request explainer, from manifests.
#[derive(Debug, clap::Args)]
pub(crate) struct GatewayArgs {
    #[command(subcommand)]
    command: GatewayCommand,
}

#[derive(Debug, clap::Subcommand)]
enum GatewayCommand {
    /// The status a conformant controller would write, and what no controller writes.
    #[command(long_about = STATUS_HELP)]
    Status(StatusArgs),
    /// Which listener, route, rule and backend serve one request, and why.
    #[command(long_about = EXPLAIN_HELP)]
    Explain(ExplainArgs),
}

/// What both subcommands read.
#[derive(Debug, clap::Args)]
struct ManifestArgs {
    /// Manifest files or directories (searched recursively for *.yaml, *.yml, *.json).
    #[arg(long, value_name = "PATH", num_args = 1..)]
    manifests: Vec<PathBuf>,
    /// Treat this kind as unreadable (no permission), e.g. Secret when the manifests were
    /// exported without Secrets: answers depending on it are reported as unknown, not absent.
    #[arg(long, value_name = "KIND")]
    unreadable: Vec<String>,
    /// human: readable tables; json: one JSON document (the CLI contract).
    #[arg(long, value_enum, default_value_t)]
    output: Output,
}

impl ManifestArgs {
    fn input(&self) -> GatewayInput {
        GatewayInput { manifests: self.manifests.clone(), unreadable: self.unreadable.clone() }
    }
}

#[derive(Debug, clap::Args)]
struct StatusArgs {
    #[command(flatten)]
    common: ManifestArgs,
    /// Exit 1 when an error diagnostic is found.
    #[arg(long, value_enum, value_name = "WHAT")]
    fail_on: Option<FailOn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// An error diagnostic.
    Error,
}

#[derive(Debug, clap::Args)]
struct ExplainArgs {
    #[command(flatten)]
    common: ManifestArgs,
    /// The request: inline JSON (starting with `{`), a file, or `-` for stdin.
    #[arg(long, value_name = "FILE|JSON|-", allow_hyphen_values = true)]
    request: Option<String>,
}

pub(crate) fn run(args: GatewayArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        GatewayCommand::Status(args) => status(&args),
        GatewayCommand::Explain(args) => explain(&args),
    }
}

fn status(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let output = args.common.output;
    let report = match use_case::status(&args.common.input()) {
        Ok(report) => report,
        Err(error) => return Ok(output::fail(output, &error)),
    };
    match output {
        Output::Json => output::print_json(&report)?,
        Output::Human => print!("{}", render_status(&report)),
    }
    if args.fail_on == Some(FailOn::Error) && use_case::has_error(&report) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let output = args.common.output;
    let Some(argument) = &args.request else {
        let error = AnalysisError::new(
            "no_request",
            "no request given: pass --request with inline JSON, a file, or - for stdin",
        );
        return Ok(output::fail(output, &error));
    };
    let read_stdin = || {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map(|_| text)
    };
    let answer = use_case::read_request(argument, read_stdin)
        .and_then(|request| use_case::explain(&args.common.input(), &request));
    match answer {
        Ok(answer) => {
            match output {
                Output::Json => output::print_json(&answer)?,
                Output::Human => print!("{}", render_explanation(&answer)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Ok(output::fail(output, &error)),
    }
}

/// `Type=Status`, with `/Reason` when the reason says more than the type, for every condition.
fn conditions<'a>(
    conditions: impl IntoIterator<Item = (&'a &'static str, &'a Condition)>,
) -> String {
    let mut text = String::new();
    for (kind, condition) in conditions {
        if !text.is_empty() {
            text.push(' ');
        }
        let _ = write!(text, "{kind}={}", condition.status);
        if condition.reason != **kind {
            let _ = write!(text, "/{}", condition.reason);
        }
    }
    if text.is_empty() { "-".to_owned() } else { text }
}

/// Left-aligned columns, two spaces apart, indented by two.
fn table(text: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (column, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(column) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::from(" ");
        for (column, cell) in cells.enumerate() {
            out.push(' ');
            if column + 1 == widths.len() {
                out.push_str(cell);
            } else {
                let _ = write!(out, "{cell:<width$} ", width = widths[column]);
            }
        }
        text.push_str(out.trim_end());
        text.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
}

fn render_status(report: &StatusReport) -> String {
    let mut text = String::new();
    text.push_str("Gateways\n");
    if report.gateways.is_empty() {
        text.push_str("  none in the manifests\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .gateways
            .iter()
            .map(|gateway| {
                vec![
                    gateway.gateway.clone(),
                    if gateway.status_present {
                        conditions(&gateway.conditions)
                    } else {
                        "no status: no controller would reconcile it".to_owned()
                    },
                ]
            })
            .collect();
        table(&mut text, &["GATEWAY", "CONDITIONS"], &rows);
    }
    if !report.listeners.is_empty() {
        text.push_str("\nListeners\n");
        let rows: Vec<Vec<String>> = report
            .listeners
            .iter()
            .map(|listener| {
                vec![
                    format!("{}/{}", listener.gateway, listener.name),
                    format!("{}/{}", listener.port, listener.protocol),
                    listener.attached_routes.to_string(),
                    listener.supported_kinds.join(","),
                    conditions(&listener.conditions),
                ]
            })
            .collect();
        table(&mut text, &["LISTENER", "PORT", "ROUTES", "KINDS", "CONDITIONS"], &rows);
    }
    text.push_str("\nRoutes (one line per parentRef)\n");
    if report.route_parents.is_empty() {
        text.push_str("  none in the manifests\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .route_parents
            .iter()
            .map(|parent| {
                let reference = &parent.parent_ref;
                let mut target =
                    reference.get("name").and_then(Json::as_str).unwrap_or("?").to_owned();
                if let Some(namespace) = reference.get("namespace").and_then(Json::as_str) {
                    target = format!("{namespace}/{target}");
                }
                if let Some(section) = reference.get("sectionName").and_then(Json::as_str) {
                    let _ = write!(target, " section {section}");
                }
                if let Some(port) = reference.get("port").and_then(Json::as_u64) {
                    let _ = write!(target, " port {port}");
                }
                let mut state = if parent.status_present {
                    conditions(&parent.conditions)
                } else {
                    "no RouteParentStatus would be written".to_owned()
                };
                if let Some(unknown) = &parent.unknown {
                    let _ = write!(state, " (unknown: {unknown})");
                }
                if parent.stale {
                    state.push_str(" (written status is stale)");
                }
                vec![
                    format!("{} {}", parent.route.kind, parent.route.key()),
                    target,
                    if parent.attached_listeners.is_empty() {
                        "-".to_owned()
                    } else {
                        parent.attached_listeners.join(",")
                    },
                    state,
                ]
            })
            .collect();
        table(&mut text, &["ROUTE", "PARENT", "ATTACHED", "CONDITIONS"], &rows);
        for parent in &report.route_parents {
            for refusal in &parent.refused_by {
                let _ = writeln!(
                    text,
                    "  {} {}: listener {} refused it ({}): {}",
                    parent.route.kind,
                    parent.route.key(),
                    refusal.listener,
                    refusal.reason,
                    refusal.message
                );
            }
        }
    }
    let count = |severity: &str| {
        report
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity.as_str() == severity)
            .count()
    };
    let _ = writeln!(
        text,
        "\nDiagnostics: {} error(s), {} warning(s), {} info",
        count("error"),
        count("warning"),
        count("info")
    );
    for diagnostic in &report.diagnostics {
        let _ = writeln!(
            text,
            "  {:<7}  {}  {}\n           {}\n           fix: {}",
            diagnostic.severity.as_str(),
            diagnostic.code,
            diagnostic.object,
            diagnostic.message,
            diagnostic.fix
        );
    }
    text
}

fn render_explanation(answer: &Explanation) -> String {
    let mut text = String::from(answer.result.as_str());
    if let Some(status) = answer.http_status {
        let _ = write!(text, " (HTTP {status})");
    }
    if let Some(status) = answer.grpc_status {
        let _ = write!(text, " (gRPC {status})");
    }
    if let Some(route) = &answer.route {
        let _ = write!(text, ": {} {}", route.kind, route.key());
        if let Some(rule) = answer.rule_index {
            let _ = write!(text, " rule {rule}");
        }
        if let Some(entry) = answer.match_index {
            let _ = write!(text, " match {entry}");
        }
    }
    if let Some(listener) = &answer.listener {
        let _ = write!(text, " on listener {listener}");
    }
    text.push('\n');
    if !answer.backends.is_empty() {
        text.push_str("\nBackends\n");
        let rows: Vec<Vec<String>> = answer
            .backends
            .iter()
            .map(|backend| {
                vec![
                    match backend.port {
                        Some(port) => format!("{}/{}:{port}", backend.namespace, backend.name),
                        None => format!("{}/{}", backend.namespace, backend.name),
                    },
                    backend.weight.to_string(),
                    format!("{:.1}%", backend.share * 100.0),
                    if backend.valid { "valid" } else { "invalid" }.to_owned(),
                ]
            })
            .collect();
        table(&mut text, &["BACKEND", "WEIGHT", "SHARE", "STATE"], &rows);
    }
    if let Some(share) = answer.error_share {
        let _ = writeln!(text, "error share: {:.1}% of requests get an error", share * 100.0);
    }
    if let Some(upstream) = &answer.upstream_request {
        let _ = writeln!(
            text,
            "\nUpstream request\n  host {}\n  path {}",
            upstream.host, upstream.path
        );
        for (name, value) in &upstream.headers {
            let _ = writeln!(text, "  {name}: {value}");
        }
    }
    for mirror in &answer.mirrors {
        let _ = writeln!(
            text,
            "mirror: {}% copied to {}/{}{}",
            mirror.percent,
            mirror.namespace,
            mirror.name,
            mirror.port.map(|port| format!(":{port}")).unwrap_or_default()
        );
    }
    if let Some(redirect) = &answer.redirect {
        let _ = writeln!(text, "redirect: {} to {}", redirect.status_code, redirect.location);
    }
    text.push_str("\nWhy\n");
    for (step, reason) in answer.why.iter().enumerate() {
        let _ = writeln!(text, "  {}. {reason}", step + 1);
    }
    for ambiguity in &answer.ambiguous {
        let _ = writeln!(text, "ambiguous (spec §7): {ambiguity}");
    }
    if !answer.extended_features.is_empty() {
        let _ =
            writeln!(text, "assumes Extended features: {}", answer.extended_features.join(", "));
    }
    text
}
