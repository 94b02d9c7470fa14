//! Every piece of IO Sextant does: kubeconfig and clusters ([`cluster`]), Vault or OpenBao
//! ([`vault`]), the wasmCloud lattice over NATS ([`nats`]), manifests on disk ([`manifests`]), and the built-in demo platform
//! ([`demo`]), which is data read through the same parsing paths as live data.
//!
//! **Architecture invariant:** adapters depend on the domain and on client libraries, never on
//! the app, the protocol or tauri. They turn the outside world into domain types and name what
//! failed; they make no decisions about what to show.
//!
//! **Credentials** are held in [`secret::Secret`], whose `Debug` and `Display` print
//! `[redacted]` and whose value is registered with the process-wide redactor that the log
//! writer consults, so a credential that slips into a library's trace line is still masked.

pub mod cluster;
pub mod demo;
pub mod drift_live;
pub mod git;
pub mod github;
pub mod manifests;
pub mod nats;
pub mod render;
pub mod secret;
pub mod vault;
