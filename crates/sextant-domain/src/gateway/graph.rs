//! The traffic graph: GatewayClass → Gateway → listener → route → rule → Service (→ endpoints),
//! each node with its details and each edge with the status that decides whether traffic
//! flows along it; a rejected edge carries its reason.
//!
//! Built from the same [`World`] and [`analyze`] as the status report, so the graph never
//! disagrees with `sextant gateway status`. Node ids are stable strings (`Gateway/ns/name`,
//! `Listener/ns/gw/name`, `HTTPRoute/ns/name/rule/0`, ...), so a view can keep a selection
//! across reloads and light up an explained request with [`lit_path`].

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::json::Json;

use crate::gateway::explain::{Explanation, Outcome};
use crate::gateway::model::{
    BackendRef, Filter, FromNamespaces, PathKind, PathModifier, RouteKind, RouteMatch, Rule, World,
};
use crate::gateway::status::{
    BackendVerdict, Conditions, Diagnostic, RouteParentReport, analyze, backend_verdict,
};
use crate::object::KubeObject;

/// The kinds of node, one column each, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// A GatewayClass.
    GatewayClass,
    /// A Gateway.
    Gateway,
    /// One listener of a Gateway.
    Listener,
    /// A route of any kind.
    Route,
    /// One rule of a route.
    Rule,
    /// A Service (or another backend kind).
    Service,
    /// The endpoints of a Service, when EndpointSlices were read.
    Endpoints,
}

/// Whether traffic flows through a node or along an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Health {
    /// It does.
    Ok,
    /// It does, with a caveat (part of the weight fails, stale status, dropped rules).
    Warning,
    /// It does not.
    Error,
    /// Not known (no permission to read what decides it, or no controller writes it).
    Unknown,
}

/// One key/value line of a details section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailRow {
    /// What.
    pub key: String,
    /// Its value.
    pub value: String,
}

/// A titled list of facts about a node (hostnames, matches, filters, weights, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailSection {
    /// The title.
    pub title: String,
    /// The facts.
    pub rows: Vec<DetailRow>,
}

/// One condition as a controller would write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionRow {
    /// `Accepted`, `ResolvedRefs`, ...
    pub condition: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// The reason.
    pub reason: String,
    /// The message, when there is one.
    pub message: Option<String>,
}

/// The conditions of one parent (for a route) or of the object itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionTable {
    /// Whose conditions (e.g. `parentRef infra/gw section https`).
    pub title: String,
    /// The conditions.
    pub rows: Vec<ConditionRow>,
}

/// One node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Stable id.
    pub id: String,
    /// Its column.
    pub kind: NodeKind,
    /// The namespace, for namespaced objects.
    pub namespace: Option<String>,
    /// The main label.
    pub label: String,
    /// A second line (hostnames, port and protocol, the first match, ...).
    pub detail: Option<String>,
    /// Whether traffic flows through it.
    pub health: Health,
    /// The object is referenced but does not exist.
    pub missing: bool,
    /// Facts for the details panel.
    pub sections: Vec<DetailSection>,
    /// Condition tables (per parent for routes).
    pub conditions: Vec<ConditionTable>,
    /// The diagnostics about this object.
    pub diagnostics: Vec<Diagnostic>,
    /// Words a search should find it by, besides the label and detail.
    pub search: String,
}

/// One edge, from left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// The source node's id.
    pub from: String,
    /// The target node's id.
    pub to: String,
    /// Whether traffic flows along it.
    pub health: Health,
    /// The reason of a rejected edge, or the share of a backend.
    pub label: Option<String>,
    /// A RequestMirror copy rather than the request itself.
    pub mirror: bool,
}

/// A listener a request can be aimed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerTarget {
    /// Its name.
    pub name: String,
    /// Its port.
    pub port: u16,
    /// Its protocol.
    pub protocol: String,
    /// Its hostname.
    pub hostname: Option<String>,
}

/// A Gateway a request can be aimed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayTarget {
    /// `namespace/name`.
    pub gateway: String,
    /// Its listeners.
    pub listeners: Vec<ListenerTarget>,
}

/// The whole graph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrafficGraph {
    /// Nodes, in column order and, within a column, in a stable order.
    pub nodes: Vec<Node>,
    /// Edges.
    pub edges: Vec<Edge>,
    /// Every diagnostic, including those about objects without a node.
    pub diagnostics: Vec<Diagnostic>,
    /// The Gateways the explainer can aim at.
    pub targets: Vec<GatewayTarget>,
}

fn row(key: impl Into<String>, value: impl Into<String>) -> DetailRow {
    DetailRow { key: key.into(), value: value.into() }
}

fn condition_rows(conditions: &Conditions) -> Vec<ConditionRow> {
    conditions
        .iter()
        .map(|(kind, condition)| ConditionRow {
            condition: (*kind).to_owned(),
            status: condition.status.to_owned(),
            reason: condition.reason.clone(),
            message: condition.message.clone(),
        })
        .collect()
}

