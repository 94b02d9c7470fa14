//! Domain results to protocol DTOs. Free functions, because the orphan rule forbids
//! `impl From<domain::X> for protocol::Y` here, and because one place for every conversion keeps
//! the wire contract visible (rust-analyzer's `to_proto`).

use sextant_domain::{
    drift, gateway,
    object::KubeObject,
    platform::{ClusterSnapshot, ClusterState, KindPhase, KindStatus, Platform, SourceRepository},
    policy, search,
    vault::{self, VaultSnapshot},
    wasmcloud::LatticeSnapshot,
};
use sextant_protocol as protocol;

/// An object's reference in `cluster`.
#[must_use]
pub fn object_ref(cluster: &str, object: &KubeObject) -> protocol::ObjectRef {
    protocol::ObjectRef {
        cluster: cluster.to_owned(),
        kind: object.kind().to_owned(),
        namespace: object.namespace().map(str::to_owned),
        name: object.name().to_owned(),
    }
}

/// The overview of `platform`.
#[must_use]
pub fn overview(platform: &Platform) -> protocol::overview::Overview {
    protocol::overview::Overview {
        platform: platform.name.clone(),
        description: platform.description.clone(),
        clusters: platform.clusters.iter().map(cluster_summary).collect(),
        vault: platform.vault.as_ref().map(|vault| protocol::overview::VaultSummary {
            address: vault.address.clone(),
            flavor: vault.flavor.as_str().to_owned(),
            sealed: vault.sealed,
            policies: vault.policies.len(),
            auth_roles: vault.auth_roles.len(),
        }),
        lattice: platform.lattice.as_ref().map(|lattice| protocol::overview::LatticeSummary {
            lattice: lattice.lattice.clone(),
            hosts: lattice.hosts.len(),
            components: lattice.hosts.iter().map(|host| host.components.len()).sum(),
            providers: lattice.hosts.iter().map(|host| host.providers.len()).sum(),
            links: lattice.links.len(),
            link_problems: lattice
                .links
                .iter()
                .filter(|link| !lattice.link_problems(link).is_empty())
                .count(),
        }),
        problems: platform.problems.clone(),
    }
}

fn cluster_summary(cluster: &ClusterSnapshot) -> protocol::overview::ClusterSummary {
    let apps = drift::gitops_apps(&cluster.objects);
    let policies = policy::policy_inventory(&cluster.objects);
    let routes: Vec<_> =
        cluster.objects.iter().filter(|object| gateway::is_route(object)).collect();
    protocol::overview::ClusterSummary {
        name: cluster.name.clone(),
        environment: cluster.environment.clone(),
        kubernetes_version: cluster.kubernetes_version.clone(),
        state: cluster_state(cluster.state),
        message: cluster.message.clone(),
        counts: protocol::overview::ClusterCounts {
            objects: cluster.objects.len(),
            gitops_apps: apps.len(),
            gitops_attention: apps.iter().filter(|app| app.verdict.needs_attention()).count(),
            policies: policies.policies.len(),
            policy_failures: policies.totals.fail,
            gateways: cluster
                .objects
                .iter()
                .filter(|object| object.is(gateway::GROUP, "Gateway"))
                .count(),
            routes: routes.len(),
            routes_not_accepted: routes
                .iter()
                .filter(|route| matches!(gateway::written_route_status(route), Some((false, _))))
                .count(),
        },
        apis: cluster
            .apis
            .iter()
            .map(|api| protocol::overview::ApiRow {
                name: api.name.clone(),
                group: api.group.clone(),
                version: api.version.clone(),
            })
            .collect(),
        kinds: cluster.kinds.iter().map(kind_row).collect(),
    }
}

pub(crate) fn kind_row(status: &KindStatus) -> protocol::overview::KindRow {
    protocol::overview::KindRow {
        api_version: if status.group.is_empty() {
            status.version.clone()
        } else {
            format!("{}/{}", status.group, status.version)
        },
        kind: status.kind.clone(),
        phase: match status.phase {
            KindPhase::Listing => "listing",
            KindPhase::Ready => "ready",
            KindPhase::Relisting => "relisting",
            KindPhase::Reconnecting => "reconnecting",
            KindPhase::Forbidden => "forbidden",
            KindPhase::Unauthenticated => "unauthenticated",
            KindPhase::Failed => "failed",
        }
        .to_owned(),
        objects: status.objects,
        dropped: status.dropped,
        namespaces: status.namespaces.clone(),
        denied_namespaces: status.denied_namespaces.clone(),
        synced_at: status.synced_at,
        message: status.message.clone(),
    }
}

