//! `sextant drift status`: the Flux and Argo CD controllers' own verdicts, read once from a live
//! cluster, per application, in tree order (parents before their children).

use serde::Serialize;
use sextant_domain::{
    drift::{self, GitOpsTool, Verdict, tree::Child},
    platform::{ClusterSnapshot, ClusterState},
};

use super::AnalysisError;

/// What `sextant drift status` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    /// The kubeconfig context read.
    pub context: String,
    /// The namespace the applications were limited to, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The moment the age rule judged against (Unix seconds).
    pub as_of: i64,
    /// Every application, parents before children.
    pub apps: Vec<AppStatus>,
    /// The applications counted.
    pub summary: StatusSummary,
}

/// One application's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppStatus {
    /// `flux` or `argo_cd`.
    pub tool: &'static str,
    /// `Kustomization`, `HelmRelease`, `Application` or `ApplicationSet`.
    pub kind: String,
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// 0 for a root of the application tree.
    pub depth: usize,
    /// `in_sync`, `out_of_sync`, `failed`, `progressing`, `stale`, `suspended` or `unknown`.
    pub verdict: &'static str,
    /// The verdict needs attention, or the status is stale.
    pub needs_attention: bool,
    /// The source's, the last attempted and the last applied revision.
    pub revisions: Revisions,
    /// Why the status is not current.
    pub stale_reasons: Vec<String>,
    /// Flux `spec.suspend: true`.
    pub suspended: bool,
    /// `Kind/namespace/name` of the application that applies or generates it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The applications it applies or generates.
    pub children: Vec<ChildStatus>,
    /// What the controller says, and why.
    pub explanation: String,
}

/// The three revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revisions {
    /// What the source offers (Flux), or what Argo CD compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What was last tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempted: Option<String>,
    /// What was last applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied: Option<String>,
}

/// A child application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildStatus {
    /// `Kind/namespace/name`.
    pub name: String,
    /// Named by the parent, but not in the cluster.
    pub missing: bool,
}

/// The applications counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusSummary {
    /// All applications reported.
    pub apps: usize,
    /// How many need attention.
    pub needs_attention: usize,
    /// Children named by a parent but not found.
    pub missing_children: usize,
}

/// Reads `context` once and reports its applications' verdicts as of `now` (Unix seconds),
/// limited to `namespace` when given (parents and children elsewhere are still named).
///
/// # Errors
/// `no_kubeconfig`, `bad_kubeconfig`, `unknown_context` (naming the contexts there are), and
/// `cluster_unreachable`, `cluster_forbidden`, `cluster_unauthenticated` or `bad_context` when
/// the cluster cannot be read.
pub async fn status(
    context: &str,
    namespace: Option<&str>,
    now: i64,
) -> Result<StatusReport, AnalysisError> {
    let read = match sextant_adapters::cluster::read_kubeconfig() {
        Ok(Some(read)) => read,
        Ok(None) => {
            return Err(AnalysisError::new(
                "no_kubeconfig",
                "no kubeconfig: set KUBECONFIG or create ~/.kube/config",
            ));
        }
        Err(error) => {
            return Err(AnalysisError::new("bad_kubeconfig", error.to_string()));
        }
    };
    if let Some(why) = read.broken.get(context) {
        return Err(AnalysisError::new("bad_kubeconfig", why.clone()).with("context", context));
    }
    let kubeconfig = read.kubeconfig;
    if !kubeconfig.contexts.iter().any(|named| named.name == context) {
        let known: Vec<&str> =
            kubeconfig.contexts.iter().map(|named| named.name.as_str()).collect();
        return Err(AnalysisError::new(
            "unknown_context",
            format!(
                "no kubeconfig context named {context:?}; the contexts are: {}",
                if known.is_empty() { "(none)".to_owned() } else { known.join(", ") }
            ),
        )
        .with("context", context));
    }
    let snapshot = sextant_adapters::cluster::read_cluster(&kubeconfig, context).await;
    let kind = match snapshot.state {
        ClusterState::Ready | ClusterState::Connecting => None,
        ClusterState::Unreachable => Some("cluster_unreachable"),
        ClusterState::Forbidden => Some("cluster_forbidden"),
        ClusterState::Unauthenticated => Some("cluster_unauthenticated"),
        ClusterState::Invalid => Some("bad_context"),
    };
    if let Some(kind) = kind {
        return Err(AnalysisError::new(
            kind,
            format!(
                "context {context}: {}",
                snapshot.message.as_deref().unwrap_or("the cluster could not be read")
            ),
        )
        .with("context", context));
    }
    Ok(report(context, namespace, now, &snapshot))
}

/// The report for one cluster snapshot.
#[must_use]
pub fn report(
    context: &str,
    namespace: Option<&str>,
    now: i64,
    snapshot: &ClusterSnapshot,
) -> StatusReport {
    let apps = drift::assess(&snapshot.objects, Some(now));
    let (rows, relations) = drift::tree::build(&apps, &snapshot.objects);
    let name_of = |object: &sextant_domain::object::KubeObject| {
        format!("{}/{}/{}", object.kind(), object.namespace().unwrap_or_default(), object.name())
    };
    let mut summary = StatusSummary::default();
    let mut reported = Vec::new();
    for row in rows {
        let Child::Present(index) = row.node else { continue };
        if row.cycle || row.repeated {
            continue;
        }
        let app = &apps[index];
        if namespace.is_some_and(|namespace| app.object.namespace() != Some(namespace)) {
            continue;
        }
        let needs_attention = app.verdict.needs_attention() || !app.stale_reasons.is_empty();
        let children: Vec<ChildStatus> = relations[index]
            .children
            .iter()
            .map(|child| match child {
                Child::Present(child) => {
                    ChildStatus { name: name_of(apps[*child].object), missing: false }
                }
                Child::Missing(key) => ChildStatus {
                    name: format!(
                        "{}/{}/{}",
                        key.kind,
                        key.namespace.as_deref().unwrap_or_default(),
                        key.name
                    ),
                    missing: true,
                },
            })
            .collect();
        summary.apps += 1;
        summary.needs_attention += usize::from(needs_attention);
        summary.missing_children += children.iter().filter(|child| child.missing).count();
        reported.push(AppStatus {
            tool: match app.tool {
                GitOpsTool::Flux => "flux",
                GitOpsTool::ArgoCd => "argo_cd",
            },
            kind: app.object.kind().to_owned(),
            namespace: app.object.namespace().unwrap_or_default().to_owned(),
            name: app.object.name().to_owned(),
            depth: row.depth,
            verdict: verdict_name(app.verdict),
            needs_attention,
            revisions: Revisions {
                source: app.revisions.source.clone(),
                attempted: app.revisions.attempted.clone(),
                applied: app.revisions.applied.clone(),
            },
            stale_reasons: app.stale_reasons.clone(),
            suspended: app.suspended,
            parent: relations[index].parent.map(|parent| name_of(apps[parent].object)),
            children,
            explanation: app.explanation.clone(),
        });
    }
    StatusReport {
        context: context.to_owned(),
        namespace: namespace.map(str::to_owned),
        as_of: now,
        apps: reported,
        summary,
    }
}

/// The verdict's snake_case name, as the JSON and the table print it.
#[must_use]
pub fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::InSync => "in_sync",
        Verdict::OutOfSync => "out_of_sync",
        Verdict::Failed => "failed",
        Verdict::Progressing => "progressing",
        Verdict::Stale => "stale",
        Verdict::Suspended => "suspended",
        Verdict::Unknown => "unknown",
    }
}
