//! An application's timeline: the revisions and reconciles its controller recorded, newest
//! first.
//!
//! Read from the status alone, no events: Flux `status.history` (Kustomizations since Flux 2.4:
//! digest, first and last reconcile, count, revision in `metadata`), HelmRelease
//! `status.history` (release snapshots: chart version, digest, deploy times, status), every
//! condition's `lastTransitionTime`, Argo CD `status.history` (deployed revisions with ids) and
//! `status.operationState` (the current or last sync).

use std::fmt::Write as _;

use crate::json::Json;

use crate::object::KubeObject;
use crate::vault::parse::parse_rfc3339;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A Flux reconcile (from `status.history`).
    Reconcile,
    /// A Helm release was deployed or superseded.
    Release,
    /// Argo CD deployed a revision.
    Deploy,
    /// A sync operation started or finished.
    Operation,
    /// A condition changed.
    Condition,
}

/// One entry of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    /// When (RFC 3339, as written).
    pub time: String,
    /// What happened.
    pub kind: EventKind,
    /// One line: what happened.
    pub title: String,
    /// More: the message, digest or counts.
    pub detail: Option<String>,
    /// The revision concerned, when known.
    pub revision: Option<String>,
    /// Whether it went wrong (a failed reconcile, sync or release, a condition turned bad).
    pub failed: bool,
}

fn text<'a>(value: &'a Json, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Json::as_str).filter(|text| !text.is_empty())
}

