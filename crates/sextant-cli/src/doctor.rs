//! `sextant doctor`.

use std::process::ExitCode;

use sextant_app::doctor::{DoctorReport, EndpointReport};

use crate::Output;

/// Arguments of `sextant doctor`.
#[derive(Debug, clap::Args)]
pub(crate) struct DoctorArgs {
    /// Print one JSON document instead of text.
    #[arg(long, value_enum, default_value_t)]
    output: Output,
}

pub(crate) async fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let report = sextant_app::doctor::run(&sextant_app::LiveConfig::detect()).await;
    match args.output {
        Output::Json => crate::output::print_json(&report)?,
        Output::Human => print!("{}", render(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

fn render(report: &DoctorReport) -> String {
    use std::fmt::Write as _;
    let mut text = format!("sextant {}\n\nKubernetes\n", report.version);
    let kubernetes = &report.kubernetes;
    if let Some(error) = &kubernetes.error {
        let _ = writeln!(text, "  kubeconfig: {error}");
    } else if !kubernetes.configured {
        text.push_str("  no kubeconfig (KUBECONFIG unset, ~/.kube/config absent)\n");
    }
    for context in &kubernetes.contexts {
        let _ = writeln!(
            text,
            "  {} {:<24} {:<16} {:<18} {}{}",
            if context.current { "*" } else { " " },
            context.name,
            context.state,
            context.auth,
            context.server.as_deref().unwrap_or("-"),
            context.version.as_ref().map(|version| format!("  {version}")).unwrap_or_default(),
        );
        if let Some(message) = &context.message {
            let _ = writeln!(text, "      {message}");
        }
        let (installed, missing): (Vec<_>, Vec<_>) =
            context.apis.iter().partition(|api| api.version.is_some());
        if !installed.is_empty() {
            let names: Vec<String> = installed
                .iter()
                .map(|api| format!("{} {}", api.name, api.version.as_deref().unwrap_or_default()))
                .collect();
            let _ = writeln!(text, "      APIs: {}", names.join(", "));
        }
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|api| api.name.as_str()).collect();
            let _ = writeln!(text, "      not installed: {}", names.join(", "));
        }
        for permission in &context.missing_permissions {
            let _ = writeln!(text, "      missing permission: {}", permission.message);
        }
    }
    endpoint(&mut text, "Vault / OpenBao", &report.vault, "VAULT_ADDR");
    endpoint(&mut text, "NATS", &report.nats, "NATS_URL or SEXTANT_NATS_URL");
    let _ = writeln!(
        text,
        "\nGitHub\n  {}  token: {}",
        report.github.api_url,
        report
            .github
            .token_source
            .as_deref()
            .unwrap_or("none (set GITHUB_TOKEN or run gh auth login)")
    );
    text
}

fn endpoint(text: &mut String, title: &str, report: &EndpointReport, variable: &str) {
    use std::fmt::Write as _;
    let _ = writeln!(text, "\n{title}");
    match &report.address {
        None => {
            let _ = writeln!(text, "  not configured ({variable} unset)");
        }
        Some(address) => {
            let state = if report.reachable { "reachable" } else { "unreachable" };
            let version = report
                .version
                .as_ref()
                .map(|version| format!(", version {version}"))
                .unwrap_or_default();
            let _ = writeln!(text, "  {address}: {state}{version}");
        }
    }
    for note in &report.notes {
        let _ = writeln!(text, "  {note}");
    }
}
