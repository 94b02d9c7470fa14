//! Gateway API objects: classes, gateways and their listeners, routes.

use serde::{Deserialize, Serialize};

use crate::{Command, ObjectRef};

/// Asks for the Gateway API objects of one cluster, or of every cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListRoutes {
    /// Only this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

impl Command for ListRoutes {
    const NAME: &'static str = "list_routes";
    type Response = RouteInventory;
}

/// Gateway API objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteInventory {
    /// GatewayClasses.
    pub gateway_classes: Vec<GatewayClassRow>,
    /// Gateways with their listeners.
    pub gateways: Vec<GatewayRow>,
    /// Routes of every kind.
    pub routes: Vec<RouteRow>,
    /// Services that routes may point at.
    pub services: usize,
}

/// A GatewayClass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayClassRow {
    /// The class object.
    pub object: ObjectRef,
    /// `spec.controllerName`.
    pub controller: String,
}

/// A Gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayRow {
    /// The Gateway object.
    pub object: ObjectRef,
    /// `spec.gatewayClassName`.
    pub class: String,
    /// The listeners.
    pub listeners: Vec<ListenerRow>,
    /// The `Accepted` condition's status as written, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
}

/// A Gateway listener.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListenerRow {
    /// The listener's name.
    pub name: String,
    /// `HTTP`, `HTTPS`, `TLS`, `TCP` or `UDP`.
    pub protocol: String,
    /// The port.
    pub port: u16,
    /// The hostname, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `status.listeners[].attachedRoutes` as written, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_routes: Option<u64>,
}

/// A route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRow {
    /// The route object; its kind is `HTTPRoute`, `GRPCRoute`, ….
    pub object: ObjectRef,
    /// The parents it names, as `namespace/name[/section]`.
    pub parents: Vec<String>,
    /// `spec.hostnames`.
    pub hostnames: Vec<String>,
    /// The number of rules.
    pub rules: usize,
    /// Whether every parent's `Accepted` condition in the written status is true, when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    /// The reason of the first condition that is not true, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Asks for the traffic graph of one cluster, or of every cluster (node ids are then prefixed
/// with the cluster's name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetTrafficGraph {
    /// Only this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

impl Command for GetTrafficGraph {
    const NAME: &'static str = "get_traffic_graph";
    type Response = TrafficGraph;
}

/// GatewayClass → Gateway → listener → route → rule → Service (→ endpoints).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficGraph {
    /// Nodes in column order.
    pub nodes: Vec<GraphNode>,
    /// Edges, left to right.
    pub edges: Vec<GraphEdge>,
    /// Every diagnostic, per cluster.
    pub diagnostics: Vec<GatewayDiagnostic>,
    /// The Gateways a request can be aimed at.
    pub targets: Vec<ExplainTarget>,
}

/// A node's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A GatewayClass.
    GatewayClass,
    /// A Gateway.
    Gateway,
    /// A Gateway listener.
    Listener,
    /// A route of any kind.
    Route,
    /// One rule of a route.
    Rule,
    /// A Service or another backend.
    Service,
    /// A Service's endpoints.
    Endpoints,
}

impl NodeKind {
    /// Every kind, in column order.
    pub const ALL: [NodeKind; 7] = [
        NodeKind::GatewayClass,
        NodeKind::Gateway,
        NodeKind::Listener,
        NodeKind::Route,
        NodeKind::Rule,
        NodeKind::Service,
        NodeKind::Endpoints,
    ];

    /// The column's title.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            NodeKind::GatewayClass => "GatewayClass",
            NodeKind::Gateway => "Gateway",
            NodeKind::Listener => "Listener",
            NodeKind::Route => "Route",
            NodeKind::Rule => "Rule",
            NodeKind::Service => "Service",
            NodeKind::Endpoints => "Endpoints",
        }
    }
}

/// Whether traffic flows through a node or along an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// It does.
    Ok,
    /// It does, with a caveat.
    Warning,
    /// It does not.
    Error,
    /// Not known.
    Unknown,
}

