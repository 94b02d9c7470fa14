//! The application tree: app-of-apps for both tools (spec §1.7, §2.2).
//!
//! A Flux Kustomization (or HelmRelease) is the parent of the Kustomizations and HelmReleases in
//! its `status.inventory`; an Argo CD Application is the parent of the Applications and
//! ApplicationSets in its `status.resources`; an ApplicationSet is the parent of the
//! Applications it generated (their `ownerReferences`, and its own `status.resources`).
//!
//! Children named but not present are kept as [`Child::Missing`]. The walk never loops: an
//! object reached again on its own path is a [`TreeRow::cycle`] row, one reached again from
//! elsewhere a [`TreeRow::repeated`] row, and neither is expanded twice. A Kustomization that
//! lists itself (the `flux-system` bootstrap does) is not its own child.

use std::collections::{BTreeSet, HashMap};

use crate::json::Json;

use super::{ARGO, FLUX_HELM, FLUX_KUSTOMIZE, GitOpsApp, GitOpsTool, inventory};
use crate::object::KubeObject;

/// An application's identity within one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppKey {
    /// The API group.
    pub group: String,
    /// The kind.
    pub kind: String,
    /// The namespace.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl AppKey {
    /// The key of `object`.
    #[must_use]
    pub fn of(object: &KubeObject) -> AppKey {
        AppKey {
            group: object.group().to_owned(),
            kind: object.kind().to_owned(),
            namespace: object.namespace().map(str::to_owned),
            name: object.name().to_owned(),
        }
    }
}

/// A child of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Child {
    /// Present: the index of the child among the apps.
    Present(usize),
    /// Named by the parent, but not among the objects read.
    Missing(AppKey),
}

/// Parent and children of one application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relations {
    /// The index of its parent (the first, in tree order, when several name it).
    pub parent: Option<usize>,
    /// Its children, in the order the parent names them.
    pub children: Vec<Child>,
}

/// One row of the tree, in depth-first pre-order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    /// The application shown, or the missing child.
    pub node: Child,
    /// 0 for roots.
    pub depth: usize,
    /// The row of its parent, `None` for roots.
    pub parent_row: Option<usize>,
    /// How many rows are directly below it.
    pub child_rows: usize,
    /// The application is already on the path above: a cycle, not expanded.
    pub cycle: bool,
    /// The application was already shown under another parent, and is not expanded again.
    pub repeated: bool,
}

/// The Applications an ApplicationSet generated: those in its namespace whose ownerReferences
/// name it.
#[must_use]
pub fn owned_applications<'a>(
    application_set: &KubeObject,
    objects: &'a [KubeObject],
) -> Vec<&'a KubeObject> {
    objects
        .iter()
        .filter(|object| {
            object.is(ARGO, "Application")
                && object.namespace() == application_set.namespace()
                && object.array_at("/metadata/ownerReferences").iter().any(|owner| {
                    owner.get("kind").and_then(Json::as_str) == Some("ApplicationSet")
                        && owner.get("name").and_then(Json::as_str) == Some(application_set.name())
                })
        })
        .collect()
}

/// The children an application names, present or not, without itself and without repeats.
#[must_use]
pub fn declared_children(object: &KubeObject, objects: &[KubeObject]) -> Vec<AppKey> {
    let own = AppKey::of(object);
    let mut children: Vec<AppKey> = Vec::new();
    let mut push = |key: AppKey| {
        if key != own && !children.contains(&key) {
            children.push(key);
        }
    };
    match (object.group(), object.kind()) {
        (FLUX_KUSTOMIZE, "Kustomization") | (FLUX_HELM, "HelmRelease") => {
            for entry in inventory(object) {
                if matches!(
                    (entry.group.as_str(), entry.kind.as_str()),
                    (FLUX_KUSTOMIZE, "Kustomization") | (FLUX_HELM, "HelmRelease")
                ) {
                    push(AppKey {
                        group: entry.group,
                        kind: entry.kind,
                        namespace: entry.namespace,
                        name: entry.name,
                    });
                }
            }
        }
        (ARGO, "Application" | "ApplicationSet") => {
            if object.kind() == "ApplicationSet" {
                for generated in owned_applications(object, objects) {
                    push(AppKey::of(generated));
                }
            }
            for resource in object.array_at("/status/resources") {
                let text = |key: &str| resource.get(key).and_then(Json::as_str);
                // An ApplicationSet's resources are its Applications and carry no kind.
                let kind = text("kind").unwrap_or(if object.kind() == "ApplicationSet" {
                    "Application"
                } else {
                    ""
                });
                let group = text("group").unwrap_or(ARGO);
                if group == ARGO
                    && matches!(kind, "Application" | "ApplicationSet")
                    && let Some(name) = text("name")
                {
                    push(AppKey {
                        group: ARGO.to_owned(),
                        kind: kind.to_owned(),
                        namespace: text("namespace")
                            .filter(|namespace| !namespace.is_empty())
                            .or(object.namespace())
                            .map(str::to_owned),
                        name: name.to_owned(),
                    });
                }
            }
        }
        _ => {}
    }
    children
}

