//! Who set a live field: `metadata.managedFields`, read as the API server writes it.
//!
//! Each entry names a `manager`, an `operation` (`Apply` or `Update`), a `time` and, in
//! `fieldsV1`, the set of fields it owns as a tree whose keys are `f:<field>` (a map field),
//! `k:<json>` (a list element by its key fields), `v:<json>` (a set element by value), `i:<n>`
//! (a list element by index) and `.` (the node itself). A field's manager is the entry that owns
//! it, or the one that owns its nearest owned ancestor (spec §4.8).

use serde_json::{Map, Value};

/// One `managedFields` entry, borrowed from the live object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ManagedEntry<'a> {
    /// `manager`, e.g. `kubectl-edit`.
    pub manager: &'a str,
    /// `operation`: `Apply` or `Update`.
    pub operation: &'a str,
    /// `time`, as written (RFC 3339).
    pub time: Option<&'a str>,
    /// `subresource`, e.g. `scale` or `status`.
    pub subresource: Option<&'a str>,
    fields: &'a Value,
}

/// The owner of a field: the entry and whether it owns the field itself or an ancestor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Owner<'a> {
    /// The entry.
    pub entry: &'a ManagedEntry<'a>,
    /// How many path segments of the field the owned node covers.
    pub depth: usize,
    /// Whether it owns the field itself (not only an ancestor).
    pub exact: bool,
}

/// A step from a node to a child, as the live object spells it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'a> {
    /// A map key.
    Field(&'a str),
    /// A list element: its index and its value in the live object.
    Element(usize, &'a Value),
}

/// The parsed `managedFields` of one live object (borrowed from it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManagedFields<'a> {
    /// The entries, in the order the object lists them.
    pub entries: Vec<ManagedEntry<'a>>,
}

/// What kind of actor a field manager is (spec §4.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerKind {
    /// A person's tool: kubectl, k9s, Lens, helm outside a HelmRelease.
    Person,
    /// The GitOps tool itself.
    GitOps,
    /// `kubectl rollout restart`.
    Rollout,
    /// A controller, an operator or a webhook.
    Controller,
}

/// Classifies a manager name per spec §4.8.
#[must_use]
pub fn manager_kind(manager: &str) -> ManagerKind {
    match manager {
        "kustomize-controller"
        | "helm-controller"
        | "argocd-controller"
        | "argocd-application-controller" => ManagerKind::GitOps,
        "kubectl-rollout" => ManagerKind::Rollout,
        "kubectl" | "k9s" | "Lens" | "lens" | "helm" | "flux-client-side-apply" => {
            ManagerKind::Person
        }
        other if other.starts_with("kubectl-") || other.starts_with("kubectl.") => {
            ManagerKind::Person
        }
        _ => ManagerKind::Controller,
    }
}

