//! `sextant vault capabilities`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sextant_app::analyze::vault::{CapabilitiesReport, CapabilitiesRequest, Flavor};

use crate::Output;

/// Arguments of `sextant vault`.
#[derive(Debug, clap::Args)]
pub(crate) struct VaultArgs {
    #[command(subcommand)]
    command: VaultCommand,
}

#[derive(Debug, clap::Subcommand)]
enum VaultCommand {
    /// What a token carrying the given policies may do on each PATH, exactly as the server's
    /// `sys/capabilities` answers, with the deciding rule and the rules it shadowed.
    ///
    /// JSON shape (`--output json`): {"paths": [{"path", "capabilities": [...],
    /// "decided_by"?: {"pattern"?, "kind": "exact|prefix|segment|root", "rule"?, "why"?,
    /// "policies": [...]}, "shadowed": [{"pattern", "kind", "policies", "capabilities"}]}],
    /// "escalations": [{"code", "severity", "explanation", "fix", "paths"}]}.
    /// Errors: {"error": {"kind", "message", ...}} and exit code 2.
    Capabilities(CapabilitiesArgs),
}

/// Which server's semantics to follow where OpenBao and Vault differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
enum FlavorArg {
    /// OpenBao (the default).
    #[default]
    Openbao,
    /// HashiCorp Vault.
    Vault,
}

/// What `--fail-on` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// Exit 1 when the policies allow an escalation path (spec §16).
    Escalation,
}

#[derive(Debug, clap::Args)]
struct CapabilitiesArgs {
    /// Attach the policy text (HCL or JSON) in FILE under NAME; repeatable. A policy named
    /// `root` is the built-in root policy, whatever the file says.
    #[arg(long = "policy", value_name = "NAME=FILE", value_parser = parse_policy_arg)]
    policies: Vec<(String, PathBuf)>,
    /// Attach every `*.hcl` and `*.json` file in DIR, named after the file's stem.
    #[arg(long, value_name = "DIR")]
    policy_dir: Option<PathBuf>,
    /// The entity and groups templated policies render from (JSON: {"entity": {"id", "name",
    /// "metadata", "aliases": [{"mount_accessor", "mount_type", "name", "metadata"}]},
    /// "groups": [{"id", "name", "metadata"}]}).
    #[arg(long, value_name = "FILE")]
    identity: Option<PathBuf>,
    /// Attach a policy stored on the Vault or OpenBao server named by `VAULT_ADDR` (read with
    /// `VAULT_TOKEN` or `~/.vault-token`, or the `BAO_*` equivalents); repeatable. The token
    /// is never printed.
    #[arg(long = "server-policy", value_name = "NAME")]
    server_policies: Vec<String>,
    /// The server semantics where OpenBao and Vault differ [default: openbao, or the server's
    /// with --server-policy].
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Print one JSON document instead of a table.
    #[arg(long, value_enum, default_value_t)]
    output: Output,
    /// Exit 1 when the analysis finds this.
    #[arg(long, value_enum, value_name = "WHAT")]
    fail_on: Option<FailOn>,
    /// The paths to answer, as a request would name them (e.g. `secret/data/app`).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
}

fn parse_policy_arg(value: &str) -> Result<(String, PathBuf), String> {
    match value.split_once('=') {
        Some((name, file)) if !name.trim().is_empty() && !file.is_empty() => {
            Ok((name.to_owned(), PathBuf::from(file)))
        }
        _ => Err(format!("{value:?} is not NAME=FILE: write e.g. --policy app=policies/app.hcl")),
    }
}

pub(crate) async fn run(args: VaultArgs) -> anyhow::Result<ExitCode> {
    let VaultCommand::Capabilities(args) = args.command;
    let request = CapabilitiesRequest {
        policies: args.policies,
        policy_dir: args.policy_dir,
        identity: args.identity,
        server_policies: args.server_policies,
        flavor: args.flavor.map(|flavor| match flavor {
            FlavorArg::Openbao => Flavor::OpenBao,
            FlavorArg::Vault => Flavor::Vault,
        }),
        paths: args.paths,
    };
    let outcome = if request.server_policies.is_empty() {
        sextant_app::analyze::vault::capabilities(&request)
    } else {
        sextant_app::analyze::vault::capabilities_with_server(&request).await
    };
    let report = match outcome {
        Ok(report) => report,
        Err(error) => return Ok(crate::output::fail(args.output, &error)),
    };
    match args.output {
        Output::Json => crate::output::print_json(&report)?,
        Output::Human => print!("{}", render(&report)),
    }
    if args.fail_on == Some(FailOn::Escalation) && report.has_escalation() {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The human table: one row per path, then the shadowed rules under it, then the findings.
fn render(report: &CapabilitiesReport) -> String {
    let rows: Vec<[String; 4]> = report
        .paths
        .iter()
        .map(|answer| {
            let (decided, policies) = match &answer.decided_by {
                Some(decided) => (
                    match (&decided.pattern, &decided.rule) {
                        (Some(pattern), Some(rule)) => {
                            format!("{pattern} ({}, {rule})", decided.kind)
                        }
                        _ => decided.kind.clone(),
                    },
                    decided.policies.join(", "),
                ),
                None => ("no rule matches".to_owned(), String::new()),
            };
            [answer.path.clone(), answer.capabilities.join(", "), decided, policies]
        })
        .collect();
    let headers = ["PATH", "CAPABILITIES", "DECIDED BY", "POLICIES"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let line = |text: &mut String, cells: [&str; 4]| {
        let _ = writeln!(
            text,
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    };
    line(&mut text, headers);
    for (row, answer) in rows.iter().zip(&report.paths) {
        line(&mut text, [&row[0], &row[1], &row[2], &row[3]]);
        for shadowed in &answer.shadowed {
            let marker =
                if shadowed.capabilities == ["deny"] { "shadowed deny" } else { "shadowed" };
            let _ = writeln!(
                text,
                "  {marker}: {} ({}) from {}: {}",
                shadowed.pattern,
                shadowed.kind,
                shadowed.policies.join(", "),
                shadowed.capabilities.join(", ")
            );
        }
    }
    if !report.escalations.is_empty() {
        text.push_str("\nEscalation paths\n");
        for finding in &report.escalations {
            let _ = writeln!(
                text,
                "  {} [{}] {}\n    via: {}\n    fix: {}",
                finding.code,
                finding.severity,
                finding.explanation,
                finding.paths.join(", "),
                finding.fix
            );
        }
    }
    text
}
