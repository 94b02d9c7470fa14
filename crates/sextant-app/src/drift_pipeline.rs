//! One application's drift diff (spec §4.1, levels L1 and L2): the desired state read from Git at
//! the revision the controller applied, rendered as the controller renders it, compared with the
//! live objects read on demand, by a server-side-apply dry-run when allowed and locally
//! ("estimated") otherwise.
//!
//! The steps, for a Flux Kustomization or HelmRelease or an Argo CD Application:
//! 1. the application object and its source are read from the cockpit's current snapshot;
//! 2. the source repository becomes a local repository, and the revision the controller applied
//!    (`…@sha1:<id>`, Argo's `sync.revision`) is exported to a temporary directory, falling back
//!    to the ref's head, which the answer then says;
//! 3. the export is rendered ([`sextant_adapters::render`]); `substituteFrom` ConfigMaps and
//!    Secrets are read from the cluster, and Secret values are masked everywhere in the answer;
//! 4. every desired object, and every object the controller's inventory lists, is read with a GET
//!    at the manifest's version, at most [`IN_FLIGHT`] at a time ([`LiveObjects`]);
//! 5. with `patch` allowed, each live object is dry-run applied under the controller's field
//!    manager, and the prediction decides the fields Git sets
//!    ([`sextant_domain::drift::diff::diff_objects_predicted`]).
//!
//! Sextant never applies: the only write it sends carries `dryRun=All`.

use std::path::{Path, PathBuf};

use futures::StreamExt as _;
use serde_json::Value;
use sextant_adapters::{
    drift_live::{DryRun, Fetched, KubeLive, LiveObjects, MemoryLive},
    git::remote,
    render::{self, Rendered, Tools},
};
use sextant_domain::json::Json;
use sextant_domain::{
    drift::{
        diff::{self, DiffOptions, LiveScopes, ObjectId},
        ignore::{IgnoreDifferences, IgnoreRules},
        schema_defaults::SchemaDefaults,
    },
    object::{Document, KubeObject},
    platform::Platform,
};
use sextant_protocol::{
    CommandError, ErrorCode, ObjectRef,
    drift::{DiffMode, DiffObjectId, DiffSource, DriftDiff, ObjectDiff, ObjectState},
};

use crate::{Cockpit, Source, to_protocol};

/// How many GETs or dry-runs are in flight at once (spec §4.7: 4–8).
pub const IN_FLIGHT: usize = 6;

/// Whether the diff may use a server-side-apply dry-run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DryRunPolicy {
    /// When a `SelfSubjectAccessReview` does not deny `patch` (the dry-run is tried when the
    /// server cannot say, and a refusal falls back to the estimated comparison).
    #[default]
    WhenAllowed,
    /// Never: compare locally ("estimated"), sending no PATCH at all.
    Never,
}

/// What the pipeline takes besides the application.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Whether to dry-run.
    pub dry_run: DryRunPolicy,
    /// `kubectl` and `helm`.
    pub tools: Tools,
    /// Where remote repositories are cached.
    pub cache: PathBuf,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            dry_run: DryRunPolicy::WhenAllowed,
            tools: Tools::from_env(),
            cache: dirs_cache().join("sextant/git"),
        }
    }
}

fn dirs_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
}

/// Which tool and how to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AppKind {
    FluxKustomization,
    FluxHelmRelease,
    ArgoApplication,
}

/// What the application says about its desired state.
struct Plan {
    kind: AppKind,
    /// The controller's field manager.
    manager: &'static str,
    repository: String,
    /// The branch, tag or commit the source follows.
    git_ref: Option<String>,
    /// The commit the controller applied.
    applied: Option<String>,
    /// The path in the repository (the chart for a HelmRelease).
    path: String,
    default_namespace: String,
    /// Objects the controller says it manages: (group, version, kind, namespace, name).
    inventory: Vec<ObjectId>,
    ignore: Vec<IgnoreDifferences>,
    problems: Vec<String>,
}

fn bad(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::InvalidInput, message)
}

/// The commit id of a Flux revision (`main@sha1:<id>`, or `main/<id>` before Flux 2.0).
fn flux_commit(revision: &str) -> Option<String> {
    if let Some((_, id)) = revision.split_once("@sha1:") {
        return Some(id.to_owned());
    }
    let (_, id) = revision.rsplit_once('/')?;
    (id.len() == 40 && id.chars().all(|c| c.is_ascii_hexdigit())).then(|| id.to_owned())
}