/// The tree of `apps` (one cluster's, as [`super::assess`] returns them): the rows in
/// depth-first pre-order, and each app's parent and children.
///
/// Roots are the apps no other app names, ordered Flux first, then by namespace and name; apps
/// reachable only through a cycle become roots afterwards, in the same order.
#[must_use]
pub fn build(apps: &[GitOpsApp<'_>], objects: &[KubeObject]) -> (Vec<TreeRow>, Vec<Relations>) {
    let keys: Vec<AppKey> = apps.iter().map(|app| AppKey::of(app.object)).collect();
    let index: HashMap<&AppKey, usize> = keys.iter().enumerate().map(|(i, key)| (key, i)).collect();
    let mut relations: Vec<Relations> = apps
        .iter()
        .map(|app| Relations {
            parent: None,
            children: declared_children(app.object, objects)
                .into_iter()
                .map(|key| match index.get(&key) {
                    Some(&child) => Child::Present(child),
                    None => Child::Missing(key),
                })
                .collect(),
        })
        .collect();
    let named: BTreeSet<usize> = relations
        .iter()
        .flat_map(|relation| relation.children.iter())
        .filter_map(|child| match child {
            Child::Present(child) => Some(*child),
            Child::Missing(_) => None,
        })
        .collect();
    let order = |&i: &usize| {
        let app = &apps[i];
        (
            app.tool != GitOpsTool::Flux,
            keys[i].namespace.clone(),
            keys[i].name.clone(),
            keys[i].kind.clone(),
        )
    };
    let mut roots: Vec<usize> = (0..apps.len()).filter(|i| !named.contains(i)).collect();
    roots.sort_by_key(order);
    let mut rows = Vec::new();
    let mut shown = vec![false; apps.len()];
    let mut walk = Walk { relations: &mut relations, rows: &mut rows, shown: &mut shown };
    for root in roots {
        walk.visit(root, 0, None, &mut Vec::new());
    }
    let mut rest: Vec<usize> = (0..apps.len()).filter(|&i| !walk.shown[i]).collect();
    rest.sort_by_key(order);
    for root in rest {
        if !walk.shown[root] {
            walk.visit(root, 0, None, &mut Vec::new());
        }
    }
    (rows, relations)
}

struct Walk<'r> {
    relations: &'r mut Vec<Relations>,
    rows: &'r mut Vec<TreeRow>,
    shown: &'r mut Vec<bool>,
}

