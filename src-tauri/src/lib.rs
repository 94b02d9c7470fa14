//! The desktop window: a thin Tauri 2 shell. It owns the one tokio runtime, starts a
//! [`sextant_app::Cockpit`], registers one three-line handler per protocol command, and forwards
//! the cockpit's events to the window. The webview never receives a credential: handlers return
//! protocol DTOs only.
//!
//! **Architecture invariant:** this crate depends on `sextant-app` and `sextant-protocol`, never on
//! the adapters directly, and holds no logic a CLI user would miss.

mod commands;

use sextant_app::Cockpit;
use tauri::{Emitter, Manager, Runtime};

/// Builds the app on `builder`: shared by [`run`] and the contract test's mock runtime.
pub fn app<R: Runtime>(builder: tauri::Builder<R>, cockpit: Cockpit) -> tauri::Builder<R> {
    builder.manage(cockpit).invoke_handler(commands::handlers()).setup(|app| {
        let handle = app.handle().clone();
        let mut events = app.state::<Cockpit>().subscribe();
        tauri::async_runtime::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(envelope) => {
                        if let Err(error) = handle.emit(&envelope.name, envelope.payload) {
                            tracing::warn!(%error, event = %envelope.name, "cannot forward an event to the window");
                        }
                    }
                    // Behind by a few progress events: the next one still arrives.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Ok(())
    })
}

/// Starts the desktop app on the demo platform when nothing is configured.
pub fn run() {
    sextant_app::telemetry::init("warn");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    tauri::async_runtime::set(runtime.handle().clone());
    let demo = std::env::args().any(|argument| argument == "--demo");
    let cockpit = runtime.block_on(Cockpit::start(demo.then_some(sextant_app::Source::Demo)));
    app(tauri::Builder::default(), cockpit)
        .run(tauri::generate_context!())
        .expect("the desktop window opens");
}
