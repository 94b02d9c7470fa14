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

use std::fmt::Write as _;

use crate::json::Json;

use crate::object::KubeObject;

mod builtin_defaults;
pub mod classify;
pub mod diff;
pub mod ignore;
pub mod managed_fields;
pub mod normalize;
pub mod quantity;
pub mod schema_defaults;
pub mod timeline;
pub mod tree;

const FLUX_KUSTOMIZE: &str = "kustomize.toolkit.fluxcd.io";
const FLUX_HELM: &str = "helm.toolkit.fluxcd.io";
const FLUX_SOURCE: &str = "source.toolkit.fluxcd.io";
const ARGO: &str = "argoproj.io";

/// How many reconcile intervals may pass without a reconcile before a verdict is stale.
///
/// Flux requeues every `spec.interval` (plus jitter, dependency waits and retries); Argo CD
/// compares every `timeout.reconciliation` (180 s by default, [`ARGO_DEFAULT_INTERVAL`]). One
/// missed interval is ordinary; three in a row mean the controller is not looking (it is down,
/// overloaded or blocked), so what its status says is no longer current.
pub const STALE_INTERVALS: u64 = 3;

/// The interval Argo CD compares an Application at when nothing says otherwise: the default of
/// `timeout.reconciliation` in `argocd-cm`, which the Application does not carry.
pub const ARGO_DEFAULT_INTERVAL: u64 = 180;

/// A Flux Kustomization or HelmRelease, or an Argo CD Application or ApplicationSet.
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
    /// The three revisions: what the source offers, what was last tried, what was last applied.
    pub revisions: Revisions,
    /// Why the status cannot be trusted as current; empty when it can. Any reason makes an
    /// otherwise healthy verdict [`Verdict::Stale`].
    pub stale_reasons: Vec<String>,
    /// `spec.suspend: true` (Flux).
    pub suspended: bool,
    /// The reconcile interval in seconds: Flux `spec.interval`, Argo CD's default.
    pub interval: Option<u64>,
    /// When the controller last reconciled (RFC 3339), when the status says.
    pub last_reconcile: Option<String>,
    /// The conditions the controller wrote.
    pub conditions: Vec<AppCondition>,
    /// Flux `status.inventory`: the objects applied.
    pub inventory: Vec<InventoryEntry>,
    /// Argo CD `status.resources`: the objects managed, with their sync status.
    pub resources: Vec<ArgoResource>,
    /// Argo CD `status.operationState`, the current or last sync.
    pub operation: Option<Operation>,
    /// Argo CD `spec.project`.
    pub project: Option<String>,
    /// One sentence: what the controller says, and why ("Flux says Ready=False because …").
    pub explanation: String,
}

/// What the three revision fields say (spec §1.3); for Argo CD, `applied` is the last synced
/// revision and `source` the one compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revisions {
    /// The source's artifact revision (Flux), or the revision Argo CD last compared.
    pub source: Option<String>,
    /// The revision last tried (`lastAttemptedRevision`).
    pub attempted: Option<String>,
    /// The revision last applied (`lastAppliedRevision`, or Argo CD's last sync).
    pub applied: Option<String>,
}

/// A status condition, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppCondition {
    /// `type`.
    pub type_: String,
    /// `status`.
    pub status: String,
    /// `reason`, empty when absent.
    pub reason: String,
    /// `message`, empty when absent.
    pub message: String,
    /// `lastTransitionTime`, when written.
    pub last_transition: Option<String>,
}

/// One entry of a Flux inventory, parsed from its `<namespace>_<name>_<group>_<kind>` id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InventoryEntry {
    /// The namespace, `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The group, empty for the core group.
    pub group: String,
    /// The kind.
    pub kind: String,
    /// The version it was applied at (`v`).
    pub version: String,
}

impl InventoryEntry {
    /// Parses an inventory id (spec §1.4): four fields split on `_`, the namespace and the
    /// group possibly empty. `None` when the id does not have exactly four fields or lacks a
    /// name or kind.
    #[must_use]
    pub fn parse(id: &str, version: &str) -> Option<InventoryEntry> {
        let mut parts = id.split('_');
        let (namespace, name, group, kind) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || name.is_empty() || kind.is_empty() {
            return None;
        }
        Some(InventoryEntry {
            namespace: (!namespace.is_empty()).then(|| namespace.to_owned()),
            name: name.to_owned(),
            group: group.to_owned(),
            kind: kind.to_owned(),
            version: version.to_owned(),
        })
    }
}

/// One entry of an Argo CD Application's `status.resources`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoResource {
    /// The group, empty for the core group.
    pub group: String,
    /// The kind.
    pub kind: String,
    /// The namespace, when namespaced.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The per-resource sync status: `Synced`, `OutOfSync`, `Unknown`.
    pub status: String,
    /// The per-resource health, when Argo CD stored it.
    pub health: Option<String>,
}

/// Argo CD's current or last sync operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// `Running`, `Succeeded`, `Failed`, `Error` or `Terminating`.
    pub phase: String,
    /// What Argo CD said about it.
    pub message: Option<String>,
    /// When it started.
    pub started_at: Option<String>,
    /// When it finished.
    pub finished_at: Option<String>,
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

