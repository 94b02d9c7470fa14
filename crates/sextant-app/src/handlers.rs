//! One [`Handle`] implementation per protocol command. Each reads the active platform and
//! converts through [`crate::to_protocol`]; none does IO except switching sources.

use sextant_protocol::{
    CommandError, ErrorCode,
    drift::{DriftDiff, GetDriftDiff, GitOpsApps, ListGitOpsApps},
    gateway::{
        DiagnosticsPage, ExplainRoute, GetGraphNode, GetTrafficGraph, ListGatewayDiagnostics,
        ListRoutes, NodeDetails, RouteExplanation, RouteInventory, TrafficGraph, TrafficView,
    },
    overview::{GetOverview, GetViewStatus, Overview, ViewCluster, ViewStatus},
    policy::{ListPolicies, PolicyInventory},
    search::{Search, SearchResults},
    session::{GetSession, SelectSource, Session, SourceInfo, SourceKind},
    vault::{
        GetVaultAccess, GetVaultInventory, Reachers, VaultAccess, VaultInventory, WhoCanReach,
    },
    wasmcloud::{GetLattice, Lattice},
};

use std::sync::Arc;

use crate::{Cockpit, Handle, Source, to_protocol};

/// The session as the UI sees it.
pub(crate) fn session(cockpit: &Cockpit) -> Session {
    let live = cockpit.live_config();
    let mut details = Vec::new();
    if let Err(error) = &live.kubeconfig {
        details.push(error.clone());
    } else {
        let contexts = live.context_names().len();
        if contexts > 0 {
            details.push(format!("{contexts} kubeconfig context(s)"));
        }
    }
    if let Some(address) = &live.vault.address {
        details.push(format!("Vault {address}"));
    }
    if let Some(nats) = &live.nats {
        details.push(format!("NATS {}", nats.url));
    }
    let platform = cockpit.platform();
    let demo_name = if cockpit.source() == Source::Demo {
        platform.name.clone()
    } else {
        "Demo platform".to_owned()
    };
    Session {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        active: cockpit.source().id().to_owned(),
        sources: vec![
            SourceInfo {
                id: Source::Demo.id().to_owned(),
                label: format!("Demo: {demo_name}"),
                kind: SourceKind::Demo,
                detail: Some("built-in, read from files".to_owned()),
            },
            SourceInfo {
                id: Source::Live.id().to_owned(),
                label: "Live".to_owned(),
                kind: SourceKind::Live,
                detail: Some(if details.is_empty() {
                    "nothing configured: no kubeconfig context, VAULT_ADDR or NATS_URL".to_owned()
                } else {
                    details.join(", ")
                }),
            },
        ],
    }
}

impl Handle<GetSession> for Cockpit {
    async fn handle(&self, _request: GetSession) -> Result<Session, CommandError> {
        Ok(session(self))
    }
}

impl Handle<SelectSource> for Cockpit {
    async fn handle(&self, request: SelectSource) -> Result<Session, CommandError> {
        let source = match request.source.as_str() {
            "demo" => Source::Demo,
            "live" => Source::Live,
            other => {
                return Err(CommandError::new(
                    ErrorCode::NotFound,
                    format!("no source named {other:?}; choose demo or live"),
                ));
            }
        };
        self.switch(source).await;
        Ok(session(self))
    }
}

impl Handle<GetOverview> for Cockpit {
    async fn handle(&self, _request: GetOverview) -> Result<Overview, CommandError> {
        let (platform, derived) = self.platform_and_derived();
        Ok(derived.overview.get_or_init(|| to_protocol::overview(&platform)).clone())
    }
}

/// Whether `view` reads objects of `group` and `kind`: the kinds whose sync state, partial data
/// or missing permission the view must mention.
fn view_reads(view: sextant_protocol::ViewId, group: &str, kind: &str) -> bool {
    use sextant_protocol::ViewId;
    match view {
        ViewId::Overview => true,
        ViewId::Drift => matches!(
            group,
            "kustomize.toolkit.fluxcd.io"
                | "helm.toolkit.fluxcd.io"
                | "source.toolkit.fluxcd.io"
                | "argoproj.io"
        ),
        ViewId::Policies => matches!(
            group,
            "policies.kubewarden.io" | "kyverno.io" | "wgpolicyk8s.io" | "openreports.io"
        ),
        ViewId::Routes => {
            matches!(group, "gateway.networking.k8s.io" | "cert-manager.io")
                || (group.is_empty() && matches!(kind, "Service" | "Namespace"))
        }
        ViewId::Vault => {
            matches!(group, "apps" | "batch")
                || (group.is_empty() && matches!(kind, "ServiceAccount" | "Pod" | "Namespace"))
        }
        ViewId::Lattice => group == "runtime.wasmcloud.dev",
    }
}

