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

/// Asks for the field-level diff of desired (Git) and live objects: of one application when
/// `app` names one (a Flux Kustomization or HelmRelease, or an Argo CD Application), otherwise
/// of the demo platform's drift pairs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetDriftDiff {
    /// The application whose objects are compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<ObjectRef>,
}

impl Command for GetDriftDiff {
    const NAME: &'static str = "get_drift_diff";
    type Response = DriftDiff;
}

/// A field-level comparison of desired (Git) and live objects: the JSON of `sextant drift diff`
/// (`shared/specs/cli-contract.md`, "GitOps drift"), also used by the Drift page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DriftDiff {
    /// Every object compared: desired ones first, then those only live.
    pub objects: Vec<ObjectDiff>,
    /// The objects counted by state.
    pub summary: DriftSummary,
    /// Which engine produced the answer.
    pub mode: DiffMode,
    /// Live objects left out because a controller owns them (ReplicaSets, Pods, ...).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped_owned: usize,
    /// Problems with the input: duplicate objects, ignore rules that could not be applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// For an application's diff: where the desired state was read and how it was compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<DiffSource>,
}

/// Where an application's desired state came from, and which engine compared it (spec §4.6:
/// "always show which engine produced the answer and the revision it is based on").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiffSource {
    /// The repository URL.
    pub repository: String,
    /// The path inside it.
    pub path: String,
    /// The commit the desired state was rendered from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Why the revision is not the controller's applied one, when it is not (e.g. "the applied
    /// revision is not in the repository; rendered main's head").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_note: Option<String>,
    /// How it was rendered: `plain`, `kustomize`, `helm`, `flux kustomization`.
    pub renderer: String,
    /// The engine, in words: "server-side-apply dry-run as kustomize-controller" or "estimated
    /// locally".
    pub engine: String,
    /// When rendering failed: the tool's message (with its stderr and the file it names). The
    /// objects are then only those the controller reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub render_error: Option<String>,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// How the live side was predicted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffMode {
    /// Locally, without a cluster: the API server's defaulting is reproduced (spec §4.4).
    #[default]
    Estimated,
    /// By a server-side-apply dry-run under the controller's field manager.
    ServerDryRun,
}

/// The objects counted by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftSummary {
    /// Objects whose fields match Git (expected mutations and ignored fields aside).
    pub in_sync: usize,
    /// Objects with at least one field that is drift.
    pub drifted: usize,
    /// Objects in Git, not live.
    pub missing_live: usize,
    /// Live objects not in Git.
    pub not_in_git: usize,
    /// Objects Sextant could not read (no permission to get them).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: usize,
}

/// The identity of a compared object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffObjectId {
    /// The API group, empty for the core group.
    pub group: String,
    /// The version.
    pub version: String,
    /// The kind.
    pub kind: String,
    /// The namespace, for namespaced objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

/// An object's state after the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectState {
    /// No field is drift.
    InSync,
    /// At least one field is drift.
    Drifted,
    /// In Git, not live.
    MissingLive,
    /// Live, not in Git.
    NotInGit,
    /// Not known: the live object could not be read (see the object's `note`).
    Unknown,
}

/// The comparison of one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectDiff {
    /// Which object.
    pub id: DiffObjectId,
    /// Its state.
    pub state: ObjectState,
    /// The fields that differ, drift or not.
    pub fields: Vec<FieldDiff>,
    /// Something to know about the object: why it is unknown, or that its manifest uses an API
    /// version the cluster no longer serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The server-side-apply dry-run rejected it: "would fail to apply: <message>".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_fail: Option<String>,
    /// The dry-run rejected a change to an immutable field: applying needs a recreate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requires_recreate: bool,
}

/// Why a field differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldClass {
    /// A change someone should look at.
    Drift,
    /// Set by a controller, an operator, a webhook or an autoscaler.
    ExpectedMutation,
    /// Covered by an ignore rule or annotation.
    Ignored,
}

/// One differing field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDiff {
    /// A JSON Pointer (list elements by index: desired for elements in Git, live otherwise).
    pub path: String,
    /// The value in Git, when there is one (never for a Secret's data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<serde_json::Value>,
    /// The live value, when there is one (never for a Secret's data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<serde_json::Value>,
    /// The value the GitOps controller last applied, when known (the fields its field manager
    /// owns, or kubectl's last-applied annotation); the middle of the three columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied: Option<serde_json::Value>,
    /// The class.
    pub class: FieldClass,
    /// Why: who changed it and when, or which rule hides it.
    pub reason: String,
    /// The field manager that set the live value, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// When that manager wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// True when the values are withheld because they are secret.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
}
