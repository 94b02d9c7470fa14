//! A platform: the clusters, Vault and lattice that one source (the demo or live) provides.

use crate::{object::KubeObject, vault::VaultSnapshot, wasmcloud::LatticeSnapshot};

/// Everything the cockpit knows about one source at one moment.
#[derive(Debug, Clone, Default)]
pub struct Platform {
    /// A name for the platform.
    pub name: String,
    /// One line about it.
    pub description: Option<String>,
    /// Its clusters.
    pub clusters: Vec<ClusterSnapshot>,
    /// The Vault or OpenBao server, when configured.
    pub vault: Option<VaultSnapshot>,
    /// The wasmCloud lattice, when configured.
    pub lattice: Option<LatticeSnapshot>,
    /// The Git repositories the platform's desired state comes from.
    pub repositories: Vec<SourceRepository>,
    /// What could not be loaded, naming the input and what to do.
    pub problems: Vec<String>,
    /// The moment recorded data describes (Unix seconds): the demo's, so that the age rule of
    /// GitOps staleness judges it as of then. `None` for live data: the clock applies.
    pub as_of: Option<i64>,
}

/// A Git repository as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRepository {
    /// Its name.
    pub name: String,
    /// Where it is (a path, or a URL).
    pub location: String,
    /// The commit its default branch points at.
    pub head: String,
    /// How many files that commit holds.
    pub files: usize,
}

impl Platform {
    /// The clusters named `cluster`, or every cluster when `None`.
    pub fn clusters_named<'a>(
        &'a self,
        cluster: Option<&'a str>,
    ) -> impl Iterator<Item = &'a ClusterSnapshot> + 'a {
        self.clusters
            .iter()
            .filter(move |snapshot| cluster.is_none_or(|name| snapshot.name == name))
    }
}

/// The objects read from one cluster.
#[derive(Debug, Clone, Default)]
pub struct ClusterSnapshot {
    /// The cluster's name (a kubeconfig context for live clusters).
    pub name: String,
    /// `production`, `staging`, …, when known.
    pub environment: Option<String>,
    /// The API server's version, when known.
    pub kubernetes_version: Option<String>,
    /// Whether the cluster could be read.
    pub state: ClusterState,
    /// Why it is not ready, in words.
    pub message: Option<String>,
    /// Every object read.
    pub objects: Vec<KubeObject>,
    /// The APIs the views know, and whether this cluster serves them (empty for the demo).
    pub apis: Vec<ApiStatus>,
    /// How each watched kind is doing: synced, partial, forbidden, … (empty for the demo).
    pub kinds: Vec<KindStatus>,
}

impl ClusterSnapshot {
    /// Whether `kind` could not be read here for lack of permission (anywhere, or in some
    /// namespaces): the views then say "unknown, no permission to read" instead of "absent".
    #[must_use]
    pub fn unreadable(&self, kind: &str) -> bool {
        self.kinds.iter().any(|status| {
            status.kind == kind
                && (status.phase == KindPhase::Forbidden || !status.denied_namespaces.is_empty())
        })
    }
}

/// An API a view needs (Flux, Argo CD, Gateway API, …) and whether the cluster serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiStatus {
    /// What users call it: `Flux`, `Argo CD`, `Gateway API`, `cert-manager`, ….
    pub name: String,
    /// Its API group.
    pub group: String,
    /// The version read, or `None` when the cluster does not serve the group: "not installed".
    pub version: Option<String>,
}

/// The state of one watched kind in one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindStatus {
    /// The API group (empty for the core group).
    pub group: String,
    /// The version read.
    pub version: String,
    /// The kind.
    pub kind: String,
    /// Where it stands.
    pub phase: KindPhase,
    /// Objects held.
    pub objects: usize,
    /// Objects seen beyond the configured limit and not held: the view is partial by this many.
    pub dropped: usize,
    /// The namespaces watched, when not the whole cluster.
    pub namespaces: Vec<String>,
    /// Namespaces the user may not list this kind in.
    pub denied_namespaces: Vec<String>,
    /// When the data was last known complete and current (Unix seconds), if ever.
    pub synced_at: Option<u64>,
    /// Why it is not simply ready, in words, naming what to do.
    pub message: Option<String>,
}

/// Where a watched kind stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KindPhase {
    /// The initial list is running.
    Listing,
    /// Listed and watched: current.
    Ready,
    /// The watch broke (a restart, a 410 Gone) and the kind is being listed again; the data
    /// held is from before and is shown as stale, not fresh.
    Relisting,
    /// The server cannot be reached; the data held is stale and a reconnect is pending.
    Reconnecting,
    /// The user may not list or watch it.
    Forbidden,
    /// The credentials were rejected or have expired.
    Unauthenticated,
    /// Listing failed for another reason.
    Failed,
}

/// Whether a cluster could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClusterState {
    /// Connecting, or the initial lists are still running.
    Connecting,
    /// Read successfully.
    #[default]
    Ready,
    /// Reads were refused.
    Forbidden,
    /// The server could not be reached.
    Unreachable,
    /// The credentials were rejected or expired.
    Unauthenticated,
    /// The kubeconfig entry is broken.
    Invalid,
}