impl Handle<GetViewStatus> for Cockpit {
    async fn handle(&self, request: GetViewStatus) -> Result<ViewStatus, CommandError> {
        if self.source() != Source::Live {
            return Ok(ViewStatus::default());
        }
        let platform = self.platform();
        let clusters = platform
            .clusters
            .iter()
            .map(|cluster| ViewCluster {
                name: cluster.name.clone(),
                state: to_protocol::cluster_state(cluster.state),
                message: cluster.message.clone(),
                kinds: cluster
                    .kinds
                    .iter()
                    .filter(|status| view_reads(request.view, &status.group, &status.kind))
                    .map(to_protocol::kind_row)
                    .collect(),
            })
            .collect();
        Ok(ViewStatus { live: true, clusters })
    }
}

impl Handle<ListGitOpsApps> for Cockpit {
    async fn handle(&self, request: ListGitOpsApps) -> Result<GitOpsApps, CommandError> {
        let platform = self.platform();
        // Recorded data (the demo) is judged as of its own moment; live data by the clock.
        let now = platform.as_of.or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .and_then(|elapsed| i64::try_from(elapsed.as_secs()).ok())
        });
        let mut fleet =
            to_protocol::gitops_fleet(platform.clusters_named(request.cluster.as_deref()), now);
        fleet.repositories =
            platform.repositories.iter().map(to_protocol::git_repository).collect();
        Ok(fleet)
    }
}

impl Handle<ListPolicies> for Cockpit {
    async fn handle(&self, request: ListPolicies) -> Result<PolicyInventory, CommandError> {
        let platform = self.platform();
        let mut inventory = PolicyInventory::default();
        for cluster in platform.clusters_named(request.cluster.as_deref()) {
            let found = sextant_domain::policy::policy_inventory(&cluster.objects);
            inventory.reports += found.reports;
            let totals = to_protocol::result_counts(found.totals);
            inventory.totals.pass += totals.pass;
            inventory.totals.fail += totals.fail;
            inventory.totals.warn += totals.warn;
            inventory.totals.error += totals.error;
            inventory.totals.skip += totals.skip;
            inventory.policies.extend(
                found.policies.iter().map(|entry| to_protocol::policy_row(&cluster.name, entry)),
            );
        }
        Ok(inventory)
    }
}

impl Handle<ListRoutes> for Cockpit {
    async fn handle(&self, request: ListRoutes) -> Result<RouteInventory, CommandError> {
        let platform = self.platform();
        let mut inventory = RouteInventory::default();
        for cluster in platform.clusters_named(request.cluster.as_deref()) {
            to_protocol::extend_route_inventory(&mut inventory, cluster);
        }
        Ok(inventory)
    }
}

/// The kinds a cluster snapshot holds no answer for, so that the Gateway analysis says
/// "unknown" rather than "absent": live reads never fetch TLS Secrets (only the metadata of
/// ServiceAccount token Secrets), and a kind the user may not list (anywhere, or in some
/// namespaces) is named by the snapshot's kind states.
fn unreadable_kinds(
    source: Source,
    cluster: &sextant_domain::platform::ClusterSnapshot,
) -> Vec<String> {
    let mut kinds = Vec::new();
    if source == Source::Live {
        kinds.push("Secret".to_owned());
    }
    for status in &cluster.kinds {
        if cluster.unreadable(&status.kind) && !kinds.contains(&status.kind) {
            kinds.push(status.kind.clone());
        }
    }
    kinds
}