/// The first condition that says traffic does not flow, as `Type: Reason`.
fn failing(conditions: &Conditions) -> Option<String> {
    conditions.iter().find_map(|(kind, condition)| {
        let bad = if *kind == "Conflicted" {
            condition.status == "True"
        } else {
            condition.status != "True"
        };
        bad.then(|| condition.reason.clone())
    })
}

fn parent_title(raw: &Json) -> String {
    let text = |key: &str| raw.get(key).and_then(Json::as_str);
    let mut title = format!("parentRef {}", text("name").unwrap_or("?"));
    if let Some(namespace) = text("namespace") {
        title = format!("parentRef {namespace}/{}", text("name").unwrap_or("?"));
    }
    if let Some(kind) = text("kind").filter(|kind| *kind != "Gateway") {
        let _ = write!(title, " ({kind})");
    }
    if let Some(section) = text("sectionName") {
        let _ = write!(title, " section {section}");
    }
    if let Some(port) = raw.get("port").and_then(Json::as_u64) {
        let _ = write!(title, " port {port}");
    }
    title
}

fn path_kind(kind: PathKind) -> &'static str {
    match kind {
        PathKind::Exact => "Exact",
        PathKind::Prefix => "PathPrefix",
        PathKind::Regex => "RegularExpression",
    }
}

/// A match in words, as the details panel lists it.
fn describe_match(kind: RouteKind, entry: &RouteMatch) -> String {
    let mut text = match kind {
        RouteKind::Grpc => format!(
            "{}{}/{}",
            if entry.grpc_regex { "regex " } else { "" },
            entry.grpc_service.as_deref().unwrap_or("*"),
            entry.grpc_method.as_deref().unwrap_or("*")
        ),
        _ => format!("{} {}", path_kind(entry.path_kind), entry.path),
    };
    if let Some(method) = &entry.method {
        let _ = write!(text, ", method {method}");
    }
    for header in &entry.headers {
        let _ = write!(
            text,
            ", header {}{}{}",
            header.name,
            if header.regex { " ~ " } else { "=" },
            header.value
        );
    }
    for query in &entry.query {
        let _ = write!(
            text,
            ", query {}{}{}",
            query.name,
            if query.regex { " ~ " } else { "=" },
            query.value
        );
    }
    text
}

/// The short label of a rule node: its first match, and how many more (the rule's index goes
/// on the second line).
fn rule_label(kind: RouteKind, rule: &Rule) -> String {
    if !matches!(kind, RouteKind::Http | RouteKind::Grpc) {
        return "all traffic".to_owned();
    }
    let Some(first) = rule.matches.first() else {
        return "every request".to_owned();
    };
    let mut label = describe_match(kind, first);
    if rule.matches.len() > 1 {
        let _ = write!(label, " (+{} more)", rule.matches.len() - 1);
    }
    label
}

fn describe_modifier(modifier: &PathModifier) -> String {
    match modifier {
        PathModifier::Full(path) => format!("ReplaceFullPath {path}"),
        PathModifier::Prefix(path) => format!("ReplacePrefixMatch {path}"),
    }
}

fn pairs(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join(", ")
}

/// A filter in words: (type, what it does).
fn describe_filter(filter: &Filter) -> (&'static str, String) {
    match filter {
        Filter::RequestHeaderModifier(modifier) => {
            let mut parts = Vec::new();
            if !modifier.set.is_empty() {
                parts.push(format!("set {}", pairs(&modifier.set)));
            }
            if !modifier.add.is_empty() {
                parts.push(format!("add {}", pairs(&modifier.add)));
            }
            if !modifier.remove.is_empty() {
                parts.push(format!("remove {}", modifier.remove.join(", ")));
            }
            ("RequestHeaderModifier", parts.join("; "))
        }
        Filter::ResponseHeaderModifier => {
            ("ResponseHeaderModifier", "changes the response headers".to_owned())
        }
        Filter::RequestRedirect { scheme, hostname, path, port, status_code } => {
            let mut parts = vec![format!("{status_code}")];
            if let Some(scheme) = scheme {
                parts.push(format!("scheme {scheme}"));
            }
            if let Some(hostname) = hostname {
                parts.push(format!("host {hostname}"));
            }
            if let Some(port) = port {
                parts.push(format!("port {port}"));
            }
            if let Some(path) = path {
                parts.push(describe_modifier(path));
            }
            ("RequestRedirect", parts.join(", "))
        }
        Filter::UrlRewrite { hostname, path } => {
            let mut parts = Vec::new();
            if let Some(hostname) = hostname {
                parts.push(format!("host {hostname}"));
            }
            if let Some(path) = path {
                parts.push(describe_modifier(path));
            }
            ("URLRewrite", parts.join(", "))
        }
        Filter::RequestMirror { backend, percent } => (
            "RequestMirror",
            format!("{percent}% copied to {}/{}", backend.namespace, backend.name),
        ),
        Filter::ShortCircuit(kind) => ("ExtensionFilter", format!("{kind} may answer first")),
    }
}

