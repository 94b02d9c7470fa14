//! GitOps applications (Flux and Argo CD) and their controllers' verdicts.

use serde::{Deserialize, Serialize};

use crate::{Command, ObjectRef};

/// Asks for the GitOps applications of one cluster, or of every cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListGitOpsApps {
    /// Only this cluster's applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

impl Command for ListGitOpsApps {
    const NAME: &'static str = "list_git_ops_apps";
    type Response = GitOpsApps;
}

/// The applications, fleet-wide, and the Git repositories Sextant reads their desired state from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GitOpsApps {
    /// Every application.
    pub apps: Vec<GitOpsApp>,
    /// The Git repositories read.
    #[serde(default)]
    pub repositories: Vec<GitRepositoryRow>,
}

/// A Git repository Sextant read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitRepositoryRow {
    /// Its name.
    pub name: String,
    /// Where it is.
    pub location: String,
    /// The commit its default branch points at.
    pub head: String,
    /// How many files that commit holds.
    pub files: usize,
}

/// A Flux Kustomization or HelmRelease, or an Argo CD Application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitOpsApp {
    /// The application object.
    pub object: ObjectRef,
    /// Which GitOps tool owns it.
    pub tool: GitOpsTool,
    /// Where the desired state comes from (a repository URL and path, or a chart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The revision the controller last applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The controller's own verdict.
    pub verdict: Verdict,
    /// The controller's message, or why Sextant judged the verdict stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A GitOps tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GitOpsTool {
    /// Flux.
    Flux,
    /// Argo CD.
    ArgoCd,
}

/// A controller's verdict on an application, as Sextant reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Applied and healthy at the source's revision.
    InSync,
    /// Argo CD says the live state differs from Git.
    OutOfSync,
    /// The last reconcile or sync failed.
    Failed,
    /// A reconcile is in progress.
    Progressing,
    /// The status is older than the spec or the source: it cannot be trusted.
    Stale,
    /// Reconciliation is suspended.
    Suspended,
    /// No status has been written.
    Unknown,
}

impl Verdict {
    /// Whether someone should look at this application.
    #[must_use]
    pub fn needs_attention(self) -> bool {
        matches!(self, Verdict::OutOfSync | Verdict::Failed | Verdict::Stale)
    }
}