/// What the traffic graph of `clusters` is made of: every object of the kinds it reads (Gateway
/// API, Services, EndpointSlices, Secrets, Certificates, Namespaces) by identity, version and
/// the shared allocation the caches keep until it changes, and the kinds that could not be
/// read. Pods come and go all the time on a live cluster; they do not change it.
fn traffic_fingerprint<'a>(
    source: Source,
    clusters: impl Iterator<Item = &'a sextant_domain::platform::ClusterSnapshot>,
) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    source.id().hash(&mut hasher);
    for cluster in clusters {
        cluster.name.hash(&mut hasher);
        unreadable_kinds(source, cluster).hash(&mut hasher);
        for object in &cluster.objects {
            let read = match object.group() {
                "gateway.networking.k8s.io" | "cert-manager.io" => true,
                "discovery.k8s.io" => object.kind() == "EndpointSlice",
                "" => matches!(object.kind(), "Service" | "Secret" | "Namespace"),
                _ => false,
            };
            if read {
                Arc::as_ptr(&object.0).hash(&mut hasher);
                object.kind().hash(&mut hasher);
                object.namespace().hash(&mut hasher);
                object.name().hash(&mut hasher);
                object.str_at("/metadata/resourceVersion").hash(&mut hasher);
            }
        }
    }
    hasher.finish()
}

impl Cockpit {
    /// The traffic graph of one cluster or every cluster, indexed. It is built once (off the
    /// async workers) and kept while the objects it is made of stay the same, across refreshes
    /// of the live platform that change only other kinds.
    async fn traffic_index(
        &self,
        cluster: Option<String>,
    ) -> Result<Arc<crate::gateway_view::TrafficIndex>, CommandError> {
        let platform = self.platform();
        let source = self.source();
        let fingerprint = traffic_fingerprint(source, platform.clusters_named(cluster.as_deref()));
        let cell = {
            let mut cached =
                self.inner.traffic.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match cached.get(&cluster) {
                Some((kept, cell)) if *kept == fingerprint => Arc::clone(cell),
                _ => {
                    let cell = crate::TrafficCell::default();
                    cached.insert(cluster.clone(), (fingerprint, Arc::clone(&cell)));
                    cell
                }
            }
        };
        let index = cell
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || {
                    let mut graph = TrafficGraph::default();
                    for cluster in platform.clusters_named(cluster.as_deref()) {
                        let unreadable = unreadable_kinds(source, cluster);
                        let unreadable: Vec<&str> = unreadable.iter().map(String::as_str).collect();
                        let found =
                            sextant_domain::gateway::traffic_graph(&cluster.objects, &unreadable);
                        to_protocol::extend_traffic_graph(&mut graph, &cluster.name, &found);
                    }
                    Arc::new(crate::gateway_view::TrafficIndex::new(graph))
                })
                .await
                .map_err(|error| {
                    CommandError::new(
                        ErrorCode::Internal,
                        format!("building the traffic graph failed: {error}"),
                    )
                })
            })
            .await?;
        Ok(Arc::clone(index))
    }
}

impl Handle<GetTrafficGraph> for Cockpit {
    async fn handle(&self, request: GetTrafficGraph) -> Result<TrafficView, CommandError> {
        Ok(self.traffic_index(request.cluster).await?.view(&request.view))
    }
}

impl Handle<GetGraphNode> for Cockpit {
    async fn handle(&self, request: GetGraphNode) -> Result<NodeDetails, CommandError> {
        let index = self.traffic_index(request.cluster).await?;
        let not_found = || {
            CommandError::new(
                ErrorCode::NotFound,
                format!("no node {} in the traffic graph: press Refresh", request.id),
            )
        };
        let (cluster_name, edges) = index.node_edges(&request.id).ok_or_else(not_found)?;
        // The details panel's facts are not indexed (they would double the index for one
        // node at a time): the node's own cluster is analysed again.
        let platform = self.platform();
        let cluster = platform.clusters_named(Some(cluster_name)).next().ok_or_else(not_found)?;
        let unreadable = unreadable_kinds(self.source(), cluster);
        let unreadable: Vec<&str> = unreadable.iter().map(String::as_str).collect();
        let found = sextant_domain::gateway::traffic_graph(&cluster.objects, &unreadable);
        let domain_id =
            request.id.strip_prefix(&format!("{cluster_name}|")).ok_or_else(not_found)?;
        let node = found.nodes.iter().find(|node| node.id == domain_id).ok_or_else(not_found)?;
        Ok(NodeDetails { node: to_protocol::graph_node(cluster_name, node), edges })
    }
}

