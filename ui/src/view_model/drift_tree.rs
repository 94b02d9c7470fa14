//! The Drift page's application tree: which rows the filters and the collapsed parents leave,
//! and keyboard moves over them. Plain data, tested natively.

use std::collections::HashSet;

use sextant_protocol::drift::{GitOpsApp, GitOpsApps, GitOpsTool, Verdict};

/// The tree's filters. With no status switch on, every status passes.
#[allow(
    clippy::struct_excessive_bools,
    reason = "one switch per status filter, as the page shows them"
)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TreeFilter {
    /// Out of sync (Argo CD).
    pub(crate) out_of_sync: bool,
    /// Stale: a stale verdict, or any stale reason.
    pub(crate) stale: bool,
    /// Suspended.
    pub(crate) suspended: bool,
    /// Failing: a failed verdict, or a child that is missing.
    pub(crate) failing: bool,
    /// Only this cluster.
    pub(crate) cluster: Option<String>,
    /// Only this tool.
    pub(crate) tool: Option<GitOpsTool>,
    /// Every word must appear in the name, namespace, kind, cluster or source path.
    pub(crate) text: String,
}

impl TreeFilter {
    /// Whether any filter narrows the tree.
    pub(crate) fn active(&self) -> bool {
        self.any_status()
            || self.cluster.is_some()
            || self.tool.is_some()
            || !self.text.trim().is_empty()
    }

    fn any_status(&self) -> bool {
        self.out_of_sync || self.stale || self.suspended || self.failing
    }

    /// Whether `app` passes.
    pub(crate) fn matches(&self, app: &GitOpsApp) -> bool {
        if self.cluster.as_ref().is_some_and(|cluster| *cluster != app.object.cluster)
            || self.tool.is_some_and(|tool| tool != app.tool)
        {
            return false;
        }
        if self.any_status() {
            let stale = app.verdict == Verdict::Stale || !app.stale_reasons.is_empty();
            let failing =
                app.verdict == Verdict::Failed || app.children.iter().any(|child| child.missing);
            let passes = (self.out_of_sync && app.verdict == Verdict::OutOfSync)
                || (self.stale && stale)
                || (self.suspended && (app.suspended || app.verdict == Verdict::Suspended))
                || (self.failing && failing);
            if !passes {
                return false;
            }
        }
        let haystack = format!(
            "{} {} {} {} {}",
            app.object.cluster,
            app.object.kind,
            app.object.display_name(),
            app.source.as_deref().unwrap_or_default(),
            app.project.as_deref().unwrap_or_default()
        )
        .to_lowercase();
        self.text.split_whitespace().all(|word| haystack.contains(&word.to_lowercase()))
    }
}

/// One row shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VisibleRow {
    /// Its index in [`GitOpsApps::tree`].
    pub(crate) row: usize,
    /// Its depth.
    pub(crate) depth: usize,
    /// It has rows below it.
    pub(crate) has_children: bool,
    /// It is collapsed.
    pub(crate) collapsed: bool,
    /// It passes the filter itself (not only as the ancestor of a row that does).
    pub(crate) matched: bool,
    /// The cluster, when this row is the first shown of its cluster.
    pub(crate) cluster_start: Option<String>,
}

/// The cluster of a tree row.
pub(crate) fn row_cluster(fleet: &GitOpsApps, row: usize) -> &str {
    let tree_row = &fleet.tree[row];
    match (tree_row.app, &tree_row.missing) {
        (Some(app), _) => &fleet.apps[app].object.cluster,
        (None, Some(missing)) => &missing.cluster,
        (None, None) => "",
    }
}

