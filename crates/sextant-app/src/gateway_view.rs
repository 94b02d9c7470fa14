//! The Routes view's traffic graph, held whole here and sent to the page as drawn.
//!
//! A fleet of tens of thousands of routes makes a graph of a hundred thousand nodes and as many
//! diagnostics: far too much to send to the webview, decode in wasm and filter there on every
//! keystroke. So the backend keeps a light index of the graph per platform version (labels,
//! adjacency, lower-cased search text, diagnostics) and answers three questions from it: the
//! drawing for a query, "problems only", the collapsed namespaces and the lit path
//! ([`TrafficIndex::view`]); one node in full, for the details panel ([`node_details`]); and a
//! page of the diagnostics ([`TrafficIndex::diagnostics`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sextant_protocol::gateway::{
    COLLAPSE_ABOVE_ROUTES, DiagnosticsPage, ExplainTarget, GatewayDiagnostic, GraphCounts,
    GraphView, Health, MAX_DRAWN_NODES, NodeEdge, NodeKind, TrafficGraph, TrafficView, ViewEdge,
    ViewNode,
};

/// A node of the index: what drawing and searching need, without the details panel's facts.
#[derive(Debug, Clone)]
struct Node {
    id: String,
    kind: NodeKind,
    cluster: String,
    label: String,
    detail: String,
    health: Health,
    missing: bool,
    /// For the nodes a namespace collapses (routes, rules, Services, endpoints), the index of
    /// their `cluster|namespace` in [`TrafficIndex::keys`].
    key: Option<usize>,
    /// Label, detail, namespace, cluster, column and further words, lower-cased.
    haystack: String,
}

/// An edge between two indexed nodes.
#[derive(Debug, Clone)]
struct Edge {
    from: usize,
    to: usize,
    health: Health,
    label: Option<String>,
    mirror: bool,
}

/// The edges at each node, in one array (compressed rows): the edges of node `n` are
/// `edges[starts[n]..starts[n + 1]]`.
#[derive(Debug, Default)]
struct Adjacency {
    starts: Vec<u32>,
    edges: Vec<u32>,
}

impl Adjacency {
    /// The edges of `nodes` nodes, given each edge's node in edge order.
    fn new(nodes: usize, ends: impl Iterator<Item = usize> + Clone) -> Adjacency {
        let mut starts = vec![0_u32; nodes + 1];
        for end in ends.clone() {
            starts[end + 1] += 1;
        }
        for node in 0..nodes {
            starts[node + 1] += starts[node];
        }
        let mut next = starts.clone();
        let mut edges = vec![0_u32; starts[nodes] as usize];
        for (edge, end) in ends.enumerate() {
            edges[next[end] as usize] = u32::try_from(edge).unwrap_or(u32::MAX);
            next[end] += 1;
        }
        Adjacency { starts, edges }
    }

    /// The edges of `node`, in edge order.
    fn of(&self, node: usize) -> &[u32] {
        &self.edges[self.starts[node] as usize..self.starts[node + 1] as usize]
    }
}

/// The traffic graph of one cluster selection, indexed for drawing, searching and paging.
#[derive(Debug, Default)]
pub(crate) struct TrafficIndex {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    /// Every `cluster|namespace` a node can be collapsed into.
    keys: Vec<String>,
    /// Per node, the edges leaving it and the edges entering it.
    outgoing: Adjacency,
    incoming: Adjacency,
    counts: GraphCounts,
    namespaces: Vec<(String, usize)>,
    targets: Vec<ExplainTarget>,
    /// Errors first, then warnings, then the rest; each with its lower-cased text.
    diagnostics: Vec<(GatewayDiagnostic, String)>,
}

fn severity(health: Health) -> u8 {
    match health {
        Health::Ok => 0,
        Health::Unknown => 1,
        Health::Warning => 2,
        Health::Error => 3,
    }
}

