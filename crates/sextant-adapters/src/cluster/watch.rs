//! Watched caches: one kube-runtime watcher per kind the views need, per cluster, feeding a
//! bounded store of our own.
//!
//! Why not kube's `reflector::Store`: the store must be bounded (a kind over its limit is held in
//! part and says by how much), and a relist must not show stale data as fresh. So the watcher's
//! `Init`/`InitApply`/`InitDone` are buffered and swapped in whole, while the old data stays
//! visible, marked [`KindPhase::Relisting`], until the new list is complete.
//!
//! Scope follows RBAC: a kind is watched cluster-wide when the user may list and watch it there;
//! otherwise in each namespace where they may (`SelfSubjectAccessReview`), and the namespaces
//! where they may not are named, so "you may not see Gateways in team-a" is told apart from
//! "there are no Gateways in team-a".

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use futures::{Stream, StreamExt as _, TryStreamExt as _};
use kube::{
    Client,
    api::{Api, DynamicObject, PartialObjectMeta},
    config::Kubeconfig,
    discovery::{ApiResource, Discovery, Scope},
    runtime::watcher,
};
use sextant_domain::{
    object::KubeObject,
    platform::{ApiStatus, ClusterSnapshot, ClusterState, KindPhase, KindStatus},
};
use tokio::{sync::watch as signal, task::JoinHandle};

use super::{
    Shape,
    access::{self, Access},
    classify, client_with_timeouts, keep, resource_for, shape,
};

/// Limits and scope of the caches. Bounded by default; every limit is configurable.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Objects held per kind per cluster; more are counted, not held, and the kind is partial.
    pub max_objects_per_kind: usize,
    /// Page size of the initial lists.
    pub page_size: u32,
    /// Watch only these namespaces (the user's choice); `None` means as wide as RBAC allows.
    pub namespaces: Option<Vec<String>>,
    /// The longest wait between reconnect attempts to an unreachable server.
    pub max_reconnect_delay: Duration,
    /// How long a request may take. Watches are renewed a little before it, so a quiet watch
    /// never times out, and a server that stops answering is noticed within it.
    pub request_timeout: Duration,
    /// How long a list may go without a page before it is abandoned and started again. It
    /// guards the initial sync against a server that keeps the connection open and says
    /// nothing (or trickles), which no socket timeout notices.
    pub list_stall_timeout: Duration,
}

impl Default for WatchOptions {
    fn default() -> WatchOptions {
        WatchOptions {
            max_objects_per_kind: 50_000,
            page_size: 500,
            namespaces: None,
            max_reconnect_delay: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            list_stall_timeout: Duration::from_secs(60),
        }
    }
}

impl WatchOptions {
    /// The defaults, overridden by `SEXTANT_MAX_OBJECTS_PER_KIND` and `SEXTANT_NAMESPACES`
    /// (comma-separated).
    #[must_use]
    pub fn from_env() -> WatchOptions {
        let mut options = WatchOptions::default();
        if let Some(limit) =
            std::env::var("SEXTANT_MAX_OBJECTS_PER_KIND").ok().and_then(|value| value.parse().ok())
        {
            options.max_objects_per_kind = limit;
        }
        if let Ok(namespaces) = std::env::var("SEXTANT_NAMESPACES") {
            let namespaces: Vec<String> = namespaces
                .split(',')
                .map(str::trim)
                .filter(|namespace| !namespace.is_empty())
                .map(str::to_owned)
                .collect();
            if !namespaces.is_empty() {
                options.namespaces = Some(namespaces);
            }
        }
        options
    }
}

/// The APIs the views know, by the name users call them.
const APIS: &[(&str, &str)] = &[
    ("Flux", "kustomize.toolkit.fluxcd.io"),
    ("Flux sources", "source.toolkit.fluxcd.io"),
    ("Flux Helm", "helm.toolkit.fluxcd.io"),
    ("Argo CD", "argoproj.io"),
    ("Gateway API", "gateway.networking.k8s.io"),
    ("Kubewarden", "policies.kubewarden.io"),
    ("Kyverno", "kyverno.io"),
    ("PolicyReport", "wgpolicyk8s.io"),
    ("OpenReports", "openreports.io"),
    ("wasmCloud v2", "runtime.wasmcloud.dev"),
    ("cert-manager", "cert-manager.io"),
];

