//! `sextant`: the command line on the same app layer as the desktop window.
//!
//! `main` only maps the outcome of [`run`] to an exit code (ripgrep): 0 when the command ran,
//! 1 when `--fail-on` found what it names, 2 on bad input or a failure to run. Errors are printed
//! once, as a chain, on stderr. Nothing secret is ever printed: the app layer holds credentials
//! in types that cannot format them, and every log line goes through the redactor.
#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a CLI prints")]

/// mimalloc rather than glibc's allocator: the watched caches hold hundreds of thousands of
/// small JSON trees built across threads, and glibc's per-thread arenas keep the memory of the
/// initial lists long after it is freed (BENCHMARKS.md, "Live clusters at scale").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod doctor;
mod drift;
mod drift_status;
mod gateway;
mod output;
mod serve;
mod vault;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use output::Output;

/// Sextant: explains GitOps drift, admission policies, Gateway API routes, Vault permissions
/// and wasmCloud links, in one place.
#[derive(Debug, Parser)]
#[command(name = "sextant", version, about, long_about = None)]
struct Cli {
    /// Log filter for stderr (`warn`, `info`, `debug`, `trace`, or per target); RUST_LOG wins.
    #[arg(long, global = true, default_value = "warn", env = "SEXTANT_LOG")]
    log: String,
    #[command(subcommand)]
    command: Commands,
}

#[derive(Debug, Subcommand)]
enum Commands {
    /// Serve the cockpit's UI to a browser on 127.0.0.1, behind a per-run key.
    Serve(serve::ServeArgs),
    /// Report what is configured and reachable: kubeconfig contexts, Vault, NATS, GitHub.
    ///
    /// JSON shape (`--output json`): {"version", "kubernetes": {"configured", "error"?,
    /// "contexts": [{"name", "current", "server"?, "auth", "state", "version"?, "message"?}]},
    /// "vault": {"configured", "address"?, "reachable", "version"?, "notes": []},
    /// "nats": {same as vault}, "github": {"api_url", "token_source"?}}.
    /// No credential ever appears in it.
    Doctor(doctor::DoctorArgs),
    /// Vault and OpenBao effective permissions: `sextant vault capabilities`.
    Vault(vault::VaultArgs),
    /// GitOps drift: compare desired objects from Git with live ones (`diff`), and the Flux and
    /// Argo CD controllers' own verdicts on a live cluster (`status`).
    Drift(drift::DriftArgs),
    /// Gateway API from manifests: attachment status (`status`) and the request explainer
    /// (`explain`); see `sextant gateway status --help` for the JSON and exit codes.
    Gateway(gateway::GatewayArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    sextant_app::telemetry::init(&cli.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("sextant: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("sextant: {}", sextant_app::redact(&format!("{error:#}")));
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Commands::Serve(args) => serve::run(args).await,
        Commands::Doctor(args) => doctor::run(args).await,
        Commands::Vault(args) => vault::run(args).await,
        Commands::Drift(args) => drift::run(args).await,
        Commands::Gateway(args) => gateway::run(args),
    }
}
