//! GitOps drift: the controllers' own verdicts on Flux and Argo CD applications.
//!
//! A verdict is read from the status the controller wrote, and then doubted: a status whose
//! `observedGeneration` lags the spec, or that was applied at an older revision than its source
//! now offers, is reported as [`Verdict::Stale`] rather than as healthy
//! (`shared/specs/gitops-drift.md` §1–§2).
//!
//! The field-level diff of desired (Git) against live objects is [`diff::diff_objects`]: the
//! normalisation pipeline in [`normalize`] and [`schema_defaults`], the comparison in [`diff`],
//! and the classification by field manager in [`classify`] and [`managed_fields`] (spec §4).

use crate::object::KubeObject;

pub mod classify;
pub mod diff;
pub mod ignore;
pub mod managed_fields;
pub mod normalize;
pub mod quantity;
pub mod schema_defaults;

const FLUX_KUSTOMIZE: &str = "kustomize.toolkit.fluxcd.io";
const FLUX_HELM: &str = "helm.toolkit.fluxcd.io";
const ARGO: &str = "argoproj.io";

/// A Flux Kustomization or HelmRelease, or an Argo CD Application.
#[derive(Debug, Clone, PartialEq)]
pub struct GitOpsApp<'a> {
    /// The application object.
    pub object: &'a KubeObject,
    /// The tool that reconciles it.
    pub tool: GitOpsTool,
    /// Where its desired state comes from.
    pub source: Option<String>,
    /// The revision last applied.
    pub revision: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The controller's message, or why the verdict is stale.
    pub message: Option<String>,
}

/// A GitOps tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitOpsTool {
    /// Flux.
    Flux,
    /// Argo CD.
    ArgoCd,
}

/// A controller's verdict, as Sextant reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// Applied and healthy at the source's revision.
    InSync,
    /// Argo CD says the live state differs from Git.
    OutOfSync,
    /// The last reconcile or sync failed.
    Failed,
    /// A reconcile is in progress.
    Progressing,
    /// The status is older than the spec or the source.
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

/// Every GitOps application among `objects`, with its verdict.
#[must_use]
pub fn gitops_apps(objects: &[KubeObject]) -> Vec<GitOpsApp<'_>> {
    objects
        .iter()
        .filter_map(|object| match (object.group(), object.kind()) {
            (FLUX_KUSTOMIZE, "Kustomization") | (FLUX_HELM, "HelmRelease") => {
                Some(flux_app(object, objects))
            }
            (ARGO, "Application") => Some(argo_app(object)),
            _ => None,
        })
        .collect()
}

fn flux_app<'a>(object: &'a KubeObject, objects: &'a [KubeObject]) -> GitOpsApp<'a> {
    let is_helm = object.kind() == "HelmRelease";
    let revision = object
        .str_at(if is_helm {
            "/status/lastAttemptedRevision"
        } else {
            "/status/lastAppliedRevision"
        })
        .map(str::to_owned);
    let source_ref = if is_helm { "/spec/chart/spec/sourceRef" } else { "/spec/sourceRef" };
    let source_object = flux_source(object, source_ref, objects);
    let source = source_description(object, source_ref, source_object, is_helm);
    let ready = object.condition("Ready");
    let (verdict, message) = if object.at("/spec/suspend").and_then(serde_json::Value::as_bool)
        == Some(true)
    {
        (Verdict::Suspended, Some("reconciliation is suspended (spec.suspend: true)".to_owned()))
    } else if let Some(lag) = generation_lag(object, ready.and_then(|c| c.observed_generation)) {
        (Verdict::Stale, Some(lag))
    } else {
        match ready {
            None => (Verdict::Unknown, Some("no Ready condition has been written yet".to_owned())),
            Some(ready) if ready.status == "True" => {
                let artifact =
                    source_object.and_then(|source| source.str_at("/status/artifact/revision"));
                match (artifact, revision.as_deref()) {
                    (Some(artifact), Some(applied)) if !is_helm && artifact != applied => (
                        Verdict::Stale,
                        Some(format!(
                            "Ready, but applied {applied} while the source offers {artifact}"
                        )),
                    ),
                    _ => (Verdict::InSync, non_empty(ready.message)),
                }
            }
            Some(ready) if ready.status == "False" => {
                (Verdict::Failed, non_empty(ready.message).or_else(|| non_empty(ready.reason)))
            }
            Some(ready) => (Verdict::Progressing, non_empty(ready.message)),
        }
    };
    GitOpsApp { object, tool: GitOpsTool::Flux, source, revision, verdict, message }
}

fn flux_source<'a>(
    object: &KubeObject,
    source_ref: &str,
    objects: &'a [KubeObject],
) -> Option<&'a KubeObject> {
    let kind = object.str_at(&format!("{source_ref}/kind"))?;
    let name = object.str_at(&format!("{source_ref}/name"))?;
    let namespace =
        object.str_at(&format!("{source_ref}/namespace")).or_else(|| object.namespace());
    objects.iter().find(|candidate| {
        candidate.group() == "source.toolkit.fluxcd.io"
            && candidate.kind() == kind
            && candidate.name() == name
            && candidate.namespace() == namespace
    })
}

fn source_description(
    object: &KubeObject,
    source_ref: &str,
    source: Option<&KubeObject>,
    is_helm: bool,
) -> Option<String> {
    let url = source.and_then(|source| source.str_at("/spec/url"));
    if is_helm {
        let chart = object.str_at("/spec/chart/spec/chart")?;
        return Some(match url {
            Some(url) => format!("{url} {chart}"),
            None => chart.to_owned(),
        });
    }
    let path = object.str_at("/spec/path").unwrap_or("./");
    if let Some(url) = url {
        Some(format!("{url} {path}"))
    } else {
        let name = object.str_at(&format!("{source_ref}/name"))?;
        Some(format!("{name} {path}"))
    }
}