/// Every GitOps application among `objects` (Flux Kustomizations and HelmReleases, Argo CD
/// Applications), with its verdict, judged without a clock: only the generation and revision
/// rules of staleness apply. [`assess`] also judges the age of the last reconcile, and includes
/// ApplicationSets.
#[must_use]
pub fn gitops_apps(objects: &[KubeObject]) -> Vec<GitOpsApp<'_>> {
    assess(objects, None).into_iter().filter(|app| app.object.kind() != "ApplicationSet").collect()
}

/// Every GitOps application among `objects`, ApplicationSets included, with its verdict.
///
/// `now` (Unix seconds) enables the age rule: a verdict whose last reconcile is more than
/// [`STALE_INTERVALS`] intervals old is stale. The rules, in order: a suspended Flux object is
/// [`Verdict::Suspended`] (its status is frozen on purpose); an unobserved generation makes any
/// other verdict [`Verdict::Stale`]; a failed reconcile or sync stays [`Verdict::Failed`] (stale
/// reasons are still listed); a source revision ahead of the applied one, an Argo CD comparison
/// made against another source than the spec's, or an old last reconcile make an otherwise
/// healthy, progressing or out-of-sync verdict stale.
#[must_use]
pub fn assess(objects: &[KubeObject], now: Option<i64>) -> Vec<GitOpsApp<'_>> {
    objects
        .iter()
        .filter_map(|object| match (object.group(), object.kind()) {
            (FLUX_KUSTOMIZE, "Kustomization") | (FLUX_HELM, "HelmRelease") => {
                Some(flux_app(object, objects, now))
            }
            (ARGO, "Application") => Some(argo_app(object, now)),
            (ARGO, "ApplicationSet") => Some(application_set(object, objects)),
            _ => None,
        })
        .collect()
}

/// The conditions, owned. Argo CD's conditions carry no `status`: one that is written holds, so
/// it reads as `True`.
fn owned_conditions(object: &KubeObject) -> Vec<AppCondition> {
    let absent = if object.group() == ARGO { "True" } else { "Unknown" };
    object
        .array_at("/status/conditions")
        .iter()
        .filter_map(|condition| {
            let text = |key: &str| condition.get(key).and_then(Json::as_str);
            Some(AppCondition {
                type_: text("type")?.to_owned(),
                status: text("status").unwrap_or(absent).to_owned(),
                reason: text("reason").unwrap_or_default().to_owned(),
                message: text("message").unwrap_or_default().to_owned(),
                last_transition: text("lastTransitionTime").map(str::to_owned),
            })
        })
        .collect()
}

/// The inventory entries of a Flux object, in the order written; ids that do not parse are
/// left out.
#[must_use]
pub fn inventory(object: &KubeObject) -> Vec<InventoryEntry> {
    object
        .array_at("/status/inventory/entries")
        .iter()
        .filter_map(|entry| {
            InventoryEntry::parse(
                entry.get("id")?.as_str()?,
                entry.get("v").and_then(Json::as_str).unwrap_or_default(),
            )
        })
        .collect()
}

/// Parses a Go duration as Flux writes intervals (`10m`, `1m0s`, `1h30m`, `90s`) into seconds.
#[must_use]
pub fn parse_interval(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "h" => 3600,
            "m" => 60,
            "s" => 1,
            "ms" => 0,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(unit)?)?;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// The age rule: a stale reason when `last` is more than [`STALE_INTERVALS`] × `interval` before
/// `now`.
fn age_reason(now: Option<i64>, last: Option<&str>, interval: Option<u64>) -> Option<String> {
    let (now, last_text, interval) = (now?, last?, interval?);
    let last = crate::vault::parse::parse_rfc3339(last_text)?;
    let limit = i64::try_from(interval.saturating_mul(STALE_INTERVALS)).ok()?;
    let age = now - last;
    (interval > 0 && age > limit).then(|| {
        format!(
            "last reconciled {} ago ({last_text}), more than {STALE_INTERVALS} × its {} interval",
            human_duration(age),
            human_duration(i64::try_from(interval).unwrap_or(i64::MAX)),
        )
    })
}

/// `2h5m`, `45m`, `3d4h`: a duration in words for messages.
#[must_use]
pub fn human_duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (days, hours, minutes, secs) =
        (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, _) => format!("{minutes}m"),
        (0, _, 0) => format!("{hours}h"),
        (0, _, _) => format!("{hours}h{minutes}m"),
        (_, 0, _) => format!("{days}d"),
        _ => format!("{days}d{hours}h"),
    }
}

