//! The traffic graph's view model: which nodes a search, the "problems only" switch and the
//! collapsed namespaces leave, and a deterministic layered layout (one column per node kind,
//! rows ordered by their parents so that edges cross little). Plain data, tested natively.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sextant_protocol::gateway::{GraphEdge, GraphNode, Health, NodeKind, TrafficGraph};

/// Node height and the vertical distance between rows.
pub(crate) const NODE_HEIGHT: f64 = 38.0;
const ROW: f64 = 46.0;
/// Horizontal gap between columns, and the space above the first row for column titles.
const GAP: f64 = 76.0;
const TOP: f64 = 34.0;

/// A column's node width in pixels.
fn column_pixels(kind: NodeKind) -> u16 {
    match kind {
        NodeKind::GatewayClass | NodeKind::Endpoints => 100,
        NodeKind::Gateway => 124,
        NodeKind::Listener | NodeKind::Service => 144,
        NodeKind::Route | NodeKind::Rule => 176,
    }
}

/// A column's node width.
pub(crate) fn column_width(kind: NodeKind) -> f64 {
    f64::from(column_pixels(kind))
}

/// What the user narrowed the graph to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GraphOptions {
    /// Words that must all appear in a node (or one it is connected to).
    pub(crate) query: String,
    /// `cluster|namespace` keys whose routes are drawn as one node.
    pub(crate) collapsed: BTreeSet<String>,
    /// Keep only what is on a path through a node or edge that is not healthy.
    pub(crate) problems_only: bool,
}

/// A node as drawn.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VisibleNode {
    /// The graph node's id, or `group|cluster|namespace` for a collapsed namespace.
    pub(crate) id: String,
    /// Its column.
    pub(crate) kind: NodeKind,
    /// First line.
    pub(crate) label: String,
    /// Second line.
    pub(crate) detail: String,
    /// Colour.
    pub(crate) health: Health,
    /// Referenced but absent (drawn dashed).
    pub(crate) missing: bool,
    /// A collapsed namespace: its `cluster|namespace` key.
    pub(crate) group: Option<String>,
    /// On the explained request's path.
    pub(crate) lit: bool,
}

/// An edge as drawn.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VisibleEdge {
    /// Source id.
    pub(crate) from: String,
    /// Target id.
    pub(crate) to: String,
    /// Colour.
    pub(crate) health: Health,
    /// Shown at its middle.
    pub(crate) label: Option<String>,
    /// Drawn dashed.
    pub(crate) mirror: bool,
    /// On the explained request's path.
    pub(crate) lit: bool,
}

/// The graph after search, "problems only" and collapsing.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct VisibleGraph {
    /// Nodes in column order.
    pub(crate) nodes: Vec<VisibleNode>,
    /// Edges.
    pub(crate) edges: Vec<VisibleEdge>,
    /// How many graph nodes the options hid.
    pub(crate) hidden: usize,
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

/// The text a search looks in.
fn haystack(node: &GraphNode) -> String {
    format!(
        "{} {} {} {} {} {}",
        node.label,
        node.detail.as_deref().unwrap_or_default(),
        node.namespace.as_deref().unwrap_or_default(),
        node.cluster,
        node.kind.title(),
        node.search
    )
    .to_lowercase()
}

/// Every node reachable from `start` along `next`.
fn reach<'a>(
    start: impl IntoIterator<Item = &'a str>,
    next: &HashMap<&'a str, Vec<&'a str>>,
) -> HashSet<&'a str> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = start.into_iter().collect();
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            stack.extend(next.get(id).into_iter().flatten().copied());
        }
    }
    seen
}

/// The `cluster|namespace` key of a route, rule, Service or endpoints node, which collapsing
/// groups by.
pub(crate) fn namespace_key(node: &GraphNode) -> Option<String> {
    matches!(node.kind, NodeKind::Route | NodeKind::Rule | NodeKind::Service | NodeKind::Endpoints)
        .then(|| node.namespace.as_ref().map(|namespace| format!("{}|{namespace}", node.cluster)))
        .flatten()
}