impl Handle<ListGatewayDiagnostics> for Cockpit {
    async fn handle(
        &self,
        request: ListGatewayDiagnostics,
    ) -> Result<DiagnosticsPage, CommandError> {
        let index = self.traffic_index(request.cluster).await?;
        Ok(index.diagnostics(&request.query, request.offset, request.limit.min(1_000)))
    }
}

impl Handle<ExplainRoute> for Cockpit {
    async fn handle(&self, request: ExplainRoute) -> Result<RouteExplanation, CommandError> {
        let platform = self.platform();
        let Some(cluster) = platform.clusters_named(Some(&request.cluster)).next() else {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                format!("no cluster named {}", request.cluster),
            ));
        };
        let explained = to_protocol::domain_request(&request)?;
        let unreadable = unreadable_kinds(self.source(), cluster);
        let unreadable: Vec<&str> = unreadable.iter().map(String::as_str).collect();
        let table = sextant_domain::gateway::RouteTable::build(&cluster.objects, &unreadable);
        let answer = table.explain(&explained);
        let graph = sextant_domain::gateway::traffic_graph(&cluster.objects, &unreadable);
        let lit = sextant_domain::gateway::lit_path(&graph, &answer);
        Ok(to_protocol::route_explanation(&cluster.name, &answer, &lit))
    }
}

impl Handle<GetVaultInventory> for Cockpit {
    async fn handle(&self, _request: GetVaultInventory) -> Result<VaultInventory, CommandError> {
        Ok(self.platform().vault.as_ref().map(to_protocol::vault_inventory).unwrap_or_default())
    }
}

impl Handle<GetVaultAccess> for Cockpit {
    async fn handle(&self, request: GetVaultAccess) -> Result<VaultAccess, CommandError> {
        Ok(crate::vault_access::access(&self.platform(), &request))
    }
}

impl Handle<WhoCanReach> for Cockpit {
    async fn handle(&self, request: WhoCanReach) -> Result<Reachers, CommandError> {
        crate::vault_access::who_can_reach(&self.platform(), &request)
    }
}

impl Handle<GetLattice> for Cockpit {
    async fn handle(&self, _request: GetLattice) -> Result<Lattice, CommandError> {
        Ok(self.platform().lattice.as_ref().map(to_protocol::lattice).unwrap_or_default())
    }
}

impl Handle<Search> for Cockpit {
    async fn handle(&self, request: Search) -> Result<SearchResults, CommandError> {
        let (platform, derived) = self.platform_and_derived();
        let index =
            derived.search.get_or_init(|| sextant_domain::search::SearchIndex::build(&platform));
        let (hits, total) = index.search(&request.query, request.limit.unwrap_or(50).min(500));
        Ok(SearchResults { hits: hits.into_iter().map(to_protocol::search_hit).collect(), total })
    }
}