fn plan(app: &KubeObject, cluster_objects: &[KubeObject]) -> Result<Plan, CommandError> {
    let label = format!("{} {}/{}", app.kind(), app.namespace().unwrap_or_default(), app.name());
    let kind = match (app.group(), app.kind()) {
        ("kustomize.toolkit.fluxcd.io", "Kustomization") => AppKind::FluxKustomization,
        ("helm.toolkit.fluxcd.io", "HelmRelease") => AppKind::FluxHelmRelease,
        ("argoproj.io", "Application") => AppKind::ArgoApplication,
        _ => {
            return Err(bad(format!(
                "{label} is not a Flux Kustomization or HelmRelease, nor an Argo CD Application"
            )));
        }
    };
    let mut problems = Vec::new();
    if kind == AppKind::ArgoApplication {
        let source = app
            .at("/spec/source")
            .or_else(|| app.array_at("/spec/sources").first())
            .ok_or_else(|| bad(format!("{label} has no spec.source")))?;
        if app.array_at("/spec/sources").len() > 1 {
            problems
                .push("a multi-source Application: only its first source is rendered".to_owned());
        }
        let text = |key: &str| source.get(key).and_then(Json::as_str).map(str::to_owned);
        if let Some(chart) = text("chart") {
            return Err(bad(format!(
                "{label} installs chart {chart} from a Helm repository; Sextant renders desired state from Git sources only"
            )));
        }
        let repository =
            text("repoURL").ok_or_else(|| bad(format!("{label} has no spec.source.repoURL")))?;
        let inventory = app
            .array_at("/status/resources")
            .iter()
            .filter_map(|resource| {
                let text = |key: &str| {
                    resource.get(key).and_then(Json::as_str).unwrap_or_default().to_owned()
                };
                Some(ObjectId {
                    group: text("group"),
                    version: text("version"),
                    kind: resource.get("kind")?.as_str()?.to_owned(),
                    namespace: Some(text("namespace")).filter(|namespace| !namespace.is_empty()),
                    name: resource.get("name")?.as_str()?.to_owned(),
                })
            })
            .collect();
        let ignore = app
            .array_at("/spec/ignoreDifferences")
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| match serde_json::from_value(rule.to_value()) {
                Ok(rule) => Some(rule),
                Err(error) => {
                    problems.push(format!(
                        "spec.ignoreDifferences[{index}] is not understood: {error}"
                    ));
                    None
                }
            })
            .collect();
        return Ok(Plan {
            kind,
            manager: "argocd-controller",
            repository,
            git_ref: text("targetRevision").filter(|revision| revision != "HEAD"),
            applied: app.str_at("/status/sync/revision").map(str::to_owned),
            path: text("path").unwrap_or_default(),
            default_namespace: app
                .str_at("/spec/destination/namespace")
                .unwrap_or("default")
                .to_owned(),
            inventory,
            ignore,
            problems,
        });
    }
    if kind == AppKind::FluxHelmRelease
        && app.at("/spec/chart").is_none()
        && let Some(chart_ref) = app.at("/spec/chartRef")
    {
        let text = |key: &str| chart_ref.get(key).and_then(Json::as_str).unwrap_or_default();
        return Err(bad(format!(
            "{label} reads its chart from {} {} (chartRef); Sextant renders desired state from GitRepository sources only",
            text("kind"),
            text("name")
        )));
    }
    let source_ref = if kind == AppKind::FluxHelmRelease {
        "/spec/chart/spec/sourceRef"
    } else {
        "/spec/sourceRef"
    };
    let source_kind = app.str_at(&format!("{source_ref}/kind")).unwrap_or("GitRepository");
    if source_kind != "GitRepository" {
        return Err(bad(format!(
            "{label} reads a {source_kind}; Sextant renders desired state from GitRepository sources only"
        )));
    }
    let source_name = app
        .str_at(&format!("{source_ref}/name"))
        .ok_or_else(|| bad(format!("{label} has no {source_ref}/name")))?;
    let source_namespace = app
        .str_at(&format!("{source_ref}/namespace"))
        .or_else(|| app.namespace())
        .unwrap_or("default");
    let source = cluster_objects
        .iter()
        .find(|object| {
            object.group() == "source.toolkit.fluxcd.io"
                && object.kind() == "GitRepository"
                && object.name() == source_name
                && object.namespace() == Some(source_namespace)
        })
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotFound,
                format!("{label} reads GitRepository {source_namespace}/{source_name}, which is not in the cluster"),
            )
        })?;
    let repository = source
        .str_at("/spec/url")
        .ok_or_else(|| {
            bad(format!("GitRepository {source_namespace}/{source_name} has no spec.url"))
        })?
        .to_owned();
    let git_ref = ["commit", "tag", "branch", "name"]
        .iter()
        .find_map(|key| source.str_at(&format!("/spec/ref/{key}")))
        .map(str::to_owned);
    let applied = if kind == AppKind::FluxHelmRelease {
        // A HelmRelease's revision is the chart's; the Git commit is the source's artifact.
        source.str_at("/status/artifact/revision").and_then(flux_commit)
    } else {
        app.str_at("/status/lastAppliedRevision").and_then(flux_commit)
    };
    let path = if kind == AppKind::FluxHelmRelease {
        app.str_at("/spec/chart/spec/chart").unwrap_or_default().to_owned()
    } else {
        app.str_at("/spec/path").unwrap_or("./").to_owned()
    };
    let default_namespace = app
        .str_at("/spec/targetNamespace")
        .or(if kind == AppKind::FluxHelmRelease { app.namespace() } else { None })
        .unwrap_or("default")
        .to_owned();
    let inventory = app
        .array_at("/status/inventory/entries")
        .iter()
        .filter_map(|entry| {
            let id = entry.get("id")?.as_str()?;
            let mut parts = id.split('_');
            let (namespace, name, group, kind) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            Some(ObjectId {
                group: group.to_owned(),
                version: entry.get("v").and_then(Json::as_str).unwrap_or_default().to_owned(),
                kind: kind.to_owned(),
                namespace: Some(namespace.to_owned()).filter(|namespace| !namespace.is_empty()),
                name: name.to_owned(),
            })
        })
        .collect();
    let manager =
        if kind == AppKind::FluxHelmRelease { "helm-controller" } else { "kustomize-controller" };
    let ignore_field = if kind == AppKind::FluxHelmRelease {
        "/spec/driftDetection/ignore"
    } else {
        "/spec/ignore"
    };
    let ignore = flux_ignore_rules(app.array_at(ignore_field), ignore_field, &mut problems);
    Ok(Plan {
        kind,
        manager,
        repository,
        git_ref,
        applied,
        path,
        default_namespace,
        inventory,
        ignore,
        problems,
    })
}

/// Flux's ignore rules (Kustomization `spec.ignore`, HelmRelease `spec.driftDetection.ignore`:
/// JSON Pointer `paths` with an optional `target`) in the Argo shape the diff takes.
fn flux_ignore_rules(
    rules: &[Json],
    field: &str,
    problems: &mut Vec<String>,
) -> Vec<IgnoreDifferences> {
    rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let target = rule.get("target");
            let text = |key: &str| {
                target.and_then(|target| target.get(key)).and_then(Json::as_str).map(str::to_owned)
            };
            if text("labelSelector").is_some() || text("annotationSelector").is_some() {
                problems.push(format!(
                    "{field}[{index}]: a label or annotation selector is not applied; the rule covers every object its kind, name and namespace match"
                ));
            }
            IgnoreDifferences {
                group: text("group"),
                kind: text("kind"),
                name: text("name"),
                namespace: text("namespace"),
                json_pointers: rule
                    .get("paths")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .map(str::to_owned)
                    .collect(),
                ..IgnoreDifferences::default()
            }
        })
        .collect()
}

