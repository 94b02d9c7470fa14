//! Search across every view, for the command palette.

use serde::{Deserialize, Serialize};

use crate::{Command, ViewId};

/// Finds objects whose kind, name, namespace or labels contain every word of `query`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Search {
    /// Space-separated words, matched case-insensitively.
    pub query: String,
    /// At most this many hits (50 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

impl Command for Search {
    const NAME: &'static str = "search";
    type Response = SearchResults;
}

/// The hits, best first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The hits.
    pub hits: Vec<SearchHit>,
    /// How many matched in all (there may be more than `hits`).
    pub total: usize,
}

/// One object that matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The view that shows it.
    pub view: ViewId,
    /// Its kind.
    pub kind: String,
    /// Its name (`namespace/name` for namespaced objects).
    pub title: String,
    /// Where it is: the cluster, the mount, the host.
    pub location: String,
}
