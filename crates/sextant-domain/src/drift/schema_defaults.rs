//! Defaults that custom resources get from their CRD's `openAPIV3Schema` (spec §2.6-B).
//!
//! The API server fills every absent property that declares a `default:` (and the defaults'
//! own nested defaults), so a live custom resource carries fields its manifest never had.
//! [`SchemaDefaults`] is built from CRD objects handed in by the caller (the domain reads no
//! files) and applies the same defaults to the desired object before it is compared.

use std::collections::HashMap;

use serde_json::Value;

use crate::object::Document;

/// The schemas of the CRDs given, by group, kind and version.
#[derive(Debug, Clone, Default)]
pub struct SchemaDefaults {
    /// By group, then kind, so that the lookups (several per object compared) borrow.
    schemas: HashMap<String, HashMap<String, CrdSchemas>>,
}

#[derive(Debug, Clone, Default)]
struct CrdSchemas {
    namespaced: bool,
    versions: Vec<(String, Value)>,
    storage: Option<String>,
}

impl SchemaDefaults {
    /// Reads the `CustomResourceDefinition` objects among `objects` (others are skipped).
    #[must_use]
    pub fn from_crds<'a>(objects: impl IntoIterator<Item = &'a Document>) -> SchemaDefaults {
        let mut schemas: HashMap<String, HashMap<String, CrdSchemas>> = HashMap::new();
        for crd in objects {
            if !crd.is("apiextensions.k8s.io", "CustomResourceDefinition") {
                continue;
            }
            let (Some(group), Some(kind)) =
                (crd.str_at("/spec/group"), crd.str_at("/spec/names/kind"))
            else {
                continue;
            };
            let mut entry = CrdSchemas {
                namespaced: crd.str_at("/spec/scope") != Some("Cluster"),
                ..CrdSchemas::default()
            };
            for version in crd.array_at("/spec/versions") {
                let Some(name) = version.get("name").and_then(Value::as_str) else { continue };
                if version.get("storage").and_then(Value::as_bool) == Some(true) {
                    entry.storage = Some(name.to_owned());
                }
                let schema = version
                    .pointer("/schema/openAPIV3Schema")
                    .or_else(|| crd.at("/spec/validation/openAPIV3Schema"))
                    .cloned()
                    .unwrap_or(Value::Null);
                entry.versions.push((name.to_owned(), schema));
            }
            schemas.entry(group.to_owned()).or_default().insert(kind.to_owned(), entry);
        }
        SchemaDefaults { schemas }
    }

    /// How many CRDs are known.
    #[must_use]
    pub fn len(&self) -> usize {
        self.schemas.values().map(HashMap::len).sum()
    }

    /// Whether no CRD is known.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
    }

    /// Whether the CRD of `group`/`kind` declares it namespaced; `None` when no CRD is known.
    #[must_use]
    pub fn namespaced(&self, group: &str, kind: &str) -> Option<bool> {
        self.crd(group, kind).map(|crd| crd.namespaced)
    }

    fn crd(&self, group: &str, kind: &str) -> Option<&CrdSchemas> {
        self.schemas.get(group)?.get(kind)
    }

    /// The schema of `group`/`kind` at `version`, or at the storage version when that version
    /// is not declared.
    #[must_use]
    pub fn schema(&self, group: &str, kind: &str, version: &str) -> Option<&Value> {
        let crd = self.crd(group, kind)?;
        crd.versions
            .iter()
            .find(|(name, _)| name == version)
            .or_else(|| {
                let storage = crd.storage.as_deref()?;
                crd.versions.iter().find(|(name, _)| name == storage)
            })
            .map(|(_, schema)| schema)
            .filter(|schema| !schema.is_null())
    }

    /// Fills the absent properties of `object` that its CRD schema gives a default. Returns
    /// whether a schema was found.
    pub fn apply(&self, group: &str, kind: &str, version: &str, object: &mut Value) -> bool {
        let Some(schema) = self.schema(group, kind, version) else { return false };
        apply_schema_defaults(schema, object);
        true
    }
}

