//! The fleet overview: every cluster's health and the counts of every view.

use serde::{Deserialize, Serialize};

use crate::Command;

/// Asks for the overview of the active source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetOverview {}

impl Command for GetOverview {
    const NAME: &'static str = "get_overview";
    type Response = Overview;
}

/// The overview page's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// The platform's name (the demo's, or "live").
    pub platform: String,
    /// One line about the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Every cluster of the source.
    pub clusters: Vec<ClusterSummary>,
    /// The Vault or OpenBao server, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault: Option<VaultSummary>,
    /// The wasmCloud lattice, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lattice: Option<LatticeSummary>,
    /// Problems loading parts of the source; the rest is still shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// One cluster's health and counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    /// The cluster's name (a kubeconfig context for live clusters).
    pub name: String,
    /// `production`, `staging`, …, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The API server's version, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Whether the cluster could be read.
    pub state: ClusterState,
    /// Why the cluster is not ready, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Counts per view.
    pub counts: ClusterCounts,
    /// The APIs the views know and whether this cluster serves them (live clusters only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apis: Vec<ApiRow>,
    /// Each watched kind: objects held, sync phase, partial or forbidden (live clusters only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<KindRow>,
}

/// An API a view needs, and whether the cluster serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiRow {
    /// `Flux`, `Argo CD`, `Gateway API`, ….
    pub name: String,
    /// The API group.
    pub group: String,
    /// The version read; absent means "not installed".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// One watched kind in one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindRow {
    /// `group/version` (or `version` for the core group).
    pub api_version: String,
    /// The kind.
    pub kind: String,
    /// `listing`, `ready`, `relisting`, `reconnecting`, `forbidden`, `unauthenticated`, `failed`.
    pub phase: String,
    /// Objects held.
    pub objects: usize,
    /// Objects beyond the limit, not held: the data is partial by this many.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: usize,
    /// Namespaces watched, when not cluster-wide.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Namespaces where listing is forbidden.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denied_namespaces: Vec<String>,
    /// When the data was last complete and current (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_at: Option<u64>,
    /// Why it is not simply ready, naming what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if signature")]
fn is_zero(value: &usize) -> bool {
    *value == 0
}

/// The state of a cluster connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterState {
    /// Connecting, or the initial lists are still running.
    Connecting,
    /// Read successfully.
    Ready,
    /// The credentials were accepted but reads were refused.
    Forbidden,
    /// The server could not be reached.
    Unreachable,
    /// The credentials were rejected or expired.
    Unauthenticated,
    /// The kubeconfig entry is broken.
    Invalid,
}

/// Counts per view for one cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterCounts {
    /// Every object read.
    pub objects: usize,
    /// Flux and Argo CD applications.
    pub gitops_apps: usize,
    /// Applications whose controller says they are out of sync, failing or stale.
    pub gitops_attention: usize,
    /// Kubewarden and Kyverno policies.
    pub policies: usize,
    /// Policy report results that failed.
    pub policy_failures: usize,
    /// Gateways.
    pub gateways: usize,
    /// HTTP, gRPC, TLS, TCP and UDP routes.
    pub routes: usize,
    /// Routes with a parent that did not accept them.
    pub routes_not_accepted: usize,
}

/// A Vault or OpenBao server in brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultSummary {
    /// The server's address (never the token).
    pub address: String,
    /// `openbao` or `vault`.
    pub flavor: String,
    /// Whether the server is sealed.
    pub sealed: bool,
    /// ACL policies.
    pub policies: usize,
    /// Auth roles across every auth mount.
    pub auth_roles: usize,
}

/// A wasmCloud lattice in brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatticeSummary {
    /// The lattice's name.
    pub lattice: String,
    /// Hosts.
    pub hosts: usize,
    /// Components.
    pub components: usize,
    /// Capability providers.
    pub providers: usize,
    /// Links.
    pub links: usize,
    /// Links with a problem.
    pub link_problems: usize,
}

/// Asks how complete and current the data of one view is: for each live cluster, its state and
/// the kinds the view reads that are not simply current (listing, stale, partial, forbidden in
/// some namespaces), so the view can say "you may not list X in Y" instead of showing nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetViewStatus {
    /// The view.
    pub view: crate::ViewId,
}

impl Command for GetViewStatus {
    const NAME: &'static str = "get_view_status";
    type Response = ViewStatus;
}

/// How complete and current a view's data is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewStatus {
    /// Live data (for the demo, there is nothing to say).
    pub live: bool,
    /// Every cluster of the source.
    pub clusters: Vec<ViewCluster>,
}

/// One cluster, for a view's data status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewCluster {
    /// The cluster's name.
    pub name: String,
    /// Whether it could be read.
    pub state: ClusterState,
    /// Why it is not ready, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The kinds the view reads here, with where each stands.
    pub kinds: Vec<KindRow>,
}