fn backend_target(backend: &BackendRef) -> String {
    match backend.port {
        Some(port) => format!("{}/{}:{port}", backend.namespace, backend.name),
        None => format!("{}/{}", backend.namespace, backend.name),
    }
}

fn service_id(backend: &BackendRef) -> String {
    if backend.group.is_empty() && backend.kind == "Service" {
        format!("Service/{}/{}", backend.namespace, backend.name)
    } else {
        format!("{}/{}/{}", backend.kind, backend.namespace, backend.name)
    }
}

/// Ready and total endpoints of every Service with EndpointSlices, by (namespace, name).
fn endpoints_of(objects: &[KubeObject]) -> BTreeMap<(String, String), (usize, usize)> {
    let mut endpoints: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for slice in objects.iter().filter(|object| object.is("discovery.k8s.io", "EndpointSlice")) {
        let Some(service) = slice.str_at("/metadata/labels/kubernetes.io~1service-name") else {
            continue;
        };
        let entry = endpoints
            .entry((slice.namespace().unwrap_or("default").to_owned(), service.to_owned()))
            .or_default();
        for endpoint in slice.array_at("/endpoints") {
            entry.1 += 1;
            // `ready` unset means ready (EndpointConditions).
            if endpoint.pointer("/conditions/ready").and_then(Json::as_bool) != Some(false) {
                entry.0 += 1;
            }
        }
    }
    endpoints
}

/// Builder state: nodes by id, so that shared nodes (Services) are created once.
struct GraphBuilder {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    edges: Vec<Edge>,
}

impl GraphBuilder {
    fn node(&mut self, node: Node) -> usize {
        if let Some(&index) = self.index.get(&node.id) {
            return index;
        }
        self.index.insert(node.id.clone(), self.nodes.len());
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: &str, to: &str, health: Health, label: Option<String>) {
        self.edges.push(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            health,
            label,
            mirror: false,
        });
    }
}

fn rank(health: Health) -> u8 {
    match health {
        Health::Ok => 0,
        Health::Unknown => 1,
        Health::Warning => 2,
        Health::Error => 3,
    }
}

fn blank(id: String, kind: NodeKind, namespace: Option<String>, label: String) -> Node {
    Node {
        id,
        kind,
        namespace,
        label,
        detail: None,
        health: Health::Ok,
        missing: false,
        sections: Vec::new(),
        conditions: Vec::new(),
        diagnostics: Vec::new(),
        search: String::new(),
    }
}