/// One node of the graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Stable id, unique in the graph.
    pub id: String,
    /// Its column.
    pub kind: NodeKind,
    /// The cluster it belongs to.
    pub cluster: String,
    /// Its namespace, for namespaced objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The main label.
    pub label: String,
    /// The second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Whether traffic flows through it.
    pub health: Health,
    /// Referenced but absent.
    #[serde(default)]
    pub missing: bool,
    /// Facts for the details panel.
    #[serde(default)]
    pub sections: Vec<DetailSection>,
    /// Condition tables (one per parentRef for routes).
    #[serde(default)]
    pub conditions: Vec<ConditionTable>,
    /// Findings about this object.
    #[serde(default)]
    pub diagnostics: Vec<GatewayDiagnostic>,
    /// Further words a search finds it by.
    #[serde(default)]
    pub search: String,
}

/// A titled list of facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetailSection {
    /// The title.
    pub title: String,
    /// `(key, value)` lines.
    pub rows: Vec<(String, String)>,
}

/// Conditions of one parent, or of the object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionTable {
    /// Whose conditions.
    pub title: String,
    /// The conditions.
    pub rows: Vec<ConditionRow>,
}

/// One condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionRow {
    /// Its type.
    pub condition: String,
    /// `True`, `False`, `Unknown`.
    pub status: String,
    /// Its reason.
    pub reason: String,
    /// Its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A coded finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayDiagnostic {
    /// The cluster.
    pub cluster: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// A stable code.
    pub code: String,
    /// The object, as `Kind namespace/name`.
    pub object: String,
    /// Why.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// One edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// Source node id.
    pub from: String,
    /// Target node id.
    pub to: String,
    /// Whether traffic flows along it.
    pub health: Health,
    /// The reason of a rejected edge, or a backend's share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A mirrored copy.
    #[serde(default)]
    pub mirror: bool,
}

/// A Gateway the explainer can aim at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainTarget {
    /// The cluster.
    pub cluster: String,
    /// `namespace/name`.
    pub gateway: String,
    /// Its listeners.
    pub listeners: Vec<ListenerTarget>,
}

/// A listener the explainer can aim at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListenerTarget {
    /// Its name.
    pub name: String,
    /// Its port.
    pub port: u16,
    /// Its protocol.
    pub protocol: String,
    /// Its hostname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// Explains one request against one cluster's Gateway API objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExplainRoute {
    /// The cluster.
    pub cluster: String,
    /// `HTTP`, `HTTPS`, `GRPC`, `TLS`, `TCP` or `UDP`.
    pub protocol: String,
    /// `namespace/name` of the Gateway.
    pub gateway: String,
    /// The port.
    pub port: u16,
    /// HTTP Host (gRPC `:authority`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// TLS SNI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// HTTP method, or gRPC method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// HTTP path with query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// gRPC service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Headers (gRPC metadata).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

impl Command for ExplainRoute {
    const NAME: &'static str = "explain_route";
    type Response = RouteExplanation;
}

/// The explainer's answer, and the path it lights in the graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteExplanation {
    /// `routed`, `no_match`, `redirect`, `error`, `misdirected` or `rejected`.
    pub result: String,
    /// The status the gateway answers with itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The gRPC status the gateway answers with itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc_status: Option<String>,
    /// `namespace/gateway/listener`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// `Kind namespace/name` of the winning route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The winning rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// Backends of the winning rule, in spec order.
    #[serde(default)]
    pub backends: Vec<BackendShare>,
    /// The share answered with an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_share: Option<f64>,
    /// The request as the backend sees it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<UpstreamRequest>,
    /// `namespace/name (percent%)` of each mirror.
    #[serde(default)]
    pub mirrors: Vec<String>,
    /// The redirect: status code and location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<(u16, String)>,
    /// The decisions, in order.
    pub why: Vec<String>,
    /// §7 ambiguities the answer rests on.
    #[serde(default)]
    pub ambiguous: Vec<String>,
    /// Node ids of the path the request takes; an edge is on it when both ends are.
    pub lit: Vec<String>,
}

/// A backend of the winning rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendShare {
    /// `namespace/name[:port]`.
    pub target: String,
    /// The weight as written.
    pub weight: u32,
    /// The weight over the sum of the rule's weights.
    pub share: f64,
    /// Whether the reference resolves.
    pub valid: bool,
}

/// The request after filters, as the backend sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpstreamRequest {
    /// Host (or `:authority`).
    pub host: String,
    /// Path with query.
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
}