pub(crate) fn cluster_state(state: ClusterState) -> protocol::overview::ClusterState {
    match state {
        ClusterState::Connecting => protocol::overview::ClusterState::Connecting,
        ClusterState::Ready => protocol::overview::ClusterState::Ready,
        ClusterState::Forbidden => protocol::overview::ClusterState::Forbidden,
        ClusterState::Unreachable => protocol::overview::ClusterState::Unreachable,
        ClusterState::Unauthenticated => protocol::overview::ClusterState::Unauthenticated,
        ClusterState::Invalid => protocol::overview::ClusterState::Invalid,
    }
}

/// A GitOps application, with its parent and children as [`drift::tree::build`] found them
/// (`apps` are the cluster's, in the same order as `relations`).
#[must_use]
pub fn gitops_app(
    cluster: &str,
    app: &drift::GitOpsApp<'_>,
    relations: &drift::tree::Relations,
    apps: &[drift::GitOpsApp<'_>],
) -> protocol::drift::GitOpsApp {
    use protocol::drift::{self as wire, GitOpsTool, Verdict};
    let key_ref = |key: &drift::tree::AppKey| protocol::ObjectRef {
        cluster: cluster.to_owned(),
        kind: key.kind.clone(),
        namespace: key.namespace.clone(),
        name: key.name.clone(),
    };
    let mut resources: Vec<wire::ManagedResource> = app
        .inventory
        .iter()
        .map(|entry| wire::ManagedResource {
            group: entry.group.clone(),
            kind: entry.kind.clone(),
            namespace: entry.namespace.clone(),
            name: entry.name.clone(),
            status: None,
            health: None,
        })
        .collect();
    resources.extend(app.resources.iter().map(|resource| wire::ManagedResource {
        group: resource.group.clone(),
        kind: resource.kind.clone(),
        namespace: resource.namespace.clone(),
        name: resource.name.clone(),
        status: Some(resource.status.clone()),
        health: resource.health.clone(),
    }));
    let sync_counts = (app.tool == drift::GitOpsTool::ArgoCd && app.object.kind() == "Application")
        .then(|| {
            let mut counts = wire::SyncCounts::default();
            for resource in &app.resources {
                match resource.status.as_str() {
                    "Synced" => counts.synced += 1,
                    "OutOfSync" => counts.out_of_sync += 1,
                    _ => counts.other += 1,
                }
            }
            counts
        });
    protocol::drift::GitOpsApp {
        object: object_ref(cluster, app.object),
        tool: match app.tool {
            drift::GitOpsTool::Flux => GitOpsTool::Flux,
            drift::GitOpsTool::ArgoCd => GitOpsTool::ArgoCd,
        },
        // A URL may carry a user name and password; the UI never gets them.
        source: app.source.as_deref().map(sextant_adapters::git::remote::display_url),
        revision: app.revision.clone(),
        verdict: match app.verdict {
            drift::Verdict::InSync => Verdict::InSync,
            drift::Verdict::OutOfSync => Verdict::OutOfSync,
            drift::Verdict::Failed => Verdict::Failed,
            drift::Verdict::Progressing => Verdict::Progressing,
            drift::Verdict::Stale => Verdict::Stale,
            drift::Verdict::Suspended => Verdict::Suspended,
            drift::Verdict::Unknown => Verdict::Unknown,
        },
        message: app.message.clone(),
        explanation: app.explanation.clone(),
        revisions: wire::Revisions {
            source: app.revisions.source.clone(),
            attempted: app.revisions.attempted.clone(),
            applied: app.revisions.applied.clone(),
        },
        stale_reasons: app.stale_reasons.clone(),
        suspended: app.suspended,
        interval_seconds: app.interval,
        last_reconcile: app.last_reconcile.clone(),
        parent: relations.parent.map(|parent| object_ref(cluster, apps[parent].object)),
        children: relations
            .children
            .iter()
            .map(|child| match child {
                drift::tree::Child::Present(index) => wire::ChildRef {
                    object: object_ref(cluster, apps[*index].object),
                    missing: false,
                },
                drift::tree::Child::Missing(key) => {
                    wire::ChildRef { object: key_ref(key), missing: true }
                }
            })
            .collect(),
        conditions: app
            .conditions
            .iter()
            .map(|condition| wire::AppCondition {
                type_: condition.type_.clone(),
                status: condition.status.clone(),
                reason: condition.reason.clone(),
                message: condition.message.clone(),
                last_transition: condition.last_transition.clone(),
            })
            .collect(),
        inventory_count: (app.tool == drift::GitOpsTool::Flux).then_some(app.inventory.len()),
        resources,
        sync_counts,
        operation: app.operation.as_ref().map(|operation| wire::Operation {
            phase: operation.phase.clone(),
            message: operation.message.clone(),
            started_at: operation.started_at.clone(),
            finished_at: operation.finished_at.clone(),
        }),
        project: app.project.clone(),
        timeline: drift::timeline::timeline(app.object)
            .into_iter()
            .map(|event| wire::TimelineEvent {
                time: event.time,
                kind: match event.kind {
                    drift::timeline::EventKind::Reconcile => "reconcile",
                    drift::timeline::EventKind::Release => "release",
                    drift::timeline::EventKind::Deploy => "deploy",
                    drift::timeline::EventKind::Operation => "operation",
                    drift::timeline::EventKind::Condition => "condition",
                }
                .to_owned(),
                title: event.title,
                detail: event.detail,
                revision: event.revision,
                failed: event.failed,
            })
            .collect(),
    }
}

/// The GitOps applications of `clusters`, fleet-wide: every app with its verdict judged as of
/// `now` (Unix seconds; `None` leaves the age rule out), one tree across clusters and tools,
/// and the AppProjects.
#[must_use]
pub fn gitops_fleet<'a>(
    clusters: impl Iterator<Item = &'a ClusterSnapshot>,
    now: Option<i64>,
) -> protocol::drift::GitOpsApps {
    use protocol::drift as wire;
    let mut fleet = wire::GitOpsApps { as_of: now, ..wire::GitOpsApps::default() };
    for cluster in clusters {
        let apps = drift::assess(&cluster.objects, now);
        let (rows, relations) = drift::tree::build(&apps, &cluster.objects);
        let app_offset = fleet.apps.len();
        let row_offset = fleet.tree.len();
        fleet.apps.extend(
            apps.iter()
                .zip(&relations)
                .map(|(app, relation)| gitops_app(&cluster.name, app, relation, &apps)),
        );
        fleet.tree.extend(rows.into_iter().map(|row| wire::TreeRow {
            app: match &row.node {
                drift::tree::Child::Present(index) => Some(app_offset + index),
                drift::tree::Child::Missing(_) => None,
            },
            missing: match &row.node {
                drift::tree::Child::Present(_) => None,
                drift::tree::Child::Missing(key) => Some(protocol::ObjectRef {
                    cluster: cluster.name.clone(),
                    kind: key.kind.clone(),
                    namespace: key.namespace.clone(),
                    name: key.name.clone(),
                }),
            },
            depth: row.depth,
            parent_row: row.parent_row.map(|parent| row_offset + parent),
            child_rows: row.child_rows,
            cycle: row.cycle,
            repeated: row.repeated,
        }));
        fleet.projects.extend(drift::app_projects(&cluster.objects).into_iter().map(|project| {
            wire::AppProjectRow {
                object: object_ref(&cluster.name, project.object),
                used_by: project.used_by,
            }
        }));
    }
    fleet
}

