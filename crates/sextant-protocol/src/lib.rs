//! The wire vocabulary of Sextant: every command the UI may send, its response, every event the
//! backend may push, and the one error shape the UI ever sees.
//!
//! This crate builds for `wasm32-unknown-unknown` and for the host, and depends on serde alone.
//! It must never depend on the domain, the adapters, the app, tokio or tauri: it is the contract
//! that the UI and the backend agree on at compile time (rust-analyzer's `lsp` types, zed's
//! `zed_actions`). Domain types are converted into these DTOs by free functions in
//! `sextant-app/src/to_protocol.rs`; nothing else is serialized across the boundary.
//!
//! A command is a request struct implementing [`Command`]. Its [`Command::NAME`] is the Tauri
//! handler's function name and the `sextant serve` route (`POST /api/{NAME}`).
#![deny(missing_docs)]

use serde::{Serialize, de::DeserializeOwned};

pub mod drift;
pub mod error;
pub mod gateway;
pub mod git;
pub mod overview;
pub mod policy;
pub mod search;
pub mod session;
pub mod vault;
pub mod wasmcloud;

pub use error::{CommandError, ErrorCode};

/// A request the UI sends to the backend, answered by exactly one [`Command::Response`].
pub trait Command: Serialize + DeserializeOwned + Send + 'static {
    /// The handler's name: the Tauri command function and the HTTP route segment.
    const NAME: &'static str;
    /// What the backend answers on success.
    type Response: Serialize + DeserializeOwned + Send + 'static;
}

/// A notice the backend pushes to the UI without being asked.
pub trait Event: Serialize + DeserializeOwned + Send + 'static {
    /// The event's name; it uses only characters Tauri accepts (alphanumerics and `-/:_`).
    const NAME: &'static str;
}

/// The envelope `sextant serve` uses to push an [`Event`] over its WebSocket.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct EventEnvelope {
    /// The event's [`Event::NAME`].
    pub name: String,
    /// The event's payload.
    pub payload: serde_json::Value,
}

/// Calls `$callback!` with every command type, so that no frontend can forget one.
///
/// `sextant serve`'s router and the Tauri contract test both expand it; adding a command here
/// without a handler is a compile error in the app.
#[macro_export]
macro_rules! for_each_command {
    ($callback:ident) => {
        $callback! {
            $crate::session::GetSession,
            $crate::session::SelectSource,
            $crate::overview::GetOverview,
            $crate::overview::GetViewStatus,
            $crate::drift::ListGitOpsApps,
            $crate::drift::GetDriftDiff,
            $crate::policy::ListPolicies,
            $crate::gateway::ListRoutes,
            $crate::gateway::GetTrafficGraph,
            $crate::gateway::GetGraphNode,
            $crate::gateway::ListGatewayDiagnostics,
            $crate::gateway::ExplainRoute,
            $crate::vault::GetVaultInventory,
            $crate::vault::GetVaultAccess,
            $crate::vault::WhoCanReach,
            $crate::wasmcloud::GetLattice,
            $crate::search::Search,
            $crate::git::GetGitContext,
        }
    };
}

macro_rules! names_of {
    ($($command:ty),* $(,)?) => {
        /// The [`Command::NAME`] of every command, in declaration order.
        pub const COMMAND_NAMES: &[&str] = &[$(<$command as Command>::NAME),*];
    };
}
for_each_command!(names_of);

/// Which view of the cockpit an object or count belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewId {
    /// The fleet overview.
    Overview,
    /// GitOps drift (Flux and Argo CD).
    Drift,
    /// Admission policies and their reports.
    Policies,
    /// Gateway API routes.
    Routes,
    /// Vault or OpenBao permissions.
    Vault,
    /// The wasmCloud lattice.
    Lattice,
}

impl ViewId {
    /// Every view, in navigation order.
    pub const ALL: [ViewId; 6] = [
        ViewId::Overview,
        ViewId::Drift,
        ViewId::Policies,
        ViewId::Routes,
        ViewId::Vault,
        ViewId::Lattice,
    ];

    /// The view's name as shown in the navigation.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            ViewId::Overview => "Overview",
            ViewId::Drift => "Drift",
            ViewId::Policies => "Policies",
            ViewId::Routes => "Routes",
            ViewId::Vault => "Vault",
            ViewId::Lattice => "Lattice",
        }
    }

    /// The view's URL fragment (`#/drift`).
    #[must_use]
    pub fn slug(self) -> &'static str {
        match self {
            ViewId::Overview => "overview",
            ViewId::Drift => "drift",
            ViewId::Policies => "policies",
            ViewId::Routes => "routes",
            ViewId::Vault => "vault",
            ViewId::Lattice => "lattice",
        }
    }

    /// The view whose [`ViewId::slug`] is `slug`.
    #[must_use]
    pub fn from_slug(slug: &str) -> Option<ViewId> {
        ViewId::ALL.into_iter().find(|view| view.slug() == slug)
    }
}

/// A Kubernetes object's address as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ObjectRef {
    /// The cluster the object lives in.
    pub cluster: String,
    /// The object's kind, e.g. `HTTPRoute`.
    pub kind: String,
    /// The namespace, absent for cluster-scoped objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
}

impl ObjectRef {
    /// `namespace/name`, or `name` for cluster-scoped objects.
    #[must_use]
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{namespace}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique_and_tauri_safe() {
        let mut seen = std::collections::HashSet::new();
        for name in COMMAND_NAMES {
            assert!(seen.insert(name), "{name} is declared twice");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name} must be a snake_case Rust function name, since it names the Tauri handler"
            );
        }
        assert_eq!(COMMAND_NAMES.len(), 18, "every command in for_each_command! is listed");
    }

    #[test]
    fn view_slugs_round_trip() {
        for view in ViewId::ALL {
            assert_eq!(ViewId::from_slug(view.slug()), Some(view));
        }
        assert_eq!(ViewId::from_slug("nope"), None);
    }
}
