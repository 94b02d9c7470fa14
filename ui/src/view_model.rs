//! Plain functions that shape protocol data for the pages: rows, tones, filtering. No DOM here,
//! so these are tested natively.

pub(crate) mod drift_tree;
pub(crate) mod graph;

use sextant_protocol::{drift::Verdict, policy::ResultCounts};

/// A colour family for badges and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Fine.
    Good,
    /// Look soon.
    Warn,
    /// Look now.
    Bad,
    /// Neither.
    Neutral,
}

impl Tone {
    /// The CSS class.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Tone::Good => "tone-good",
            Tone::Warn => "tone-warn",
            Tone::Bad => "tone-bad",
            Tone::Neutral => "tone-neutral",
        }
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    /// Plain text.
    Text(String),
    /// Monospace text (names, paths, revisions).
    Code(String),
    /// A coloured label.
    Badge(String, Tone),
}

impl Cell {
    /// The text the filter searches.
    pub(crate) fn text(&self) -> &str {
        match self {
            Cell::Text(text) | Cell::Code(text) | Cell::Badge(text, _) => text,
        }
    }
}

/// One table row with a stable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// Unique within the table.
    pub(crate) key: String,
    /// The cells, one per header.
    pub(crate) cells: Vec<Cell>,
}

/// The rows containing every word of `query` (case-insensitive) in some cell.
#[cfg(test)]
pub(crate) fn filter_rows<'a>(rows: &'a [Row], query: &str) -> Vec<&'a Row> {
    let haystacks: Vec<String> = rows.iter().map(row_haystack).collect();
    matching(&haystacks, query).into_iter().map(|index| &rows[index]).collect()
}

/// The text of a row the filter searches, lower-cased.
pub(crate) fn row_haystack(row: &Row) -> String {
    row.cells.iter().map(|cell| cell.text().to_lowercase() + " ").collect()
}

/// The indices of the `haystacks` that hold every word of `query`.
pub(crate) fn matching(haystacks: &[String], query: &str) -> Vec<usize> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    haystacks
        .iter()
        .enumerate()
        .filter(|(_, haystack)| words.iter().all(|word| haystack.contains(word.as_str())))
        .map(|(index, _)| index)
        .collect()
}

/// A duration in seconds, in words a glance takes in: `42 s`, `3 min`, `2 h`.
pub(crate) fn human_age(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    }
}

/// What a view's live data lacks, line by line with a tone, and a summary when it lacks nothing.
pub(crate) fn data_status_lines(
    status: &sextant_protocol::overview::ViewStatus,
    now: u64,
) -> (Vec<(Tone, String)>, String) {
    use sextant_protocol::overview::ClusterState;
    let mut lines = Vec::new();
    for cluster in &status.clusters {
        if cluster.state != ClusterState::Ready {
            let state = match cluster.state {
                ClusterState::Connecting => "connecting",
                ClusterState::Ready => "ready",
                ClusterState::Forbidden => "forbidden",
                ClusterState::Unreachable => "unreachable",
                ClusterState::Unauthenticated => "credentials rejected or expired",
                ClusterState::Invalid => "invalid kubeconfig entry",
            };
            let why = cluster.message.as_deref().unwrap_or(match cluster.state {
                ClusterState::Connecting => "the initial lists are running",
                _ => "no reason given",
            });
            // One line for the cluster: its kinds all share its fate; say how old what is
            // shown of them is.
            let oldest = cluster.kinds.iter().filter_map(|kind| kind.synced_at).min();
            let shown = oldest.map_or_else(
                || "nothing read yet".to_owned(),
                |at| format!("data from {} ago", human_age(now.saturating_sub(at))),
            );
            lines.push((Tone::Bad, format!("{}: {state}: {why}; {shown}", cluster.name)));
            continue;
        }
        for kind in &cluster.kinds {
            let age = kind.synced_at.map_or_else(
                || "no data yet".to_owned(),
                |at| format!("data from {} ago", human_age(now.saturating_sub(at))),
            );
            let message = kind.message.clone().unwrap_or_default();
            let line = match kind.phase.as_str() {
                "ready" if !kind.denied_namespaces.is_empty() => (Tone::Warn, message),
                "ready" if kind.dropped > 0 => (
                    Tone::Warn,
                    format!(
                        "partial: {} more not held (SEXTANT_MAX_OBJECTS_PER_KIND)",
                        kind.dropped
                    ),
                ),
                "ready" => continue,
                "listing" => (Tone::Neutral, "initial list running".to_owned()),
                "relisting" | "reconnecting" => (Tone::Warn, format!("{}, {age}", kind.phase)),
                _ => (Tone::Bad, if message.is_empty() { kind.phase.clone() } else { message }),
            };
            lines.push((line.0, format!("{} · {}: {}", cluster.name, kind.kind, line.1)));
        }
    }
    let summary = format!("Live data from {} cluster(s), current", status.clusters.len());
    (lines, summary)
}