#[allow(clippy::too_many_lines, reason = "one rule per branch, in the documented order")]
fn flux_app<'a>(
    object: &'a KubeObject,
    objects: &'a [KubeObject],
    now: Option<i64>,
) -> GitOpsApp<'a> {
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
    // A HelmRelease's chart artifact is its HelmChart's (status.helmChart: `namespace/name`).
    let artifact_holder = if is_helm {
        object.str_at("/status/helmChart").and_then(|chart| {
            let (namespace, name) = chart.split_once('/')?;
            objects.iter().find(|candidate| {
                candidate.is(FLUX_SOURCE, "HelmChart")
                    && candidate.name() == name
                    && candidate.namespace() == Some(namespace)
            })
        })
    } else {
        source_object
    };
    let revisions = Revisions {
        source: artifact_holder
            .and_then(|holder| holder.str_at("/status/artifact/revision"))
            .map(str::to_owned),
        attempted: object.str_at("/status/lastAttemptedRevision").map(str::to_owned),
        applied: if is_helm {
            object
                .array_at("/status/history")
                .iter()
                .find(|snapshot| snapshot.get("status").and_then(Json::as_str) == Some("deployed"))
                .and_then(|snapshot| snapshot.get("chartVersion")?.as_str())
                .map(str::to_owned)
        } else {
            object.str_at("/status/lastAppliedRevision").map(str::to_owned)
        },
    };
    let interval = object.str_at("/spec/interval").and_then(parse_interval);
    let last_reconcile = object
        .array_at("/status/history")
        .first()
        .and_then(|entry| entry.get("lastReconciled").and_then(Json::as_str))
        .map(str::to_owned);
    let suspended = object.at("/spec/suspend").and_then(Json::as_bool) == Some(true);
    let ready = object.condition("Ready");
    let stalled = object.condition("Stalled").filter(|condition| condition.status == "True");
    let lag = generation_lag(object, ready.and_then(|c| c.observed_generation));
    let mut stale_reasons: Vec<String> = lag.iter().cloned().collect();
    let source_ahead = match (revisions.source.as_deref(), revisions.attempted.as_deref()) {
        (Some(source), Some(attempted)) if source != attempted => {
            Some(format!("the source offers {source}, but the last attempt was at {attempted}"))
        }
        // Without an attempted revision, compare what was applied (an attempted revision that
        // differs from the applied one is a failed attempt, not staleness: spec §1.3).
        _ => match (revisions.source.as_deref(), revision.as_deref()) {
            (Some(source), Some(applied))
                if !is_helm && revisions.attempted.is_none() && source != applied =>
            {
                Some(format!("Ready, but applied {applied} while the source offers {source}"))
            }
            _ => None,
        },
    };
    let age = age_reason(now, last_reconcile.as_deref(), interval);
    let (verdict, message) = if suspended {
        (Verdict::Suspended, Some("reconciliation is suspended (spec.suspend: true)".to_owned()))
    } else if let Some(lag) = lag {
        (Verdict::Stale, Some(lag))
    } else {
        let (verdict, message) = match ready {
            None if stalled.is_some() => {
                (Verdict::Failed, stalled.and_then(|c| non_empty(c.message)))
            }
            None => (Verdict::Unknown, Some("no Ready condition has been written yet".to_owned())),
            Some(ready) if ready.status == "True" => (Verdict::InSync, non_empty(ready.message)),
            Some(ready) if ready.status == "False" => {
                (Verdict::Failed, non_empty(ready.message).or_else(|| non_empty(ready.reason)))
            }
            Some(ready) => (Verdict::Progressing, non_empty(ready.message)),
        };
        let mut verdict = (verdict, message);
        if let Some(ahead) = &source_ahead {
            stale_reasons.push(ahead.clone());
            if verdict.0 == Verdict::InSync {
                verdict = (Verdict::Stale, Some(ahead.clone()));
            }
        }
        if let Some(age) = &age {
            stale_reasons.push(age.clone());
            if matches!(verdict.0, Verdict::InSync | Verdict::Progressing) {
                verdict = (Verdict::Stale, Some(age.clone()));
            }
        }
        verdict
    };
    let source_problem = source_object.and_then(|source| {
        let ready = source.condition("Ready")?;
        (ready.status == "False").then(|| {
            format!(
                "its source {} {}/{} is not Ready: {}",
                source.kind(),
                source.namespace().unwrap_or_default(),
                source.name(),
                if ready.message.is_empty() { ready.reason } else { ready.message }
            )
        })
    });
    let mut app = GitOpsApp {
        object,
        tool: GitOpsTool::Flux,
        source,
        revision,
        verdict,
        message,
        revisions,
        stale_reasons,
        suspended,
        interval,
        last_reconcile,
        conditions: owned_conditions(object),
        inventory: inventory(object),
        resources: Vec::new(),
        operation: None,
        project: None,
        explanation: String::new(),
    };
    app.explanation = flux_explanation(&app, source_problem.as_deref());
    app
}

fn flux_explanation(app: &GitOpsApp<'_>, source_problem: Option<&str>) -> String {
    let ready = app.conditions.iter().find(|condition| condition.type_ == "Ready");
    let said = match ready {
        Some(ready) => {
            let why = match (ready.reason.is_empty(), ready.message.is_empty()) {
                (true, true) => String::new(),
                (false, true) => format!(" ({})", ready.reason),
                (true, false) => format!(": {}", ready.message),
                (false, false) => format!(" because {}: {}", ready.reason, ready.message),
            };
            format!("Flux says Ready={}{why}", ready.status)
        }
        None => "Flux has written no Ready condition".to_owned(),
    };
    let mut sentence = match app.verdict {
        Verdict::Suspended => format!(
            "Flux is not reconciling it: spec.suspend is true, so its status is frozen and drift is not corrected (last: {said})"
        ),
        Verdict::Stale => format!("{said}; Sextant doubts it: {}", app.stale_reasons.join("; ")),
        _ => said,
    };
    if app.verdict != Verdict::Stale && !app.stale_reasons.is_empty() {
        let _ = write!(sentence, "; also stale: {}", app.stale_reasons.join("; "));
    }
    if let (Some(attempted), Some(applied)) =
        (app.revisions.attempted.as_deref(), app.revisions.applied.as_deref())
        && app.tool == GitOpsTool::Flux
        && app.object.kind() == "Kustomization"
        && attempted != applied
    {
        let _ = write!(
            sentence,
            "; {attempted} was tried and not applied, the cluster still runs {applied}"
        );
    }
    if let Some(problem) = source_problem {
        let _ = write!(sentence, "; {problem}");
    }
    sentence.push('.');
    sentence
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
        candidate.group() == FLUX_SOURCE
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
    let observed =
        object.at("/status/observedGeneration").and_then(Json::as_i64).or(condition_generation)?;
    (observed < generation).then(|| {
        format!(
            "the controller has not observed generation {generation} yet (last observed {observed})"
        )
    })
}

