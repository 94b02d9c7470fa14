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
#[derive(Debug, Clone)]
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
}

/// Whether a cluster could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterState {
    /// Read successfully.
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