/// A Git repository.
#[must_use]
pub fn git_repository(repository: &SourceRepository) -> protocol::drift::GitRepositoryRow {
    protocol::drift::GitRepositoryRow {
        name: repository.name.clone(),
        location: repository.location.clone(),
        head: repository.head.clone(),
        files: repository.files,
    }
}

/// Report counts.
#[must_use]
pub fn result_counts(counts: policy::ResultCounts) -> protocol::policy::ResultCounts {
    protocol::policy::ResultCounts {
        pass: counts.pass,
        fail: counts.fail,
        warn: counts.warn,
        error: counts.error,
        skip: counts.skip,
    }
}

/// A policy row.
#[must_use]
pub fn policy_row(cluster: &str, entry: &policy::PolicyEntry<'_>) -> protocol::policy::PolicyRow {
    protocol::policy::PolicyRow {
        object: object_ref(cluster, entry.object),
        engine: match entry.engine {
            policy::PolicyEngine::Kubewarden => protocol::policy::PolicyEngine::Kubewarden,
            policy::PolicyEngine::Kyverno => protocol::policy::PolicyEngine::Kyverno,
        },
        mode: entry.mode.map(str::to_owned),
        counts: result_counts(entry.counts),
    }
}

/// The Gateway API objects of one cluster, appended to `inventory`.
pub fn extend_route_inventory(
    inventory: &mut protocol::gateway::RouteInventory,
    cluster: &ClusterSnapshot,
) {
    use protocol::gateway::{GatewayClassRow, GatewayRow, ListenerRow, RouteRow};
    for object in &cluster.objects {
        if object.is(gateway::GROUP, "GatewayClass") {
            inventory.gateway_classes.push(GatewayClassRow {
                object: object_ref(&cluster.name, object),
                controller: object.str_at("/spec/controllerName").unwrap_or_default().to_owned(),
            });
        } else if object.is(gateway::GROUP, "Gateway") {
            inventory.gateways.push(GatewayRow {
                object: object_ref(&cluster.name, object),
                class: object.str_at("/spec/gatewayClassName").unwrap_or_default().to_owned(),
                listeners: gateway::listeners(object)
                    .into_iter()
                    .map(|listener| ListenerRow {
                        name: listener.name.to_owned(),
                        protocol: listener.protocol.to_owned(),
                        port: listener.port,
                        hostname: listener.hostname.map(str::to_owned),
                        attached_routes: listener.attached_routes,
                    })
                    .collect(),
                accepted: object.condition("Accepted").map(|condition| condition.status == "True"),
            });
        } else if gateway::is_route(object) {
            let status = gateway::written_route_status(object);
            inventory.routes.push(RouteRow {
                object: object_ref(&cluster.name, object),
                parents: gateway::route_parents(object),
                hostnames: object
                    .array_at("/spec/hostnames")
                    .iter()
                    .filter_map(|hostname| hostname.as_str().map(str::to_owned))
                    .collect(),
                rules: object.array_at("/spec/rules").len(),
                accepted: status.as_ref().map(|(accepted, _)| *accepted),
                reason: status.and_then(|(_, reason)| reason),
            });
        } else if object.group().is_empty() && object.kind() == "Service" {
            inventory.services += 1;
        }
    }
}