/// Builds the traffic graph of `objects`; `unreadable` names kinds that could not be read.
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn traffic_graph(objects: &[KubeObject], unreadable: &[&str]) -> TrafficGraph {
    let world = World::build(objects, unreadable);
    let analysis = analyze(&world);
    let report = &analysis.report;
    let mut graph = GraphBuilder { nodes: Vec::new(), index: HashMap::new(), edges: Vec::new() };

    // GatewayClasses, sorted by name.
    let mut classes: Vec<(&String, &&KubeObject)> = world.classes.iter().collect();
    classes.sort_by(|a, b| a.0.cmp(b.0));
    for (name, object) in classes {
        let mut node =
            blank(format!("GatewayClass/{name}"), NodeKind::GatewayClass, None, name.clone());
        let controller = object.str_at("/spec/controllerName").unwrap_or_default();
        node.detail = Some(controller.to_owned());
        node.sections.push(DetailSection {
            title: "GatewayClass".to_owned(),
            rows: vec![row("controllerName", controller)],
        });
        let written: Vec<ConditionRow> = object
            .conditions()
            .map(|condition| ConditionRow {
                condition: condition.type_.to_owned(),
                status: condition.status.to_owned(),
                reason: condition.reason.to_owned(),
                message: (!condition.message.is_empty()).then(|| condition.message.to_owned()),
            })
            .collect();
        if written
            .iter()
            .any(|condition| condition.condition == "Accepted" && condition.status == "False")
        {
            node.health = Health::Error;
        }
        if !written.is_empty() {
            node.conditions.push(ConditionTable {
                title: "status written by the controller".to_owned(),
                rows: written,
            });
        }
        controller.clone_into(&mut node.search);
        graph.node(node);
    }

    // Gateways and their listeners.
    for gateway in &world.gateways {
        let key = gateway.id.key();
        let gateway_id = format!("Gateway/{key}");
        let class_id = format!("GatewayClass/{}", gateway.class_name);
        if !graph.index.contains_key(&class_id) {
            let mut phantom = blank(
                class_id.clone(),
                NodeKind::GatewayClass,
                None,
                format!("{} (missing)", gateway.class_name),
            );
            phantom.missing = true;
            phantom.health =
                if world.cannot_read("GatewayClass") { Health::Unknown } else { Health::Error };
            graph.node(phantom);
        }
        let gateway_report = report.gateways.iter().find(|entry| entry.gateway == key);
        let mut node = blank(
            gateway_id.clone(),
            NodeKind::Gateway,
            Some(gateway.id.namespace.clone()),
            key.clone(),
        );
        node.detail = Some(format!("class {}", gateway.class_name));
        let mut facts = vec![row("gatewayClassName", gateway.class_name.clone())];
        if !gateway.addresses.is_empty() {
            facts.push(row("addresses", gateway.addresses.join(", ")));
        }
        for (annotation, value) in gateway
            .object
            .at("/metadata/annotations")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
            .filter(|(annotation, _)| annotation.starts_with("cert-manager.io/"))
        {
            facts.push(row(annotation.to_string(), value.as_str().unwrap_or_default()));
        }
        facts.push(row("listeners", gateway.listeners.len().to_string()));
        node.sections.push(DetailSection { title: "Gateway".to_owned(), rows: facts });
        let (health, reason) = match gateway_report {
            Some(entry) if entry.status_present => match failing(&entry.conditions) {
                None => (Health::Ok, None),
                Some(reason) => (Health::Error, Some(reason)),
            },
            _ => (
                Health::Error,
                Some(if world.classes.contains_key(&gateway.class_name) {
                    "invalid manifest".to_owned()
                } else {
                    "GatewayClass missing".to_owned()
                }),
            ),
        };
        node.health = health;
        if let Some(entry) = gateway_report.filter(|entry| entry.status_present) {
            node.conditions.push(ConditionTable {
                title: "as a conformant controller would write".to_owned(),
                rows: condition_rows(&entry.conditions),
            });
        }
        node.search.clone_from(&gateway.class_name);
        graph.node(node);
        graph.edge(&class_id, &gateway_id, health, reason);

        for listener in &gateway.listeners {
            let listener_id = format!("Listener/{key}/{}", listener.name);
            let listener_report = report
                .listeners
                .iter()
                .find(|entry| entry.gateway == key && entry.name == listener.name);
            let mut node = blank(
                listener_id.clone(),
                NodeKind::Listener,
                Some(gateway.id.namespace.clone()),
                format!("{} :{} {}", listener.name, listener.port, listener.protocol),
            );
            node.detail = Some(listener.hostname.clone().unwrap_or_else(|| "any host".to_owned()));
            let mut facts = vec![
                row("gateway", key.clone()),
                row("port", listener.port.to_string()),
                row("protocol", listener.protocol.clone()),
                row("hostname", listener.hostname.clone().unwrap_or_else(|| "(any)".to_owned())),
            ];
            if let Some(mode) = &listener.tls_mode {
                facts.push(row("tls.mode", mode.clone()));
            }
            for reference in &listener.certificate_refs {
                facts.push(row(
                    "certificateRef",
                    format!("{} {}/{}", reference.kind, reference.namespace, reference.name),
                ));
            }
            facts.push(row(
                "allowedRoutes.namespaces",
                match &listener.from {
                    FromNamespaces::Same => "Same".to_owned(),
                    FromNamespaces::All => "All".to_owned(),
                    FromNamespaces::Selector(_) => "Selector".to_owned(),
                },
            ));
            let (health, reason) = match listener_report {
                Some(entry) => {
                    facts.push(row("supportedKinds", entry.supported_kinds.join(", ")));
                    facts.push(row("attachedRoutes", entry.attached_routes.to_string()));
                    node.conditions.push(ConditionTable {
                        title: "as a conformant controller would write".to_owned(),
                        rows: condition_rows(&entry.conditions),
                    });
                    match failing(&entry.conditions) {
                        None => (Health::Ok, None),
                        Some(reason) => (Health::Error, Some(reason)),
                    }
                }
                None => (Health::Unknown, None),
            };
            node.health = health;
            node.sections.push(DetailSection { title: "Listener".to_owned(), rows: facts });
            node.search = format!("{key} {}", listener.hostname.as_deref().unwrap_or_default());
            graph.node(node);
            graph.edge(&gateway_id, &listener_id, health, reason);
        }
    }

    // Routes, their parents, rules and backends.
    let endpoints = endpoints_of(objects);
    let mut parents = report.route_parents.iter();
    for route in &world.routes {
        let kind = route.kind.as_str();
        let key = route.id.key();
        let route_id = format!("{kind}/{key}");
        let reports: Vec<&RouteParentReport> =
            parents.by_ref().take(route.parent_refs.len()).collect();
        // The column says it is a route; the kind goes on the second line with the hostnames.
        let mut node =
            blank(route_id.clone(), NodeKind::Route, Some(route.id.namespace.clone()), key.clone());
        node.detail = Some(if !route.hostnames.is_empty() {
            format!("{kind} · {}", route.hostnames.join(", "))
        } else if route.kind.has_hostnames() {
            format!("{kind} · any host")
        } else {
            kind.to_owned()
        });
        let mut facts = vec![row("kind", kind), row("namespace", route.id.namespace.clone())];
        if route.kind.has_hostnames() {
            facts.push(row(
                "hostnames",
                if route.hostnames.is_empty() {
                    "(any)".to_owned()
                } else {
                    route.hostnames.join(", ")
                },
            ));
        }
        if let Some(created) = &route.created {
            facts.push(row("created", created.clone()));
        }
        facts.push(row("rules", route.rules.len().to_string()));
        for problem in &route.invalid {
            facts.push(row("rejected by the API server", problem.clone()));
        }
        node.sections.push(DetailSection { title: "Route".to_owned(), rows: facts });
        let mut health = if route.invalid.is_empty() { Health::Ok } else { Health::Error };
        let mut route_edges: Vec<(String, Health, Option<String>)> = Vec::new();
        for (parent, parent_report) in route.parent_refs.iter().zip(&reports) {
            let title = parent_title(&parent_report.parent_ref);
            let mut rows = condition_rows(&parent_report.conditions);
            if !parent_report.status_present {
                rows.push(ConditionRow {
                    condition: "(no RouteParentStatus)".to_owned(),
                    status: "—".to_owned(),
                    reason: parent_report.unknown.clone().unwrap_or_else(|| {
                        "no controller would write status for this parentRef".to_owned()
                    }),
                    message: None,
                });
            }
            for refusal in &parent_report.refused_by {
                rows.push(ConditionRow {
                    condition: format!("listener {}", refusal.listener),
                    status: "refused".to_owned(),
                    reason: refusal.reason.to_owned(),
                    message: Some(refusal.message.clone()),
                });
            }
            node.conditions.push(ConditionTable { title, rows });
            let gateway_key = format!("{}/{}", parent.namespace, parent.name);
            let parent_health = if parent_report.unknown.is_some() {
                Health::Unknown
            } else if !parent_report.status_present {
                Health::Error
            } else {
                match (
                    parent_report.conditions.get("Accepted").map(|condition| condition.status),
                    failing(&parent_report.conditions),
                ) {
                    (Some("True"), None) => Health::Ok,
                    (Some("True"), Some(_)) => Health::Warning,
                    _ => Health::Error,
                }
            };
            if rank(parent_health) > rank(health) {
                health = parent_health;
            }
            if !parent_report.attached_listeners.is_empty() {
                for listener in &parent_report.attached_listeners {
                    route_edges.push((
                        format!("Listener/{gateway_key}/{listener}"),
                        parent_health,
                        failing(&parent_report.conditions),
                    ));
                }
                continue;
            }
            let is_gateway = parent.kind == "Gateway";
            let gateway_id = format!("{}/{gateway_key}", parent.kind);
            if is_gateway && !graph.index.contains_key(&gateway_id) {
                let mut phantom = blank(
                    gateway_id.clone(),
                    NodeKind::Gateway,
                    Some(parent.namespace.clone()),
                    format!("{gateway_key} (missing)"),
                );
                phantom.missing = true;
                phantom.health =
                    if world.cannot_read("Gateway") { Health::Unknown } else { Health::Error };
                graph.node(phantom);
            }
            if !parent_report.refused_by.is_empty() {
                for refusal in &parent_report.refused_by {
                    route_edges.push((
                        format!("Listener/{gateway_key}/{}", refusal.listener),
                        Health::Error,
                        Some(refusal.reason.to_owned()),
                    ));
                }
            } else if is_gateway {
                let reason = if let Some(unknown) = &parent_report.unknown {
                    unknown.clone()
                } else if !parent_report.status_present {
                    if graph.nodes[graph.index[&gateway_id]].missing {
                        "Gateway not found".to_owned()
                    } else {
                        "Gateway not reconciled".to_owned()
                    }
                } else {
                    failing(&parent_report.conditions).unwrap_or_else(|| "not attached".to_owned())
                };
                route_edges.push((gateway_id, parent_health, Some(reason)));
            }
        }
        if route.parent_refs.is_empty() {
            health = Health::Error;
            node.conditions.push(ConditionTable {
                title: "no parentRefs".to_owned(),
                rows: vec![ConditionRow {
                    condition: "(none)".to_owned(),
                    status: "—".to_owned(),
                    reason: "the route names no parent, so nothing serves it".to_owned(),
                    message: None,
                }],
            });
        }
        node.health = health;
        node.search = format!(
            "{kind} {} {}",
            route.hostnames.join(" "),
            route
                .rules
                .iter()
                .flat_map(|rule| rule.backends.iter().map(|backend| backend.name.as_str()))
                .collect::<Vec<_>>()
                .join(" ")
        );
        graph.node(node);
        for (from, health, label) in route_edges {
            graph.edge(&from, &route_id, health, label);
        }

        for (rule_index, rule) in route.rules.iter().enumerate() {
            let rule_id = format!("{route_id}/rule/{rule_index}");
            let mut node = blank(
                rule_id.clone(),
                NodeKind::Rule,
                Some(route.id.namespace.clone()),
                rule_label(route.kind, rule),
            );
            let filter_names: Vec<&str> =
                rule.filters.iter().map(|filter| describe_filter(filter).0).collect();
            node.detail = Some(if filter_names.is_empty() {
                format!("rule {rule_index} · {} backend(s)", rule.backends.len())
            } else {
                format!("rule {rule_index} · {}", filter_names.join(", "))
            });
            if matches!(route.kind, RouteKind::Http | RouteKind::Grpc) {
                node.sections.push(DetailSection {
                    title: "Matches (any one)".to_owned(),
                    rows: rule
                        .matches
                        .iter()
                        .enumerate()
                        .map(|(index, entry)| {
                            row(format!("match {index}"), describe_match(route.kind, entry))
                        })
                        .collect(),
                });
            }
            if !rule.filters.is_empty() {
                node.sections.push(DetailSection {
                    title: "Filters (in order)".to_owned(),
                    rows: rule
                        .filters
                        .iter()
                        .map(|filter| {
                            let (kind, text) = describe_filter(filter);
                            row(kind, text)
                        })
                        .collect(),
                });
            }
            let total: u64 = rule.backends.iter().map(|backend| u64::from(backend.weight)).sum();
            let mut backend_rows = Vec::new();
            let mut rule_health =
                if rule.unsupported.is_some() { Health::Error } else { Health::Ok };
            let mut invalid_weight = 0_u64;
            let mut backend_edges = Vec::new();
            for backend in &rule.backends {
                let verdict = backend_verdict(&world, route, backend);
                let share = if total == 0 { 0.0 } else { f64::from(backend.weight) / total as f64 };
                let (edge_health, state) = match &verdict {
                    BackendVerdict::Valid => (Health::Ok, "valid".to_owned()),
                    BackendVerdict::Invalid { reason, message } => {
                        invalid_weight += u64::from(backend.weight);
                        (Health::Error, format!("{reason}: {message}"))
                    }
                    BackendVerdict::Unknown(message) => {
                        (Health::Unknown, format!("unknown: {message}"))
                    }
                };
                backend_rows.push(row(
                    backend_target(backend),
                    format!("weight {} ({:.0}%), {state}", backend.weight, share * 100.0),
                ));
                let label = match &verdict {
                    BackendVerdict::Invalid { reason, .. } => Some((*reason).to_owned()),
                    BackendVerdict::Unknown(_) => Some("unknown".to_owned()),
                    BackendVerdict::Valid if rule.backends.len() > 1 => {
                        Some(format!("{:.0}%", share * 100.0))
                    }
                    BackendVerdict::Valid => None,
                };
                backend_edges.push((backend, edge_health, label, false));
            }
            for filter in &rule.filters {
                if let Filter::RequestMirror { backend, percent } = filter {
                    let health = match backend_verdict(&world, route, backend) {
                        BackendVerdict::Valid => Health::Ok,
                        BackendVerdict::Invalid { .. } => Health::Error,
                        BackendVerdict::Unknown(_) => Health::Unknown,
                    };
                    backend_edges.push((backend, health, Some(format!("mirror {percent}%")), true));
                }
            }
            if total > 0 && invalid_weight == total {
                rule_health = Health::Error;
            } else if invalid_weight > 0 {
                rule_health = Health::Warning;
            }
            if !backend_rows.is_empty() {
                node.sections.push(DetailSection {
                    title: "Backends (weights)".to_owned(),
                    rows: backend_rows,
                });
            }
            if let Some(why) = &rule.unsupported {
                node.sections.push(DetailSection {
                    title: "Dropped".to_owned(),
                    rows: vec![row("unsupported", why.clone())],
                });
            }
            node.health = rule_health;
            node.search = rule
                .backends
                .iter()
                .map(|backend| backend.name.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            graph.node(node);
            let rule_edge_label = if rule.unsupported.is_some() {
                Some("UnsupportedValue".to_owned())
            } else if rule_health == Health::Error {
                Some("no valid backend".to_owned())
            } else {
                None
            };
            graph.edge(&route_id, &rule_id, rule_health, rule_edge_label);
            for (backend, edge_health, label, mirror) in backend_edges {
                let id = service_id(backend);
                let is_service = backend.group.is_empty() && backend.kind == "Service";
                let ports = world.services.get(&(backend.namespace.clone(), backend.name.clone()));
                let mut service = blank(
                    id.clone(),
                    NodeKind::Service,
                    Some(backend.namespace.clone()),
                    format!("{}/{}", backend.namespace, backend.name),
                );
                if !is_service {
                    service.label =
                        format!("{} {}/{}", backend.kind, backend.namespace, backend.name);
                    service.health = Health::Error;
                    service.detail = Some(format!("{} is not a Service", backend.kind));
                } else if let Some(ports) = ports {
                    let ports: Vec<String> = ports.iter().map(ToString::to_string).collect();
                    service.detail = Some(format!("ports {}", ports.join(", ")));
                    service.sections.push(DetailSection {
                        title: "Service".to_owned(),
                        rows: vec![row("ports", ports.join(", "))],
                    });
                } else if world.cannot_read("Service") {
                    service.health = Health::Unknown;
                    service.detail = Some("unknown (no permission)".to_owned());
                } else {
                    service.missing = true;
                    service.health = Health::Error;
                    service.label = format!("{}/{} (missing)", backend.namespace, backend.name);
                    service.detail = Some("does not exist".to_owned());
                }
                graph.node(service);
                graph.edges.push(Edge {
                    from: rule_id.clone(),
                    to: id.clone(),
                    health: edge_health,
                    label,
                    mirror,
                });
                if let Some((ready, total)) =
                    endpoints.get(&(backend.namespace.clone(), backend.name.clone()))
                {
                    let endpoints_id = format!("Endpoints/{}/{}", backend.namespace, backend.name);
                    let health = if *ready > 0 { Health::Ok } else { Health::Error };
                    let mut node = blank(
                        endpoints_id.clone(),
                        NodeKind::Endpoints,
                        Some(backend.namespace.clone()),
                        format!("{ready}/{total} ready"),
                    );
                    node.detail = Some(format!("{}/{}", backend.namespace, backend.name));
                    node.health = health;
                    node.sections.push(DetailSection {
                        title: "Endpoints".to_owned(),
                        rows: vec![
                            row("ready", ready.to_string()),
                            row("total", total.to_string()),
                        ],
                    });
                    if !graph.index.contains_key(&endpoints_id) {
                        graph.node(node);
                        graph.edge(
                            &id,
                            &endpoints_id,
                            health,
                            (*ready == 0).then(|| "no ready endpoint".to_owned()),
                        );
                    }
                }
            }
        }
    }

    // Diagnostics, on the node of the object they name.
    for diagnostic in &report.diagnostics {
        if let Some(&index) =
            diagnostic_node(&diagnostic.object).and_then(|id| graph.index.get(&id))
        {
            graph.nodes[index].diagnostics.push(diagnostic.clone());
        }
    }
    for node in &mut graph.nodes {
        if node.diagnostics.iter().any(|d| d.severity == crate::gateway::Severity::Warning)
            && node.health == Health::Ok
        {
            node.health = Health::Warning;
        }
    }

    let targets = world
        .gateways
        .iter()
        .map(|gateway| GatewayTarget {
            gateway: gateway.id.key(),
            listeners: gateway
                .listeners
                .iter()
                .map(|listener| ListenerTarget {
                    name: listener.name.clone(),
                    port: listener.port,
                    protocol: listener.protocol.clone(),
                    hostname: listener.hostname.clone(),
                })
                .collect(),
        })
        .collect();
    let mut nodes = graph.nodes;
    // Column order; within a column, the order of creation (classes by name, Gateways and
    // routes in input order, Services in first-use order).
    nodes.sort_by_key(|node| node.kind);
    TrafficGraph { nodes, edges: graph.edges, diagnostics: report.diagnostics.clone(), targets }
}

/// The node a diagnostic's `object` names: `Gateway ns/name`, `Gateway ns/name listener x`,
/// `HTTPRoute ns/name`, ...
fn diagnostic_node(object: &str) -> Option<String> {
    let (kind, rest) = object.split_once(' ')?;
    if kind == "Gateway" {
        if let Some((gateway, listener)) = rest.split_once(" listener ") {
            return Some(format!("Listener/{gateway}/{listener}"));
        }
        return Some(format!("Gateway/{rest}"));
    }
    if RouteKind::from_kind(kind).is_some() {
        return Some(format!("{kind}/{rest}"));
    }
    if kind == "GatewayClass" {
        return Some(format!("GatewayClass/{rest}"));
    }
    None
}

/// The ids of the nodes an explained request goes through: the class, Gateway and listener
/// that took it, and (when routed) the route, the rule and the backends that get a share, plus
/// mirrors. An edge is on the path when both its ends are.
#[must_use]
pub fn lit_path(graph: &TrafficGraph, answer: &Explanation) -> Vec<String> {
    let mut lit = Vec::new();
    if let Some(listener) = &answer.listener {
        if let Some((gateway, _)) = listener.rsplit_once('/') {
            let gateway_id = format!("Gateway/{gateway}");
            if let Some(edge) = graph.edges.iter().find(|edge| edge.to == gateway_id) {
                lit.push(edge.from.clone());
            }
            lit.push(gateway_id);
        }
        lit.push(format!("Listener/{listener}"));
    }
    if let Some(route) = &answer.route {
        let route_id = format!("{}/{}", route.kind, route.key());
        if let Some(rule) = answer.rule_index {
            lit.push(format!("{route_id}/rule/{rule}"));
        }
        lit.push(route_id);
        if matches!(answer.result, Outcome::Routed) {
            for backend in
                answer.backends.iter().filter(|backend| backend.valid && backend.weight > 0)
            {
                lit.push(format!("Service/{}/{}", backend.namespace, backend.name));
                lit.push(format!("Endpoints/{}/{}", backend.namespace, backend.name));
            }
            for mirror in &answer.mirrors {
                lit.push(format!("Service/{}/{}", mirror.namespace, mirror.name));
            }
        }
    }
    lit.retain(|id| graph.nodes.iter().any(|node| &node.id == id));
    lit.sort();
    lit.dedup();
    lit
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::gateway::RouteTable;
    use crate::gateway::explain::{Protocol, Request};

    fn objects() -> Vec<KubeObject> {
        [
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "gc"}, "spec": {"controllerName": "example.com/gc"}}),
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": "infra"},
                "spec": {"gatewayClassName": "gc", "listeners": [
                    {"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "All"}}},
                    {"name": "local", "protocol": "HTTP", "port": 8080}]}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "app"}, "spec": {"ports": [{"port": 8080}]}}),
            json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "web-1", "namespace": "app", "labels": {"kubernetes.io/service-name": "web"}},
                "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"], "conditions": {"ready": false}}]}),
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "web", "namespace": "app"},
                "spec": {"parentRefs": [{"name": "gw", "namespace": "infra", "sectionName": "http"}], "hostnames": ["shop.example.com"],
                    "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}], "backendRefs": [{"name": "web", "port": 8080, "weight": 3}, {"name": "ghost", "port": 8080}]}]}}),
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "lost", "namespace": "app"},
                "spec": {"parentRefs": [{"name": "nope", "namespace": "infra"}], "rules": [{"backendRefs": [{"name": "web", "port": 8080}]}]}}),
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "refused", "namespace": "app"},
                "spec": {"parentRefs": [{"name": "gw", "namespace": "infra", "sectionName": "local"}], "rules": [{"backendRefs": [{"name": "web", "port": 8080}]}]}}),
        ]
        .into_iter()
        .map(KubeObject::new)
        .collect()
    }

    fn edge<'g>(graph: &'g TrafficGraph, from: &str, to: &str) -> &'g Edge {
        graph
            .edges
            .iter()
            .find(|edge| edge.from == from && edge.to == to)
            .unwrap_or_else(|| panic!("edge {from} -> {to} in {:#?}", graph.edges))
    }

    #[test]
    fn edges_carry_the_status_and_rejected_ones_their_reason() {
        let objects = objects();
        let graph = traffic_graph(&objects, &[]);
        assert_eq!(edge(&graph, "GatewayClass/gc", "Gateway/infra/gw").health, Health::Ok);
        assert_eq!(
            edge(&graph, "Listener/infra/gw/http", "HTTPRoute/app/web").health,
            Health::Warning,
            "attached, but a backend does not resolve"
        );
        let missing = edge(&graph, "Gateway/infra/nope", "HTTPRoute/app/lost");
        assert_eq!(
            (missing.health, missing.label.as_deref()),
            (Health::Error, Some("Gateway not found"))
        );
        let refused = edge(&graph, "Listener/infra/gw/local", "HTTPRoute/app/refused");
        assert_eq!(
            (refused.health, refused.label.as_deref()),
            (Health::Error, Some("NotAllowedByListeners")),
            "the listener admits only its own namespace"
        );
        let ghost = edge(&graph, "HTTPRoute/app/web/rule/0", "Service/app/ghost");
        assert_eq!(
            (ghost.health, ghost.label.as_deref()),
            (Health::Error, Some("BackendNotFound"))
        );
        assert_eq!(
            edge(&graph, "HTTPRoute/app/web/rule/0", "Service/app/web").label.as_deref(),
            Some("75%")
        );
        let endpoints = graph.nodes.iter().find(|node| node.id == "Endpoints/app/web").unwrap();
        assert_eq!(endpoints.label, "1/2 ready");
        let phantom = graph.nodes.iter().find(|node| node.id == "Gateway/infra/nope").unwrap();
        assert!(phantom.missing, "a parent that does not exist is drawn as missing");
        let route = graph.nodes.iter().find(|node| node.id == "HTTPRoute/app/lost").unwrap();
        assert!(
            route.diagnostics.iter().any(|d| d.code == "parent_not_found"),
            "diagnostics sit on their object's node"
        );
        let kinds: Vec<NodeKind> = graph.nodes.iter().map(|node| node.kind).collect();
        assert!(kinds.windows(2).all(|pair| pair[0] <= pair[1]), "nodes come in column order");
    }

    #[test]
    fn an_explained_request_lights_its_path() {
        let objects = objects();
        let graph = traffic_graph(&objects, &[]);
        let request = Request {
            protocol: Protocol::Http,
            gateway: "infra/gw".to_owned(),
            port: 80,
            host: Some("shop.example.com".to_owned()),
            sni: None,
            method: None,
            path: Some("/api/cart".to_owned()),
            headers: BTreeMap::new(),
            authority: None,
            service: None,
            metadata: BTreeMap::new(),
        };
        let answer = RouteTable::build(&objects, &[]).explain(&request);
        assert_eq!(
            lit_path(&graph, &answer),
            [
                "Endpoints/app/web",
                "Gateway/infra/gw",
                "GatewayClass/gc",
                "HTTPRoute/app/web",
                "HTTPRoute/app/web/rule/0",
                "Listener/infra/gw/http",
                "Service/app/web",
            ],
            "the invalid backend gets no share of the lit path"
        );
    }
}