/// The timeline of an application object, newest first. Entries whose time does not parse keep
/// their relative order, after the dated ones.
#[must_use]
pub fn timeline(object: &KubeObject) -> Vec<TimelineEvent> {
    let mut events = Vec::new();
    match (object.group(), object.kind()) {
        ("kustomize.toolkit.fluxcd.io", _) => flux_history(object, &mut events),
        ("helm.toolkit.fluxcd.io", _) => helm_history(object, &mut events),
        ("argoproj.io", _) => argo_history(object, &mut events),
        _ => {}
    }
    for condition in object.array_at("/status/conditions") {
        let (Some(type_), Some(time)) =
            (text(condition, "type"), text(condition, "lastTransitionTime"))
        else {
            continue;
        };
        // Argo CD's conditions carry no status: written means it holds.
        let status = text(condition, "status").unwrap_or("True");
        let reason = text(condition, "reason");
        // Ready/Healthy/Released False, Stalled True, an Argo *Error condition: something broke.
        let failed = match type_ {
            "Stalled" | "ErrorOccurred" => status == "True",
            _ if type_.ends_with("Error") || type_.ends_with("Warning") => true,
            _ => status == "False",
        };
        events.push(TimelineEvent {
            time: time.to_owned(),
            kind: EventKind::Condition,
            title: match (reason, condition.get("status").is_some()) {
                (Some(reason), true) => format!("{type_}={status} ({reason})"),
                (None, true) => format!("{type_}={status}"),
                (Some(reason), false) => format!("{type_} ({reason})"),
                (None, false) => type_.to_owned(),
            },
            detail: text(condition, "message").map(str::to_owned),
            revision: None,
            failed,
        });
    }
    let mut keyed: Vec<(Option<i64>, usize, TimelineEvent)> = events
        .into_iter()
        .enumerate()
        .map(|(order, event)| (parse_rfc3339(&event.time), order, event))
        .collect();
    // Newest first; on a tie, the order written (history before conditions); undated last.
    keyed.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => y.cmp(&x).then(a.1.cmp(&b.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    keyed.into_iter().map(|(_, _, event)| event).collect()
}

fn flux_history(object: &KubeObject, events: &mut Vec<TimelineEvent>) {
    for entry in object.array_at("/status/history") {
        let revision =
            entry.pointer("/metadata/revision").and_then(Json::as_str).map(str::to_owned);
        let status = text(entry, "lastReconciledStatus").unwrap_or("unknown");
        let total = entry.get("totalReconciliations").and_then(Json::as_i64).unwrap_or(1);
        let digest = text(entry, "digest");
        let failed = !status.ends_with("Succeeded");
        let what = revision.as_deref().unwrap_or("an unknown revision");
        if let Some(last) = text(entry, "lastReconciled") {
            let mut detail = format!("{total} reconcile(s) of this build");
            if let Some(duration) = text(entry, "lastReconciledDuration") {
                let _ = write!(detail, ", the last took {duration}");
            }
            if let Some(digest) = digest {
                let _ = write!(detail, ", manifests {}", short_digest(digest));
            }
            events.push(TimelineEvent {
                time: last.to_owned(),
                kind: EventKind::Reconcile,
                title: format!("Reconciled {what}: {status}"),
                detail: Some(detail),
                revision: revision.clone(),
                failed,
            });
        }
        if let Some(first) = text(entry, "firstReconciled")
            && Some(first) != text(entry, "lastReconciled")
        {
            events.push(TimelineEvent {
                time: first.to_owned(),
                kind: EventKind::Reconcile,
                title: format!("First reconciled {what}: {status}"),
                detail: digest.map(|digest| format!("manifests {}", short_digest(digest))),
                revision,
                failed,
            });
        }
    }
}

fn helm_history(object: &KubeObject, events: &mut Vec<TimelineEvent>) {
    for snapshot in object.array_at("/status/history") {
        let chart = format!(
            "{}@{}",
            text(snapshot, "chartName").unwrap_or("chart"),
            text(snapshot, "chartVersion").unwrap_or("?")
        );
        let version = snapshot.get("version").and_then(Json::as_i64);
        let status = text(snapshot, "status").unwrap_or("unknown");
        let release = version.map(|version| format!(" v{version}")).unwrap_or_default();
        let failed =
            matches!(status, "failed" | "pending-install" | "pending-upgrade" | "pending-rollback");
        let detail =
            text(snapshot, "digest").map(|digest| format!("release {}", short_digest(digest)));
        if let Some(last) = text(snapshot, "lastDeployed") {
            events.push(TimelineEvent {
                time: last.to_owned(),
                kind: EventKind::Release,
                title: format!("Release{release} of {chart}: {status}"),
                detail: detail.clone(),
                revision: text(snapshot, "chartVersion").map(str::to_owned),
                failed,
            });
        }
        if let Some(first) = text(snapshot, "firstDeployed")
            && Some(first) != text(snapshot, "lastDeployed")
        {
            events.push(TimelineEvent {
                time: first.to_owned(),
                kind: EventKind::Release,
                title: format!("Release{release} of {chart} first deployed"),
                detail,
                revision: text(snapshot, "chartVersion").map(str::to_owned),
                failed: false,
            });
        }
    }
}

fn argo_history(object: &KubeObject, events: &mut Vec<TimelineEvent>) {
    for entry in object.array_at("/status/history") {
        let Some(time) = text(entry, "deployedAt") else { continue };
        let revision = text(entry, "revision").map(str::to_owned).or_else(|| {
            entry.get("revisions").and_then(Json::as_array).map(|revisions| {
                revisions.iter().filter_map(Json::as_str).collect::<Vec<_>>().join(", ")
            })
        });
        let id = entry.get("id").and_then(Json::as_i64);
        let automated =
            entry.pointer("/initiatedBy/automated").and_then(Json::as_bool) == Some(true);
        let by = if automated {
            "automated sync".to_owned()
        } else {
            text(entry.get("initiatedBy").unwrap_or(&Json::Null), "username")
                .map_or_else(|| "manual sync".to_owned(), |user| format!("sync by {user}"))
        };
        events.push(TimelineEvent {
            time: time.to_owned(),
            kind: EventKind::Deploy,
            title: format!(
                "Deployed {}",
                revision.as_deref().map_or_else(|| "a revision".to_owned(), short_revision)
            ),
            detail: Some(match id {
                Some(id) => format!("history id {id}, {by}"),
                None => by,
            }),
            revision,
            failed: false,
        });
    }
    let Some(operation) = object.at("/status/operationState") else { return };
    let phase = text(operation, "phase").unwrap_or("Unknown");
    let revision = operation
        .pointer("/syncResult/revision")
        .or_else(|| operation.pointer("/operation/sync/revision"))
        .and_then(Json::as_str)
        .map(str::to_owned);
    if let Some(finished) = text(operation, "finishedAt") {
        events.push(TimelineEvent {
            time: finished.to_owned(),
            kind: EventKind::Operation,
            title: format!("Sync {phase}"),
            detail: text(operation, "message").map(str::to_owned),
            revision: revision.clone(),
            failed: matches!(phase, "Failed" | "Error"),
        });
    }
    if let Some(started) = text(operation, "startedAt") {
        events.push(TimelineEvent {
            time: started.to_owned(),
            kind: EventKind::Operation,
            title: if text(operation, "finishedAt").is_some() {
                "Sync started".to_owned()
            } else {
                format!("Sync started, {phase}")
            },
            detail: None,
            revision,
            failed: false,
        });
    }
}

/// `sha256:abcdef012345…` → `sha256:abcdef012345`.
fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algorithm, hex)) => format!("{algorithm}:{}", &hex[..hex.len().min(12)]),
        None => digest.chars().take(12).collect(),
    }
}