/// The rows the filter and the collapsed rows leave, in tree order. A row passing the filter
/// brings its ancestors along; a missing child passes when its parent does and no status
/// filter but "failing" is on.
pub(crate) fn visible_rows(
    fleet: &GitOpsApps,
    filter: &TreeFilter,
    collapsed: &HashSet<usize>,
) -> Vec<VisibleRow> {
    let count = fleet.tree.len();
    let mut matched = vec![false; count];
    for (index, row) in fleet.tree.iter().enumerate() {
        matched[index] = if let Some(app) = row.app {
            filter.matches(&fleet.apps[app])
        } else {
            let parent_passes = row.parent_row.is_some_and(|parent| {
                fleet.tree[parent].app.is_some_and(|app| {
                    let mut parent_filter = filter.clone();
                    parent_filter.failing = false;
                    parent_filter.text.clear();
                    parent_filter.matches(&fleet.apps[app])
                })
            });
            let cluster_passes =
                filter.cluster.as_ref().is_none_or(|cluster| cluster == row_cluster(fleet, index));
            let text_passes = row.missing.as_ref().is_some_and(|missing| {
                let name =
                    format!("{} {} {}", missing.kind, missing.display_name(), missing.cluster)
                        .to_lowercase();
                filter.text.split_whitespace().all(|word| name.contains(&word.to_lowercase()))
            });
            cluster_passes
                && text_passes
                && filter.tool.is_none_or(|_| parent_passes)
                && (filter.failing
                    || (!filter.any_status() && (filter.tool.is_none() || parent_passes)))
        };
    }
    // Ancestors of a matching row are shown too.
    let mut shown = matched.clone();
    for (index, _) in matched.iter().enumerate().filter(|(_, matched)| **matched) {
        {
            let mut parent = fleet.tree[index].parent_row;
            while let Some(row) = parent {
                shown[row] = true;
                parent = fleet.tree[row].parent_row;
            }
        }
    }
    let mut rows = Vec::new();
    let mut hidden_below: Option<usize> = None;
    let mut last_cluster: Option<&str> = None;
    for index in 0..count {
        let row = &fleet.tree[index];
        if let Some(depth) = hidden_below {
            if row.depth > depth {
                continue;
            }
            hidden_below = None;
        }
        if !shown[index] {
            continue;
        }
        let is_collapsed = collapsed.contains(&index);
        if is_collapsed {
            hidden_below = Some(row.depth);
        }
        let cluster = row_cluster(fleet, index);
        let cluster_start = (last_cluster != Some(cluster)).then(|| cluster.to_owned());
        last_cluster = Some(cluster);
        let has_children = (index + 1 < count && fleet.tree[index + 1].parent_row == Some(index))
            && row.child_rows > 0;
        rows.push(VisibleRow {
            row: index,
            depth: row.depth,
            has_children,
            collapsed: is_collapsed,
            matched: matched[index],
            cluster_start,
        });
    }
    rows
}

/// A key pressed on the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TreeKey {
    /// ArrowUp.
    Up,
    /// ArrowDown.
    Down,
    /// ArrowLeft: collapse, or go to the parent.
    Left,
    /// ArrowRight: expand, or go to the first child.
    Right,
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TreeMove {
    /// Put the cursor on this tree row.
    Cursor(usize),
    /// Collapse this tree row.
    Collapse(usize),
    /// Expand this tree row.
    Expand(usize),
    /// Nothing.
    Stay,
}

/// What `key` does with the cursor on tree row `cursor` (or nowhere) among `rows`.
pub(crate) fn key_move(
    fleet: &GitOpsApps,
    rows: &[VisibleRow],
    cursor: Option<usize>,
    key: TreeKey,
) -> TreeMove {
    let Some(position) = cursor.and_then(|cursor| rows.iter().position(|row| row.row == cursor))
    else {
        return rows.first().map_or(TreeMove::Stay, |row| TreeMove::Cursor(row.row));
    };
    let current = &rows[position];
    match key {
        TreeKey::Up => position
            .checked_sub(1)
            .map_or(TreeMove::Stay, |previous| TreeMove::Cursor(rows[previous].row)),
        TreeKey::Down => {
            rows.get(position + 1).map_or(TreeMove::Stay, |next| TreeMove::Cursor(next.row))
        }
        TreeKey::Left if current.has_children && !current.collapsed => {
            TreeMove::Collapse(current.row)
        }
        TreeKey::Left => fleet.tree[current.row]
            .parent_row
            .filter(|parent| rows.iter().any(|row| row.row == *parent))
            .map_or(TreeMove::Stay, TreeMove::Cursor),
        TreeKey::Right if current.has_children && current.collapsed => {
            TreeMove::Expand(current.row)
        }
        TreeKey::Right => rows
            .get(position + 1)
            .filter(|next| fleet.tree[next.row].parent_row == Some(current.row))
            .map_or(TreeMove::Stay, |next| TreeMove::Cursor(next.row)),
    }
}