/// Fills defaults into `value` following `schema`, as the API server's structural defaulting
/// does: absent properties with a `default` get it (and the default is defaulted in turn),
/// present ones are walked into; array items and `additionalProperties` values too.
pub fn apply_schema_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    if name == "status"
                        || name == "metadata"
                        || name == "apiVersion"
                        || name == "kind"
                    {
                        continue;
                    }
                    match map.get_mut(name) {
                        Some(child) => apply_schema_defaults(property, child),
                        None => {
                            if let Some(default) = property.get("default") {
                                let mut default = default.clone();
                                apply_schema_defaults(property, &mut default);
                                map.insert(name.clone(), default);
                            }
                        }
                    }
                }
            }
            if let Some(additional) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                for child in map.values_mut() {
                    apply_schema_defaults(additional, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    apply_schema_defaults(item_schema, item);
                }
            }
        }
        _ => {}
    }
}

/// The schema node of the field at `path` (map keys only; list indices are skipped).
fn schema_at<'a>(schema: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut node = schema;
    for segment in path {
        if node.get("type").and_then(Value::as_str) == Some("array") {
            node = node.get("items")?;
        }
        node = match node.get("properties").and_then(Value::as_object) {
            Some(properties) => properties.get(*segment)?,
            None => node.get("additionalProperties")?,
        };
    }
    if node.get("type").and_then(Value::as_str) == Some("array")
        && let Some(items) = node.get("items")
        && path.is_empty()
    {
        return Some(items);
    }
    Some(node)
}

/// Whether the schema types the field at `path` as a Kubernetes quantity: int-or-string with
/// the quantity pattern, as controller-gen writes every `resource.Quantity` field (spec §2.6-A:
/// custom resources such as Kueue quotas keep `12000m` vs `12` noise otherwise).
#[must_use]
pub fn is_quantity(schema: &Value, path: &[&str]) -> bool {
    let Some(node) = schema_at(schema, path) else { return false };
    let node = match node.get("additionalProperties").filter(|additional| additional.is_object()) {
        Some(additional) if node.get("x-kubernetes-int-or-string").is_none() => additional,
        _ => node,
    };
    node.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true)
        && node
            .get("pattern")
            .and_then(Value::as_str)
            .is_some_and(|pattern| pattern.contains("[KMGTPE]i"))
}

/// The `x-kubernetes-list-map-keys` a schema declares for the list at `path` (map keys only;
/// list indices are skipped), if any.
#[must_use]
pub fn list_map_keys<'a>(schema: &'a Value, path: &[&str]) -> Option<Vec<&'a str>> {
    let node = schema_at(schema, path)?;
    if node.get("x-kubernetes-list-type").and_then(Value::as_str) != Some("map") {
        return None;
    }
    let keys: Vec<&str> = node
        .get("x-kubernetes-list-map-keys")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    (!keys.is_empty()).then_some(keys)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn crd() -> Document {
        Document::new(json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Widget"},
                "versions": [{"name": "v1", "storage": true, "schema": {"openAPIV3Schema": {
                    "type": "object", "properties": {"spec": {"type": "object", "properties": {
                        "interval": {"type": "string", "default": "5m"},
                        "retry": {"type": "object", "default": {}, "properties": {
                            "attempts": {"type": "integer", "default": 3}}},
                        "ports": {"type": "array", "x-kubernetes-list-type": "map",
                            "x-kubernetes-list-map-keys": ["port"],
                            "items": {"type": "object", "properties": {
                                "protocol": {"type": "string", "default": "TCP"}}}}}}}}}}]}
        }))
    }

    #[test]
    fn absent_properties_get_their_defaults_and_nested_defaults() {
        let defaults = SchemaDefaults::from_crds([&crd()]);
        let mut object = json!({"spec": {"interval": "1m", "ports": [{"port": 80}]}});
        assert!(defaults.apply("example.com", "Widget", "v1", &mut object));
        assert_eq!(
            object,
            json!({"spec": {"interval": "1m", "retry": {"attempts": 3},
                "ports": [{"port": 80, "protocol": "TCP"}]}})
        );
    }

    #[test]
    fn an_unknown_version_uses_the_storage_schema_and_list_keys_are_read() {
        let defaults = SchemaDefaults::from_crds([&crd()]);
        let schema = defaults.schema("example.com", "Widget", "v2").unwrap();
        assert_eq!(list_map_keys(schema, &["spec", "ports"]), Some(vec!["port"]));
        assert_eq!(defaults.namespaced("example.com", "Widget"), Some(true));
        assert!(!defaults.apply("example.com", "Gadget", "v1", &mut json!({})));
    }
}