/// The checkout of the plan's revision: the directory, the commit, and a note when it is not
/// the applied one.
struct Checkout {
    directory: tempfile::TempDir,
    commit: Option<String>,
    note: Option<String>,
}

/// A revision's tree, written by gix into a new temporary directory.
fn export(repository: &Path, revision: &str) -> Result<(tempfile::TempDir, String), String> {
    let directory = tempfile::tempdir()
        .map_err(|error| format!("cannot create a temporary directory: {error}"))?;
    let commit = remote::export_tree(repository, revision, "", directory.path())
        .map_err(|error| error.to_string())?;
    Ok((directory, commit))
}

fn checkout(repository: &Path, plan: &Plan) -> Result<Checkout, String> {
    let mut tried = Vec::new();
    if let Some(applied) = &plan.applied {
        match export(repository, applied) {
            Ok((directory, commit)) => {
                return Ok(Checkout { directory, commit: Some(commit), note: None });
            }
            Err(error) => tried.push(error),
        }
    }
    let candidates: Vec<String> = match &plan.git_ref {
        Some(git_ref) => {
            vec![format!("refs/heads/{git_ref}"), format!("refs/tags/{git_ref}"), git_ref.clone()]
        }
        None => vec!["HEAD".to_owned()],
    };
    for candidate in &candidates {
        if let Ok((directory, commit)) = export(repository, candidate) {
            let shown = plan.git_ref.as_deref().unwrap_or("HEAD");
            let note = match &plan.applied {
                Some(applied) => format!(
                    "the applied revision {applied} is not in the repository; rendered {shown}'s head ({commit}) instead"
                ),
                None => format!(
                    "the controller reports no applied revision; rendered {shown}'s head ({commit})"
                ),
            };
            return Ok(Checkout { directory, commit: Some(commit), note: Some(note) });
        }
    }
    tried.push(format!("none of {} is in {}", candidates.join(", "), repository.display()));
    Err(tried.join("; "))
}

fn is_chart(directory: &Path) -> bool {
    directory.join("Chart.yaml").exists()
}

fn is_kustomization(directory: &Path) -> bool {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .any(|name| directory.join(name).exists())
}

/// Renders the checkout as the controller would: the objects, the Secret values to mask, and
/// the renderer's name.
fn render_app(
    tools: &Tools,
    app: &KubeObject,
    plan: &Plan,
    root: &Path,
    substitution_sources: &[KubeObject],
) -> Result<(Rendered, &'static str), String> {
    let directory = root.join(plan.path.trim_start_matches("./"));
    match plan.kind {
        AppKind::FluxKustomization => {
            render::flux_kustomization(tools, app, root, substitution_sources)
                .map(|rendered| (rendered, "flux kustomization"))
                .map_err(|error| error.to_string())
        }
        AppKind::FluxHelmRelease => render::flux_helm_release(tools, app, &directory)
            .map(|objects| (Rendered { objects, secret_values: Vec::new() }, "helm"))
            .map_err(|error| error.to_string()),
        AppKind::ArgoApplication => {
            let source = app.at("/spec/source").or_else(|| app.array_at("/spec/sources").first());
            let helm = source.and_then(|source| source.get("helm"));
            if helm.is_some() || is_chart(&directory) {
                let release = helm
                    .and_then(|helm| helm.get("releaseName"))
                    .and_then(Json::as_str)
                    .unwrap_or_else(|| app.name());
                let mut values = helm
                    .and_then(|helm| helm.get("valuesObject"))
                    .map_or_else(|| Value::Object(serde_json::Map::new()), Json::to_value);
                if let Some(text) = helm.and_then(|helm| helm.get("values")).and_then(Json::as_str)
                    && let Ok(Value::Object(inline)) = serde_norway::from_str::<Value>(text)
                    && let Some(values) = values.as_object_mut()
                {
                    for (key, value) in inline {
                        values.entry(key).or_insert(value);
                    }
                }
                render::helm_template(tools, &directory, release, &plan.default_namespace, &values)
                    .map(|objects| (Rendered { objects, secret_values: Vec::new() }, "helm"))
                    .map_err(|error| error.to_string())
            } else if is_kustomization(&directory) {
                render::kustomize(tools, &directory)
                    .map(|objects| (Rendered { objects, secret_values: Vec::new() }, "kustomize"))
                    .map_err(|error| error.to_string())
            } else {
                render::plain(&directory)
                    .map(|objects| (Rendered { objects, secret_values: Vec::new() }, "plain"))
                    .map_err(|error| error.to_string())
            }
        }
    }
}