impl Walk<'_> {
    fn visit(
        &mut self,
        app: usize,
        depth: usize,
        parent_row: Option<usize>,
        path: &mut Vec<usize>,
    ) {
        let cycle = path.contains(&app);
        let repeated = !cycle && self.shown[app];
        let row = self.rows.len();
        self.rows.push(TreeRow {
            node: Child::Present(app),
            depth,
            parent_row,
            child_rows: 0,
            cycle,
            repeated,
        });
        if cycle || repeated {
            return;
        }
        if let Some(parent) = path.last() {
            self.relations[app].parent = Some(*parent);
        }
        self.shown[app] = true;
        path.push(app);
        let children = self.relations[app].children.clone();
        for child in children {
            self.rows[row].child_rows += 1;
            match child {
                Child::Present(child) => self.visit(child, depth + 1, Some(row), path),
                Child::Missing(key) => self.rows.push(TreeRow {
                    node: Child::Missing(key),
                    depth: depth + 1,
                    parent_row: Some(row),
                    child_rows: 0,
                    cycle: false,
                    repeated: false,
                }),
            }
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::drift::assess;

    fn kustomization(name: &str, children: &[&str]) -> KubeObject {
        let entries: Vec<serde_json::Value> = children
            .iter()
            .map(|child| json!({"id": format!("flux-system_{child}_kustomize.toolkit.fluxcd.io_Kustomization"), "v": "v1"}))
            .collect();
        KubeObject::new(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "status": {"inventory": {"entries": entries}}
        }))
    }

    fn names(rows: &[TreeRow], apps: &[GitOpsApp<'_>]) -> Vec<String> {
        rows.iter()
            .map(|row| {
                let name = match &row.node {
                    Child::Present(i) => apps[*i].object.name().to_owned(),
                    Child::Missing(key) => format!("{}?", key.name),
                };
                let mark = if row.cycle {
                    " (cycle)"
                } else if row.repeated {
                    " (again)"
                } else {
                    ""
                };
                format!("{}{name}{mark}", "  ".repeat(row.depth))
            })
            .collect()
    }

    #[test]
    fn inventories_nest_kustomizations_and_helm_releases_and_skip_self() {
        let mut root = kustomization("flux-system", &["flux-system", "apps"]);
        root = root.edited(|value| {
            value["status"]["inventory"]["entries"]
                .as_array_mut()
                .unwrap()
                .push(json!({"id": "flux-system_podinfo__Service", "v": "v1"}));
        });
        let apps_kustomization = KubeObject::new(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "status": {"inventory": {"entries": [{"id": "shop_web_helm.toolkit.fluxcd.io_HelmRelease", "v": "v2"}]}}
        }));
        let release = KubeObject::new(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "shop"}
        }));
        let objects = [release, apps_kustomization, root];
        let apps = assess(&objects, None);
        let (rows, relations) = build(&apps, &objects);
        assert_eq!(names(&rows, &apps), ["flux-system", "  apps", "    web"]);
        // relations follow the apps' order: web, apps, flux-system.
        assert_eq!(relations[0].parent, Some(1));
        assert_eq!(relations[1].parent, Some(2));
        assert_eq!(relations[2].parent, None);
        assert_eq!(relations[2].children, vec![Child::Present(1)], "a Service is no child");
        assert_eq!(rows[0].child_rows, 1);
        assert_eq!(rows[2].parent_row, Some(1));
    }

    #[test]
    fn a_missing_child_is_shown_as_missing() {
        let objects = [kustomization("root", &["gone"])];
        let apps = assess(&objects, None);
        let (rows, relations) = build(&apps, &objects);
        assert_eq!(names(&rows, &apps), ["root", "  gone?"]);
        assert_eq!(
            relations[0].children,
            vec![Child::Missing(AppKey {
                group: "kustomize.toolkit.fluxcd.io".into(),
                kind: "Kustomization".into(),
                namespace: Some("flux-system".into()),
                name: "gone".into()
            })]
        );
    }

    #[test]
    fn a_cycle_is_shown_once_and_not_followed() {
        // a → b → c → a, and nothing outside names any of them: no root, so the first by name
        // becomes one, and the walk stops where it meets a again.
        let objects =
            [kustomization("b", &["c"]), kustomization("c", &["a"]), kustomization("a", &["b"])];
        let apps = assess(&objects, None);
        let (rows, relations) = build(&apps, &objects);
        assert_eq!(names(&rows, &apps), ["a", "  b", "    c", "      a (cycle)"]);
        assert_eq!(relations[2].parent, None, "a was reached first as a root");
        assert_eq!(relations[0].parent, Some(2));
    }

    #[test]
    fn a_child_named_by_two_parents_is_expanded_once() {
        let objects = [
            kustomization("left", &["shared"]),
            kustomization("right", &["shared"]),
            kustomization("shared", &["leaf"]),
            kustomization("leaf", &[]),
        ];
        let apps = assess(&objects, None);
        let (rows, relations) = build(&apps, &objects);
        assert_eq!(
            names(&rows, &apps),
            ["left", "  shared", "    leaf", "right", "  shared (again)"]
        );
        assert_eq!(relations[2].parent, Some(0));
    }

    #[test]
    fn argo_app_of_apps_and_application_sets_nest() {
        let root = KubeObject::new(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "root", "namespace": "argocd"},
            "status": {"resources": [
                {"group": "argoproj.io", "kind": "ApplicationSet", "namespace": "argocd", "name": "services", "status": "Synced"},
                {"group": "argoproj.io", "kind": "Application", "namespace": "argocd", "name": "payments", "status": "Synced"},
                {"group": "argoproj.io", "kind": "AppProject", "namespace": "argocd", "name": "shop", "status": "Synced"},
                {"kind": "Service", "namespace": "shop", "name": "web", "status": "Synced"}
            ]}
        }));
        let set = KubeObject::new(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "metadata": {"name": "services", "namespace": "argocd"},
            "status": {"resources": [{"name": "catalog", "namespace": "argocd", "status": "Synced"},
                                     {"name": "search", "namespace": "argocd", "status": "OutOfSync"}]}
        }));
        let generated = |name: &str| {
            KubeObject::new(json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                "metadata": {"name": name, "namespace": "argocd",
                    "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": "services", "uid": "u"}]}
            }))
        };
        let payments = KubeObject::new(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "payments", "namespace": "argocd"}
        }));
        // `search` is in the set's status but was deleted; `cart` is owned but not in status.
        let objects = [root, set, generated("catalog"), generated("cart"), payments];
        let apps = assess(&objects, None);
        let (rows, _) = build(&apps, &objects);
        assert_eq!(
            names(&rows, &apps),
            ["root", "  services", "    catalog", "    cart", "    search?", "  payments"]
        );
    }
}