fn argo_resources(object: &KubeObject) -> Vec<ArgoResource> {
    object
        .array_at("/status/resources")
        .iter()
        .filter_map(|resource| {
            let text = |key: &str| resource.get(key).and_then(Json::as_str);
            Some(ArgoResource {
                group: text("group").unwrap_or_default().to_owned(),
                kind: text("kind")?.to_owned(),
                namespace: text("namespace").filter(|ns| !ns.is_empty()).map(str::to_owned),
                name: text("name")?.to_owned(),
                status: text("status").unwrap_or("Unknown").to_owned(),
                health: resource
                    .pointer("/health/status")
                    .and_then(Json::as_str)
                    .map(str::to_owned),
            })
        })
        .collect()
}

/// Whether Argo CD's last comparison used the spec's current source: `status.sync.comparedTo`
/// records the source(s) compared, and if they differ from `spec` the status is stale (spec
/// §2.1). Compares `repoURL`, `path`, `chart` and `targetRevision`.
fn compared_to_other_source(object: &KubeObject) -> Option<String> {
    let compared = object.at("/status/sync/comparedTo")?;
    let pick = |source: &Json| -> Vec<Option<String>> {
        ["repoURL", "path", "chart", "targetRevision"]
            .iter()
            .map(|key| source.get(*key).and_then(Json::as_str).map(str::to_owned))
            .collect()
    };
    let spec_sources: Vec<Vec<Option<String>>> = match object.at("/spec/source") {
        Some(source) => vec![pick(source)],
        None => object.array_at("/spec/sources").iter().map(pick).collect(),
    };
    let compared_sources: Vec<Vec<Option<String>>> = match compared.get("source") {
        Some(source) => vec![pick(source)],
        None => compared
            .get("sources")
            .and_then(Json::as_array)
            .map(|sources| sources.iter().map(pick).collect())
            .unwrap_or_default(),
    };
    (!compared_sources.is_empty() && compared_sources != spec_sources).then(|| {
        "Argo CD's last comparison used another source than the spec names (status.sync.comparedTo differs): it has not compared the current spec yet".to_owned()
    })
}

fn argo_app(object: &KubeObject, now: Option<i64>) -> GitOpsApp<'_> {
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
    let (mut verdict, mut message) = match (sync, health, phase) {
        (_, _, Some("Failed" | "Error")) => (Verdict::Failed, operation_message.clone()),
        (_, Some("Degraded"), _) => (
            Verdict::Failed,
            object
                .str_at("/status/health/message")
                .and_then(non_empty)
                .or(operation_message.clone()),
        ),
        (Some("OutOfSync"), _, _) => (Verdict::OutOfSync, Some(out_of_sync_summary(object))),
        (_, Some("Suspended"), _) => (Verdict::Suspended, None),
        (_, Some("Progressing"), _) | (_, _, Some("Running")) => (Verdict::Progressing, None),
        (Some("Synced"), Some("Healthy"), _) => (Verdict::InSync, None),
        _ => (Verdict::Unknown, Some("no sync or health status has been written yet".to_owned())),
    };
    let last_reconcile = object.str_at("/status/reconciledAt").map(str::to_owned);
    let interval = Some(ARGO_DEFAULT_INTERVAL);
    let mut stale_reasons = Vec::new();
    stale_reasons.extend(compared_to_other_source(object));
    stale_reasons.extend(age_reason(now, last_reconcile.as_deref(), interval));
    if let Some(first) = stale_reasons.first()
        && matches!(
            verdict,
            Verdict::InSync | Verdict::OutOfSync | Verdict::Progressing | Verdict::Unknown
        )
    {
        verdict = Verdict::Stale;
        message = Some(first.clone());
    }
    let operation = phase.map(|phase| Operation {
        phase: phase.to_owned(),
        message: operation_message,
        started_at: object.str_at("/status/operationState/startedAt").map(str::to_owned),
        finished_at: object.str_at("/status/operationState/finishedAt").map(str::to_owned),
    });
    let applied = object
        .array_at("/status/history")
        .iter()
        .max_by_key(|entry| entry.get("id").and_then(Json::as_i64).unwrap_or_default())
        .and_then(|entry| entry.get("revision")?.as_str())
        .map(str::to_owned);
    let revisions = Revisions {
        source: revision.clone(),
        attempted: object
            .str_at("/status/operationState/syncResult/revision")
            .or_else(|| object.str_at("/status/operationState/operation/sync/revision"))
            .map(str::to_owned),
        applied,
    };
    let mut app = GitOpsApp {
        object,
        tool: GitOpsTool::ArgoCd,
        source,
        revision,
        verdict,
        message,
        revisions,
        stale_reasons,
        suspended: false,
        interval,
        last_reconcile,
        conditions: owned_conditions(object),
        inventory: Vec::new(),
        resources: argo_resources(object),
        operation,
        project: object.str_at("/spec/project").map(str::to_owned),
        explanation: String::new(),
    };
    app.explanation = argo_explanation(&app, sync, health);
    app
}