fn worse(a: Health, b: Health) -> Health {
    if severity(b) > severity(a) { b } else { a }
}

fn diagnostic_rank(severity: &str) -> u8 {
    match severity {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    }
}

/// The lower-cased words of a query.
fn words(query: &str) -> Vec<String> {
    query.split_whitespace().map(str::to_lowercase).collect()
}

/// The nodes the query and "problems only" leave (`None`: all of them).
struct Shown(Option<Vec<bool>>);

impl Shown {
    fn has(&self, node: usize) -> bool {
        self.0.as_ref().is_none_or(|shown| shown[node])
    }
}

/// A collapsed namespace's routes (or Services), drawn as one node.
struct Group {
    id: String,
    /// `cluster|namespace`.
    key: String,
    column: NodeKind,
    /// Routes (or Services) it stands for.
    members: usize,
    /// The worst of its members.
    health: Health,
    /// Whether one of its members is on the lit path.
    lit: bool,
}

impl Group {
    /// The (empty) group of the routes and rules, or the Services and endpoints, of `key`.
    fn new(key: &str, column: NodeKind) -> Group {
        let what = if column == NodeKind::Service { "services" } else { "routes" };
        Group {
            id: format!("group|{what}|{key}"),
            key: key.to_owned(),
            column,
            members: 0,
            health: Health::Ok,
            lit: false,
        }
    }

    fn node(&self) -> ViewNode {
        let (cluster, namespace) = self.key.split_once('|').unwrap_or(("", self.key.as_str()));
        let what = if self.column == NodeKind::Route { "route(s)" } else { "Service(s)" };
        ViewNode {
            id: self.id.clone(),
            kind: self.column,
            label: format!("{namespace}: {} {what}", self.members),
            detail: format!("{cluster} · collapsed, click to open"),
            health: self.health,
            missing: false,
            group: Some(self.key.clone()),
            lit: self.lit,
        }
    }
}

/// One end of a drawn edge: a node of the graph, or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum End {
    Node(usize),
    Group(usize),
}

