//! Sextant's domain: the vocabulary of the systems it explains, and the analyzers over it.
//!
//! **Architecture invariant:** this crate does no IO. It reads no clock, no file, no
//! environment variable and no network; `now` and every input are passed in. It depends on
//! serde and small pure crates only, never on tokio, kube, reqwest, gix, async-nats, tauri or
//! leptos (`cargo xtask tidy` checks this). That keeps every analyzer deterministic, testable
//! without servers, and usable from the CLI, the desktop app and benchmarks alike.
//!
//! Analyzers do not fail on bad input: they return a report that carries its own problems, so
//! a half-synced cluster still yields findings (rust-analyzer's `(T, Vec<Error>)`).
//!
//! Features use the same module name in every layer: [`drift`], [`policy`], [`gateway`],
//! [`vault`], [`wasmcloud`].
#![deny(missing_docs)]

pub mod drift;
pub mod gateway;
pub mod json;
pub mod object;
pub mod platform;
pub mod policy;
pub mod search;
pub mod vault;
pub mod wasmcloud;
