//! Logging through `tracing`, with every line passed through the redactor before it is written.
//!
//! The redaction happens at the writer, after formatting, so it covers our spans and events and
//! every library's alike (kube, hyper and reqwest log headers at trace level).

use std::io::Write;

use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

/// Installs the global subscriber writing to stderr. `filter` is an `EnvFilter` directive
/// (`info`, `sextant=debug,kube=trace`); `RUST_LOG` overrides it.
pub fn init(filter: &str) {
    // kube's client builder logs every failed connection at ERROR; Sextant names that failure
    // in the cluster's state, so at the default levels those lines are only noise.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        let quiet = matches!(filter, "warn" | "error" | "info");
        EnvFilter::new(if quiet {
            format!("{filter},kube_client::client::builder=off")
        } else {
            filter.to_owned()
        })
    });
    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingStderr)
        .with_ansi(false)
        .try_init();
}

/// Makes one [`RedactingLine`] per event.
#[derive(Debug, Clone, Copy)]
pub struct RedactingStderr;

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingLine;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingLine(Vec::with_capacity(256))
    }
}

/// Collects one formatted event and writes it, redacted, when dropped.
#[derive(Debug)]
pub struct RedactingLine(Vec<u8>);

impl Write for RedactingLine {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let redacted = sextant_adapters::secret::redact(&text);
        let _ = std::io::stderr().lock().write_all(redacted.as_bytes());
    }
}