impl TrafficIndex {
    /// Indexes `graph` (whose nodes are in column order).
    pub(crate) fn new(graph: TrafficGraph) -> TrafficIndex {
        let TrafficGraph { nodes, edges, diagnostics, targets } = graph;
        let mut keys: Vec<String> = Vec::new();
        let mut key_ids: HashMap<String, usize> = HashMap::new();
        let nodes: Vec<Node> = nodes
            .into_iter()
            .map(|node| {
                let collapses = matches!(
                    node.kind,
                    NodeKind::Route | NodeKind::Rule | NodeKind::Service | NodeKind::Endpoints
                );
                let key = node.namespace.as_ref().filter(|_| collapses).map(|namespace| {
                    let key = format!("{}|{namespace}", node.cluster);
                    *key_ids.entry(key.clone()).or_insert_with(|| {
                        keys.push(key);
                        keys.len() - 1
                    })
                });
                let detail = node.detail.unwrap_or_default();
                let haystack = format!(
                    "{} {} {} {} {} {}",
                    node.label,
                    detail,
                    node.namespace.as_deref().unwrap_or_default(),
                    node.cluster,
                    node.kind.title(),
                    node.search
                )
                .to_lowercase();
                Node {
                    id: node.id,
                    kind: node.kind,
                    cluster: node.cluster,
                    label: node.label,
                    detail,
                    health: node.health,
                    missing: node.missing,
                    key,
                    haystack,
                }
            })
            .collect();
        let by_id: HashMap<String, usize> =
            nodes.iter().enumerate().map(|(position, node)| (node.id.clone(), position)).collect();
        let edges: Vec<Edge> = edges
            .into_iter()
            .filter_map(|edge| {
                Some(Edge {
                    from: *by_id.get(&edge.from)?,
                    to: *by_id.get(&edge.to)?,
                    health: edge.health,
                    label: edge.label,
                    mirror: edge.mirror,
                })
            })
            .collect();
        drop(by_id);
        let outgoing = Adjacency::new(nodes.len(), edges.iter().map(|edge| edge.from));
        let incoming = Adjacency::new(nodes.len(), edges.iter().map(|edge| edge.to));
        let count = |kind: NodeKind, health: Option<Health>| {
            nodes
                .iter()
                .filter(|node| node.kind == kind && !node.missing)
                .filter(|node| health.is_none_or(|health| node.health == health))
                .count()
        };
        let counts = GraphCounts {
            classes: count(NodeKind::GatewayClass, None),
            gateways: count(NodeKind::Gateway, None),
            routes: count(NodeKind::Route, None),
            rejected: count(NodeKind::Route, Some(Health::Error)),
            caveats: count(NodeKind::Route, Some(Health::Warning)),
            services: count(NodeKind::Service, None),
        };
        let mut namespaces: BTreeMap<String, usize> = BTreeMap::new();
        for node in nodes.iter().filter(|node| node.kind == NodeKind::Route && !node.missing) {
            if let Some(key) = node.key {
                *namespaces.entry(keys[key].clone()).or_default() += 1;
            }
        }
        let mut diagnostics: Vec<(GatewayDiagnostic, String)> = diagnostics
            .into_iter()
            .map(|diagnostic| {
                let haystack = format!(
                    "{} {} {} {} {} {}",
                    diagnostic.severity,
                    diagnostic.cluster,
                    diagnostic.code,
                    diagnostic.object,
                    diagnostic.message,
                    diagnostic.fix
                )
                .to_lowercase();
                (diagnostic, haystack)
            })
            .collect();
        diagnostics.sort_by_key(|(diagnostic, _)| diagnostic_rank(&diagnostic.severity));
        TrafficIndex {
            nodes,
            edges,
            keys,
            outgoing,
            incoming,
            counts,
            namespaces: namespaces.into_iter().collect(),
            targets,
            diagnostics,
        }
    }

    /// Every node reachable from `seeds` along edges, forwards and backwards.
    fn connected(&self, seeds: &[usize]) -> Vec<bool> {
        let mut keep = vec![false; self.nodes.len()];
        for forwards in [true, false] {
            let mut seen = vec![false; self.nodes.len()];
            let mut stack: Vec<usize> = seeds.to_vec();
            while let Some(node) = stack.pop() {
                if std::mem::replace(&mut seen[node], true) {
                    continue;
                }
                keep[node] = true;
                let edges = if forwards { self.outgoing.of(node) } else { self.incoming.of(node) };
                stack.extend(edges.iter().map(|&edge| {
                    let edge = &self.edges[edge as usize];
                    if forwards { edge.to } else { edge.from }
                }));
            }
        }
        keep
    }

    /// The nodes the query and "problems only" leave, or `None` for all of them.
    fn shown(&self, view: &GraphView) -> Option<Vec<bool>> {
        let mut keep: Option<Vec<bool>> = None;
        let words = words(&view.query);
        if !words.is_empty() {
            let seeds: Vec<usize> = (0..self.nodes.len())
                .filter(|&node| {
                    let haystack = &self.nodes[node].haystack;
                    words.iter().all(|word| haystack.contains(word.as_str()))
                })
                .collect();
            keep = Some(self.connected(&seeds));
        }
        if view.problems_only {
            let mut seeds: Vec<usize> = (0..self.nodes.len())
                .filter(|&node| self.nodes[node].health != Health::Ok)
                .collect();
            seeds.extend(
                self.edges.iter().filter(|edge| edge.health != Health::Ok).map(|edge| edge.to),
            );
            let problems = self.connected(&seeds);
            keep = Some(match keep {
                Some(keep) => keep.iter().zip(&problems).map(|(a, b)| *a && *b).collect(),
                None => problems,
            });
        }
        keep
    }