/// A 40-hex commit → its first 12 digits; anything else unchanged.
fn short_revision(revision: &str) -> String {
    if revision.len() == 40 && revision.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        revision[..12].to_owned()
    } else {
        revision.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn titles(object: &KubeObject) -> Vec<(String, String)> {
        timeline(object).into_iter().map(|event| (event.time, event.title)).collect()
    }

    #[test]
    fn flux_history_and_conditions_newest_first() {
        let object = KubeObject::new(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "status": {
                "conditions": [{"type": "Ready", "status": "False", "reason": "HealthCheckFailed",
                    "message": "timeout", "lastTransitionTime": "2026-11-26T08:00:00Z"}],
                "history": [
                    {"digest": "sha256:0123456789abcdef0123", "firstReconciled": "2026-11-26T07:00:00Z",
                     "lastReconciled": "2026-11-26T08:30:00Z", "lastReconciledStatus": "HealthCheckFailed",
                     "totalReconciliations": 4, "metadata": {"revision": "main@sha1:bb"}},
                    {"digest": "sha256:aa", "firstReconciled": "2026-11-20T10:00:00Z",
                     "lastReconciled": "2026-11-20T10:00:00Z", "lastReconciledStatus": "ReconciliationSucceeded",
                     "totalReconciliations": 1, "metadata": {"revision": "main@sha1:aa"}}
                ]}
        }));
        assert_eq!(
            titles(&object),
            [
                (
                    "2026-11-26T08:30:00Z".into(),
                    "Reconciled main@sha1:bb: HealthCheckFailed".into()
                ),
                ("2026-11-26T08:00:00Z".into(), "Ready=False (HealthCheckFailed)".into()),
                (
                    "2026-11-26T07:00:00Z".into(),
                    "First reconciled main@sha1:bb: HealthCheckFailed".into()
                ),
                (
                    "2026-11-20T10:00:00Z".into(),
                    "Reconciled main@sha1:aa: ReconciliationSucceeded".into()
                ),
            ]
        );
        let events = timeline(&object);
        assert!(events[0].failed && events[1].failed && !events[3].failed);
        assert_eq!(
            events[0].detail.as_deref(),
            Some("4 reconcile(s) of this build, manifests sha256:0123456789ab")
        );
    }

    #[test]
    fn helm_release_history() {
        let object = KubeObject::new(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "shop"},
            "status": {"history": [
                {"chartName": "web", "chartVersion": "1.2.0", "version": 3, "status": "failed",
                 "firstDeployed": "2026-11-02T00:00:00Z", "lastDeployed": "2026-11-03T00:00:00Z"},
                {"chartName": "web", "chartVersion": "1.1.0", "version": 2, "status": "superseded",
                 "firstDeployed": "2026-11-01T00:00:00Z", "lastDeployed": "2026-11-01T00:00:00Z"}
            ]}
        }));
        assert_eq!(
            titles(&object),
            [
                ("2026-11-03T00:00:00Z".into(), "Release v3 of web@1.2.0: failed".into()),
                ("2026-11-02T00:00:00Z".into(), "Release v3 of web@1.2.0 first deployed".into()),
                ("2026-11-01T00:00:00Z".into(), "Release v2 of web@1.1.0: superseded".into()),
            ]
        );
        assert!(timeline(&object)[0].failed);
    }

    #[test]
    fn argo_history_and_operation() {
        let object = KubeObject::new(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "shop", "namespace": "argocd"},
            "status": {
                "history": [
                    {"id": 1, "revision": "2f56d8a4a5fc5d2fc1d61eb642d12de3845421af", "deployedAt": "2026-11-25T15:10:09Z", "initiatedBy": {"automated": true}},
                    {"id": 2, "revision": "48ff8904e88b974d011d5fd066119c1022cdfec0", "deployedAt": "2026-11-26T07:58:31Z", "initiatedBy": {"username": "ana"}}
                ],
                "operationState": {"phase": "Failed", "message": "one or more objects failed to apply",
                    "startedAt": "2026-11-26T09:00:00Z", "finishedAt": "2026-11-26T09:00:05Z",
                    "syncResult": {"revision": "9999999999999999999999999999999999999999"}}
            }
        }));
        let events = timeline(&object);
        assert_eq!(
            events.iter().map(|event| event.title.as_str()).collect::<Vec<_>>(),
            ["Sync Failed", "Sync started", "Deployed 48ff8904e88b", "Deployed 2f56d8a4a5fc"]
        );
        assert!(events[0].failed);
        assert_eq!(events[0].detail.as_deref(), Some("one or more objects failed to apply"));
        assert_eq!(events[2].detail.as_deref(), Some("history id 2, sync by ana"));
        assert_eq!(events[3].detail.as_deref(), Some("history id 1, automated sync"));
    }
}