/// The group node a node folds into when its namespace is collapsed: routes and rules into one
/// node in the route column, Services and their endpoints into one in the Service column.
fn group_id(kind: NodeKind, key: &str) -> (String, NodeKind) {
    match kind {
        NodeKind::Service | NodeKind::Endpoints => {
            (format!("group|services|{key}"), NodeKind::Service)
        }
        _ => (format!("group|routes|{key}"), NodeKind::Route),
    }
}

/// Applies `options` to `graph`, and marks the `lit` path.
pub(crate) fn visible_graph(
    graph: &TrafficGraph,
    options: &GraphOptions,
    lit: &BTreeSet<String>,
) -> VisibleGraph {
    let mut forward: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut backward: HashMap<&str, Vec<&str>> = HashMap::new();
    for edge in &graph.edges {
        forward.entry(edge.from.as_str()).or_default().push(edge.to.as_str());
        backward.entry(edge.to.as_str()).or_default().push(edge.from.as_str());
    }
    let connected = |seeds: Vec<&'_ str>| -> HashSet<String> {
        let mut keep: HashSet<String> = HashSet::new();
        for id in reach(seeds.iter().copied(), &forward) {
            keep.insert(id.to_owned());
        }
        for id in reach(seeds.iter().copied(), &backward) {
            keep.insert(id.to_owned());
        }
        keep
    };
    let mut keep: Option<HashSet<String>> = None;
    let words: Vec<String> = options.query.split_whitespace().map(str::to_lowercase).collect();
    if !words.is_empty() {
        let seeds: Vec<&str> = graph
            .nodes
            .iter()
            .filter(|node| {
                let text = haystack(node);
                words.iter().all(|word| text.contains(word.as_str()))
            })
            .map(|node| node.id.as_str())
            .collect();
        keep = Some(connected(seeds));
    }
    if options.problems_only {
        let mut seeds: Vec<&str> = graph
            .nodes
            .iter()
            .filter(|node| node.health != Health::Ok)
            .map(|node| node.id.as_str())
            .collect();
        seeds.extend(
            graph
                .edges
                .iter()
                .filter(|edge| edge.health != Health::Ok)
                .map(|edge| edge.to.as_str()),
        );
        let problems = connected(seeds);
        keep = Some(match keep {
            Some(keep) => keep.intersection(&problems).cloned().collect(),
            None => problems,
        });
    }
    let shown = |id: &str| keep.as_ref().is_none_or(|keep| keep.contains(id));

    // Collapsing: the routes and rules of a collapsed namespace become one group node, and its
    // Services (with their endpoints) another.
    let mut group_of: HashMap<&str, String> = HashMap::new();
    // Per group id: (namespace key, column, members counted, health, lit).
    let mut groups: BTreeMap<String, (String, NodeKind, usize, Health, bool)> = BTreeMap::new();
    for node in graph.nodes.iter().filter(|node| shown(&node.id)) {
        if let Some(key) = namespace_key(node).filter(|key| options.collapsed.contains(key)) {
            let (id, column) = group_id(node.kind, &key);
            let entry = groups.entry(id.clone()).or_insert((key, column, 0, Health::Ok, false));
            if node.kind == column {
                entry.2 += 1;
            }
            entry.3 = worse(entry.3, node.health);
            entry.4 |= lit.contains(&node.id);
            group_of.insert(node.id.as_str(), id);
        }
    }
    let mut nodes = Vec::new();
    let mut placed_groups: HashSet<String> = HashSet::new();
    let mut hidden = 0;
    for node in &graph.nodes {
        if !shown(&node.id) {
            hidden += 1;
            continue;
        }
        if let Some(group) = group_of.get(node.id.as_str()) {
            if placed_groups.insert(group.clone()) {
                let (key, column, members, health, lit) = groups[group].clone();
                let (cluster, namespace) = key.split_once('|').unwrap_or(("", key.as_str()));
                let what = if column == NodeKind::Route { "route(s)" } else { "Service(s)" };
                nodes.push(VisibleNode {
                    id: group.clone(),
                    kind: column,
                    label: format!("{namespace}: {members} {what}"),
                    detail: format!("{cluster} · collapsed, click to open"),
                    health,
                    missing: false,
                    group: Some(key),
                    lit,
                });
            }
            continue;
        }
        nodes.push(VisibleNode {
            id: node.id.clone(),
            kind: node.kind,
            label: node.label.clone(),
            detail: node.detail.clone().unwrap_or_default(),
            health: node.health,
            missing: node.missing,
            group: None,
            lit: lit.contains(&node.id),
        });
    }
    // Group nodes take their column's place in the order.
    nodes.sort_by_key(|node| node.kind);
    let present: HashSet<&str> = nodes.iter().map(|node| node.id.as_str()).collect();
    let mut edges: Vec<VisibleEdge> = Vec::new();
    let mut merged: HashMap<(String, String), usize> = HashMap::new();
    for edge in &graph.edges {
        let lit_edge = lit.contains(&edge.from) && lit.contains(&edge.to);
        let from = group_of.get(edge.from.as_str()).cloned().unwrap_or_else(|| edge.from.clone());
        let to = group_of.get(edge.to.as_str()).cloned().unwrap_or_else(|| edge.to.clone());
        if from == to || !present.contains(from.as_str()) || !present.contains(to.as_str()) {
            continue;
        }
        let grouped = from != edge.from || to != edge.to;
        if grouped {
            // One edge per pair of drawn nodes, with the worst status of those it stands for.
            if let Some(&index) = merged.get(&(from.clone(), to.clone())) {
                let existing: &mut VisibleEdge = &mut edges[index];
                existing.health = worse(existing.health, edge.health);
                existing.lit |= lit_edge;
                existing.label = None;
                continue;
            }
            merged.insert((from.clone(), to.clone()), edges.len());
        }
        edges.push(VisibleEdge {
            from,
            to,
            health: edge.health,
            label: edge.label.clone(),
            mirror: edge.mirror,
            lit: lit_edge,
        });
    }
    VisibleGraph { nodes, edges, hidden }
}