fn argo_explanation(app: &GitOpsApp<'_>, sync: Option<&str>, health: Option<&str>) -> String {
    let differing: Vec<String> = app
        .resources
        .iter()
        .filter(|resource| resource.status == "OutOfSync")
        .map(|resource| match &resource.namespace {
            Some(namespace) => format!("{} {namespace}/{}", resource.kind, resource.name),
            None => format!("{} {}", resource.kind, resource.name),
        })
        .collect();
    let health_text = health.map(|health| format!(", health {health}")).unwrap_or_default();
    let mut sentence = match (app.operation.as_ref(), sync) {
        (Some(operation), _) if matches!(operation.phase.as_str(), "Failed" | "Error") => {
            let mut sentence = format!(
                "Argo says the last sync {}{}",
                operation.phase,
                operation
                    .message
                    .as_ref()
                    .map(|message| format!(": {}", message.trim_end_matches('.')))
                    .unwrap_or_default()
            );
            if !differing.is_empty() {
                let _ = write!(
                    sentence,
                    "; {} resource(s) out of sync: {}",
                    differing.len(),
                    differing.join(", ")
                );
            }
            sentence
        }
        (_, Some("OutOfSync")) if differing.is_empty() => format!(
            "Argo says OutOfSync{health_text}, but names no differing resource (a refresh or an ignoreDifferences rule may explain it)"
        ),
        (_, Some("OutOfSync")) => format!(
            "Argo says OutOfSync{health_text} because {} resource{} differ{}: {}",
            differing.len(),
            if differing.len() == 1 { "" } else { "s" },
            if differing.len() == 1 { "s" } else { "" },
            differing.join(", ")
        ),
        (_, Some(sync)) => format!("Argo says {sync}{health_text}"),
        (_, None) => "Argo has written no sync status".to_owned(),
    };
    if health == Some("Degraded")
        && let Some(message) = app.object.str_at("/status/health/message").and_then(non_empty)
    {
        let _ = write!(sentence, " ({})", message.trim_end_matches('.'));
    }
    for condition in &app.conditions {
        if condition.type_.ends_with("Error") {
            let _ = write!(
                sentence,
                "; condition {}: {}",
                condition.type_,
                condition.message.trim_end_matches('.')
            );
        }
    }
    if !app.stale_reasons.is_empty() {
        let _ = write!(sentence, "; Sextant doubts it: {}", app.stale_reasons.join("; "));
    }
    sentence.push('.');
    sentence
}

/// An ApplicationSet: failed when `ErrorOccurred` is true, in sync when `ResourcesUpToDate` is,
/// otherwise progressing or unknown.
fn application_set<'a>(object: &'a KubeObject, objects: &'a [KubeObject]) -> GitOpsApp<'a> {
    let error = object.condition("ErrorOccurred").filter(|c| c.status == "True");
    let up_to_date = object.condition("ResourcesUpToDate");
    let progressing = object.condition("RolloutProgressing").filter(|c| c.status == "True");
    let (verdict, message, said) = match (error, up_to_date, progressing) {
        (Some(error), _, _) => (
            Verdict::Failed,
            non_empty(error.message),
            format!("Argo says ErrorOccurred=True: {}", error.message),
        ),
        (None, _, Some(rollout)) => (
            Verdict::Progressing,
            non_empty(rollout.message),
            format!("Argo says a progressive rollout is running: {}", rollout.message),
        ),
        (None, Some(up), None) if up.status == "True" => (
            Verdict::InSync,
            non_empty(up.message),
            "Argo says the generated Applications are up to date (ResourcesUpToDate=True)"
                .to_owned(),
        ),
        (None, Some(up), None) => (
            Verdict::Progressing,
            non_empty(up.message),
            format!("Argo says ResourcesUpToDate={}: {}", up.status, up.message),
        ),
        (None, None, None) => (
            Verdict::Unknown,
            Some("no condition has been written yet".to_owned()),
            "Argo has written no condition".to_owned(),
        ),
    };
    let generated = tree::owned_applications(object, objects).len();
    let resources = object
        .array_at("/status/resources")
        .iter()
        .filter_map(|resource| {
            let text = |key: &str| resource.get(key).and_then(Json::as_str);
            Some(ArgoResource {
                group: ARGO.to_owned(),
                kind: "Application".to_owned(),
                namespace: text("namespace").map(str::to_owned),
                name: text("name")?.to_owned(),
                status: text("status").unwrap_or("Unknown").to_owned(),
                health: resource
                    .pointer("/health/status")
                    .and_then(Json::as_str)
                    .map(str::to_owned),
            })
        })
        .collect();
    GitOpsApp {
        object,
        tool: GitOpsTool::ArgoCd,
        source: object.str_at("/spec/template/spec/source/repoURL").map(str::to_owned),
        revision: None,
        verdict,
        message,
        revisions: Revisions::default(),
        stale_reasons: Vec::new(),
        suspended: false,
        interval: None,
        last_reconcile: None,
        conditions: owned_conditions(object),
        inventory: Vec::new(),
        resources,
        operation: None,
        project: object.str_at("/spec/template/spec/project").map(str::to_owned),
        explanation: format!("{said}; it generates {generated} Application(s)."),
    }
}