    /// The namespaces drawn collapsed for `view` (by index in [`TrafficIndex::keys`]), and how
    /// many of them the drawing budget holds back: by default all of them when the routes left
    /// to draw are too many, none otherwise; then the largest open ones while the drawing would
    /// exceed its budget.
    fn collapsed(&self, view: &GraphView, shown: &Shown) -> (Vec<bool>, usize) {
        let mut collapsed = vec![false; self.keys.len()];
        if let Some(asked) = &view.collapsed {
            let asked: BTreeSet<&str> = asked.iter().map(String::as_str).collect();
            for (key, name) in self.keys.iter().enumerate() {
                collapsed[key] = asked.contains(name.as_str());
            }
        } else {
            let routes = (0..self.nodes.len())
                .filter(|&node| self.nodes[node].kind == NodeKind::Route && shown.has(node))
                .count();
            if routes > COLLAPSE_ABOVE_ROUTES {
                collapsed.fill(true);
            }
        }
        let mut members = vec![0_usize; self.keys.len()];
        let mut fixed = 0;
        for node in (0..self.nodes.len()).filter(|&node| shown.has(node)) {
            match self.nodes[node].key {
                Some(key) => members[key] += 1,
                None => fixed += 1,
            }
        }
        // A collapsed namespace draws two nodes: its routes and its Services.
        let mut drawn = fixed
            + members
                .iter()
                .zip(&collapsed)
                .map(|(count, collapsed)| if *collapsed { (*count).min(2) } else { *count })
                .sum::<usize>();
        let mut open: Vec<usize> = (0..self.keys.len()).filter(|&key| !collapsed[key]).collect();
        open.sort_by(|a, b| members[*b].cmp(&members[*a]).then(self.keys[*a].cmp(&self.keys[*b])));
        let mut held = 0;
        for key in open {
            if drawn <= MAX_DRAWN_NODES {
                break;
            }
            if members[key] > 2 {
                drawn -= members[key] - 2;
                collapsed[key] = true;
                held += 1;
            }
        }
        (collapsed, held)
    }