/// The labels and annotations the controller adds to what it applies (spec §1.4, §2.1, §3.2), so
/// that they are not reported as fields only live.
fn add_controller_metadata(
    app: &KubeObject,
    plan: &Plan,
    desired: &mut Document,
    live: Option<&Document>,
) {
    let set = |object: &mut Document, section: &str, key: &str, value: &str| {
        let Some(metadata) = object.value_mut().get_mut("metadata").and_then(Value::as_object_mut)
        else {
            return;
        };
        let entry =
            metadata.entry(section).or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Some(map) = entry.as_object_mut() {
            map.entry(key.to_owned()).or_insert_with(|| Value::String(value.to_owned()));
        }
    };
    let namespace = app.namespace().unwrap_or("default").to_owned();
    match plan.kind {
        AppKind::FluxKustomization => {
            set(desired, "labels", "kustomize.toolkit.fluxcd.io/name", app.name());
            set(desired, "labels", "kustomize.toolkit.fluxcd.io/namespace", &namespace);
        }
        AppKind::FluxHelmRelease => {
            set(desired, "labels", "helm.toolkit.fluxcd.io/name", app.name());
            set(desired, "labels", "helm.toolkit.fluxcd.io/namespace", &namespace);
            set(desired, "labels", "app.kubernetes.io/managed-by", "Helm");
            let release = app.str_at("/spec/releaseName").unwrap_or_else(|| app.name()).to_owned();
            set(desired, "annotations", "meta.helm.sh/release-name", &release);
            set(desired, "annotations", "meta.helm.sh/release-namespace", &plan.default_namespace);
        }
        AppKind::ArgoApplication => {
            // Argo CD 3 tracks by annotation; older installs by the instance label. Added only
            // when the live object uses it, since the tracking method is Argo's configuration.
            let live_has = |key: &str| {
                live.and_then(|live| live.at("/metadata/annotations"))
                    .and_then(|annotations| annotations.get(key))
                    .is_some()
            };
            if live_has("argocd.argoproj.io/tracking-id") {
                let group = desired.group().to_owned();
                let kind = desired.kind().to_owned();
                let name = desired.name().to_owned();
                let object_namespace =
                    desired.namespace().unwrap_or(&plan.default_namespace).to_owned();
                let value = format!("{}:{group}/{kind}:{object_namespace}/{name}", app.name());
                set(desired, "annotations", "argocd.argoproj.io/tracking-id", &value);
            }
        }
    }
}

/// Replaces every occurrence of a Secret value in `text`.
fn mask_text(text: &str, secrets: &[String]) -> String {
    let mut masked = text.to_owned();
    for secret in secrets {
        if !secret.is_empty() {
            masked = masked.replace(secret.as_str(), "[redacted]");
        }
    }
    masked
}

fn mask_value(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(text)
            if secrets
                .iter()
                .any(|secret| !secret.is_empty() && text.contains(secret.as_str())) =>
        {
            *text = mask_text(text, secrets);
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mask_value(item, secrets)),
        Value::Object(map) => map.values_mut().for_each(|item| mask_value(item, secrets)),
        _ => {}
    }
}

/// Whether objects of `group` may be custom resources (the built-in API groups are not).
fn is_custom_group(group: &str) -> bool {
    const BUILT_IN: &[&str] = &[
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "rbac.authorization.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
    ];
    group.contains('.') && !BUILT_IN.contains(&group)
}

fn wire_id(id: &ObjectId) -> DiffObjectId {
    DiffObjectId {
        group: id.group.clone(),
        version: id.version.clone(),
        kind: id.kind.clone(),
        namespace: id.namespace.clone(),
        name: id.name.clone(),
    }
}

fn same_object(left: &ObjectId, right: &ObjectId) -> bool {
    left.group == right.group
        && left.kind == right.kind
        && left.namespace == right.namespace
        && left.name == right.name
}

impl Cockpit {
    /// The drift diff of one application (a Flux Kustomization or HelmRelease, or an Argo CD
    /// Application) of the active source.
    ///
    /// # Errors
    /// `NotFound` when the cluster or the application is not there, `InvalidInput` when the
    /// object is not an application Sextant can render, `Unreachable` when the cluster cannot be
    /// reached. A render failure is not an error: it is in the answer's `source.render_error`.
    pub async fn app_drift_diff(
        &self,
        app_ref: &ObjectRef,
        options: &PipelineOptions,
    ) -> Result<DriftDiff, CommandError> {
        let platform = self.platform();
        let cluster =
            platform.clusters.iter().find(|cluster| cluster.name == app_ref.cluster).ok_or_else(
                || {
                    CommandError::new(
                        ErrorCode::NotFound,
                        format!("no cluster named {}", app_ref.cluster),
                    )
                },
            )?;
        let app = cluster
            .objects
            .iter()
            .find(|object| {
                object.kind() == app_ref.kind
                    && object.name() == app_ref.name
                    && object.namespace() == app_ref.namespace.as_deref()
                    && matches!(
                        object.group(),
                        "kustomize.toolkit.fluxcd.io" | "helm.toolkit.fluxcd.io" | "argoproj.io"
                    )
            })
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::NotFound,
                    format!(
                        "no {} {} in cluster {}",
                        app_ref.kind,
                        app_ref.display_name(),
                        app_ref.cluster
                    ),
                )
            })?
            .clone();
        let plan = plan(&app, &cluster.objects)?;
        match self.source() {
            Source::Demo => {
                let live = MemoryLive::new(cluster.objects.clone());
                let repository = demo_repository(&platform, &plan.repository)?;
                Ok(run(&live, &app, plan, &repository, options, true).await)
            }
            Source::Live => {
                let kubeconfig = match &self.live_config().kubeconfig {
                    Ok(Some(kubeconfig)) => kubeconfig.clone(),
                    Ok(None) => {
                        return Err(CommandError::new(
                            ErrorCode::NotFound,
                            "no kubeconfig is configured",
                        ));
                    }
                    Err(error) => {
                        return Err(CommandError::new(ErrorCode::InvalidInput, error.clone()));
                    }
                };
                let live = KubeLive::connect(&kubeconfig, &cluster.name)
                    .await
                    .map_err(|message| CommandError::new(ErrorCode::Unreachable, message))?;
                let url = plan.repository.clone();
                let cache = options.cache.clone();
                let cockpit = self.clone();
                let synced = tokio::task::spawn_blocking(move || {
                    let mut reporter = ProgressReporter::new(&cockpit, &url);
                    let synced =
                        remote::sync(&url, &cache, &mut |progress| reporter.report(progress))
                            .map_err(|error| error.to_string());
                    reporter.finish();
                    synced
                })
                .await
                .map_err(|error| CommandError::new(ErrorCode::Internal, error.to_string()))?;
                match synced {
                    Ok(synced) => Ok(run(&live, &app, plan, &synced.path, options, false).await),
                    Err(message) => Ok(source_failure(&plan, message)),
                }
            }
        }
    }
}