impl<'a> ManagedFields<'a> {
    /// Reads `metadata.managedFields` of a live object; entries that are not `FieldsV1` are kept
    /// without fields (they own nothing Sextant can see).
    #[must_use]
    pub fn of(object: &'a Value) -> ManagedFields<'a> {
        let entries = object
            .get("metadata")
            .and_then(|metadata| metadata.get("managedFields"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let text = |key: &str| entry.get(key).and_then(Value::as_str);
                Some(ManagedEntry {
                    manager: text("manager")?,
                    operation: text("operation").unwrap_or_default(),
                    time: text("time"),
                    subresource: text("subresource").filter(|subresource| !subresource.is_empty()),
                    fields: entry.get("fieldsV1").unwrap_or(&Value::Null),
                })
            })
            .collect();
        ManagedFields { entries }
    }

    /// The entry owning the field reached by `steps`, or its nearest owned ancestor. When two
    /// entries own the same depth, the later `time` wins (the last writer).
    #[must_use]
    pub fn owner(&self, steps: &[Step<'_>]) -> Option<Owner<'_>> {
        let mut best: Option<Owner<'_>> = None;
        // The `f:<name>` keys looked up, spelt in one buffer.
        let mut key = String::new();
        for entry in &self.entries {
            let Some((depth, exact)) = owned_depth(entry.fields, steps, &mut key) else { continue };
            let better = match best {
                None => true,
                Some(current) => {
                    depth > current.depth
                        || (depth == current.depth
                            && entry.time.unwrap_or("") >= current.entry.time.unwrap_or(""))
                }
            };
            if better {
                best = Some(Owner { entry, depth, exact });
            }
        }
        best
    }
}

/// How deep along `steps` the fieldset owns a node: the deepest node that is a leaf (`{}`) or
/// carries `.`, and whether that is the field itself.
fn owned_depth(fields: &Value, steps: &[Step<'_>], key: &mut String) -> Option<(usize, bool)> {
    let mut node = fields.as_object()?;
    let mut owned = None;
    for (index, step) in steps.iter().enumerate() {
        let Some(child) = child_of(node, *step, key) else { break };
        let child = child.as_object()?;
        let depth = index + 1;
        if child.is_empty() || child.contains_key(".") {
            owned = Some((depth, depth == steps.len()));
        }
        node = child;
    }
    owned
}

fn child_of<'a>(
    node: &'a Map<String, Value>,
    step: Step<'_>,
    key: &mut String,
) -> Option<&'a Value> {
    match step {
        Step::Field(name) => {
            key.clear();
            key.push_str("f:");
            key.push_str(name);
            node.get(key.as_str())
        }
        Step::Element(index, element) => {
            if let Value::Object(element) = element {
                let keyed = node.iter().find(|(key, _)| {
                    key.strip_prefix("k:")
                        .and_then(|json| serde_json::from_str::<Map<String, Value>>(json).ok())
                        .is_some_and(|keys| {
                            !keys.is_empty()
                                && keys.iter().all(|(name, value)| {
                                    element.get(name).is_some_and(|found| {
                                        found == value || loosely_equal(found, value)
                                    })
                                })
                        })
                });
                if let Some((_, child)) = keyed {
                    return Some(child);
                }
            } else if let Ok(json) = serde_json::to_string(element)
                && let Some(child) = node.get(&format!("v:{json}"))
            {
                return Some(child);
            }
            node.get(&format!("i:{index}"))
        }
    }
}

/// `8080` and `"8080"`: keys written as numbers in one place and strings in another.
fn loosely_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(number), Value::String(text))
        | (Value::String(text), Value::Number(number)) => number.to_string() == *text,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment() -> Value {
        json!({
            "metadata": {"managedFields": [
                {"manager": "kustomize-controller", "operation": "Apply", "time": "2026-11-20T10:00:00Z",
                 "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"web\"}": {".": {}, "f:name": {}, "f:image": {}, "f:env": {
                        "k:{\"name\":\"MODE\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}}},
                {"manager": "kubectl-edit", "operation": "Update", "time": "2026-11-24T14:02:00Z",
                 "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"web\"}": {"f:env": {
                        "k:{\"name\":\"DEBUG\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}}}
            ]},
            "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:1",
                "env": [{"name": "MODE", "value": "prod"}, {"name": "DEBUG", "value": "1"}]}]}}}
        })
    }

    fn env_steps(object: &Value, env_index: usize) -> Vec<Step<'_>> {
        let container = &object["spec"]["template"]["spec"]["containers"][0];
        vec![
            Step::Field("spec"),
            Step::Field("template"),
            Step::Field("spec"),
            Step::Field("containers"),
            Step::Element(0, container),
            Step::Field("env"),
            Step::Element(env_index, &container["env"][env_index]),
        ]
    }

    #[test]
    fn the_deepest_owner_wins() {
        let object = deployment();
        let managed = ManagedFields::of(&object);
        let owner = managed.owner(&env_steps(&object, 1)).unwrap();
        assert_eq!(owner.entry.manager, "kubectl-edit");
        assert!(owner.exact);
        let owner = managed.owner(&env_steps(&object, 0)).unwrap();
        assert_eq!(owner.entry.manager, "kustomize-controller");
    }

    #[test]
    fn an_unowned_field_falls_back_to_its_owned_ancestor() {
        let object = deployment();
        let managed = ManagedFields::of(&object);
        let container = &object["spec"]["template"]["spec"]["containers"][0];
        let steps = [
            Step::Field("spec"),
            Step::Field("template"),
            Step::Field("spec"),
            Step::Field("containers"),
            Step::Element(0, container),
            Step::Field("imagePullPolicy"),
        ];
        let owner = managed.owner(&steps).unwrap();
        assert_eq!(
            (owner.entry.manager, owner.exact, owner.depth),
            ("kustomize-controller", false, 5)
        );
        assert_eq!(managed.owner(&[Step::Field("status")]), None);
    }

    #[test]
    fn managers_are_classed_as_the_spec_says() {
        assert_eq!(manager_kind("kubectl-edit"), ManagerKind::Person);
        assert_eq!(manager_kind("kubectl-client-side-apply"), ManagerKind::Person);
        assert_eq!(manager_kind("k9s"), ManagerKind::Person);
        assert_eq!(manager_kind("kustomize-controller"), ManagerKind::GitOps);
        assert_eq!(manager_kind("argocd-controller"), ManagerKind::GitOps);
        assert_eq!(manager_kind("kube-controller-manager"), ManagerKind::Controller);
        assert_eq!(manager_kind("kyverno"), ManagerKind::Controller);
        assert_eq!(manager_kind("kubectl-rollout"), ManagerKind::Rollout);
    }
}