    /// The graph as drawn for `view`.
    pub(crate) fn view(&self, view: &GraphView) -> TrafficView {
        let shown = Shown(self.shown(view));
        let lit: BTreeSet<&str> = view.lit.iter().map(String::as_str).collect();
        let lit_node = |node: usize| lit.contains(self.nodes[node].id.as_str());
        let (collapsed, held_collapsed) = self.collapsed(view, &shown);

        // The routes and rules of a collapsed namespace become one group node, and its
        // Services (with their endpoints) another: group `2 × key` and `2 × key + 1`.
        let mut grouped: Vec<Option<usize>> = vec![None; self.nodes.len()];
        let mut groups: Vec<Group> = Vec::new();
        let mut group_index: Vec<Option<usize>> = vec![None; 2 * self.keys.len()];
        let mut hidden = 0;
        for (position, node) in self.nodes.iter().enumerate() {
            if !shown.has(position) {
                hidden += 1;
                continue;
            }
            let Some(key) = node.key.filter(|key| collapsed[*key]) else { continue };
            let column = match node.kind {
                NodeKind::Service | NodeKind::Endpoints => NodeKind::Service,
                _ => NodeKind::Route,
            };
            let slot = 2 * key + usize::from(column == NodeKind::Service);
            let group = *group_index[slot].get_or_insert_with(|| {
                groups.push(Group::new(&self.keys[key], column));
                groups.len() - 1
            });
            let group_node = &mut groups[group];
            if node.kind == column {
                group_node.members += 1;
            }
            group_node.health = worse(group_node.health, node.health);
            group_node.lit |= lit_node(position);
            grouped[position] = Some(group);
        }

        let mut nodes = Vec::new();
        let mut placed = vec![false; groups.len()];
        for (position, node) in
            self.nodes.iter().enumerate().filter(|(position, _)| shown.has(*position))
        {
            match grouped[position] {
                Some(group) if !std::mem::replace(&mut placed[group], true) => {
                    nodes.push(groups[group].node());
                }
                Some(_) => {}
                None => nodes.push(ViewNode {
                    id: node.id.clone(),
                    kind: node.kind,
                    label: node.label.clone(),
                    detail: node.detail.clone(),
                    health: node.health,
                    missing: node.missing,
                    group: None,
                    lit: lit_node(position),
                }),
            }
        }
        // Group nodes take their column's place in the order.
        nodes.sort_by_key(|node| node.kind);

        // Edges between drawn nodes; those into or out of a group are merged, one per pair of
        // drawn nodes, with the worst status of those they stand for.
        let end = |node: usize| {
            shown.has(node).then(|| grouped[node].map_or(End::Node(node), End::Group))
        };
        let id_of = |end: End| match end {
            End::Node(node) => self.nodes[node].id.clone(),
            End::Group(group) => groups[group].id.clone(),
        };
        let mut edges: Vec<ViewEdge> = Vec::new();
        let mut merged: HashMap<(End, End), usize> = HashMap::new();
        for edge in &self.edges {
            let (Some(from), Some(to)) = (end(edge.from), end(edge.to)) else { continue };
            if from == to {
                continue;
            }
            let lit_edge = lit_node(edge.from) && lit_node(edge.to);
            if matches!(from, End::Group(_)) || matches!(to, End::Group(_)) {
                if let Some(&index) = merged.get(&(from, to)) {
                    let existing: &mut ViewEdge = &mut edges[index];
                    existing.health = worse(existing.health, edge.health);
                    existing.lit |= lit_edge;
                    existing.label = None;
                    continue;
                }
                merged.insert((from, to), edges.len());
            }
            edges.push(ViewEdge {
                from: id_of(from),
                to: id_of(to),
                health: edge.health,
                label: edge.label.clone(),
                mirror: edge.mirror,
                lit: lit_edge,
            });
        }
        TrafficView {
            nodes,
            edges,
            hidden,
            counts: self.counts,
            namespaces: self.namespaces.clone(),
            collapsed: (0..self.keys.len())
                .filter(|&key| collapsed[key])
                .map(|key| self.keys[key].clone())
                .collect(),
            held_collapsed,
            diagnostics: self.diagnostics.len(),
            targets: self.targets.clone(),
        }
    }

    /// The cluster a node belongs to, and its edges as its details list them.
    pub(crate) fn node_edges(&self, id: &str) -> Option<(&str, Vec<NodeEdge>)> {
        // A linear search: one click's worth, and no second copy of every id.
        let node = self.nodes.iter().position(|node| node.id == id)?;
        let line = |edge: usize, direction: &str, other: usize| {
            let edge = &self.edges[edge];
            NodeEdge {
                direction: direction.to_owned(),
                other: self.nodes[other].label.clone(),
                health: edge.health,
                label: edge.label.clone(),
            }
        };
        let mut edges: Vec<NodeEdge> = self
            .incoming
            .of(node)
            .iter()
            .map(|&edge| line(edge as usize, "from", self.edges[edge as usize].from))
            .collect();
        edges.extend(
            self.outgoing
                .of(node)
                .iter()
                .map(|&edge| line(edge as usize, "to", self.edges[edge as usize].to)),
        );
        Some((self.nodes[node].cluster.as_str(), edges))
    }