/// The id of `node` in a graph of several clusters.
fn graph_id(cluster: &str, node: &str) -> String {
    format!("{cluster}|{node}")
}

fn health(health: gateway::graph::Health) -> protocol::gateway::Health {
    use gateway::graph::Health as Domain;
    use protocol::gateway::Health;
    match health {
        Domain::Ok => Health::Ok,
        Domain::Warning => Health::Warning,
        Domain::Error => Health::Error,
        Domain::Unknown => Health::Unknown,
    }
}

fn gateway_diagnostic(
    cluster: &str,
    diagnostic: &gateway::Diagnostic,
) -> protocol::gateway::GatewayDiagnostic {
    protocol::gateway::GatewayDiagnostic {
        cluster: cluster.to_owned(),
        severity: diagnostic.severity.as_str().to_owned(),
        code: diagnostic.code.to_owned(),
        object: diagnostic.object.clone(),
        message: diagnostic.message.clone(),
        fix: diagnostic.fix.clone(),
    }
}

/// A node of the traffic graph of `cluster`, its id prefixed with the cluster's name, without
/// its details (sections, conditions, diagnostics): what drawing and searching need.
fn graph_node_outline(cluster: &str, node: &gateway::graph::Node) -> protocol::gateway::GraphNode {
    use gateway::graph::NodeKind as Domain;
    use protocol::gateway::{GraphNode, NodeKind};
    GraphNode {
        id: graph_id(cluster, &node.id),
        kind: match node.kind {
            Domain::GatewayClass => NodeKind::GatewayClass,
            Domain::Gateway => NodeKind::Gateway,
            Domain::Listener => NodeKind::Listener,
            Domain::Route => NodeKind::Route,
            Domain::Rule => NodeKind::Rule,
            Domain::Service => NodeKind::Service,
            Domain::Endpoints => NodeKind::Endpoints,
        },
        cluster: cluster.to_owned(),
        namespace: node.namespace.clone(),
        label: node.label.clone(),
        detail: node.detail.clone(),
        health: health(node.health),
        missing: node.missing,
        sections: Vec::new(),
        conditions: Vec::new(),
        diagnostics: Vec::new(),
        search: node.search.clone(),
    }
}

