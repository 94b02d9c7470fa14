//! `sextant serve`.

use std::process::ExitCode;

use anyhow::Context as _;
use sextant_app::{Cockpit, Source, serve::ServeOptions};

/// Arguments of `sextant serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The port on 127.0.0.1; a free one is chosen when absent.
    #[arg(long)]
    port: Option<u16>,
    /// Show the built-in demo platform even when live sources are configured.
    #[arg(long)]
    demo: bool,
}

pub(crate) async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let cockpit = Cockpit::start(args.demo.then_some(Source::Demo)).await;
    let server = sextant_app::serve::start(cockpit, &ServeOptions { port: args.port })
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", args.port.unwrap_or(0)))?;
    // The one line scripts (and the browser tests) read: the URL with the per-run key.
    println!("sextant serve: open {}", server.url());
    tokio::select! {
        result = server.wait() => result.context("serving")?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(ExitCode::SUCCESS)
}