/// A node with its place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedNode {
    /// The node.
    pub(crate) node: VisibleNode,
    /// Left.
    pub(crate) x: f64,
    /// Top.
    pub(crate) y: f64,
    /// Width.
    pub(crate) width: f64,
}

/// An edge with its path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedEdge {
    /// The edge.
    pub(crate) edge: VisibleEdge,
    /// The SVG path (`M … C …`).
    pub(crate) path: String,
    /// Where its label goes.
    pub(crate) label_at: (f64, f64),
}

/// The drawing.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Layout {
    /// Nodes.
    pub(crate) nodes: Vec<PlacedNode>,
    /// Edges, lit ones last (drawn on top).
    pub(crate) edges: Vec<PlacedEdge>,
    /// Column titles: (x, title).
    pub(crate) columns: Vec<(f64, &'static str)>,
    /// Total width.
    pub(crate) width: f64,
    /// Total height.
    pub(crate) height: f64,
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Places rows top to bottom in `order`, each as near `desired` as it can without overlapping
/// the previous one.
fn settle(order: &[usize], desired: &HashMap<usize, f64>, y: &mut [f64]) {
    let mut next = TOP;
    for &index in order {
        let want = desired.get(&index).copied().unwrap_or(next);
        y[index] = want.max(next);
        next = y[index] + ROW;
    }
}

/// Lays `graph` out in columns, left to right by node kind. Deterministic: the same graph
/// always gets the same drawing.
pub(crate) fn layout(graph: &VisibleGraph) -> Layout {
    let kinds: Vec<NodeKind> = NodeKind::ALL
        .into_iter()
        .filter(|kind| graph.nodes.iter().any(|node| node.kind == *kind))
        .collect();
    let mut column_x: HashMap<NodeKind, f64> = HashMap::new();
    let mut x = 0.0;
    let mut columns = Vec::new();
    for kind in &kinds {
        column_x.insert(*kind, x);
        columns.push((x, kind.title()));
        x += column_width(*kind) + GAP;
    }
    let width = (x - GAP).max(0.0);
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(position, node)| (node.id.as_str(), position))
        .collect();
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for edge in &graph.edges {
        if let (Some(&from), Some(&to)) =
            (index.get(edge.from.as_str()), index.get(edge.to.as_str()))
        {
            parents[to].push(from);
            children[from].push(to);
        }
    }
    let mut y = vec![TOP; graph.nodes.len()];
    let mut orders: Vec<Vec<usize>> = Vec::new();
    // Left to right: each column sorted by where its parents are, then placed near them.
    for kind in &kinds {
        let mut members: Vec<usize> = (0..graph.nodes.len())
            .filter(|&position| graph.nodes[position].kind == *kind)
            .collect();
        let placed_parent = |position: usize| -> Vec<f64> {
            parents[position]
                .iter()
                .filter(|&&parent| graph.nodes[parent].kind < *kind)
                .map(|&parent| y[parent])
                .collect()
        };
        let keys: HashMap<usize, f64> = members
            .iter()
            .filter_map(|&position| Some((position, mean(&placed_parent(position))?)))
            .collect();
        members.sort_by(|a, b| {
            let key = |position: &usize| keys.get(position).copied().unwrap_or(f64::MAX);
            key(a).total_cmp(&key(b)).then(a.cmp(b))
        });
        settle(&members, &keys, &mut y);
        orders.push(members);
    }
    // Right to left over the columns before the rules (routes, listeners, Gateways, classes):
    // centre each node on its children, keeping the order, so that a route with many rules
    // gets the room they take.
    for (column, kind) in kinds.iter().enumerate().rev() {
        if *kind > NodeKind::Route {
            continue;
        }
        let desired: HashMap<usize, f64> = orders[column]
            .iter()
            .filter_map(|&position| {
                let below: Vec<f64> = children[position]
                    .iter()
                    .filter(|&&child| graph.nodes[child].kind > *kind)
                    .map(|&child| y[child])
                    .collect();
                Some((position, mean(&below)?))
            })
            .collect();
        let order = orders[column].clone();
        settle(&order, &desired, &mut y);
    }
    let nodes: Vec<PlacedNode> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(position, node)| PlacedNode {
            node: node.clone(),
            x: column_x[&node.kind],
            y: y[position],
            width: column_width(node.kind),
        })
        .collect();
    let mut edges: Vec<PlacedEdge> = graph
        .edges
        .iter()
        .filter_map(|edge| {
            let from = &nodes[*index.get(edge.from.as_str())?];
            let to = &nodes[*index.get(edge.to.as_str())?];
            let (x1, y1) = (from.x + from.width, from.y + NODE_HEIGHT / 2.0);
            let (x2, y2) = (to.x, to.y + NODE_HEIGHT / 2.0);
            if x2 - x1 > GAP + 1.0 {
                // The edge skips a column (a route hanging from a Gateway it does not attach
                // to): it bends before the last gap and runs level into its target, where its
                // label goes, clear of the skipped column's nodes.
                let bend = x2 - GAP;
                let middle = f64::midpoint(x1, bend);
                return Some(PlacedEdge {
                    edge: edge.clone(),
                    path: format!(
                        "M{x1:.1},{y1:.1} C{middle:.1},{y1:.1} {middle:.1},{y2:.1} {bend:.1},{y2:.1} L{x2:.1},{y2:.1}"
                    ),
                    label_at: (x2 - GAP / 2.0, y2),
                });
            }
            let middle = f64::midpoint(x1, x2);
            Some(PlacedEdge {
                edge: edge.clone(),
                path: format!(
                    "M{x1:.1},{y1:.1} C{middle:.1},{y1:.1} {middle:.1},{y2:.1} {x2:.1},{y2:.1}"
                ),
                label_at: (middle, f64::midpoint(y1, y2)),
            })
        })
        .collect();
    edges.sort_by_key(|edge| (edge.edge.lit, edge.edge.health != Health::Ok));
    let height = nodes.iter().map(|node| node.y + NODE_HEIGHT).fold(TOP, f64::max) + 12.0;
    Layout { nodes, edges, columns, width, height }
}