/// A node of the traffic graph of `cluster` in full, its id prefixed with the cluster's name.
#[must_use]
pub fn graph_node(cluster: &str, node: &gateway::graph::Node) -> protocol::gateway::GraphNode {
    use protocol::gateway::{ConditionRow, ConditionTable, DetailSection, GraphNode};
    GraphNode {
        sections: node
            .sections
            .iter()
            .map(|section| DetailSection {
                title: section.title.clone(),
                rows: section.rows.iter().map(|row| (row.key.clone(), row.value.clone())).collect(),
            })
            .collect(),
        conditions: node
            .conditions
            .iter()
            .map(|table| ConditionTable {
                title: table.title.clone(),
                rows: table
                    .rows
                    .iter()
                    .map(|row| ConditionRow {
                        condition: row.condition.clone(),
                        status: row.status.clone(),
                        reason: row.reason.clone(),
                        message: row.message.clone(),
                    })
                    .collect(),
            })
            .collect(),
        diagnostics: node
            .diagnostics
            .iter()
            .map(|diagnostic| gateway_diagnostic(cluster, diagnostic))
            .collect(),
        ..graph_node_outline(cluster, node)
    }
}

/// Adds the traffic graph of `cluster` to `graph`, ids prefixed with the cluster's name; its
/// nodes come without their details, which [`graph_node`] gives for one node.
pub fn extend_traffic_graph(
    graph: &mut protocol::gateway::TrafficGraph,
    cluster: &str,
    found: &gateway::TrafficGraph,
) {
    use protocol::gateway::{ExplainTarget, GraphEdge, ListenerTarget};
    graph.nodes.extend(found.nodes.iter().map(|node| graph_node_outline(cluster, node)));
    // Keep the column order across clusters.
    graph.nodes.sort_by_key(|node| node.kind);
    graph.edges.extend(found.edges.iter().map(|edge| GraphEdge {
        from: graph_id(cluster, &edge.from),
        to: graph_id(cluster, &edge.to),
        health: health(edge.health),
        label: edge.label.clone(),
        mirror: edge.mirror,
    }));
    graph
        .diagnostics
        .extend(found.diagnostics.iter().map(|diagnostic| gateway_diagnostic(cluster, diagnostic)));
    graph.targets.extend(found.targets.iter().map(|target| {
        ExplainTarget {
            cluster: cluster.to_owned(),
            gateway: target.gateway.clone(),
            listeners: target
                .listeners
                .iter()
                .map(|listener| ListenerTarget {
                    name: listener.name.clone(),
                    port: listener.port,
                    protocol: listener.protocol.clone(),
                    hostname: listener.hostname.clone(),
                })
                .collect(),
        }
    }));
}

/// The domain's request for an explain command from the UI.
///
/// # Errors
/// `InvalidInput` for an unknown protocol.
pub fn domain_request(
    request: &protocol::gateway::ExplainRoute,
) -> Result<gateway::Request, protocol::CommandError> {
    use gateway::explain::Protocol;
    let protocol = match request.protocol.to_ascii_uppercase().as_str() {
        "HTTP" => Protocol::Http,
        "HTTPS" => Protocol::Https,
        "GRPC" => Protocol::Grpc,
        "TLS" => Protocol::Tls,
        "TCP" => Protocol::Tcp,
        "UDP" => Protocol::Udp,
        other => {
            return Err(protocol::CommandError::new(
                protocol::ErrorCode::InvalidInput,
                format!("unknown protocol {other:?}: use HTTP, HTTPS, GRPC, TLS, TCP or UDP"),
            ));
        }
    };
    let nonempty =
        |value: &Option<String>| value.as_ref().filter(|value| !value.trim().is_empty()).cloned();
    let headers: std::collections::BTreeMap<String, String> = request
        .headers
        .iter()
        .filter(|(name, _)| !name.trim().is_empty())
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let grpc = protocol == Protocol::Grpc;
    let host = nonempty(&request.host);
    Ok(gateway::Request {
        protocol,
        gateway: request.gateway.clone(),
        port: request.port,
        host: if grpc { None } else { host.clone() },
        // An HTTPS or TLS request's SNI is its host unless given.
        sni: nonempty(&request.sni).or_else(|| {
            matches!(protocol, Protocol::Https | Protocol::Tls).then(|| host.clone()).flatten()
        }),
        method: nonempty(&request.method),
        path: nonempty(&request.path),
        headers: if grpc { std::collections::BTreeMap::new() } else { headers.clone() },
        authority: if grpc { host } else { None },
        service: nonempty(&request.service),
        metadata: if grpc { headers } else { std::collections::BTreeMap::new() },
    })
}