/// Tells the UI how a clone or fetch is going: when its stage changes, and otherwise at most
/// every 100 ms, so that a fast transfer does not flood the event channel.
struct ProgressReporter<'c> {
    cockpit: &'c Cockpit,
    repository: String,
    last: Option<(String, std::time::Instant)>,
    latest: sextant_protocol::git::GitProgress,
}

impl<'c> ProgressReporter<'c> {
    fn new(cockpit: &'c Cockpit, url: &str) -> Self {
        ProgressReporter {
            cockpit,
            repository: remote::display_url(url),
            last: None,
            latest: sextant_protocol::git::GitProgress::default(),
        }
    }

    fn report(&mut self, progress: remote::Progress) {
        tracing::debug!(stage = %progress.stage, done = progress.done, "git");
        let due = self.last.as_ref().is_none_or(|(stage, at)| {
            *stage != progress.stage || at.elapsed() >= std::time::Duration::from_millis(100)
        });
        self.latest = sextant_protocol::git::GitProgress {
            repository: self.repository.clone(),
            stage: progress.stage,
            done: progress.done,
            total: progress.total,
            finished: false,
        };
        if due {
            self.last = Some((self.latest.stage.clone(), std::time::Instant::now()));
            self.cockpit.emit(&self.latest);
        }
    }

    fn finish(mut self) {
        self.latest.repository.clone_from(&self.repository);
        self.latest.finished = true;
        self.cockpit.emit(&self.latest);
    }
}

/// The demo's repository for a URL: the one named like the URL's last segment.
fn demo_repository(platform: &Platform, url: &str) -> Result<PathBuf, CommandError> {
    let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url).trim_end_matches(".git");
    platform
        .repositories
        .iter()
        .find(|repository| repository.name == name)
        .map(|repository| PathBuf::from(&repository.location))
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotFound,
                format!("the demo has no repository named {name} (for {url})"),
            )
        })
}

fn source_failure(plan: &Plan, message: String) -> DriftDiff {
    DriftDiff {
        mode: DiffMode::Estimated,
        problems: plan.problems.clone(),
        source: Some(DiffSource {
            repository: remote::display_url(&plan.repository),
            path: plan.path.clone(),
            revision: None,
            revision_note: None,
            renderer: String::new(),
            engine: "not compared".to_owned(),
            render_error: Some(message),
        }),
        ..DriftDiff::default()
    }
}