/// One cluster's watched caches. Dropping it stops every watch.
pub struct ClusterWatch {
    shared: Arc<Shared>,
    connect: JoinHandle<()>,
}

impl Drop for ClusterWatch {
    fn drop(&mut self) {
        self.connect.abort();
        for task in lock(&self.shared.tasks).drain(..) {
            task.abort();
        }
    }
}

struct Shared {
    header: Mutex<Header>,
    caches: Mutex<Vec<Arc<KindCache>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    changed: signal::Sender<u64>,
    options: WatchOptions,
}

#[derive(Default)]
struct Header {
    name: String,
    state: ClusterState,
    version: Option<String>,
    message: Option<String>,
    apis: Vec<ApiStatus>,
    denied: Vec<KindStatus>,
    /// Objects read once rather than watched: legacy ServiceAccount token Secrets, metadata only.
    extra: Vec<KubeObject>,
}

/// The cache of one kind in one scope (the cluster, or one namespace).
struct KindCache {
    resource: ApiResource,
    namespace: Option<String>,
    inner: Mutex<KindInner>,
}

/// Objects by namespace and name.
type Objects = BTreeMap<(String, String), KubeObject>;

struct KindInner {
    phase: KindPhase,
    objects: Objects,
    dropped: usize,
    /// The list in progress, swapped in whole at `InitDone`.
    pending: Option<(Objects, usize)>,
    synced_at: Option<u64>,
    message: Option<String>,
}

impl ClusterWatch {
    /// Starts watching `context`: connects, discovers, checks access and starts one watcher per
    /// kind the views need. Returns at once; [`ClusterWatch::snapshot`] shows the progress.
    #[must_use]
    pub fn start(kubeconfig: &Kubeconfig, context: &str, options: WatchOptions) -> ClusterWatch {
        let (changed, _) = signal::channel(0);
        let shared = Arc::new(Shared {
            header: Mutex::new(Header {
                name: context.to_owned(),
                state: ClusterState::Connecting,
                ..Header::default()
            }),
            caches: Mutex::new(Vec::new()),
            tasks: Mutex::new(Vec::new()),
            changed,
            options,
        });
        let connect =
            tokio::spawn(connect(Arc::clone(&shared), kubeconfig.clone(), context.to_owned()));
        ClusterWatch { shared, connect }
    }

    /// A context that cannot be used (its kubeconfig entry is broken): shown, never connected.
    #[must_use]
    pub fn broken(context: &str, why: &str) -> ClusterWatch {
        let (changed, _) = signal::channel(0);
        let shared = Arc::new(Shared {
            header: Mutex::new(Header {
                name: context.to_owned(),
                state: ClusterState::Invalid,
                message: Some(why.to_owned()),
                ..Header::default()
            }),
            caches: Mutex::new(Vec::new()),
            tasks: Mutex::new(Vec::new()),
            changed,
            options: WatchOptions::default(),
        });
        ClusterWatch { shared, connect: tokio::spawn(async {}) }
    }

    /// A receiver that changes whenever the cache does.
    #[must_use]
    pub fn changes(&self) -> signal::Receiver<u64> {
        self.shared.changed.subscribe()
    }

    /// Whether the connection and every initial list have finished, one way or another.
    #[must_use]
    pub fn settled(&self) -> bool {
        let header = lock(&self.shared.header);
        if header.state == ClusterState::Connecting {
            return false;
        }
        drop(header);
        lock(&self.shared.caches).iter().all(|cache| lock(&cache.inner).phase != KindPhase::Listing)
    }

    /// Waits until [`ClusterWatch::settled`], or `timeout`.
    pub async fn wait_settled(&self, timeout: Duration) {
        let mut changes = self.changes();
        let _ = tokio::time::timeout(timeout, async {
            while !self.settled() {
                if changes.changed().await.is_err() {
                    return;
                }
            }
        })
        .await;
    }