impl Handle<GetDriftDiff> for Cockpit {
    async fn handle(&self, request: GetDriftDiff) -> Result<DriftDiff, CommandError> {
        use sextant_domain::drift::{diff, ignore::IgnoreRules, schema_defaults::SchemaDefaults};
        if let Some(app) = &request.app {
            return self
                .app_drift_diff(app, &crate::drift_pipeline::PipelineOptions::default())
                .await;
        }
        if self.source() != Source::Demo {
            return Err(CommandError {
                code: ErrorCode::NotFound,
                message: "name an application (a Flux Kustomization or HelmRelease, or an Argo CD Application) to compare its desired state from Git with the cluster".to_owned(),
            });
        }
        let (desired, live) = sextant_adapters::demo::drift_pairs()
            .map_err(|message| CommandError { code: ErrorCode::Internal, message })?;
        let ignore = IgnoreRules::default();
        let schemas = SchemaDefaults::from_crds(&desired);
        let options = diff::DiffOptions {
            ignore: &ignore,
            schemas: &schemas,
            default_namespace: "default",
            controller: None,
        };
        Ok(to_protocol::drift_diff(&diff::diff_objects(&desired, &live, &options)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traffic_graph_is_kept_while_only_other_kinds_change() {
        use sextant_domain::{object::KubeObject, platform::ClusterSnapshot};
        let object = |kind: &str, name: &str, version: &str| {
            let api_version =
                if kind == "HTTPRoute" { "gateway.networking.k8s.io/v1" } else { "v1" };
            KubeObject::new(serde_json::json!({"apiVersion": api_version, "kind": kind,
                "metadata": {"name": name, "namespace": "shop", "resourceVersion": version}}))
        };
        let cluster = |objects: Vec<KubeObject>| ClusterSnapshot {
            name: "prod".to_owned(),
            objects,
            ..ClusterSnapshot::default()
        };
        let route = object("HTTPRoute", "web", "1");
        let service = object("Service", "web", "2");
        let before = cluster(vec![route.clone(), service.clone(), object("Pod", "web-1", "3")]);
        let fingerprint = |snapshot: &ClusterSnapshot| {
            super::traffic_fingerprint(Source::Live, std::iter::once(snapshot))
        };
        // A Pod replaced, another added: the same graph.
        let pods_changed = cluster(vec![
            route.clone(),
            service.clone(),
            object("Pod", "web-1", "4"),
            object("Pod", "web-2", "5"),
        ]);
        assert_eq!(fingerprint(&before), fingerprint(&pods_changed));
        // A Service updated, or a route added: another graph.
        let service_changed = cluster(vec![
            route.clone(),
            object("Service", "web", "6"),
            object("Pod", "web-1", "3"),
        ]);
        assert_ne!(fingerprint(&before), fingerprint(&service_changed));
        let route_added = cluster(vec![
            route,
            service,
            object("HTTPRoute", "api", "7"),
            object("Pod", "web-1", "3"),
        ]);
        assert_ne!(fingerprint(&before), fingerprint(&route_added));
    }

    #[tokio::test]
    async fn the_demo_graph_shows_rejected_edges_and_an_explained_path_lights_up() {
        let cockpit = Cockpit::start(Some(Source::Demo)).await;
        let graph = cockpit
            .handle(GetTrafficGraph {
                cluster: Some("prod-eu".to_owned()),
                view: sextant_protocol::gateway::GraphView::default(),
            })
            .await
            .unwrap();
        assert!(graph.collapsed.is_empty(), "the demo's 14 routes are drawn whole");
        let refused = graph
            .edges
            .iter()
            .find(|edge| edge.to == "prod-eu|HTTPRoute/checkout/checkout")
            .expect("the checkout route hangs from a listener");
        assert_eq!(refused.label.as_deref(), Some("NoMatchingListenerHostname"), "{refused:?}");
        assert!(graph.targets.iter().all(|target| target.cluster == "prod-eu"));
        let answer = cockpit
            .handle(ExplainRoute {
                cluster: "prod-eu".to_owned(),
                protocol: "HTTPS".to_owned(),
                gateway: "infra/public".to_owned(),
                port: 443,
                host: Some("api.northwind.example".to_owned()),
                path: Some("/search/items".to_owned()),
                ..ExplainRoute::default()
            })
            .await
            .unwrap();
        assert_eq!(answer.result, "routed", "{answer:?}");
        assert!(
            answer.lit.contains(&"prod-eu|HTTPRoute/search/search-api/rule/0".to_owned()),
            "the winning rule is on the lit path: {:?}",
            answer.lit
        );
        for id in &answer.lit {
            assert!(graph.nodes.iter().any(|node| &node.id == id), "{id} is a node of the graph");
        }
        // The view lights the path it is given, edges included.
        let lit = cockpit
            .handle(GetTrafficGraph {
                cluster: Some("prod-eu".to_owned()),
                view: sextant_protocol::gateway::GraphView {
                    lit: answer.lit.clone(),
                    ..Default::default()
                },
            })
            .await
            .unwrap();
        assert_eq!(lit.nodes.iter().filter(|node| node.lit).count(), answer.lit.len());
        assert!(lit.edges.iter().any(|edge| edge.lit && edge.to.ends_with("search-api/rule/0")));
        // The details panel gets the node in full, with its conditions and edges.
        let details = cockpit
            .handle(GetGraphNode {
                cluster: Some("prod-eu".to_owned()),
                id: "prod-eu|HTTPRoute/checkout/checkout".to_owned(),
            })
            .await
            .unwrap();
        assert_eq!(details.node.label, "checkout/checkout");
        assert!(!details.node.conditions.is_empty(), "a route has conditions per parent");
        assert!(
            details.edges.iter().any(|edge| edge.direction == "from"
                && edge.label.as_deref() == Some("NoMatchingListenerHostname")),
            "{:?}",
            details.edges
        );
        let missing = cockpit
            .handle(GetGraphNode { cluster: None, id: "prod-eu|nothing".to_owned() })
            .await
            .unwrap_err();
        assert_eq!(missing.code, ErrorCode::NotFound);
        // Diagnostics come in pages, narrowed on the backend.
        let page = cockpit
            .handle(ListGatewayDiagnostics {
                cluster: None,
                query: String::new(),
                offset: 0,
                limit: 2,
            })
            .await
            .unwrap();
        assert_eq!(page.rows.len(), 2);
        assert_eq!(page.total, page.matched);
        assert_eq!(page.rows[0].severity, "error", "errors first");
        let narrowed = cockpit
            .handle(ListGatewayDiagnostics {
                cluster: None,
                query: "CHECKOUT no_matching_listener".to_owned(),
                offset: 0,
                limit: 50,
            })
            .await
            .unwrap();
        assert_eq!(narrowed.matched, 1, "{narrowed:?}");
        assert_eq!(narrowed.rows[0].object, "HTTPRoute checkout/checkout");
        let refused = cockpit
            .handle(ExplainRoute { cluster: "nowhere".to_owned(), ..ExplainRoute::default() })
            .await
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::NotFound);
        let bad = cockpit
            .handle(ExplainRoute {
                cluster: "prod-eu".to_owned(),
                protocol: "QUIC".to_owned(),
                ..ExplainRoute::default()
            })
            .await
            .unwrap_err();
        assert_eq!(bad.code, ErrorCode::InvalidInput);
    }
}

/// The Git history of a path (a cache clone, fetched on each call, or the demo's own repository
/// when the demo is active and the URL names one of them) and, for GitHub repositories with a
/// token, its open pull requests and the revision's checks. Unlike the handlers above this one
/// does network IO: Git on a blocking thread, GitHub through its async client.
impl Handle<sextant_protocol::git::GetGitContext> for Cockpit {
    async fn handle(
        &self,
        request: sextant_protocol::git::GetGitContext,
    ) -> Result<sextant_protocol::git::GitContext, CommandError> {
        use sextant_adapters::{git::remote, github};
        use sextant_protocol::git::{GitCheck, GitChecks, GitCommit, GitContext, GitPullRequest};

        let demo_location = if self.source() == Source::Demo {
            let name = request.repository.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            let name = name.trim_end_matches(".git");
            self.platform()
                .repositories
                .iter()
                .find(|repository| repository.name == name)
                .map(|repository| repository.location.clone())
        } else {
            None
        };
        let is_demo = demo_location.is_some();
        let location = demo_location.unwrap_or_else(|| request.repository.clone());
        let path = request.path.clone();
        let wanted = request.revision.clone();
        let limit = request.limit.unwrap_or(20).clamp(1, 200);
        let read = tokio::task::spawn_blocking(move || {
            let synced = remote::sync(&location, &remote::default_cache_root(), &mut |_| {})?;
            let revision = match &wanted {
                Some(revision) => remote::resolve_revision(&synced.path, revision)?,
                None => synced.head.clone(),
            };
            let commits = remote::log_path(&synced.path, &revision, &path, limit)?;
            Ok::<_, remote::Error>((revision, commits))
        })
        .await
        .map_err(|error| CommandError { code: ErrorCode::Internal, message: error.to_string() })?;
        let (revision, commits) = read.map_err(|error| {
            let code = match &error {
                remote::Error::AuthenticationRequired { .. } => ErrorCode::Unauthenticated,
                remote::Error::InvalidUrl { .. } => ErrorCode::InvalidInput,
                remote::Error::Fetch { .. } => ErrorCode::Unreachable,
                remote::Error::RevisionNotFound { .. } | remote::Error::PathNotFound { .. } => {
                    ErrorCode::NotFound
                }
                remote::Error::Repository { .. }
                | remote::Error::Write { .. }
                | remote::Error::DestinationNotEmpty { .. } => ErrorCode::Internal,
            };
            CommandError { code, message: error.to_string() }
        })?;
        let mut context = GitContext {
            repository: remote::display_url(&request.repository),
            revision: revision.clone(),
            commits: commits
                .into_iter()
                .map(|commit| GitCommit {
                    id: commit.id,
                    author: commit.author,
                    time: commit.time,
                    summary: commit.summary,
                })
                .collect(),
            ..GitContext::default()
        };
        let repo = github::RepoRef::from_git_url(&request.repository).filter(|_| !is_demo);
        let Some(repo) = repo else {
            context.github_note = Some("not a GitHub repository URL".to_owned());
            return Ok(context);
        };
        let config = github::Config::from_process_environment(&repo.host);
        if config.token.is_none() {
            context.github_note = Some(format!(
                "no GitHub token for {}: set GITHUB_TOKEN or run gh auth login",
                repo.host
            ));
            return Ok(context);
        }
        let client = match github::GitHub::new(&config) {
            Ok(client) => client,
            Err(error) => {
                context.github_note = Some(error.to_string());
                return Ok(context);
            }
        };
        match client.pull_requests_touching(&repo, &request.path, 20).await {
            Ok(pulls) => {
                context.pull_requests = pulls
                    .into_iter()
                    .map(|pull| GitPullRequest {
                        number: pull.number,
                        title: pull.title,
                        author: pull.author,
                        url: pull.url,
                        draft: pull.draft,
                        files: pull.files,
                    })
                    .collect();
            }
            Err(error) => context.github_note = Some(error.to_string()),
        }
        match client.checks(&repo, &revision).await {
            Ok(checks) => {
                let statuses = checks.statuses.into_iter().map(|status| GitCheck {
                    name: status.context,
                    state: status.state,
                    url: status.target_url,
                });
                let runs = checks.check_runs.into_iter().map(|run| GitCheck {
                    name: run.name,
                    state: run.conclusion.unwrap_or(run.status),
                    url: run.html_url,
                });
                context.checks = Some(GitChecks {
                    combined_state: checks.combined_state,
                    items: statuses.chain(runs).collect(),
                });
            }
            Err(error) => context.github_note = Some(error.to_string()),
        }
        Ok(context)
    }
}

#[cfg(test)]
mod git_context_tests {
    use sextant_protocol::git::GetGitContext;

    use super::*;

    /// The demo's fleet repository answers for its URL: one commit (the demo's only one) touched
    /// `apps/base`, and there is no GitHub part.
    #[tokio::test]
    async fn the_demo_fleet_repository_has_a_history_for_a_path() {
        let cockpit = Cockpit::start(Some(Source::Demo)).await;
        let head = cockpit
            .platform()
            .repositories
            .iter()
            .find(|repository| repository.name == "northwind-fleet")
            .unwrap()
            .head
            .clone();
        let request = GetGitContext {
            repository: "https://git.northwind.example/platform/northwind-fleet.git".to_owned(),
            path: "apps/base".to_owned(),
            revision: None,
            limit: None,
        };
        let context = cockpit.handle(request.clone()).await.unwrap();
        assert_eq!(context.revision, head);
        assert_eq!(context.commits.len(), 1);
        assert_eq!(context.commits[0].id, head);
        assert_eq!(context.commits[0].author, "Northwind Platform Team");
        assert_eq!(context.github_note.as_deref(), Some("not a GitHub repository URL"));

        let missing = GetGitContext { revision: Some("v9.9.9".to_owned()), ..request };
        let error = cockpit.handle(missing).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::NotFound);
        assert!(error.message.contains("v9.9.9"), "{}", error.message);
    }
}

#[cfg(test)]
mod gitops_tests {
    use sextant_protocol::drift::Verdict;

