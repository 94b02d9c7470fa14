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

/// Asks for the traffic graph as drawn, for one cluster or every cluster (node ids are then
/// prefixed with the cluster's name), narrowed by `view`. The backend holds the whole graph, so
/// a fleet of tens of thousands of routes costs the page only the nodes it draws.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetTrafficGraph {
    /// Only this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// What the drawing is narrowed to.
    #[serde(default)]
    pub view: GraphView,
}

impl Command for GetTrafficGraph {
    const NAME: &'static str = "get_traffic_graph";
    type Response = TrafficView;
}

/// What the drawing of the traffic graph is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphView {
    /// Words that must all appear in a node, or in one it is connected to.
    #[serde(default)]
    pub query: String,
    /// Keep only what is on a path through a node or an edge that is not healthy.
    #[serde(default)]
    pub problems_only: bool,
    /// The `cluster|namespace` keys whose routes are drawn as one node; absent for the
    /// default: every namespace collapsed when the graph holds more than
    /// [`COLLAPSE_ABOVE_ROUTES`] routes, none otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collapsed: Option<Vec<String>>,
    /// Node ids on an explained request's path ([`RouteExplanation::lit`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lit: Vec<String>,
}

/// Routes above which the graph opens with every namespace collapsed.
pub const COLLAPSE_ABOVE_ROUTES: usize = 300;

/// Nodes the drawing holds at most: namespaces that would take it beyond stay collapsed
/// ([`TrafficView::held_collapsed`]).
pub const MAX_DRAWN_NODES: usize = 2_500;

/// The traffic graph as drawn: GatewayClass → Gateway → listener → route → rule → Service
/// (→ endpoints), after the query, "problems only" and collapsing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficView {
    /// Nodes in column order.
    pub nodes: Vec<ViewNode>,
    /// Edges, left to right; parallel edges into a collapsed namespace merged.
    pub edges: Vec<ViewEdge>,
    /// Nodes of the whole graph that the query or "problems only" hid.
    pub hidden: usize,
    /// Counts over the whole graph.
    pub counts: GraphCounts,
    /// `(cluster|namespace, routes)` of every namespace holding routes, sorted.
    pub namespaces: Vec<(String, usize)>,
    /// The namespaces drawn collapsed (the default applied, and the ones held back).
    pub collapsed: Vec<String>,
    /// Namespaces drawn collapsed although the view asked them open, because drawing them
    /// would take more than [`MAX_DRAWN_NODES`] nodes.
    #[serde(default)]
    pub held_collapsed: usize,
    /// Diagnostics in all ([`ListGatewayDiagnostics`] pages through them).
    pub diagnostics: usize,
    /// The Gateways a request can be aimed at.
    pub targets: Vec<ExplainTarget>,
}

/// Counts over the whole traffic graph, for the stats row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphCounts {
    /// GatewayClasses.
    pub classes: usize,
    /// Gateways.
    pub gateways: usize,
    /// Routes of every kind.
    pub routes: usize,
    /// Routes no traffic reaches.
    pub rejected: usize,
    /// Routes with a caveat.
    pub caveats: usize,
    /// Services.
    pub services: usize,
}

/// A node as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewNode {
    /// The graph node's id, or `group|routes|cluster|namespace` (`group|services|…`) for a
    /// collapsed namespace.
    pub id: String,
    /// Its column.
    pub kind: NodeKind,
    /// First line.
    pub label: String,
    /// Second line.
    pub detail: String,
    /// Colour.
    pub health: Health,
    /// Referenced but absent (drawn dashed).
    #[serde(default)]
    pub missing: bool,
    /// A collapsed namespace: its `cluster|namespace` key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// On the explained request's path.
    #[serde(default)]
    pub lit: bool,
}

/// An edge as drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewEdge {
    /// Source id.
    pub from: String,
    /// Target id.
    pub to: String,
    /// Colour.
    pub health: Health,
    /// Shown at its middle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A mirrored copy (drawn dashed).
    #[serde(default)]
    pub mirror: bool,
    /// On the explained request's path.
    #[serde(default)]
    pub lit: bool,
}

/// Asks for one node of the traffic graph in full, for the details panel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetGraphNode {
    /// The cluster selection the graph was drawn for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The node's id.
    pub id: String,
}

impl Command for GetGraphNode {
    const NAME: &'static str = "get_graph_node";
    type Response = NodeDetails;
}

/// One node with its facts, conditions, findings and edges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeDetails {
    /// The node.
    pub node: GraphNode,
    /// Its edges: `from` or `to`, the label of the node at the other end, status and label.
    pub edges: Vec<NodeEdge>,
}

/// An edge of a node, as its details list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeEdge {
    /// `from` (an edge into the node) or `to` (out of it).
    pub direction: String,
    /// The label of the node at the other end.
    pub other: String,
    /// Whether traffic flows along it.
    pub health: Health,
    /// The reason of a rejected edge, or a backend's share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Asks for a page of the Gateway API diagnostics, narrowed by words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListGatewayDiagnostics {
    /// Only this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Words that must all appear in a row.
    #[serde(default)]
    pub query: String,
    /// The first matching row to return.
    #[serde(default)]
    pub offset: usize,
    /// Rows to return at most.
    pub limit: usize,
}

impl Command for ListGatewayDiagnostics {
    const NAME: &'static str = "list_gateway_diagnostics";
    type Response = DiagnosticsPage;
}

/// A page of diagnostics: errors first, then warnings, then notes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticsPage {
    /// Diagnostics in all.
    pub total: usize,
    /// Diagnostics the query matches.
    pub matched: usize,
    /// The index of `rows[0]` among the matches.
    pub offset: usize,
    /// The rows.
    pub rows: Vec<GatewayDiagnostic>,
}

/// The whole traffic graph of one cluster or every cluster, as the backend holds it.
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