    /// What the cache holds now, with the state of every kind.
    #[must_use]
    pub fn snapshot(&self) -> ClusterSnapshot {
        let header = lock(&self.shared.header);
        let mut snapshot = ClusterSnapshot {
            name: header.name.clone(),
            kubernetes_version: header.version.clone(),
            state: header.state,
            message: header.message.clone(),
            apis: header.apis.clone(),
            ..ClusterSnapshot::default()
        };
        snapshot.objects.extend(header.extra.iter().cloned());
        let mut kinds: Vec<KindStatus> = header.denied.clone();
        drop(header);
        for cache in lock(&self.shared.caches).iter() {
            let inner = lock(&cache.inner);
            snapshot.objects.extend(inner.objects.values().cloned());
            merge_status(&mut kinds, cache, &inner);
        }
        kinds.sort_by(|a, b| (&a.group, &a.kind).cmp(&(&b.group, &b.kind)));
        if snapshot.state == ClusterState::Ready {
            let listing = kinds.iter().filter(|kind| kind.phase == KindPhase::Listing).count();
            if listing > 0 {
                snapshot.state = ClusterState::Connecting;
                snapshot.message = Some(format!(
                    "initial sync: {} of {} kinds listed",
                    kinds.len() - listing,
                    kinds.len()
                ));
            } else if let Some(worst) =
                kinds.iter().find(|kind| kind.phase == KindPhase::Unauthenticated)
            {
                snapshot.state = ClusterState::Unauthenticated;
                snapshot.message = worst.message.clone();
            } else if kinds.iter().any(|kind| kind.phase == KindPhase::Reconnecting) {
                snapshot.state = ClusterState::Unreachable;
                snapshot.message = Some(
                    "the API server stopped answering; showing the data from before, reconnecting"
                        .to_owned(),
                );
            }
        }
        snapshot.kinds = kinds;
        snapshot
    }
}

fn merge_status(kinds: &mut Vec<KindStatus>, cache: &KindCache, inner: &KindInner) {
    let resource = &cache.resource;
    let position = kinds
        .iter()
        .position(|status| status.group == resource.group && status.kind == resource.kind);
    let index = position.unwrap_or_else(|| {
        kinds.push(KindStatus {
            group: resource.group.clone(),
            version: resource.version.clone(),
            kind: resource.kind.clone(),
            phase: inner.phase,
            objects: 0,
            dropped: 0,
            namespaces: Vec::new(),
            denied_namespaces: Vec::new(),
            synced_at: inner.synced_at,
            message: None,
        });
        kinds.len() - 1
    });
    let status = &mut kinds[index];
    status.objects += inner.objects.len();
    status.dropped += inner.dropped;
    if let Some(namespace) = &cache.namespace {
        status.namespaces.push(namespace.clone());
    }
    if severity(inner.phase) > severity(status.phase) {
        status.phase = inner.phase;
    }
    status.synced_at = match (status.synced_at, inner.synced_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => None,
    };
    if let Some(message) = &inner.message {
        status.message = Some(message.clone());
    }
}

fn severity(phase: KindPhase) -> u8 {
    match phase {
        KindPhase::Ready => 0,
        KindPhase::Relisting => 1,
        KindPhase::Listing => 2,
        KindPhase::Reconnecting => 3,
        KindPhase::Failed => 4,
        KindPhase::Forbidden => 5,
        KindPhase::Unauthenticated => 6,
    }
}