async fn run<L: LiveObjects>(
    live: &L,
    app: &KubeObject,
    plan: Plan,
    repository: &Path,
    options: &PipelineOptions,
    demo: bool,
) -> DriftDiff {
    let repository_owned = repository.to_owned();
    let plan_for_checkout = Plan {
        inventory: Vec::new(),
        ignore: Vec::new(),
        problems: Vec::new(),
        ..plan_clone(&plan)
    };
    let checked_out =
        tokio::task::spawn_blocking(move || checkout(&repository_owned, &plan_for_checkout))
            .await
            .unwrap_or_else(|error| Err(error.to_string()));
    let checkout = match checked_out {
        Ok(checkout) => checkout,
        Err(message) => return source_failure(&plan, message),
    };
    // substituteFrom sources, read from the cluster on demand.
    let mut substitution_sources = Vec::new();
    for source in app.array_at("/spec/postBuild/substituteFrom") {
        let text =
            |key: &str| source.get(key).and_then(Json::as_str).unwrap_or_default().to_owned();
        let id = ObjectId {
            group: String::new(),
            version: "v1".to_owned(),
            kind: text("kind"),
            namespace: Some(app.namespace().unwrap_or("default").to_owned()),
            name: text("name"),
        };
        if let Ok(Fetched::Found { object, .. }) = live.get(&id).await {
            substitution_sources.push(object.to_object());
        }
    }
    // The values of the Secrets read for substitution, to mask even in a render error.
    let source_secrets: Vec<String> = substitution_sources
        .iter()
        .filter(|object| object.kind() == "Secret")
        .flat_map(|secret| {
            secret
                .at("/data")
                .and_then(Json::as_object)
                .into_iter()
                .flat_map(sextant_domain::json::Map::values)
                .filter_map(|value| {
                    sextant_domain::drift::normalize::decode_secret_value(&value.to_value())
                })
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .filter(|value| !value.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    for secret in &source_secrets {
        sextant_adapters::secret::register(secret);
    }
    let tools = options.tools.clone();
    let app_owned = app.clone();
    let root = checkout.directory.path().to_owned();
    let plan_for_render = plan_clone(&plan);
    let render_result = tokio::task::spawn_blocking(move || {
        render_app(&tools, &app_owned, &plan_for_render, &root, &substitution_sources)
    })
    .await
    .unwrap_or_else(|error| Err(error.to_string()));
    let mut source = DiffSource {
        repository: remote::display_url(&plan.repository),
        path: plan.path.clone(),
        revision: checkout.commit.clone(),
        revision_note: checkout.note.clone(),
        renderer: String::new(),
        engine: String::new(),
        render_error: None,
    };
    let (rendered, renderer_name) = match render_result {
        Ok(rendered) => rendered,
        Err(message) => {
            source.render_error = Some(mask_text(&message, &source_secrets));
            "not compared: the render failed".clone_into(&mut source.engine);
            return DriftDiff {
                problems: plan.problems.clone(),
                source: Some(source),
                ..DriftDiff::default()
            };
        }
    };
    source.renderer = renderer_name.to_owned();
    for secret in &rendered.secret_values {
        sextant_adapters::secret::register(secret);
    }
    let mut secrets = rendered.secret_values;
    secrets.extend(source_secrets);
    let mut desired = rendered.objects;
    let mut diff = compare(live, app, &plan, &mut desired, options, demo, &mut source).await;
    // Secret values used for substitution never leave: not in values, not in messages.
    for object in &mut diff.objects {
        for field in &mut object.fields {
            for value in
                [&mut field.desired, &mut field.live, &mut field.last_applied].into_iter().flatten()
            {
                mask_value(value, &secrets);
            }
            field.reason = mask_text(&field.reason, &secrets);
        }
    }
    diff.problems = diff.problems.iter().map(|problem| mask_text(problem, &secrets)).collect();
    source.render_error = source.render_error.map(|error| mask_text(&error, &secrets));
    diff.source = Some(source);
    drop(checkout);
    diff
}

fn plan_clone(plan: &Plan) -> Plan {
    Plan {
        kind: plan.kind,
        manager: plan.manager,
        repository: plan.repository.clone(),
        git_ref: plan.git_ref.clone(),
        applied: plan.applied.clone(),
        path: plan.path.clone(),
        default_namespace: plan.default_namespace.clone(),
        inventory: plan.inventory.clone(),
        ignore: plan.ignore.clone(),
        problems: plan.problems.clone(),
    }
}

/// Reads the live side, dry-runs when allowed, and compares.
async fn compare<L: LiveObjects>(
    live: &L,
    app: &KubeObject,
    plan: &Plan,
    desired: &mut [Document],
    options: &PipelineOptions,
    demo: bool,
    source: &mut DiffSource,
) -> DriftDiff {
    let ignore = IgnoreRules::new(plan.ignore.clone());
    // Custom resources get their CRD's schema defaults: from CRDs among the desired objects,
    // else read from the cluster.
    let mut custom_kinds: Vec<(String, String)> = desired
        .iter()
        .filter(|object| is_custom_group(object.group()))
        .filter(|object| {
            !desired.iter().any(|crd| {
                crd.is("apiextensions.k8s.io", "CustomResourceDefinition")
                    && crd.str_at("/spec/group") == Some(object.group())
                    && crd.str_at("/spec/names/kind") == Some(object.kind())
            })
        })
        .map(|object| (object.group().to_owned(), object.kind().to_owned()))
        .collect();
    custom_kinds.sort();
    custom_kinds.dedup();
    let mut lookups = Vec::new();
    for (group, kind) in custom_kinds {
        lookups.push(async move { live.crd(&group, &kind).await });
    }
    let cluster_crds: Vec<Document> = futures::stream::iter(lookups)
        .buffer_unordered(IN_FLIGHT)
        .filter_map(|found| async move { found })
        .collect()
        .await;
    let schemas = SchemaDefaults::from_crds(desired.iter().chain(&cluster_crds));
    let diff_options = DiffOptions {
        ignore: &ignore,
        schemas: &schemas,
        default_namespace: &plan.default_namespace,
        // Argo CD writes as `argocd-controller` (server-side apply) or
        // `argocd-application-controller` (client-side): any GitOps manager counts for it.
        controller: (plan.kind != AppKind::ArgoApplication).then_some(plan.manager),
    };
    let scopes = LiveScopes::default();
    let desired_ids: Vec<ObjectId> =
        desired.iter().map(|object| diff::identity(object, &scopes, &diff_options)).collect();
    let extra_ids: Vec<ObjectId> = plan
        .inventory
        .iter()
        .filter(|id| !desired_ids.iter().any(|desired_id| same_object(desired_id, id)))
        .cloned()
        .collect();
    let all_ids: Vec<&ObjectId> = desired_ids.iter().chain(&extra_ids).collect();
    let mut reads = Vec::new();
    for (index, id) in all_ids.iter().enumerate() {
        let id: ObjectId = (*id).clone();
        reads.push(async move { (index, live.get(&id).await) });
    }
    let fetched: Vec<(usize, Result<Fetched, String>)> =
        futures::stream::iter(reads).buffer_unordered(IN_FLIGHT).collect().await;
    let mut by_index: Vec<Option<Result<Fetched, String>>> =
        (0..all_ids.len()).map(|_| None).collect();
    for (index, result) in fetched {
        by_index[index] = Some(result);
    }
    let mut problems = plan.problems.clone();
    let mut unknown: Vec<(ObjectId, String)> = Vec::new();
    let mut notes: Vec<(ObjectId, String)> = Vec::new();
    let mut live_objects = Vec::new();
    let mut live_of_desired: Vec<Option<usize>> = vec![None; desired.len()];
    for (index, result) in by_index.into_iter().enumerate() {
        let id = all_ids[index];
        match result {
            Some(Ok(Fetched::Found { object, note })) => {
                if let Some(note) = note {
                    notes.push((id.clone(), note));
                }
                if index < desired.len() {
                    live_of_desired[index] = Some(live_objects.len());
                }
                live_objects.push(object);
            }
            Some(Ok(Fetched::Missing)) | None => {}
            Some(Ok(Fetched::Forbidden(message) | Fetched::UnknownKind(message))) => {
                unknown.push((id.clone(), message));
            }
            Some(Err(message)) => unknown.push((id.clone(), message)),
        }
    }
    for (index, object) in desired.iter_mut().enumerate() {
        let live_object = live_of_desired[index].map(|live_index| &live_objects[live_index]);
        add_controller_metadata(app, plan, object, live_object);
    }
    // The dry-runs, for objects that exist live.
    let mut predicted: Vec<Option<Document>> = vec![None; desired.len()];
    let mut failures: Vec<(ObjectId, DryRun)> = Vec::new();
    let mut unavailable = Vec::new();
    let mut dry_run_count = 0;
    if options.dry_run == DryRunPolicy::WhenAllowed && !demo {
        let candidates: Vec<usize> = (0..desired.len())
            .filter(|index| live_of_desired[*index].is_some())
            .filter(|index| !unknown.iter().any(|(id, _)| same_object(id, &desired_ids[*index])))
            .collect();
        let manager = plan.manager;
        let mut runs = Vec::new();
        for index in candidates {
            let id = desired_ids[index].clone();
            let object = desired[index].clone();
            runs.push(async move { (index, live.dry_run_apply(&id, &object, manager).await) });
        }
        let answers: Vec<(usize, DryRun)> =
            futures::stream::iter(runs).buffer_unordered(IN_FLIGHT).collect().await;
        for (index, answer) in answers {
            dry_run_count += 1;
            match answer {
                DryRun::Predicted(object) => predicted[index] = Some(object),
                DryRun::Unavailable(message) => unavailable.push(message),
                other => failures.push((desired_ids[index].clone(), other)),
            }
        }
    }
    let predictions = predicted.iter().filter(|prediction| prediction.is_some()).count();
    let (mode, engine) = if predictions > 0 && unavailable.is_empty() {
        (DiffMode::ServerDryRun, format!("server-side-apply dry-run as {}", plan.manager))
    } else {
        let why = if demo {
            "the demo platform has no API server".to_owned()
        } else if options.dry_run == DryRunPolicy::Never {
            "dry-run not requested".to_owned()
        } else if dry_run_count == 0 {
            "no live object to dry-run".to_owned()
        } else {
            unavailable.first().cloned().unwrap_or_else(|| "no dry-run answered".to_owned())
        };
        if predictions > 0 {
            problems.push(format!(
                "{} of {dry_run_count} objects were compared locally: {why}",
                dry_run_count - predictions
            ));
        }
        (DiffMode::Estimated, format!("estimated locally ({why})"))
    };
    source.engine = engine;
    // Objects that could not be read are left out of the comparison and reported as unknown.
    let keep: Vec<usize> = (0..desired.len())
        .filter(|index| !unknown.iter().any(|(id, _)| same_object(id, &desired_ids[*index])))
        .collect();
    let compared_desired: Vec<Document> =
        keep.iter().map(|index| desired[*index].clone()).collect();
    let compared_predicted: Vec<Option<Document>> =
        keep.iter().map(|index| predicted[*index].clone()).collect();
    let report = diff::diff_objects_predicted(
        &compared_desired,
        &compared_predicted,
        &live_objects,
        &diff_options,
    );
    let mut wire = to_protocol::drift_diff(&report);
    wire.mode = mode;
    wire.problems.splice(0..0, problems);
    for object in &mut wire.objects {
        let id = ObjectId {
            group: object.id.group.clone(),
            version: object.id.version.clone(),
            kind: object.id.kind.clone(),
            namespace: object.id.namespace.clone(),
            name: object.id.name.clone(),
        };
        if let Some((_, note)) = notes.iter().find(|(noted, _)| same_object(noted, &id)) {
            object.note = Some(note.clone());
        }
        if let Some((_, failure)) = failures.iter().find(|(failed, _)| same_object(failed, &id)) {
            match failure {
                DryRun::WouldFail(message) => {
                    object.would_fail = Some(format!("would fail to apply: {message}"));
                }
                DryRun::RequiresRecreate(message) => {
                    object.requires_recreate = true;
                    object.would_fail = Some(format!("requires recreate: {message}"));
                }
                DryRun::Predicted(_) | DryRun::Unavailable(_) => {}
            }
        }
    }
    for (id, message) in unknown {
        wire.objects.push(ObjectDiff {
            id: wire_id(&id),
            state: ObjectState::Unknown,
            fields: Vec::new(),
            note: Some(message),
            would_fail: None,
            requires_recreate: false,
        });
        wire.summary.unknown += 1;
    }
    wire
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flux_revisions_name_their_commit() {
        assert_eq!(
            flux_commit("main@sha1:e5363df0814cd336267da2d6c12b7e08b5917787").as_deref(),
            Some("e5363df0814cd336267da2d6c12b7e08b5917787")
        );
        assert_eq!(
            flux_commit("main/e5363df0814cd336267da2d6c12b7e08b5917787").as_deref(),
            Some("e5363df0814cd336267da2d6c12b7e08b5917787")
        );
        assert_eq!(flux_commit("1.8.0+e5363df0814c"), None);
    }

    #[test]
    fn flux_ignore_rules_become_json_pointer_rules() {
        let kustomization = KubeObject::new(serde_json::json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "spec": {"path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "fleet"},
                "ignore": [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment", "name": "web"}},
                           {"paths": ["/metadata/annotations"], "target": {"labelSelector": "team=a"}}]}
        }));
        let source = KubeObject::new(serde_json::json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "fleet", "namespace": "flux-system"},
            "spec": {"url": "file:///fleet", "ref": {"branch": "main"}}
        }));
        let plan = plan(&kustomization, &[source]).unwrap();
        assert_eq!(plan.ignore[0].kind.as_deref(), Some("Deployment"));
        assert_eq!(plan.ignore[0].name.as_deref(), Some("web"));
        assert_eq!(plan.ignore[0].json_pointers, ["/spec/replicas"]);
        assert_eq!(plan.problems.len(), 1, "{:?}", plan.problems);
        assert_eq!(
            (plan.repository.as_str(), plan.git_ref.as_deref()),
            ("file:///fleet", Some("main"))
        );
    }

    #[test]
    fn secret_values_are_masked_inside_strings() {
        let secrets = vec!["hunter2-registry-token".to_owned()];
        let mut value = serde_json::json!({"env": [{"value": "Bearer hunter2-registry-token"}]});
        mask_value(&mut value, &secrets);
        assert_eq!(value, serde_json::json!({"env": [{"value": "Bearer [redacted]"}]}));
    }
}