fn generation_lag(object: &KubeObject, condition_generation: Option<i64>) -> Option<String> {
    let generation = object.generation()?;
    let observed = object
        .at("/status/observedGeneration")
        .and_then(serde_json::Value::as_i64)
        .or(condition_generation)?;
    (observed < generation).then(|| {
        format!(
            "the controller has not observed generation {generation} yet (last observed {observed})"
        )
    })
}

fn argo_app(object: &KubeObject) -> GitOpsApp<'_> {
    let sync = object.str_at("/status/sync/status");
    let health = object.str_at("/status/health/status");
    let phase = object.str_at("/status/operationState/phase");
    let source = object
        .str_at("/spec/source/repoURL")
        .map(|url| format!("{url} {}", object.str_at("/spec/source/path").unwrap_or_default()))
        .or_else(|| {
            let first = object.array_at("/spec/sources").first()?;
            Some(first.get("repoURL")?.as_str()?.to_owned())
        });
    let revision = object.str_at("/status/sync/revision").map(str::to_owned);
    let operation_message = object.str_at("/status/operationState/message").and_then(non_empty);
    let (verdict, message) = match (sync, health, phase) {
        (_, _, Some("Failed" | "Error")) => (Verdict::Failed, operation_message),
        (_, Some("Degraded"), _) => (
            Verdict::Failed,
            object.str_at("/status/health/message").and_then(non_empty).or(operation_message),
        ),
        (Some("OutOfSync"), _, _) => (Verdict::OutOfSync, Some(out_of_sync_summary(object))),
        (_, Some("Suspended"), _) => (Verdict::Suspended, None),
        (_, Some("Progressing"), _) | (_, _, Some("Running")) => (Verdict::Progressing, None),
        (Some("Synced"), Some("Healthy"), _) => (Verdict::InSync, None),
        _ => (Verdict::Unknown, Some("no sync or health status has been written yet".to_owned())),
    };
    GitOpsApp { object, tool: GitOpsTool::ArgoCd, source, revision, verdict, message }
}

fn out_of_sync_summary(object: &KubeObject) -> String {
    let resources: Vec<String> = object
        .array_at("/status/resources")
        .iter()
        .filter(|resource| {
            resource.get("status").and_then(serde_json::Value::as_str) == Some("OutOfSync")
        })
        .filter_map(|resource| {
            Some(format!("{} {}", resource.get("kind")?.as_str()?, resource.get("name")?.as_str()?))
        })
        .collect();
    if resources.is_empty() {
        "Argo CD reports OutOfSync without naming a resource".to_owned()
    } else {
        format!("out of sync: {}", resources.join(", "))
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn kustomization(status: &serde_json::Value, generation: i64) -> KubeObject {
        KubeObject::new(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system", "generation": generation},
            "spec": {"path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "fleet"}},
            "status": status
        }))
    }

    fn git_repository(revision: &str) -> KubeObject {
        KubeObject::new(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "fleet", "namespace": "flux-system"},
            "spec": {"url": "https://git.example/fleet"},
            "status": {"artifact": {"revision": revision}}
        }))
    }

    fn verdict_of(objects: &[KubeObject]) -> Verdict {
        gitops_apps(objects)[0].verdict
    }

    #[test]
    fn ready_at_the_source_revision_is_in_sync() {
        let objects = [
            kustomization(
                &json!({"observedGeneration": 2, "lastAppliedRevision": "main@sha1:aa",
                "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded"}]}),
                2,
            ),
            git_repository("main@sha1:aa"),
        ];
        assert_eq!(verdict_of(&objects), Verdict::InSync);
        assert_eq!(
            gitops_apps(&objects)[0].source.as_deref(),
            Some("https://git.example/fleet ./apps")
        );
    }

    #[test]
    fn ready_behind_the_source_is_stale_not_healthy() {
        let objects = [
            kustomization(
                &json!({"observedGeneration": 2, "lastAppliedRevision": "main@sha1:aa",
                "conditions": [{"type": "Ready", "status": "True"}]}),
                2,
            ),
            git_repository("main@sha1:bb"),
        ];
        assert_eq!(verdict_of(&objects), Verdict::Stale);
    }

    #[test]
    fn an_unobserved_generation_is_stale() {
        let objects = [kustomization(
            &json!({"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]}),
            2,
        )];
        assert_eq!(verdict_of(&objects), Verdict::Stale);
    }

    #[test]
    fn ready_false_is_failed_with_the_controllers_message() {
        let objects = [kustomization(
            &json!({"observedGeneration": 2, "conditions": [{"type": "Ready", "status": "False",
                "reason": "BuildFailed", "message": "kustomize build failed"}]}),
            2,
        )];
        let apps = gitops_apps(&objects);
        assert_eq!(apps[0].verdict, Verdict::Failed);
        assert_eq!(apps[0].message.as_deref(), Some("kustomize build failed"));
    }

    #[test]
    fn argo_out_of_sync_names_the_resources() {
        let application = KubeObject::new(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "shop", "namespace": "argocd"},
            "status": {"sync": {"status": "OutOfSync"}, "health": {"status": "Healthy"},
                "resources": [{"kind": "Deployment", "name": "cart", "status": "OutOfSync"},
                              {"kind": "Service", "name": "cart", "status": "Synced"}]}
        }));
        let apps = gitops_apps(std::slice::from_ref(&application));
        assert_eq!(apps[0].verdict, Verdict::OutOfSync);
        assert_eq!(apps[0].message.as_deref(), Some("out of sync: Deployment cart"));
    }
}