async fn connect(shared: Arc<Shared>, kubeconfig: Kubeconfig, context: String) {
    let timeout = shared.options.request_timeout;
    let client = match client_with_timeouts(
        &kubeconfig,
        &context,
        timeout.min(Duration::from_secs(5)),
        timeout,
    )
    .await
    {
        Ok(client) => client,
        Err(error) => {
            set_header(
                &shared,
                ClusterState::Invalid,
                Some(crate::secret::redact(&error.to_string())),
            );
            return;
        }
    };
    // The server may be down at start: retry with a growing delay, naming the failure meanwhile.
    let mut delay = Duration::from_millis(500);
    let version = loop {
        match client.apiserver_version().await {
            Ok(info) => break info.git_version,
            Err(error) => {
                let (state, message) = classify(&error);
                set_header(&shared, state, message);
                if matches!(state, ClusterState::Unauthenticated | ClusterState::Forbidden) {
                    return;
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(shared.options.max_reconnect_delay);
            }
        }
    };
    let discovery = match Discovery::new(client.clone()).run().await {
        Ok(discovery) => discovery,
        Err(error) => {
            let (state, message) = classify(&error);
            set_header(&shared, state, message);
            return;
        }
    };
    let (apis, resources) = wanted(&discovery);
    {
        let mut header = lock(&shared.header);
        header.version = Some(version);
        header.apis = apis;
    }
    let candidate_namespaces =
        candidate_namespaces(&client, &kubeconfig, &context, &shared.options).await;
    for (resource, namespaced) in resources {
        let scopes =
            plan_scopes(&client, &resource, namespaced, &shared.options, &candidate_namespaces)
                .await;
        match scopes {
            Plan::Watch(namespaces) => {
                for namespace in namespaces {
                    start_kind(&shared, &client, resource.clone(), namespace);
                }
            }
            Plan::Partly { allowed, denied } => {
                for namespace in allowed {
                    start_kind(&shared, &client, resource.clone(), Some(namespace));
                }
                let mut header = lock(&shared.header);
                header.denied.push(denied_status(&resource, denied, None));
            }
            Plan::Denied(reason) => {
                let mut header = lock(&shared.header);
                header.denied.push(denied_status(&resource, Vec::new(), Some(reason)));
            }
        }
    }
    // Legacy ServiceAccount token Secrets, for the Vault view's token dangers: listed once, as
    // metadata only, so no Secret value is ever read.
    if let Some(core) = discovery.groups().find(|group| group.name().is_empty())
        && let Some(secrets) = resource_for(core, &["v1"], "Secret")
    {
        match super::legacy_token_secrets(&client, &secrets).await {
            Ok(found) => lock(&shared.header).extra = found,
            Err(error) => {
                let (_, message) = classify(&error);
                let mut status = denied_status(&secrets, Vec::new(), message);
                "Secret (legacy ServiceAccount tokens, metadata only)".clone_into(&mut status.kind);
                lock(&shared.header).denied.push(status);
            }
        }
    }
    set_header(&shared, ClusterState::Ready, None);
}

/// The installed APIs Sextant knows of, and the resources of the kinds the views read, with
/// whether each is namespaced.
fn wanted(discovery: &Discovery) -> (Vec<ApiStatus>, Vec<(ApiResource, bool)>) {
    let mut apis = Vec::new();
    for (name, group_name) in APIS {
        let group = discovery.groups().find(|group| group.name() == *group_name);
        apis.push(ApiStatus {
            name: (*name).to_owned(),
            group: (*group_name).to_owned(),
            // The version the views read: the first the analyzers know that the group serves.
            version: group.map(|group| {
                let served = group.versions().collect::<Vec<_>>();
                super::WANTED
                    .iter()
                    .find(|(name, _, _)| name == group_name)
                    .and_then(|(_, known, _)| known.iter().find(|version| served.contains(version)))
                    .map_or_else(
                        || group.preferred_version_or_latest().to_owned(),
                        |version| (*version).to_owned(),
                    )
            }),
        });
    }
    let mut resources = Vec::new();
    for group in discovery.groups() {
        let Some((_, versions, kinds)) =
            super::WANTED.iter().find(|(name, _, _)| *name == group.name())
        else {
            continue;
        };
        for kind in *kinds {
            if let Some(resource) = resource_for(group, versions, kind) {
                let namespaced =
                    group.versioned_resources(&resource.version).iter().any(|(candidate, caps)| {
                        candidate.kind == *kind && caps.scope == Scope::Namespaced
                    });
                resources.push((resource, namespaced));
            }
        }
    }
    (apis, resources)
}

/// What a context offers and what its user may read there, found without watching anything.
#[derive(Debug, Clone)]
pub struct Survey {
    /// The server's version.
    pub version: String,
    /// The APIs Sextant reads, installed or not.
    pub apis: Vec<ApiStatus>,
    /// The kinds the user may not list and watch everywhere, with the namespaces denied and
    /// the permission to ask for.
    pub denied: Vec<KindStatus>,
}

/// Discovery and the access reviews of a watch, without the watch (`sextant doctor`).
///
/// # Errors
/// The cluster state the failure means, and the reason in words.
pub async fn survey(
    kubeconfig: &Kubeconfig,
    context: &str,
    options: &WatchOptions,
) -> Result<Survey, (ClusterState, Option<String>)> {
    let timeout = options.request_timeout;
    let client =
        client_with_timeouts(kubeconfig, context, timeout.min(Duration::from_secs(5)), timeout)
            .await
            .map_err(|error| {
                (ClusterState::Invalid, Some(crate::secret::redact(&error.to_string())))
            })?;
    let version = client.apiserver_version().await.map_err(|error| classify(&error))?.git_version;
    let discovery = Discovery::new(client.clone()).run().await.map_err(|error| classify(&error))?;
    let (apis, resources) = wanted(&discovery);
    let candidates = candidate_namespaces(&client, kubeconfig, context, options).await;
    let mut denied = Vec::new();
    for (resource, namespaced) in resources {
        match plan_scopes(&client, &resource, namespaced, options, &candidates).await {
            Plan::Watch(_) => {}
            Plan::Partly { denied: namespaces, .. } => {
                denied.push(denied_status(&resource, namespaces, None));
            }
            Plan::Denied(reason) => denied.push(denied_status(&resource, Vec::new(), Some(reason))),
        }
    }
    Ok(Survey { version, apis, denied })
}

fn denied_status(
    resource: &ApiResource,
    denied: Vec<String>,
    reason: Option<String>,
) -> KindStatus {
    let message = reason.unwrap_or_else(|| {
        format!(
            "you may not list {} ({}) in {}: ask for `list` and `watch` on {} there",
            resource.plural,
            display_group(&resource.group),
            denied.join(", "),
            resource.plural
        )
    });
    KindStatus {
        group: resource.group.clone(),
        version: resource.version.clone(),
        kind: resource.kind.clone(),
        phase: if denied.is_empty() { KindPhase::Forbidden } else { KindPhase::Ready },
        objects: 0,
        dropped: 0,
        namespaces: Vec::new(),
        denied_namespaces: denied,
        synced_at: None,
        message: Some(message),
    }
}

/// How users name an API group: the core group has no name of its own.
pub(super) fn display_group(group: &str) -> &str {
    if group.is_empty() { "core" } else { group }
}

enum Plan {
    /// Watch in these scopes (`None` = cluster-wide).
    Watch(Vec<Option<String>>),
    /// Watch in `allowed`; `denied` are named.
    Partly { allowed: Vec<String>, denied: Vec<String> },
    /// Nowhere.
    Denied(String),
}

/// The namespaces to try when a kind may not be listed cluster-wide: the user's choice, else
/// every namespace we may list, else the context's default namespace.
async fn candidate_namespaces(
    client: &Client,
    kubeconfig: &Kubeconfig,
    context: &str,
    options: &WatchOptions,
) -> Vec<String> {
    if let Some(namespaces) = &options.namespaces {
        return namespaces.clone();
    }
    let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    if let Ok(list) = api.list_metadata(&kube::api::ListParams::default()).await {
        return list.items.into_iter().filter_map(|item| item.metadata.name).collect();
    }
    let default = kubeconfig
        .contexts
        .iter()
        .find(|named| named.name == context)
        .and_then(|named| named.context.as_ref()?.namespace.clone())
        .unwrap_or_else(|| "default".to_owned());
    vec![default]
}

async fn plan_scopes(
    client: &Client,
    resource: &ApiResource,
    namespaced: bool,
    options: &WatchOptions,
    candidates: &[String],
) -> Plan {
    if namespaced && options.namespaces.is_some() {
        return namespaces_plan(client, resource, candidates).await;
    }
    match access::can_list_and_watch(client, resource, None).await {
        Access::Allowed | Access::Unknown => Plan::Watch(vec![None]),
        Access::Denied(reason) if namespaced => {
            match namespaces_plan(client, resource, candidates).await {
                Plan::Denied(_) => Plan::Denied(reason),
                plan => plan,
            }
        }
        Access::Denied(reason) => Plan::Denied(reason),
    }
}

async fn namespaces_plan(client: &Client, resource: &ApiResource, candidates: &[String]) -> Plan {
    let mut allowed = Vec::new();
    let mut denied = Vec::new();
    for namespace in candidates {
        match access::can_list_and_watch(client, resource, Some(namespace)).await {
            Access::Allowed | Access::Unknown => allowed.push(namespace.clone()),
            Access::Denied(_) => denied.push(namespace.clone()),
        }
    }
    match (allowed.is_empty(), denied.is_empty()) {
        (true, _) => Plan::Denied(format!(
            "you may not list {} ({}) in any namespace you can see: ask for `list` and `watch` on {}",
            resource.plural,
            display_group(&resource.group),
            resource.plural
        )),
        (false, true) => Plan::Watch(allowed.into_iter().map(Some).collect()),
        (false, false) => Plan::Partly { allowed, denied },
    }
}

fn start_kind(
    shared: &Arc<Shared>,
    client: &Client,
    resource: ApiResource,
    namespace: Option<String>,
) {
    let cache = Arc::new(KindCache {
        resource,
        namespace,
        inner: Mutex::new(KindInner {
            phase: KindPhase::Listing,
            objects: BTreeMap::new(),
            dropped: 0,
            pending: None,
            synced_at: None,
            message: None,
        }),
    });
    lock(&shared.caches).push(Arc::clone(&cache));
    let task = tokio::spawn(run_kind(Arc::clone(shared), client.clone(), cache));
    lock(&shared.tasks).push(task);
}

/// Follows one kind. kube's watcher resumes a broken watch silently, so a recovery could not be
/// told from a server still down; instead every failure ends the stream, and after a growing
/// delay a new watcher lists again. Until that list is complete the old data stays, marked as
/// not current ([`KindPhase::Relisting`] or [`KindPhase::Reconnecting`]).
async fn run_kind(shared: Arc<Shared>, client: Client, cache: Arc<KindCache>) {
    let shape = shape(&cache.resource.group, &cache.resource.kind);
    let renew =
        u32::try_from(shared.options.request_timeout.as_secs() * 5 / 6).unwrap_or(290).max(1);
    let config = watcher::Config::default().page_size(shared.options.page_size).timeout(renew);
    let limit = shared.options.max_objects_per_kind;
    let first_delay = Duration::from_millis(250);
    let mut delay = first_delay;
    loop {
        let mut events = events(&client, &cache, shape, config.clone());
        let mut listing = true;
        loop {
            let next = if listing {
                let stall = shared.options.list_stall_timeout;
                if let Ok(next) = tokio::time::timeout(stall, events.next()).await {
                    next
                } else {
                    let mut inner = lock(&cache.inner);
                    inner.pending = None;
                    inner.message = Some(format!(
                        "the list of {} sent nothing for {} s; listing again",
                        cache.resource.plural,
                        stall.as_secs()
                    ));
                    drop(inner);
                    tracing::debug!(kind = %cache.resource.kind, "list stalled");
                    shared.changed.send_modify(|generation| *generation += 1);
                    break;
                }
            } else {
                events.next().await
            };
            let Some(event) = next else { break };
            let failed = {
                let mut inner = lock(&cache.inner);
                match event {
                    Ok(event) => {
                        match event {
                            watcher::Event::Init => listing = true,
                            watcher::Event::InitDone => {
                                listing = false;
                                delay = first_delay;
                            }
                            _ => {}
                        }
                        apply(&mut inner, event, limit);
                        false
                    }
                    Err(error) => {
                        let (phase, message) = watch_failure(&error, &cache.resource);
                        tracing::debug!(kind = %cache.resource.kind, %message, "watch failed");
                        inner.phase = phase;
                        inner.message = Some(message);
                        inner.pending = None;
                        true
                    }
                }
            };
            shared.changed.send_modify(|generation| *generation += 1);
            if failed {
                break;
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(shared.options.max_reconnect_delay);
    }
}

type Events =
    std::pin::Pin<Box<dyn Stream<Item = watcher::Result<watcher::Event<KubeObject>>> + Send>>;

/// A new watcher of the cache's kind and scope, yielding the part of each object the cache
/// keeps. Metadata-only kinds are asked for as `PartialObjectMetadata`.
fn events(client: &Client, cache: &KindCache, shape: Shape, config: watcher::Config) -> Events {
    fn api<K>(client: &Client, cache: &KindCache) -> Api<K>
    where
        K: kube::Resource<DynamicType = ApiResource, Scope = kube::core::DynamicResourceScope>,
    {
        match &cache.namespace {
            Some(namespace) => Api::namespaced_with(client.clone(), namespace, &cache.resource),
            None => Api::all_with(client.clone(), &cache.resource),
        }
    }
    let resource = cache.resource.clone();
    if shape == Shape::Metadata {
        let api: Api<PartialObjectMeta<DynamicObject>> = api(client, cache);
        Box::pin(watcher(api, config).map_ok(move |event| {
            map_event(event, |object| {
                let value = serde_json::json!({
                    "metadata": serde_json::to_value(object.metadata).unwrap_or_default(),
                });
                keep(value, &resource, shape)
            })
        }))
    } else {
        let api: Api<DynamicObject> = api(client, cache);
        Box::pin(watcher(api, config).map_ok(move |event| {
            map_event(event, |object| {
                keep(serde_json::to_value(object).unwrap_or_default(), &resource, shape)
            })
        }))
    }
}

fn map_event<K>(
    event: watcher::Event<K>,
    mut f: impl FnMut(K) -> KubeObject,
) -> watcher::Event<KubeObject> {
    match event {
        watcher::Event::Init => watcher::Event::Init,
        watcher::Event::InitApply(object) => watcher::Event::InitApply(f(object)),
        watcher::Event::InitDone => watcher::Event::InitDone,
        watcher::Event::Apply(object) => watcher::Event::Apply(f(object)),
        watcher::Event::Delete(object) => watcher::Event::Delete(f(object)),
    }
}

fn apply(inner: &mut KindInner, event: watcher::Event<KubeObject>, limit: usize) {
    match event {
        watcher::Event::Init => {
            inner.pending = Some((BTreeMap::new(), 0));
            if inner.synced_at.is_some() && inner.phase == KindPhase::Ready {
                inner.phase = KindPhase::Relisting;
            }
        }
        watcher::Event::InitApply(object) => {
            if let Some((pending, dropped)) = &mut inner.pending {
                insert_bounded(pending, dropped, object, limit);
            }
        }
        watcher::Event::InitDone => {
            if let Some((pending, dropped)) = inner.pending.take() {
                inner.objects = pending;
                inner.dropped = dropped;
            }
            inner.phase = KindPhase::Ready;
            inner.synced_at = Some(now());
            inner.message = partial_message(inner.dropped, limit);
        }
        watcher::Event::Apply(object) => {
            let KindInner { objects, dropped, .. } = inner;
            insert_bounded(objects, dropped, object, limit);
            inner.synced_at = Some(now());
            inner.message = partial_message(inner.dropped, limit);
        }
        watcher::Event::Delete(object) => {
            inner.objects.remove(&key(&object));
            inner.synced_at = Some(now());
        }
    }
}

fn insert_bounded(objects: &mut Objects, dropped: &mut usize, object: KubeObject, limit: usize) {
    let key = key(&object);
    if objects.len() < limit || objects.contains_key(&key) {
        objects.insert(key, object);
    } else {
        *dropped += 1;
    }
}

fn partial_message(dropped: usize, limit: usize) -> Option<String> {
    (dropped > 0).then(|| {
        format!(
            "partial: {dropped} more objects than the limit of {limit} are not shown; raise SEXTANT_MAX_OBJECTS_PER_KIND or narrow SEXTANT_NAMESPACES"
        )
    })
}

fn key(object: &KubeObject) -> (String, String) {
    (object.namespace().unwrap_or_default().to_owned(), object.name().to_owned())
}

/// What a failed watch means to the user. A 410 Gone is routine: the watcher lists again.
fn watch_failure(error: &watcher::Error, resource: &ApiResource) -> (KindPhase, String) {
    let kube_error = match error {
        watcher::Error::WatchError(status) if status.code == 410 => {
            return (
                KindPhase::Relisting,
                "the watch expired (410 Gone); listing again, showing the data from before"
                    .to_owned(),
            );
        }
        watcher::Error::WatchError(status) => {
            return (KindPhase::Failed, crate::secret::redact(&status.message));
        }
        watcher::Error::NoResourceVersion => {
            return (
                KindPhase::Failed,
                "the server's list has no resourceVersion; it cannot be watched".to_owned(),
            );
        }
        watcher::Error::InitialListFailed(error)
        | watcher::Error::WatchStartFailed(error)
        | watcher::Error::WatchFailed(error) => error,
    };
    let (state, message) = classify(kube_error);
    let message = message.unwrap_or_default();
    match state {
        ClusterState::Forbidden => (
            KindPhase::Forbidden,
            format!(
                "you may not list {} ({}): ask for `list` and `watch` on {}",
                resource.plural,
                display_group(&resource.group),
                resource.plural
            ),
        ),
        ClusterState::Unauthenticated => (
            KindPhase::Unauthenticated,
            "the server rejected the credentials (expired or revoked): log in again, e.g. refresh your exec plugin's token".to_owned(),
        ),
        _ => (KindPhase::Reconnecting, format!("{message}; reconnecting")),
    }
}

fn set_header(shared: &Shared, state: ClusterState, message: Option<String>) {
    {
        let mut header = lock(&shared.header);
        header.state = state;
        header.message = message;
    }
    shared.changed.send_modify(|generation| *generation += 1);
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