/// The explainer's answer for the UI, with the lit path's node ids.
#[must_use]
pub fn route_explanation(
    cluster: &str,
    answer: &gateway::Explanation,
    lit: &[String],
) -> protocol::gateway::RouteExplanation {
    protocol::gateway::RouteExplanation {
        result: answer.result.as_str().to_owned(),
        http_status: answer.http_status,
        grpc_status: answer.grpc_status.map(str::to_owned),
        listener: answer.listener.clone(),
        route: answer.route.as_ref().map(gateway::model::ObjectRef::display),
        rule_index: answer.rule_index,
        backends: answer
            .backends
            .iter()
            .map(|backend| {
                let target = match backend.port {
                    Some(port) => format!("{}/{}:{port}", backend.namespace, backend.name),
                    None => format!("{}/{}", backend.namespace, backend.name),
                };
                protocol::gateway::BackendShare {
                    target,
                    weight: backend.weight,
                    share: backend.share,
                    valid: backend.valid,
                }
            })
            .collect(),
        error_share: answer.error_share,
        upstream: answer.upstream_request.as_ref().map(|upstream| {
            protocol::gateway::UpstreamRequest {
                host: upstream.host.clone(),
                path: upstream.path.clone(),
                headers: upstream
                    .headers
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect(),
            }
        }),
        mirrors: answer
            .mirrors
            .iter()
            .map(|mirror| format!("{}/{} ({}%)", mirror.namespace, mirror.name, mirror.percent))
            .collect(),
        redirect: answer
            .redirect
            .as_ref()
            .map(|redirect| (redirect.status_code, redirect.location.clone())),
        why: answer.why.clone(),
        ambiguous: answer.ambiguous.clone(),
        lit: lit.iter().map(|id| graph_id(cluster, id)).collect(),
    }
}

/// What was read from Vault.
#[must_use]
pub fn vault_inventory(vault: &VaultSnapshot) -> protocol::vault::VaultInventory {
    use protocol::vault::{AuthRoleRow, IdentityRow, VaultPolicyRow, VaultServer};
    let identity = |identity: &vault::Identity| IdentityRow {
        name: identity.name.clone(),
        policies: identity.policies.clone(),
    };
    protocol::vault::VaultInventory {
        server: Some(VaultServer {
            address: vault.address.clone(),
            flavor: vault.flavor.as_str().to_owned(),
            version: vault.version.clone(),
            sealed: vault.sealed,
        }),
        policies: vault
            .policies
            .iter()
            .map(|policy| {
                // The exact parser: a malformed policy is shown beside the others with the
                // line and column the server would complain about.
                let parsed = vault::parse::parse_policy(&policy.name, &policy.text, vault.flavor);
                VaultPolicyRow {
                    name: policy.name.clone(),
                    paths: parsed.as_ref().map_or(0, |parsed| parsed.rules.len()),
                    error: parsed.err().map(|error| error.to_string()),
                }
            })
            .collect(),
        auth_roles: vault
            .auth_roles
            .iter()
            .map(|role| AuthRoleRow {
                mount: role.mount.clone(),
                method: role.method.clone(),
                name: role.name.clone(),
                policies: role.policies.clone(),
                bound: role.bound.clone(),
            })
            .collect(),
        groups: vault.groups.iter().map(identity).collect(),
        entities: vault.entities.iter().map(identity).collect(),
        problems: vault.problems.clone(),
    }
}