#[cfg(test)]
mod demo_tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use sextant_protocol::{
        ErrorCode, ObjectRef,
        drift::{DiffMode, DriftDiff, FieldClass, GetDriftDiff, ObjectState},
    };

    use crate::{Cockpit, Handle as _, Source};

    async fn demo_diff(
        cockpit: &Cockpit,
        cluster: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> DriftDiff {
        let app = ObjectRef {
            cluster: cluster.to_owned(),
            kind: kind.to_owned(),
            namespace: Some(namespace.to_owned()),
            name: name.to_owned(),
        };
        cockpit.handle(GetDriftDiff { app: Some(app) }).await.unwrap()
    }

    fn drift_fields(
        diff: &DriftDiff,
        kind: &str,
        name: &str,
    ) -> Vec<(String, FieldClass, Option<String>)> {
        let object = diff
            .objects
            .iter()
            .find(|object| object.id.kind == kind && object.id.name == name)
            .unwrap();
        object
            .fields
            .iter()
            .map(|field| (field.path.clone(), field.class, field.manager.clone()))
            .collect()
    }

    #[tokio::test]
    async fn every_demo_application_answers_with_its_own_diff() {
        let cockpit = Cockpit::start(Some(Source::Demo)).await;
        let platform = cockpit.platform();
        let mut answered = 0;
        for cluster in &platform.clusters {
            for app in sextant_domain::drift::gitops_apps(&cluster.objects) {
                let app_ref = ObjectRef {
                    cluster: cluster.name.clone(),
                    kind: app.object.kind().to_owned(),
                    namespace: app.object.namespace().map(str::to_owned),
                    name: app.object.name().to_owned(),
                };
                match cockpit.handle(GetDriftDiff { app: Some(app_ref.clone()) }).await {
                    Ok(diff) => {
                        answered += 1;
                        assert_eq!(diff.mode, DiffMode::Estimated, "{app_ref:?}");
                        let source = diff.source.unwrap();
                        // The demo's repositories are rebuilt from files, so the controllers'
                        // applied commits are not in them: the answer says so.
                        assert!(source.revision_note.is_some(), "{app_ref:?}");
                        assert!(
                            source.render_error.is_some()
                                || source.engine.starts_with("estimated locally"),
                            "{app_ref:?}: {source:?}"
                        );
                    }
                    // HelmReleases whose chart comes from a Helm or OCI repository.
                    Err(error) => {
                        assert_eq!(error.code, ErrorCode::InvalidInput, "{app_ref:?}: {error}");
                    }
                }
            }
        }
        assert!(answered >= 20, "{answered} applications answered");
    }

    #[tokio::test]
    async fn the_demo_shows_each_kind_of_drift_and_hides_false_drift() {
        let cockpit = Cockpit::start(Some(Source::Demo)).await;
        // Flux, prod-eu: replicas changed by kubectl edit; the HTTPRoutes, whose live copies
        // carry the Gateway API's defaults, are in sync.
        let catalog =
            demo_diff(&cockpit, "prod-eu", "Kustomization", "flux-system", "catalog").await;
        assert_eq!(
            drift_fields(&catalog, "Deployment", "catalog-api"),
            [("/spec/replicas".to_owned(), FieldClass::Drift, Some("kubectl-edit".to_owned()))]
        );
        for route in catalog.objects.iter().filter(|object| object.id.kind == "HTTPRoute") {
            assert_eq!(route.state, ObjectState::InSync, "{route:?}");
        }
        // An additive env var and a changed image, both by kubectl edit.
        let search = demo_diff(&cockpit, "prod-eu", "Kustomization", "flux-system", "search").await;
        assert_eq!(
            drift_fields(&search, "Deployment", "search-api"),
            [
                (
                    "/spec/template/spec/containers/0/env".to_owned(),
                    FieldClass::Drift,
                    Some("kubectl-edit".to_owned())
                ),
                (
                    "/spec/template/spec/containers/0/image".to_owned(),
                    FieldClass::Drift,
                    Some("kubectl-edit".to_owned())
                ),
            ]
        );
        // A stale apply: kustomize-controller still owns the image it applied, so that is the
        // last-applied value.
        let payments =
            demo_diff(&cockpit, "prod-eu", "Kustomization", "flux-system", "payments").await;
        let deployment = payments
            .objects
            .iter()
            .find(|object| object.id.name == "payments-api" && object.id.kind == "Deployment")
            .unwrap();
        let image = &deployment.fields[0];
        assert_eq!(image.manager.as_deref(), Some("kustomize-controller"));
        assert_eq!(image.last_applied, image.live);
        assert!(image.last_applied.is_some());
        // A field only in Git, and an object only live (Flux's bootstrap).
        let bootstrap =
            demo_diff(&cockpit, "prod-eu", "Kustomization", "flux-system", "flux-system").await;
        assert_eq!(bootstrap.summary.not_in_git, 1);
        assert!(
            bootstrap.objects.iter().any(|object| object
                .fields
                .iter()
                .any(|field| field.reason == "in Git, absent live"))
        );
        // A controller's change is an expected mutation (flux suspend).
        assert!(bootstrap.objects.iter().any(|object| {
            object.fields.iter().any(|field| field.class == FieldClass::ExpectedMutation)
        }));
        // Argo CD, prod-us: a ConfigMap value changed by kubectl edit.
        let checkout = demo_diff(&cockpit, "prod-us", "Application", "argocd", "checkout").await;
        assert_eq!(
            drift_fields(&checkout, "ConfigMap", "checkout-config"),
            [(
                "/data/PAYMENT_TIMEOUT_MS".to_owned(),
                FieldClass::Drift,
                Some("kubectl-edit".to_owned())
            )]
        );
        // A quota whose quantities the server spelled canonically is in sync, and an object
        // added in Git after the last sync is missing live.
        let quota =
            checkout.objects.iter().find(|object| object.id.kind == "ResourceQuota").unwrap();
        assert_eq!((quota.state, quota.fields.len()), (ObjectState::InSync, 0), "{quota:?}");
        let budget =
            checkout.objects.iter().find(|object| object.id.kind == "PodDisruptionBudget").unwrap();
        assert_eq!(budget.state, ObjectState::MissingLive);
    }
}