/// Cuts `text` to `limit` characters, with an ellipsis.
pub(crate) fn clip(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(limit.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

/// An edge label in at most two short lines, broken between words or before capitals
/// (`NoMatchingListenerHostname` → `NoMatchingListener`, `Hostname`), so that it fits the gap
/// between two columns.
pub(crate) fn label_lines(label: &str) -> Vec<String> {
    const WIDTH: usize = 14;
    let mut words: Vec<String> = Vec::new();
    for token in label.split_whitespace() {
        let mut word = String::new();
        for character in token.chars() {
            if character.is_uppercase() && word.chars().last().is_some_and(char::is_lowercase) {
                words.push(std::mem::take(&mut word));
            }
            word.push(character);
        }
        if !word.is_empty() {
            words.push(word);
        }
        if let Some(last) = words.last_mut() {
            last.push(' ');
        }
    }
    let mut lines: Vec<String> = vec![String::new()];
    for word in words {
        let current = lines.last().map_or(0, |line| line.trim_end().chars().count());
        if current > 0 && current + word.trim_end().chars().count() > WIDTH {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            line.push_str(&word);
        }
    }
    if lines.len() > 2 {
        // Words of one token carry no space between them; those of different tokens do.
        let rest: String = lines[1..].concat();
        lines.truncate(1);
        lines.push(clip(rest.trim_end(), WIDTH + 1));
    }
    lines.into_iter().map(|line| line.trim_end().to_owned()).collect()
}

/// How many characters of a label fit a column.
pub(crate) fn label_limit(kind: NodeKind) -> usize {
    // About 7.2 px per character of the graph's 12 px semi-bold font, with padding.
    usize::from(column_pixels(kind).saturating_sub(18)) * 10 / 72
}

/// The namespaces whose routes can be collapsed: `(cluster|namespace, routes)`.
pub(crate) fn route_namespaces(graph: &TrafficGraph) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for node in graph.nodes.iter().filter(|node| node.kind == NodeKind::Route && !node.missing) {
        if let Some(key) = namespace_key(node) {
            *counts.entry(key).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

/// Counts for the stats row: (classes, Gateways, routes, rejected routes, routes with a caveat,
/// Services).
pub(crate) fn graph_counts(graph: &TrafficGraph) -> [usize; 6] {
    let count = |kind: NodeKind, health: Option<Health>| {
        graph
            .nodes
            .iter()
            .filter(|node| node.kind == kind && !node.missing)
            .filter(|node| health.is_none_or(|health| node.health == health))
            .count()
    };
    [
        count(NodeKind::GatewayClass, None),
        count(NodeKind::Gateway, None),
        count(NodeKind::Route, None),
        count(NodeKind::Route, Some(Health::Error)),
        count(NodeKind::Route, Some(Health::Warning)),
        count(NodeKind::Service, None),
    ]
}

/// The edge that leads into `id` on the explained path, for the details panel.
pub(crate) fn edges_of<'a>(
    graph: &'a TrafficGraph,
    id: &'a str,
) -> impl Iterator<Item = &'a GraphEdge> {
    graph.edges.iter().filter(move |edge| edge.from == id || edge.to == id)
}

#[cfg(test)]
mod tests {
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
    /// over `namespaces` namespaces, each with two rules and its own Service.
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
        }
        graph.nodes.sort_by_key(|node| node.kind);
        graph
    }

    #[test]
    fn two_hundred_routes_lay_out_without_overlap_and_left_to_right() {
        let graph = synthetic(6, 200, 12);
        let visible = visible_graph(&graph, &GraphOptions::default(), &BTreeSet::new());
        assert_eq!(visible.nodes.len(), graph.nodes.len(), "nothing hidden without options");
        let drawing = layout(&visible);
        for kind in NodeKind::ALL {
            let mut rows: Vec<f64> = drawing
                .nodes
                .iter()
                .filter(|node| node.node.kind == kind)
                .map(|node| node.y)
                .collect();
            rows.sort_by(f64::total_cmp);
            assert!(
                rows.windows(2).all(|pair| pair[1] - pair[0] >= ROW - 0.01),
                "{kind:?}: nodes of a column never overlap"
            );
        }
        let at: HashMap<&str, &PlacedNode> =
            drawing.nodes.iter().map(|node| (node.node.id.as_str(), node)).collect();
        for edge in &drawing.edges {
            assert!(
                at[edge.edge.from.as_str()].x < at[edge.edge.to.as_str()].x,
                "edges go left to right"
            );
        }
        assert_eq!(layout(&visible), drawing, "the layout is deterministic");
        // A route sits next to its rules: their rows are adjacent.
        let route = at["c|r5"];
        let rule = at["c|r5/rule/0"];
        assert!((route.y - rule.y).abs() <= ROW * 1.5, "rules line up with their route");
    }

    #[test]
    fn collapsing_namespaces_keeps_two_hundred_routes_readable() {
        let graph = synthetic(6, 200, 12);
        let options = GraphOptions {
            collapsed: route_namespaces(&graph).into_iter().map(|(key, _)| key).collect(),
            ..GraphOptions::default()
        };
        let visible = visible_graph(&graph, &options, &BTreeSet::new());
        let groups = visible.nodes.iter().filter(|node| node.group.is_some()).count();
        assert!(
            visible.nodes.iter().all(|node| node.kind != NodeKind::Rule),
            "rules fold into their group"
        );
        assert_eq!(groups, 24, "one node per namespace for its routes, one for its Services");
        let group = visible.nodes.iter().find(|node| node.id == "group|routes|c|ns0").unwrap();
        assert_eq!(group.label, "ns0: 17 route(s)");
        assert_eq!(group.health, Health::Error, "a group is as bad as its worst route");
        let services = visible.nodes.iter().find(|node| node.id == "group|services|c|ns0").unwrap();
        assert_eq!(services.label, "ns0: 17 Service(s)");
        let into_group =
            visible.edges.iter().filter(|edge| edge.to == "group|routes|c|ns0").collect::<Vec<_>>();
        let mut sources: Vec<&str> = into_group.iter().map(|edge| edge.from.as_str()).collect();
        sources.dedup();
        assert_eq!(sources.len(), into_group.len(), "parallel edges merge");
        assert!(layout(&visible).height < 800.0, "collapsed, the graph fits a screen");
    }

    #[test]
    fn a_search_keeps_what_leads_to_and_from_a_match() {
        let graph = synthetic(2, 6, 2);
        let options = GraphOptions { query: "R3".to_owned(), ..GraphOptions::default() };
        let visible = visible_graph(&graph, &options, &BTreeSet::new());
        let ids: BTreeSet<&str> = visible.nodes.iter().map(|node| node.id.as_str()).collect();
        let expected: BTreeSet<&str> =
            ["c|class", "c|gw", "c|l1", "c|r3", "c|r3/rule/0", "c|r3/rule/1", "c|s3"].into();
        assert_eq!(ids, expected);
        assert_eq!(visible.hidden, graph.nodes.len() - expected.len());
    }

    #[test]
    fn problems_only_keeps_the_paths_through_a_failing_node() {
        let graph = synthetic(2, 20, 2);
        let options = GraphOptions { problems_only: true, ..GraphOptions::default() };
        let visible = visible_graph(&graph, &options, &BTreeSet::new());
        let routes: Vec<&str> = visible
            .nodes
            .iter()
            .filter(|node| node.kind == NodeKind::Route)
            .map(|node| node.id.as_str())
            .collect();
        assert_eq!(routes, ["c|r0", "c|r17"], "the failing routes, and only those");
    }

    #[test]
    fn the_lit_path_lights_nodes_and_the_edges_between_them() {
        let graph = synthetic(2, 4, 1);
        let lit: BTreeSet<String> = ["c|class", "c|gw", "c|l1", "c|r1", "c|r1/rule/0", "c|s1"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let visible = visible_graph(&graph, &GraphOptions::default(), &lit);
        let lit_edges: Vec<(&str, &str)> = visible
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
        let drawing = layout(&visible);
        assert!(
            drawing.edges.last().is_some_and(|edge| edge.edge.lit),
            "lit edges are drawn on top"
        );
    }

    #[test]
    fn labels_are_clipped_to_their_column() {
        assert_eq!(clip("checkout/payments-webhooks", 10), "checkout/…");
        assert_eq!(clip("short", 10), "short");
        assert!(label_limit(NodeKind::Route) >= 21, "a route's namespace/name usually fits");
    }

    #[test]
    fn edge_labels_break_into_two_short_lines() {
        assert_eq!(label_lines("NoMatchingListenerHostname"), ["NoMatching", "ListenerHostna…"]);
        assert_eq!(label_lines("BackendNotFound"), ["BackendNot", "Found"]);
        assert_eq!(label_lines("RefNotPermitted"), ["RefNot", "Permitted"]);
        assert_eq!(label_lines("90%"), ["90%"]);
        assert_eq!(label_lines("Gateway not found"), ["Gateway not", "found"]);
        assert_eq!(label_lines("NotAllowedByListeners"), ["NotAllowedBy", "Listeners"]);
        assert_eq!(label_lines("no valid backend"), ["no valid", "backend"]);
    }
}