/// The lattice.
#[must_use]
pub fn lattice(lattice: &LatticeSnapshot) -> protocol::wasmcloud::Lattice {
    use protocol::wasmcloud::{ComponentRow, HostRow, LinkRow, ProviderRow};
    protocol::wasmcloud::Lattice {
        lattice: Some(lattice.lattice.clone()),
        hosts: lattice
            .hosts
            .iter()
            .map(|host| HostRow {
                id: host.host_id.clone(),
                name: host.friendly_name.clone(),
                version: host.version.clone(),
                labels: host
                    .labels
                    .iter()
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
                uptime_seconds: host.uptime_seconds,
            })
            .collect(),
        components: lattice
            .hosts
            .iter()
            .flat_map(|host| {
                host.components.iter().map(|component| ComponentRow {
                    id: component.id.clone(),
                    image_ref: component.image_ref.clone(),
                    host_id: host.host_id.clone(),
                    count: component.max_instances,
                })
            })
            .collect(),
        providers: lattice
            .hosts
            .iter()
            .flat_map(|host| {
                host.providers.iter().map(|provider| ProviderRow {
                    id: provider.id.clone(),
                    image_ref: provider.image_ref.clone().unwrap_or_default(),
                    host_id: host.host_id.clone(),
                })
            })
            .collect(),
        links: lattice
            .links
            .iter()
            .map(|link| LinkRow {
                source_id: link.source_id.clone(),
                target: link.target.clone(),
                name: link.name.clone(),
                wit: format!("{}:{}", link.wit_namespace, link.wit_package),
                interfaces: link.interfaces.clone(),
                problems: lattice.link_problems(link),
            })
            .collect(),
    }
}

/// A search hit.
#[must_use]
pub fn search_hit(hit: search::SearchHit) -> protocol::search::SearchHit {
    use protocol::ViewId;
    protocol::search::SearchHit {
        view: match hit.view {
            search::HitView::Drift => ViewId::Drift,
            search::HitView::Policies => ViewId::Policies,
            search::HitView::Routes => ViewId::Routes,
            search::HitView::Vault => ViewId::Vault,
            search::HitView::Lattice => ViewId::Lattice,
            search::HitView::Overview => ViewId::Overview,
        },
        kind: hit.kind,
        title: hit.title,
        location: hit.location,
    }
}

/// A field-level drift comparison, as `sextant drift diff` prints it and the Drift page shows it.
#[must_use]
pub fn drift_diff(report: &drift::diff::DiffReport) -> protocol::drift::DriftDiff {
    use drift::diff::{FieldClass, ObjectState};
    use protocol::drift as wire;
    let summary = report.summary();
    wire::DriftDiff {
        objects: report
            .objects
            .iter()
            .map(|object| wire::ObjectDiff {
                id: wire::DiffObjectId {
                    group: object.id.group.clone(),
                    version: object.id.version.clone(),
                    kind: object.id.kind.clone(),
                    namespace: object.id.namespace.clone(),
                    name: object.id.name.clone(),
                },
                state: match object.state {
                    ObjectState::InSync => wire::ObjectState::InSync,
                    ObjectState::Drifted => wire::ObjectState::Drifted,
                    ObjectState::MissingLive => wire::ObjectState::MissingLive,
                    ObjectState::NotInGit => wire::ObjectState::NotInGit,
                },
                fields: object
                    .fields
                    .iter()
                    .map(|field| wire::FieldDiff {
                        path: field.path.clone(),
                        desired: field.desired.clone(),
                        live: field.live.clone(),
                        last_applied: field.last_applied.clone(),
                        class: match field.class {
                            FieldClass::Drift => wire::FieldClass::Drift,
                            FieldClass::ExpectedMutation => wire::FieldClass::ExpectedMutation,
                            FieldClass::Ignored => wire::FieldClass::Ignored,
                        },
                        reason: field.reason.clone(),
                        manager: field.manager.clone(),
                        time: field.time.clone(),
                        redacted: field.redacted,
                    })
                    .collect(),
                note: None,
                would_fail: None,
                requires_recreate: false,
            })
            .collect(),
        summary: wire::DriftSummary {
            in_sync: summary.in_sync,
            drifted: summary.drifted,
            missing_live: summary.missing_live,
            not_in_git: summary.not_in_git,
            unknown: 0,
        },
        mode: wire::DiffMode::Estimated,
        skipped_owned: report.skipped_owned,
        problems: report.problems.clone(),
        source: None,
    }
}
