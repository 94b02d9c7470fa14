//! Search over everything a platform holds, for the command palette.

use crate::platform::Platform;

/// Which view shows a search hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitView {
    /// Drift.
    Drift,
    /// Policies.
    Policies,
    /// Routes.
    Routes,
    /// Vault.
    Vault,
    /// Lattice.
    Lattice,
    /// Overview (clusters and anything else).
    Overview,
}

/// One thing that can be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The view that shows it.
    pub view: HitView,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub title: String,
    /// Where it is.
    pub location: String,
}

/// Hits for every word of `query` (case-insensitive), best first, at most `limit`, and the
/// total number of matches. Builds a [`SearchIndex`] for the one query; callers that search
/// the same platform again keep the index.
#[must_use]
pub fn search(platform: &Platform, query: &str, limit: usize) -> (Vec<SearchHit>, usize) {
    SearchIndex::build(platform).search(query, limit)
}

/// Everything searchable in a platform, with its lower-cased text prepared once, so that a
/// query is one pass of substring tests (the palette searches on every keystroke).
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    hit: SearchHit,
    /// Kind, title, location and labels, lower-cased.
    haystack: String,
    /// The title's length within `haystack` (it follows the kind and a space).
    title: std::ops::Range<usize>,
}

impl SearchIndex {
    /// Hits for every word of `query` (case-insensitive), best first (a name that starts with
    /// the first word, then a title that contains it, then the rest; by title within each), at
    /// most `limit`, and the total number of matches.
    #[must_use]
    pub fn search(&self, query: &str, limit: usize) -> (Vec<SearchHit>, usize) {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut scored: Vec<(u8, &SearchHit)> = Vec::new();
        for entry in &self.entries {
            if !words.iter().all(|word| entry.haystack.contains(word.as_str())) {
                continue;
            }
            let title = &entry.haystack[entry.title.clone()];
            let score = match words.first() {
                Some(first)
                    if title
                        .rsplit('/')
                        .next()
                        .is_some_and(|name| name.starts_with(first.as_str())) =>
                {
                    0
                }
                Some(first) if title.contains(first.as_str()) => 1,
                _ => 2,
            };
            scored.push((score, &entry.hit));
        }
        let total = scored.len();
        let limit = limit.min(total);
        if limit < total {
            scored.select_nth_unstable_by(limit, |left, right| {
                left.0.cmp(&right.0).then_with(|| left.1.title.cmp(&right.1.title))
            });
            scored.truncate(limit);
        }
        scored.sort_by(|left, right| {
            left.0.cmp(&right.0).then_with(|| left.1.title.cmp(&right.1.title))
        });
        (scored.into_iter().map(|(_, hit)| hit.clone()).collect(), total)
    }

    /// Indexes every cluster, object, Vault policy and role, and lattice host, component and
    /// provider of `platform`.
    #[must_use]
    pub fn build(platform: &Platform) -> SearchIndex {
        let mut entries = Vec::new();
        let mut consider = |hit: SearchHit, labels: &str| {
            let kind = hit.kind.to_lowercase();
            let title = hit.title.to_lowercase();
            let haystack = format!("{kind} {title} {} {labels}", hit.location).to_lowercase();
            let start = kind.len() + 1;
            entries.push(Entry { title: start..start + title.len(), haystack, hit });
        };
        for cluster in &platform.clusters {
            consider(
                SearchHit {
                    view: HitView::Overview,
                    kind: "Cluster".into(),
                    title: cluster.name.clone(),
                    location: cluster.environment.clone().unwrap_or_default(),
                },
                "",
            );
            for object in &cluster.objects {
                let view = view_of(object.group(), object.kind());
                let title = match object.namespace() {
                    Some(namespace) => format!("{namespace}/{}", object.name()),
                    None => object.name().to_owned(),
                };
                let labels: String =
                    object.labels().fold(String::new(), |mut labels, (key, value)| {
                        labels.push_str(key);
                        labels.push('=');
                        labels.push_str(value);
                        labels.push(' ');
                        labels
                    });
                consider(
                    SearchHit {
                        view,
                        kind: object.kind().to_owned(),
                        title,
                        location: cluster.name.clone(),
                    },
                    &labels,
                );
            }
        }
        if let Some(vault) = &platform.vault {
            for policy in &vault.policies {
                consider(
                    SearchHit {
                        view: HitView::Vault,
                        kind: "VaultPolicy".into(),
                        title: policy.name.clone(),
                        location: vault.address.clone(),
                    },
                    "",
                );
            }
            for role in &vault.auth_roles {
                consider(
                    SearchHit {
                        view: HitView::Vault,
                        kind: format!("{}Role", role.method),
                        title: role.name.clone(),
                        location: format!("auth/{}", role.mount),
                    },
                    "",
                );
            }
        }
        if let Some(lattice) = &platform.lattice {
            for host in &lattice.hosts {
                consider(
                    SearchHit {
                        view: HitView::Lattice,
                        kind: "Host".into(),
                        title: host.friendly_name.clone(),
                        location: lattice.lattice.clone(),
                    },
                    &host.host_id,
                );
                for component in &host.components {
                    consider(
                        SearchHit {
                            view: HitView::Lattice,
                            kind: "Component".into(),
                            title: component.id.clone(),
                            location: host.friendly_name.clone(),
                        },
                        &component.image_ref,
                    );
                }
                for provider in &host.providers {
                    consider(
                        SearchHit {
                            view: HitView::Lattice,
                            kind: "Provider".into(),
                            title: provider.id.clone(),
                            location: host.friendly_name.clone(),
                        },
                        "",
                    );
                }
            }
        }
        SearchIndex { entries }
    }
}

fn view_of(group: &str, kind: &str) -> HitView {
    match group {
        "kustomize.toolkit.fluxcd.io"
        | "helm.toolkit.fluxcd.io"
        | "source.toolkit.fluxcd.io"
        | "argoproj.io" => HitView::Drift,
        "policies.kubewarden.io" | "kyverno.io" | "wgpolicyk8s.io" | "openreports.io" => {
            HitView::Policies
        }
        "gateway.networking.k8s.io" => HitView::Routes,
        "" if kind == "Service" => HitView::Routes,
        _ => HitView::Overview,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{
        object::KubeObject,
        platform::{ClusterSnapshot, ClusterState},
    };

    #[test]
    fn every_word_must_match_and_name_prefixes_rank_first() {
        let object = |kind: &str, api: &str, name: &str| {
            KubeObject::new(
                json!({"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": "shop"}}),
            )
        };
        let platform = Platform {
            clusters: vec![ClusterSnapshot {
                name: "prod-eu".into(),
                environment: None,
                kubernetes_version: None,
                state: ClusterState::Ready,
                message: None,
                objects: vec![
                    object("HTTPRoute", "gateway.networking.k8s.io/v1", "checkout-web"),
                    object("HTTPRoute", "gateway.networking.k8s.io/v1", "web"),
                    object("Service", "v1", "web"),
                ],
                ..ClusterSnapshot::default()
            }],
            ..Platform::default()
        };
        let (hits, total) = search(&platform, "web route", 10);
        assert_eq!(total, 2);
        assert_eq!(hits[0].title, "shop/web", "a name starting with the first word ranks first");
        assert_eq!(hits[0].view, HitView::Routes);
        assert_eq!(search(&platform, "nothing-like-this", 10).1, 0);
    }
}