fn out_of_sync_summary(object: &KubeObject) -> String {
    let resources: Vec<String> = object
        .array_at("/status/resources")
        .iter()
        .filter(|resource| resource.get("status").and_then(Json::as_str) == Some("OutOfSync"))
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

/// An Argo CD AppProject and the Applications that use it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppProject<'a> {
    /// The project object.
    pub object: &'a KubeObject,
    /// The names of the Applications whose `spec.project` names it, sorted.
    pub used_by: Vec<String>,
}

/// Every AppProject among `objects`, with the Applications (same namespace) that use it.
#[must_use]
pub fn app_projects(objects: &[KubeObject]) -> Vec<AppProject<'_>> {
    objects
        .iter()
        .filter(|object| object.is(ARGO, "AppProject"))
        .map(|project| {
            let mut used_by: Vec<String> = objects
                .iter()
                .filter(|app| {
                    app.is(ARGO, "Application")
                        && app.namespace() == project.namespace()
                        && app.str_at("/spec/project").unwrap_or("default") == project.name()
                })
                .map(|app| app.name().to_owned())
                .collect();
            used_by.sort();
            AppProject { object: project, used_by }
        })
        .collect()
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

    fn ready(status: &str, reason: &str, message: &str) -> serde_json::Value {
        json!({"type": "Ready", "status": status, "reason": reason, "message": message,
               "lastTransitionTime": "2026-11-26T08:00:00Z"})
    }

    const NOW: i64 = 1_795_680_000; // 2026-11-26T08:00:00Z

    #[test]
    fn the_clock_constant_is_what_it_says() {
        assert_eq!(crate::vault::parse::parse_rfc3339("2026-11-26T08:00:00Z"), Some(NOW));
    }

    fn with_history(last_reconciled: &str, interval: &str) -> KubeObject {
        let mut object = kustomization(
            &json!({"observedGeneration": 2, "lastAppliedRevision": "main@sha1:aa",
                "lastAttemptedRevision": "main@sha1:aa",
                "conditions": [ready("True", "ReconciliationSucceeded", "Applied revision: main@sha1:aa")],
                "history": [{"lastReconciled": last_reconciled, "metadata": {"revision": "main@sha1:aa"}}]}),
            2,
        );
        object = object.edited(|value| value["spec"]["interval"] = json!(interval));
        object
    }

    #[test]
    fn an_old_last_reconcile_is_stale_only_past_three_intervals() {
        // interval 10m: 30 minutes is the limit. 29m59s ago is fine, 30m01s is not.
        let fresh = [with_history("2026-11-26T07:30:01Z", "10m"), git_repository("main@sha1:aa")];
        let apps = assess(&fresh, Some(NOW));
        assert_eq!(apps[0].verdict, Verdict::InSync);
        assert!(apps[0].stale_reasons.is_empty());
        assert_eq!(apps[0].interval, Some(600));
        let old = [with_history("2026-11-26T07:29:59Z", "10m"), git_repository("main@sha1:aa")];
        let apps = assess(&old, Some(NOW));
        assert_eq!(apps[0].verdict, Verdict::Stale);
        assert_eq!(
            apps[0].stale_reasons,
            ["last reconciled 30m ago (2026-11-26T07:29:59Z), more than 3 × its 10m interval"]
        );
        // Without a clock the age rule does not apply.
        assert_eq!(gitops_apps(&old)[0].verdict, Verdict::InSync);
    }

    #[test]
    fn an_old_reconcile_does_not_hide_a_failure() {
        let mut object = with_history("2026-11-20T00:00:00Z", "1h");
        object = object.edited(|value| {
            value["status"]["conditions"] =
                json!([ready("False", "HealthCheckFailed", "timeout waiting for Deployment/web")]);
        });
        let apps = assess(std::slice::from_ref(&object), Some(NOW));
        assert_eq!(apps[0].verdict, Verdict::Failed);
        assert_eq!(apps[0].stale_reasons.len(), 1);
        assert_eq!(
            apps[0].explanation,
            "Flux says Ready=False because HealthCheckFailed: timeout waiting for Deployment/web; also stale: last reconciled 6d8h ago (2026-11-20T00:00:00Z), more than 3 × its 1h interval."
        );
    }

    #[test]
    fn stalled_without_ready_is_failed_and_reconciling_is_progressing() {
        let stalled = kustomization(
            &json!({"observedGeneration": 2, "conditions": [{"type": "Stalled", "status": "True",
                "reason": "InvalidPath", "message": "path ./apps not found"}]}),
            2,
        );
        let progressing = kustomization(
            &json!({"observedGeneration": 2, "conditions": [
                {"type": "Reconciling", "status": "True", "reason": "Progressing"},
                {"type": "Ready", "status": "Unknown", "reason": "Progressing", "message": "reconciliation in progress"}]}),
            2,
        );
        assert_eq!(verdict_of(&[stalled]), Verdict::Failed);
        let apps = assess(std::slice::from_ref(&progressing), None);
        assert_eq!(apps[0].verdict, Verdict::Progressing);
        assert_eq!(
            apps[0].explanation,
            "Flux says Ready=Unknown because Progressing: reconciliation in progress."
        );
    }

    #[test]
    fn suspended_wins_and_says_drift_is_not_corrected() {
        let mut object = with_history("2026-11-01T00:00:00Z", "1h");
        object = object.edited(|value| value["spec"]["suspend"] = json!(true));
        let apps = assess(std::slice::from_ref(&object), Some(NOW));
        assert_eq!(apps[0].verdict, Verdict::Suspended);
        assert!(apps[0].suspended);
        assert!(
            apps[0].explanation.starts_with("Flux is not reconciling it: spec.suspend is true")
        );
    }

    #[test]
    fn a_source_ahead_of_the_attempt_is_stale_and_revisions_are_read() {
        let mut object = with_history("2026-11-26T07:55:00Z", "10m");
        object =
            object.edited(|value| value["status"]["lastAttemptedRevision"] = json!("main@sha1:aa"));
        let objects = [object, git_repository("main@sha1:cc")];
        let apps = assess(&objects, Some(NOW));
        assert_eq!(apps[0].verdict, Verdict::Stale);
        assert_eq!(
            apps[0].revisions,
            Revisions {
                source: Some("main@sha1:cc".into()),
                attempted: Some("main@sha1:aa".into()),
                applied: Some("main@sha1:aa".into())
            }
        );
        assert_eq!(
            apps[0].stale_reasons,
            ["the source offers main@sha1:cc, but the last attempt was at main@sha1:aa"]
        );
        assert_eq!(
            apps[0].explanation,
            "Flux says Ready=True because ReconciliationSucceeded: Applied revision: main@sha1:aa; Sextant doubts it: the source offers main@sha1:cc, but the last attempt was at main@sha1:aa."
        );
    }

    #[test]
    fn a_failing_source_is_named_in_the_explanation() {
        let mut source = git_repository("main@sha1:aa");
        source = source.edited(|value| value["status"]["conditions"] = json!([{"type": "Ready", "status": "False", "reason": "GitOperationFailed", "message": "authentication required"}]));
        let objects = [with_history("2026-11-26T07:55:00Z", "10m"), source];
        let apps = assess(&objects, Some(NOW));
        assert_eq!(apps[0].verdict, Verdict::InSync);
        assert!(
            apps[0].explanation.ends_with(
                "; its source GitRepository flux-system/fleet is not Ready: authentication required."
            ),
            "{}",
            apps[0].explanation
        );
    }

    #[test]
    fn a_helm_release_compares_its_chart_artifact_and_reads_its_deployed_chart() {
        let release = KubeObject::new(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "shop", "generation": 1},
            "spec": {"interval": "30m", "chart": {"spec": {"chart": "web", "sourceRef": {"kind": "HelmRepository", "name": "charts", "namespace": "flux-system"}}}},
            "status": {"observedGeneration": 1, "helmChart": "flux-system/shop-web",
                "lastAttemptedRevision": "1.2.0",
                "conditions": [{"type": "Ready", "status": "True", "reason": "UpgradeSucceeded", "message": "Helm upgrade succeeded"}],
                "history": [{"chartName": "web", "chartVersion": "1.2.0", "status": "deployed"}]}
        }));
        let chart = KubeObject::new(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart",
            "metadata": {"name": "shop-web", "namespace": "flux-system"},
            "status": {"artifact": {"revision": "1.3.0"}}
        }));
        let objects = [release, chart];
        let apps = assess(&objects, None);
        assert_eq!(apps[0].verdict, Verdict::Stale);
        assert_eq!(apps[0].revisions.source.as_deref(), Some("1.3.0"));
        assert_eq!(apps[0].revisions.applied.as_deref(), Some("1.2.0"));
    }

    #[test]
    fn inventory_ids_parse_as_the_spec_says() {
        assert_eq!(
            InventoryEntry::parse("default_podinfo__Service", "v1"),
            Some(InventoryEntry {
                namespace: Some("default".into()),
                name: "podinfo".into(),
                group: String::new(),
                kind: "Service".into(),
                version: "v1".into()
            })
        );
        let crd = InventoryEntry::parse(
            "_my-crd.example.com_apiextensions.k8s.io_CustomResourceDefinition",
            "v1",
        )
        .unwrap();
        assert_eq!((crd.namespace, crd.name.as_str()), (None, "my-crd.example.com"));
        assert_eq!(InventoryEntry::parse("a_b_c", "v1"), None);
        assert_eq!(InventoryEntry::parse("a_b_c_D_e", "v1"), None);
    }

    #[test]
    fn intervals_parse_as_go_durations() {
        assert_eq!(parse_interval("10m"), Some(600));
        assert_eq!(parse_interval("1m0s"), Some(60));
        assert_eq!(parse_interval("1h30m"), Some(5400));
        assert_eq!(parse_interval("5x"), None);
        assert_eq!(parse_interval(""), None);
    }

    fn application(status: &serde_json::Value) -> KubeObject {
        KubeObject::new(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "shop", "namespace": "argocd"},
            "spec": {"project": "shop", "source": {"repoURL": "https://git.example/apps", "path": "shop", "targetRevision": "main"}},
            "status": status
        }))
    }

    #[test]
    fn argo_out_of_sync_explains_which_resources_differ() {
        let object = application(&json!({
            "sync": {"status": "OutOfSync", "revision": "abc"}, "health": {"status": "Healthy"},
            "reconciledAt": "2026-11-26T07:58:00Z",
            "resources": [
                {"group": "apps", "kind": "Deployment", "namespace": "web", "name": "api", "status": "OutOfSync"},
                {"kind": "Service", "namespace": "web", "name": "api", "status": "OutOfSync"},
                {"kind": "ConfigMap", "namespace": "web", "name": "env", "status": "OutOfSync"},
                {"kind": "Secret", "namespace": "web", "name": "tls", "status": "Synced"}]
        }));
        let apps = assess(std::slice::from_ref(&object), Some(NOW));
        assert_eq!(apps[0].verdict, Verdict::OutOfSync);
        assert_eq!(
            apps[0].explanation,
            "Argo says OutOfSync, health Healthy because 3 resources differ: Deployment web/api, Service web/api, ConfigMap web/env."
        );
        assert_eq!(apps[0].resources.len(), 4);
        assert_eq!(apps[0].project.as_deref(), Some("shop"));
    }

    #[test]
    fn argo_failed_operation_is_failed_with_its_message() {
        let object = application(&json!({
            "sync": {"status": "OutOfSync"}, "health": {"status": "Healthy"},
            "operationState": {"phase": "Failed", "message": "one or more objects failed to apply",
                "startedAt": "2026-11-26T07:59:00Z", "finishedAt": "2026-11-26T07:59:04Z"}
        }));
        let apps = assess(std::slice::from_ref(&object), None);
        assert_eq!(apps[0].verdict, Verdict::Failed);
        assert_eq!(apps[0].operation.as_ref().unwrap().phase, "Failed");
        assert_eq!(
            apps[0].explanation,
            "Argo says the last sync Failed: one or more objects failed to apply."
        );
    }

    #[test]
    fn argo_degraded_is_failed_and_progressing_is_progressing() {
        let degraded = application(&json!({"sync": {"status": "Synced"},
            "health": {"status": "Degraded", "message": "Deployment web/api has 0 ready replicas"}}));
        let apps = assess(std::slice::from_ref(&degraded), None);
        assert_eq!(apps[0].verdict, Verdict::Failed);
        assert_eq!(
            apps[0].explanation,
            "Argo says Synced, health Degraded (Deployment web/api has 0 ready replicas)."
        );
        let progressing = application(
            &json!({"sync": {"status": "Synced"}, "health": {"status": "Progressing"}}),
        );
        assert_eq!(verdict_of(&[progressing]), Verdict::Progressing);
    }

    #[test]
    fn argo_compared_to_another_source_or_long_ago_is_stale() {
        let mut compared = application(&json!({
            "sync": {"status": "Synced", "comparedTo": {"source": {"repoURL": "https://git.example/apps", "path": "shop-old", "targetRevision": "main"}}},
            "health": {"status": "Healthy"}, "reconciledAt": "2026-11-26T07:59:00Z"
        }));
        assert_eq!(verdict_of(std::slice::from_ref(&compared)), Verdict::Stale);
        compared = compared.edited(|value| {
            value["status"]["sync"]["comparedTo"]["source"]["path"] = json!("shop");
        });
        assert_eq!(assess(std::slice::from_ref(&compared), Some(NOW))[0].verdict, Verdict::InSync);
        // Argo compares every 180 s by default: 9 minutes is the limit.
        compared = compared
            .edited(|value| value["status"]["reconciledAt"] = json!("2026-11-26T07:50:59Z"));
        let apps = assess(std::slice::from_ref(&compared), Some(NOW));
        assert_eq!(apps[0].verdict, Verdict::Stale);
        assert_eq!(
            apps[0].stale_reasons,
            ["last reconciled 9m ago (2026-11-26T07:50:59Z), more than 3 × its 3m interval"]
        );
    }

    #[test]
    fn application_sets_and_projects() {
        let set = |conditions: serde_json::Value| {
            KubeObject::new(json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
                "metadata": {"name": "services", "namespace": "argocd"},
                "status": {"conditions": conditions}
            }))
        };
        let failing = set(
            json!([{"type": "ErrorOccurred", "status": "True", "message": "git generator: repository not found"}]),
        );
        let fine = set(
            json!([{"type": "ErrorOccurred", "status": "False"}, {"type": "ResourcesUpToDate", "status": "True"}]),
        );
        assert_eq!(assess(std::slice::from_ref(&failing), None)[0].verdict, Verdict::Failed);
        assert_eq!(assess(std::slice::from_ref(&fine), None)[0].verdict, Verdict::InSync);
        assert!(gitops_apps(std::slice::from_ref(&fine)).is_empty(), "gitops_apps leaves sets out");
        let project =
            KubeObject::new(json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": {"name": "shop", "namespace": "argocd"}}));
        let objects = [project, application(&json!({})), fine];
        let projects = app_projects(&objects);
        assert_eq!(projects.len(), 1);
        assert_eq!(projects[0].used_by, ["shop"]);
    }
}