    use super::*;

    /// Hand-counted from `assets/demo/clusters/`: prod-eu has 10 Kustomizations and 4
    /// HelmReleases, prod-us 10 Applications and 1 ApplicationSet, staging 12 Kustomizations and
    /// 4 HelmReleases. Judged as of the demo's `asOf` (2026-11-26T09:30:00Z).
    #[tokio::test]
    async fn the_demo_fleet_has_every_verdict_and_a_deep_tree_for_both_tools() {
        let cockpit = Cockpit::start(Some(Source::Demo)).await;
        let fleet = cockpit.handle(ListGitOpsApps::default()).await.unwrap();
        assert_eq!(fleet.apps.len(), 41);
        let count = |verdict| fleet.apps.iter().filter(|app| app.verdict == verdict).count();
        // In sync: prod-eu 12 (all but identity and payments), prod-us 7 (root, identity,
        // payments, platform-gateway, platform-policies, shop-services, catalog), staging 13.
        assert_eq!(count(Verdict::InSync), 32);
        assert_eq!(count(Verdict::OutOfSync), 2, "prod-us search and checkout");
        assert_eq!(count(Verdict::Failed), 2, "prod-us reporting, staging search");
        assert_eq!(count(Verdict::Progressing), 1, "prod-us loyalty");
        assert_eq!(count(Verdict::Stale), 2, "prod-eu payments, staging recommendations");
        assert_eq!(count(Verdict::Suspended), 1, "prod-eu identity");
        assert_eq!(count(Verdict::Unknown), 1, "staging analytics");
        let find = |cluster: &str, name: &str| {
            fleet
                .apps
                .iter()
                .find(|app| app.object.cluster == cluster && app.object.name == name)
                .unwrap()
        };
        let recommendations = find("staging", "recommendations");
        assert_eq!(
            recommendations.stale_reasons,
            [
                "the source offers main@sha1:e5363df0814cd336267da2d6c12b7e08b5917787, but the last attempt was at main@sha1:7ac3847bd02a39c10b4d3ba282486b19674ea75a"
            ]
        );
        assert_eq!(recommendations.parent.as_ref().unwrap().name, "flux-system");
        assert_eq!(
            recommendations.timeline.len(),
            5,
            "2 history entries with 2 times each, 1 condition"
        );
        let reporting = find("prod-us", "reporting");
        assert_eq!(
            reporting.explanation,
            "Argo says the last sync Failed: one or more objects failed to apply, reason: Deployment.apps \"reporting-api\" is invalid: spec.template.spec.containers[0].image: Required value (retried 2 times); 2 resource(s) out of sync: Deployment reporting/reporting-api, ConfigMap reporting/reporting-config; condition SyncError: Failed sync attempt to 48ff8904e88b974d011d5fd066119c1022cdfec0: one or more objects failed to apply (retried 2 times)."
        );
        // Argo CD writes a condition without a status: written means it holds.
        assert_eq!(reporting.conditions[0].status, "True");
        assert_eq!(reporting.timeline[0].title, "Sync Failed");
        assert_eq!(
            reporting.timeline[1].title, "SyncError",
            "same time, written after the operation"
        );
        let counts = reporting.sync_counts.unwrap();
        assert_eq!((counts.synced, counts.out_of_sync, counts.other), (1, 2, 0));
        // Depth 2 for both tools: flux-system → shop → storefront, root → shop-services → catalog.
        let depth_of = |cluster: &str, name: &str| {
            fleet
                .tree
                .iter()
                .find(|row| {
                    row.app.is_some_and(|app| {
                        fleet.apps[app].object.cluster == cluster
                            && fleet.apps[app].object.name == name
                    })
                })
                .unwrap()
                .depth
        };
        assert_eq!(depth_of("prod-eu", "storefront"), 2);
        assert_eq!(depth_of("prod-us", "catalog"), 2);
        let missing: Vec<&str> = fleet
            .tree
            .iter()
            .filter_map(|row| row.missing.as_ref().map(|object| object.name.as_str()))
            .collect();
        assert_eq!(missing, ["ml-features"]);
        assert_eq!(fleet.tree.len(), 42, "every app once, plus the missing child");
        let shop = fleet.projects.iter().find(|project| project.object.name == "shop").unwrap();
        assert_eq!(
            shop.used_by,
            ["catalog", "checkout", "identity", "loyalty", "payments", "reporting", "search"]
        );
    }
}