    /// The diagnostics the query matches, `limit` of them from `offset`.
    pub(crate) fn diagnostics(&self, query: &str, offset: usize, limit: usize) -> DiagnosticsPage {
        let words = words(query);
        let matching = self
            .diagnostics
            .iter()
            .filter(|(_, haystack)| words.iter().all(|word| haystack.contains(word.as_str())));
        let mut matched = 0;
        let mut rows = Vec::new();
        for (diagnostic, _) in matching {
            if matched >= offset && rows.len() < limit {
                rows.push(diagnostic.clone());
            }
            matched += 1;
        }
        DiagnosticsPage {
            total: self.diagnostics.len(),
            matched,
            offset: offset.min(matched),
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use sextant_protocol::gateway::{GraphEdge, GraphNode};

    use super::*;

    fn node(id: &str, kind: NodeKind, namespace: Option<&str>, health: Health) -> GraphNode {
        GraphNode {
            id: id.to_owned(),
            kind,
            cluster: "c".to_owned(),
            namespace: namespace.map(str::to_owned),
            label: id.rsplit('|').next().unwrap_or(id).to_owned(),
            detail: None,
            health,
            missing: false,
            sections: Vec::new(),
            conditions: Vec::new(),
            diagnostics: Vec::new(),
            search: String::new(),
        }
    }

    fn edge(from: &str, to: &str, health: Health) -> GraphEdge {
        GraphEdge { from: from.to_owned(), to: to.to_owned(), health, label: None, mirror: false }
    }

    /// A class, a Gateway with `listeners` listeners, and `routes` routes spread over them and
    /// over `namespaces` namespaces, each with two rules and its own Service; every 17th route
    /// is rejected and has a diagnostic.
    fn synthetic(listeners: usize, routes: usize, namespaces: usize) -> TrafficGraph {
        let mut graph = TrafficGraph::default();
        graph.nodes.push(node("c|class", NodeKind::GatewayClass, None, Health::Ok));
        graph.nodes.push(node("c|gw", NodeKind::Gateway, Some("infra"), Health::Ok));
        graph.edges.push(edge("c|class", "c|gw", Health::Ok));
        for listener in 0..listeners {
            let id = format!("c|l{listener}");
            graph.nodes.push(node(&id, NodeKind::Listener, Some("infra"), Health::Ok));
            graph.edges.push(edge("c|gw", &id, Health::Ok));
        }
        for route in 0..routes {
            let namespace = format!("ns{}", route % namespaces);
            let id = format!("c|r{route}");
            let health = if route % 17 == 0 { Health::Error } else { Health::Ok };
            graph.nodes.push(node(&id, NodeKind::Route, Some(&namespace), health));
            graph.edges.push(edge(&format!("c|l{}", route % listeners), &id, health));
            let service = format!("c|s{route}");
            graph.nodes.push(node(&service, NodeKind::Service, Some(&namespace), Health::Ok));
            for rule in 0..2 {
                let rule_id = format!("{id}/rule/{rule}");
                graph.nodes.push(node(&rule_id, NodeKind::Rule, Some(&namespace), Health::Ok));
                graph.edges.push(edge(&id, &rule_id, Health::Ok));
                graph.edges.push(edge(&rule_id, &service, Health::Ok));
            }
            let severity = if health == Health::Error { "error" } else { "info" };
            graph.diagnostics.push(GatewayDiagnostic {
                cluster: "c".to_owned(),
                severity: severity.to_owned(),
                code: format!("code_{severity}"),
                object: format!("HTTPRoute {namespace}/r{route}"),
                message: format!("route r{route} says something"),
                fix: "do something".to_owned(),
            });
        }
        graph.nodes.sort_by_key(|node| node.kind);
        graph
    }

    fn ids(view: &TrafficView, kind: NodeKind) -> Vec<&str> {
        view.nodes.iter().filter(|node| node.kind == kind).map(|node| node.id.as_str()).collect()
    }

    #[test]
    fn a_small_graph_is_drawn_whole_and_counted() {
        let graph = synthetic(6, 200, 12);
        let total = graph.nodes.len();
        let index = TrafficIndex::new(graph);
        let view = index.view(&GraphView::default());
        assert_eq!(view.nodes.len(), total, "200 routes are within the default: nothing hidden");
        assert!(view.collapsed.is_empty());
        // 200 routes, one rejected in 17 (0, 17, …, 187: 12 of them), 200 Services.
        assert_eq!(
            view.counts,
            GraphCounts {
                classes: 1,
                gateways: 1,
                routes: 200,
                rejected: 12,
                caveats: 0,
                services: 200
            }
        );
        assert_eq!(view.namespaces.len(), 12);
        assert_eq!(view.namespaces[0], ("c|ns0".to_owned(), 17), "routes 0, 12, …, 192");
        assert_eq!(view.diagnostics, 200);
    }

    #[test]
    fn a_large_graph_opens_collapsed_and_a_query_narrow_enough_draws_its_routes() {
        let index = TrafficIndex::new(synthetic(6, 400, 12));
        let view = index.view(&GraphView::default());
        assert_eq!(view.collapsed.len(), 12, "400 routes are more than the default draws");
        assert!(ids(&view, NodeKind::Rule).is_empty(), "rules fold into their group");
        assert_eq!(
            ids(&view, NodeKind::Route).len(),
            12,
            "one group per namespace in the route column"
        );
        let narrowed = index.view(&GraphView { query: "r13".to_owned(), ..GraphView::default() });
        assert!(narrowed.collapsed.is_empty(), "a query leaving few routes draws them");
        assert_eq!(
            ids(&narrowed, NodeKind::Route),
            [
                "c|r13", "c|r130", "c|r131", "c|r132", "c|r133", "c|r134", "c|r135", "c|r136",
                "c|r137", "c|r138", "c|r139"
            ]
        );
    }

    #[test]
    fn collapsing_merges_edges_and_keeps_the_worst_health() {
        let index = TrafficIndex::new(synthetic(6, 200, 12));
        let all: Vec<String> = index.namespaces.iter().map(|(key, _)| key.clone()).collect();
        let view = index.view(&GraphView { collapsed: Some(all), ..GraphView::default() });
        let group = view.nodes.iter().find(|node| node.id == "group|routes|c|ns0").unwrap();
        assert_eq!(group.label, "ns0: 17 route(s)");
        assert_eq!(group.health, Health::Error, "a group is as bad as its worst route");
        assert_eq!(group.group.as_deref(), Some("c|ns0"));
        let services = view.nodes.iter().find(|node| node.id == "group|services|c|ns0").unwrap();
        assert_eq!(services.label, "ns0: 17 Service(s)");
        let into_group: Vec<&ViewEdge> =
            view.edges.iter().filter(|edge| edge.to == "group|routes|c|ns0").collect();
        let sources: BTreeSet<&str> = into_group.iter().map(|edge| edge.from.as_str()).collect();
        assert_eq!(sources.len(), into_group.len(), "parallel edges merge");
        // Routes 0, 12, …, 192 of ns0 arrive from listeners route % 6: 0 and 12 → l0, 24 → l0…
        // (12 ≡ 0 mod 6), so every ns0 route comes from l0.
        assert_eq!(sources, BTreeSet::from(["c|l0"]));
        assert_eq!(into_group[0].health, Health::Error, "a merged edge is as bad as its worst");
    }

    #[test]
    fn a_search_keeps_what_leads_to_and_from_a_match() {
        let graph = synthetic(2, 6, 2);
        let total = graph.nodes.len();
        let index = TrafficIndex::new(graph);
        let view = index.view(&GraphView { query: "R3".to_owned(), ..GraphView::default() });
        let ids: BTreeSet<&str> = view.nodes.iter().map(|node| node.id.as_str()).collect();
        let expected: BTreeSet<&str> =
            ["c|class", "c|gw", "c|l1", "c|r3", "c|r3/rule/0", "c|r3/rule/1", "c|s3"].into();
        assert_eq!(ids, expected);
        assert_eq!(view.hidden, total - expected.len());
    }

    #[test]
    fn problems_only_keeps_the_paths_through_a_failing_node() {
        let index = TrafficIndex::new(synthetic(2, 20, 2));
        let view = index.view(&GraphView { problems_only: true, ..GraphView::default() });
        assert_eq!(ids(&view, NodeKind::Route), ["c|r0", "c|r17"], "the failing routes only");
    }

    #[test]
    fn the_lit_path_lights_nodes_and_the_edges_between_them() {
        let index = TrafficIndex::new(synthetic(2, 4, 1));
        let lit: Vec<String> = ["c|class", "c|gw", "c|l1", "c|r1", "c|r1/rule/0", "c|s1"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let view = index.view(&GraphView { lit, ..GraphView::default() });
        let lit_edges: Vec<(&str, &str)> = view
            .edges
            .iter()
            .filter(|edge| edge.lit)
            .map(|edge| (edge.from.as_str(), edge.to.as_str()))
            .collect();
        assert_eq!(
            lit_edges,
            [
                ("c|class", "c|gw"),
                ("c|gw", "c|l1"),
                ("c|l1", "c|r1"),
                ("c|r1", "c|r1/rule/0"),
                ("c|r1/rule/0", "c|s1")
            ]
        );
        assert!(view.nodes.iter().filter(|node| node.lit).count() == 6);
    }

    #[test]
    fn opening_everything_beyond_the_budget_holds_the_largest_namespaces_back() {
        // 2,000 routes in 5 namespaces: 400 routes, 800 rules and 400 Services each.
        let index = TrafficIndex::new(synthetic(4, 2_000, 5));
        let view = index.view(&GraphView { collapsed: Some(Vec::new()), ..GraphView::default() });
        assert!(view.nodes.len() <= MAX_DRAWN_NODES, "{} nodes drawn", view.nodes.len());
        // Each namespace draws 1,600 nodes open and 2 collapsed: with 6 fixed nodes, one open
        // namespace (6 + 1,600 + 4 × 2 = 1,614) fits and two (3,212) do not.
        assert_eq!(view.held_collapsed, 4);
        assert_eq!(view.collapsed.len(), 4);
        assert_eq!(view.nodes.len(), 6 + 1_600 + 4 * 2);
    }

    #[test]
    fn diagnostics_come_errors_first_in_pages_narrowed_by_words() {
        let index = TrafficIndex::new(synthetic(2, 100, 4));
        let page = index.diagnostics("", 0, 10);
        assert_eq!((page.total, page.matched, page.rows.len()), (100, 100, 10));
        // Routes 0, 17, 34, 51, 68, 85 are rejected: 6 errors, first.
        assert!(page.rows[..6].iter().all(|row| row.severity == "error"));
        assert_eq!(page.rows[6].severity, "info");
        let narrowed = index.diagnostics("ROUTE r5", 0, 50);
        // r5, r50…r59: 11 routes.
        assert_eq!(narrowed.matched, 11);
        assert_eq!(narrowed.rows[0].object, "HTTPRoute ns3/r51", "the error (51 = 3 × 17) first");
        let tail = index.diagnostics("", 95, 10);
        assert_eq!((tail.offset, tail.rows.len()), (95, 5), "the last page is short");
        let beyond = index.diagnostics("", 500, 10);
        assert_eq!((beyond.offset, beyond.rows.len()), (100, 0));
    }

    #[test]
    fn a_node_lists_its_edges_both_ways() {
        let index = TrafficIndex::new(synthetic(2, 4, 1));
        let (cluster, edges) = index.node_edges("c|r1").unwrap();
        assert_eq!(cluster, "c");
        let lines: Vec<(&str, &str)> =
            edges.iter().map(|edge| (edge.direction.as_str(), edge.other.as_str())).collect();
        assert_eq!(lines, [("from", "l1"), ("to", "r1/rule/0"), ("to", "r1/rule/1")]);
        assert!(index.node_edges("c|nope").is_none());
    }
}