/// A verdict's label and tone.
pub(crate) fn verdict(verdict: Verdict) -> (&'static str, Tone) {
    match verdict {
        Verdict::InSync => ("In sync", Tone::Good),
        Verdict::OutOfSync => ("Out of sync", Tone::Bad),
        Verdict::Failed => ("Failed", Tone::Bad),
        Verdict::Progressing => ("Progressing", Tone::Neutral),
        Verdict::Stale => ("Stale", Tone::Warn),
        Verdict::Suspended => ("Suspended", Tone::Neutral),
        Verdict::Unknown => ("Unknown", Tone::Neutral),
    }
}

/// The tone of a policy's results.
pub(crate) fn results_tone(counts: &ResultCounts) -> Tone {
    if counts.fail > 0 || counts.error > 0 {
        Tone::Bad
    } else if counts.warn > 0 {
        Tone::Warn
    } else {
        Tone::Good
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, cells: &[&str]) -> Row {
        Row {
            key: key.into(),
            cells: cells.iter().map(|cell| Cell::Text((*cell).into())).collect(),
        }
    }

    #[test]
    fn a_views_data_status_names_what_it_lacks() {
        use sextant_protocol::overview::{ClusterState, KindRow, ViewCluster, ViewStatus};
        let kind = |name: &str, phase: &str| KindRow {
            api_version: "gateway.networking.k8s.io/v1".to_owned(),
            kind: name.to_owned(),
            phase: phase.to_owned(),
            objects: 3,
            dropped: 0,
            namespaces: Vec::new(),
            denied_namespaces: Vec::new(),
            synced_at: Some(1_000),
            message: None,
        };
        let mut denied = kind("HTTPRoute", "ready");
        denied.denied_namespaces = vec!["team-b".to_owned()];
        denied.message = Some("you may not list httproutes in team-b".to_owned());
        let mut partial = kind("Service", "ready");
        partial.dropped = 12;
        let status = ViewStatus {
            live: true,
            clusters: vec![
                ViewCluster {
                    name: "prod".to_owned(),
                    state: ClusterState::Ready,
                    message: None,
                    kinds: vec![
                        kind("Gateway", "ready"),
                        denied,
                        partial,
                        kind("GRPCRoute", "reconnecting"),
                    ],
                },
                ViewCluster {
                    name: "lab".to_owned(),
                    state: ClusterState::Unreachable,
                    message: Some("connection refused".to_owned()),
                    kinds: vec![kind("HTTPRoute", "reconnecting"), kind("Gateway", "reconnecting")],
                },
            ],
        };
        let (lines, _) = data_status_lines(&status, 1_125);
        let texts: Vec<&str> = lines.iter().map(|(_, text)| text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "prod · HTTPRoute: you may not list httproutes in team-b",
                "prod · Service: partial: 12 more not held (SEXTANT_MAX_OBJECTS_PER_KIND)",
                "prod · GRPCRoute: reconnecting, data from 2 min ago",
                "lab: unreachable: connection refused; data from 2 min ago",
            ]
        );
        let (none, summary) = data_status_lines(
            &ViewStatus { live: true, clusters: vec![status.clusters[0].clone()] },
            0,
        );
        assert_eq!(none.len(), 3);
        assert_eq!(summary, "Live data from 1 cluster(s), current");
        assert_eq!(human_age(59), "59 s");
        assert_eq!(human_age(3_599), "59 min");
        assert_eq!(human_age(7_200), "2 h");
    }

    #[test]
    fn every_word_must_match_some_cell() {
        let rows = vec![
            row("a", &["prod-eu", "HTTPRoute", "shop/web"]),
            row("b", &["staging", "HTTPRoute", "shop/api"]),
        ];
        let keys =
            |query| filter_rows(&rows, query).iter().map(|row| row.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys("SHOP prod"), vec!["a"]);
        assert_eq!(keys(""), vec!["a", "b"]);
        assert!(keys("nothing").is_empty());
    }
}
