//! The traffic graph's drawing: a deterministic layered layout (one column per node kind, rows
//! ordered by their parents so that edges cross little) of the nodes the backend says to draw
//! (`sextant_app`'s `gateway_view` applies the search, "problems only" and the collapsed
//! namespaces), and the text that fits a node or an edge. Plain data, tested natively.

use std::collections::HashMap;

use sextant_protocol::gateway::{Health, NodeKind, ViewEdge, ViewNode};

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

/// A node with its place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedNode {
    /// The node.
    pub(crate) node: ViewNode,
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
    pub(crate) edge: ViewEdge,
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

/// The nodes and edges to draw.
pub(crate) struct Drawn<'a> {
    /// Nodes in column order.
    pub(crate) nodes: &'a [ViewNode],
    /// Edges between them.
    pub(crate) edges: &'a [ViewEdge],
}

/// Lays `graph` out in columns, left to right by node kind. Deterministic: the same graph
/// always gets the same drawing.
pub(crate) fn layout(graph: &Drawn<'_>) -> Layout {
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
    for edge in graph.edges {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, kind: NodeKind, lit: bool) -> ViewNode {
        ViewNode {
            id: id.to_owned(),
            kind,
            label: id.rsplit('|').next().unwrap_or(id).to_owned(),
            detail: String::new(),
            health: Health::Ok,
            missing: false,
            group: None,
            lit,
        }
    }

    fn edge(from: &str, to: &str, lit: bool) -> ViewEdge {
        ViewEdge {
            from: from.to_owned(),
            to: to.to_owned(),
            health: Health::Ok,
            label: None,
            mirror: false,
            lit,
        }
    }

    /// A class, a Gateway with `listeners` listeners, and `routes` routes spread over them,
    /// each with two rules and its own Service; route 1's first rule is lit.
    fn synthetic(listeners: usize, routes: usize) -> (Vec<ViewNode>, Vec<ViewEdge>) {
        let lit =
            |id: &str| ["c|class", "c|gw", "c|l1", "c|r1", "c|r1/rule/0", "c|s1"].contains(&id);
        let mut nodes = vec![
            node("c|class", NodeKind::GatewayClass, true),
            node("c|gw", NodeKind::Gateway, true),
        ];
        let mut edges = vec![edge("c|class", "c|gw", true)];
        for listener in 0..listeners {
            let id = format!("c|l{listener}");
            nodes.push(node(&id, NodeKind::Listener, lit(&id)));
            edges.push(edge("c|gw", &id, lit(&id)));
        }
        for route in 0..routes {
            let id = format!("c|r{route}");
            let listener = format!("c|l{}", route % listeners);
            nodes.push(node(&id, NodeKind::Route, lit(&id)));
            edges.push(edge(&listener, &id, lit(&listener) && lit(&id)));
            let service = format!("c|s{route}");
            nodes.push(node(&service, NodeKind::Service, lit(&service)));
            for rule in 0..2 {
                let rule_id = format!("{id}/rule/{rule}");
                nodes.push(node(&rule_id, NodeKind::Rule, lit(&rule_id)));
                edges.push(edge(&id, &rule_id, lit(&id) && lit(&rule_id)));
                edges.push(edge(&rule_id, &service, lit(&rule_id) && lit(&service)));
            }
        }
        nodes.sort_by_key(|node| node.kind);
        (nodes, edges)
    }

    #[test]
    fn two_hundred_routes_lay_out_without_overlap_and_left_to_right() {
        let (nodes, edges) = synthetic(6, 200);
        let drawing = layout(&Drawn { nodes: &nodes, edges: &edges });
        assert_eq!(drawing.nodes.len(), nodes.len(), "every node is placed");
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
        assert_eq!(
            layout(&Drawn { nodes: &nodes, edges: &edges }),
            drawing,
            "the layout is deterministic"
        );
        // A route sits next to its rules: their rows are adjacent.
        let route = at["c|r5"];
        let rule = at["c|r5/rule/0"];
        assert!((route.y - rule.y).abs() <= ROW * 1.5, "rules line up with their route");
    }

    #[test]
    fn lit_edges_are_drawn_on_top() {
        let (nodes, edges) = synthetic(2, 4);
        let drawing = layout(&Drawn { nodes: &nodes, edges: &edges });
        let lit: Vec<(&str, &str)> = drawing
            .edges
            .iter()
            .skip_while(|edge| !edge.edge.lit)
            .map(|edge| (edge.edge.from.as_str(), edge.edge.to.as_str()))
            .collect();
        assert_eq!(lit.len(), 5, "the lit edges come last: {lit:?}");
        assert!(drawing.edges.iter().rev().take(5).all(|edge| edge.edge.lit));
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