/// A revision shortened for display: a 40-hex commit (alone or after `@sha1:`) to 12 digits.
pub(crate) fn short_revision(revision: &str) -> String {
    let (prefix, hash) = match revision.rsplit_once(':') {
        Some((prefix, hash)) => (format!("{prefix}:"), hash),
        None => (String::new(), revision),
    };
    if hash.len() >= 40 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        format!("{prefix}{}", &hash[..12])
    } else {
        revision.to_owned()
    }
}

/// What the three revisions say, in words, when they disagree (spec §1.3); `None` when they
/// agree or are not known.
pub(crate) fn revision_gap(app: &GitOpsApp) -> Option<String> {
    let revisions = &app.revisions;
    let short = |revision: &Option<String>| revision.as_deref().map(short_revision);
    match (short(&revisions.source), short(&revisions.attempted), short(&revisions.applied)) {
        (Some(source), Some(attempted), _)
            if app.tool == GitOpsTool::Flux && source != attempted =>
        {
            Some(format!(
                "Git is ahead of the cluster: the source offers {source}, the last attempt was at {attempted} (waiting for the interval, a dependency, or suspended)"
            ))
        }
        (_, Some(attempted), Some(applied))
            if app.tool == GitOpsTool::Flux
                && app.object.kind == "Kustomization"
                && attempted != applied =>
        {
            Some(format!("{attempted} was tried and failed: the cluster still runs {applied}"))
        }
        (Some(source), None, Some(applied))
            if app.tool == GitOpsTool::Flux && source != applied =>
        {
            Some(format!(
                "Git is ahead of the cluster: the source offers {source}, {applied} is applied"
            ))
        }
        (Some(compared), Some(attempted), _)
            if app.tool == GitOpsTool::ArgoCd && compared != attempted =>
        {
            Some(format!("Argo CD compared {compared}, the last sync was at {attempted}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use sextant_protocol::{
        ObjectRef,
        drift::{ChildRef, Revisions, TreeRow},
    };

    use super::*;

    fn app(cluster: &str, name: &str, tool: GitOpsTool, verdict: Verdict) -> GitOpsApp {
        GitOpsApp {
            object: ObjectRef {
                cluster: cluster.into(),
                kind: if tool == GitOpsTool::Flux { "Kustomization" } else { "Application" }.into(),
                namespace: Some("ns".into()),
                name: name.into(),
            },
            tool,
            source: None,
            revision: None,
            verdict,
            message: None,
            explanation: String::new(),
            revisions: Revisions::default(),
            stale_reasons: Vec::new(),
            suspended: false,
            interval_seconds: None,
            last_reconcile: None,
            parent: None,
            children: Vec::new(),
            conditions: Vec::new(),
            inventory_count: None,
            resources: Vec::new(),
            sync_counts: None,
            operation: None,
            project: None,
            timeline: Vec::new(),
        }
    }

    fn row(
        app: Option<usize>,
        depth: usize,
        parent_row: Option<usize>,
        child_rows: usize,
    ) -> TreeRow {
        TreeRow { app, missing: None, depth, parent_row, child_rows, cycle: false, repeated: false }
    }

    /// a (flux, c1) → b (failed) → c; gone (missing, under a); d (argo, c2, out of sync).
    fn fleet() -> GitOpsApps {
        let mut a = app("c1", "a", GitOpsTool::Flux, Verdict::InSync);
        a.children.push(ChildRef {
            object: ObjectRef {
                cluster: "c1".into(),
                kind: "Kustomization".into(),
                namespace: Some("ns".into()),
                name: "gone".into(),
            },
            missing: true,
        });
        let mut missing = row(None, 1, Some(0), 0);
        missing.missing = Some(a.children[0].object.clone());
        GitOpsApps {
            apps: vec![
                a,
                app("c1", "b", GitOpsTool::Flux, Verdict::Failed),
                app("c1", "c", GitOpsTool::Flux, Verdict::InSync),
                app("c2", "d", GitOpsTool::ArgoCd, Verdict::OutOfSync),
            ],
            tree: vec![
                row(Some(0), 0, None, 2),
                row(Some(1), 1, Some(0), 1),
                row(Some(2), 2, Some(1), 0),
                missing,
                row(Some(3), 0, None, 0),
            ],
            ..GitOpsApps::default()
        }
    }

    fn shown(rows: &[VisibleRow]) -> Vec<usize> {
        rows.iter().map(|row| row.row).collect()
    }

    #[test]
    fn everything_is_shown_without_filters_and_clusters_start_groups() {
        let rows = visible_rows(&fleet(), &TreeFilter::default(), &HashSet::new());
        assert_eq!(shown(&rows), [0, 1, 2, 3, 4]);
        assert_eq!(rows[0].cluster_start.as_deref(), Some("c1"));
        assert_eq!(rows[1].cluster_start, None);
        assert_eq!(rows[4].cluster_start.as_deref(), Some("c2"));
        assert!(rows[0].has_children && rows[1].has_children && !rows[2].has_children);
    }

    #[test]
    fn collapsing_hides_the_rows_below() {
        let rows = visible_rows(&fleet(), &TreeFilter::default(), &HashSet::from([1]));
        assert_eq!(shown(&rows), [0, 1, 3, 4]);
        assert!(rows[1].collapsed);
    }

    #[test]
    fn a_status_filter_keeps_matches_and_their_ancestors() {
        let filter = TreeFilter { failing: true, ..TreeFilter::default() };
        let rows = visible_rows(&fleet(), &filter, &HashSet::new());
        // a has a missing child, so it is failing itself; b failed; the missing row is failing.
        assert_eq!(shown(&rows), [0, 1, 3]);
        let filter = TreeFilter { out_of_sync: true, ..TreeFilter::default() };
        assert_eq!(shown(&visible_rows(&fleet(), &filter, &HashSet::new())), [4]);
        let filter =
            TreeFilter { text: "C".into(), tool: Some(GitOpsTool::Flux), ..TreeFilter::default() };
        let rows = visible_rows(&fleet(), &filter, &HashSet::new());
        // Every app sits in cluster c1 or c2, so "c" matches all Flux apps, and the missing one
        // by its cluster.
        assert_eq!(shown(&rows), [0, 1, 2, 3]);
        let filter = TreeFilter { cluster: Some("c2".into()), ..TreeFilter::default() };
        assert_eq!(shown(&visible_rows(&fleet(), &filter, &HashSet::new())), [4]);
        let filter = TreeFilter { text: "ns/c".into(), ..TreeFilter::default() };
        let rows = visible_rows(&fleet(), &filter, &HashSet::new());
        assert_eq!(shown(&rows), [0, 1, 2], "c and its ancestors");
        assert!(!rows[0].matched && rows[2].matched);
    }

    #[test]
    fn arrows_move_expand_and_collapse() {
        let fleet = fleet();
        let rows = visible_rows(&fleet, &TreeFilter::default(), &HashSet::new());
        assert_eq!(key_move(&fleet, &rows, None, TreeKey::Down), TreeMove::Cursor(0));
        assert_eq!(key_move(&fleet, &rows, Some(0), TreeKey::Down), TreeMove::Cursor(1));
        assert_eq!(key_move(&fleet, &rows, Some(0), TreeKey::Up), TreeMove::Stay);
        assert_eq!(key_move(&fleet, &rows, Some(1), TreeKey::Left), TreeMove::Collapse(1));
        assert_eq!(key_move(&fleet, &rows, Some(2), TreeKey::Left), TreeMove::Cursor(1));
        assert_eq!(key_move(&fleet, &rows, Some(1), TreeKey::Right), TreeMove::Cursor(2));
        let collapsed = visible_rows(&fleet, &TreeFilter::default(), &HashSet::from([1]));
        assert_eq!(key_move(&fleet, &collapsed, Some(1), TreeKey::Right), TreeMove::Expand(1));
        assert_eq!(key_move(&fleet, &collapsed, Some(1), TreeKey::Down), TreeMove::Cursor(3));
    }

    #[test]
    fn revision_gaps_are_named() {
        let mut stale = app("c1", "a", GitOpsTool::Flux, Verdict::Stale);
        stale.revisions = Revisions {
            source: Some("main@sha1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into()),
            attempted: Some("main@sha1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into()),
            applied: Some("main@sha1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into()),
        };
        assert_eq!(
            revision_gap(&stale).as_deref(),
            Some(
                "Git is ahead of the cluster: the source offers main@sha1:bbbbbbbbbbbb, the last attempt was at main@sha1:aaaaaaaaaaaa (waiting for the interval, a dependency, or suspended)"
            )
        );
        stale.revisions.source = stale.revisions.attempted.clone();
        assert_eq!(revision_gap(&stale), None);
    }
}
