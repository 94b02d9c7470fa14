//! A Kubernetes object as read from an API server or a manifest, with typed accessors.
//!
//! Objects stay untyped JSON: the views read a few fields from dozens of kinds (many of them
//! custom resources), and typed structs for all of them would cost compile time and drop the
//! fields we do not know about yet, which the drift view must compare.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One Kubernetes object. Cloning is cheap: the JSON is shared, so a cache and every snapshot
/// taken from it hold one copy of each object between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KubeObject(pub Arc<Value>);

/// A condition from `status.conditions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition<'a> {
    /// `type`.
    pub type_: &'a str,
    /// `status`: `True`, `False` or `Unknown`.
    pub status: &'a str,
    /// `reason`, empty when absent.
    pub reason: &'a str,
    /// `message`, empty when absent.
    pub message: &'a str,
    /// `observedGeneration`, when written.
    pub observed_generation: Option<i64>,
}

impl From<Value> for KubeObject {
    fn from(value: Value) -> Self {
        KubeObject::new(value)
    }
}

impl KubeObject {
    /// The object holding `value`.
    #[must_use]
    pub fn new(value: Value) -> Self {
        KubeObject(Arc::new(value))
    }

    /// The object's JSON.
    #[must_use]
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// The JSON, owned (cloned only when it is shared).
    #[must_use]
    pub fn into_value(self) -> Value {
        Arc::unwrap_or_clone(self.0)
    }

    /// The JSON, to change in place (copied first when it is shared).
    pub fn value_mut(&mut self) -> &mut Value {
        Arc::make_mut(&mut self.0)
    }

    /// The string at a JSON pointer (`/spec/gatewayClassName`).
    #[must_use]
    pub fn str_at(&self, pointer: &str) -> Option<&str> {
        self.0.pointer(pointer).and_then(Value::as_str)
    }

    /// The value at a JSON pointer.
    #[must_use]
    pub fn at(&self, pointer: &str) -> Option<&Value> {
        self.0.pointer(pointer)
    }

    /// The array at a JSON pointer, or an empty slice.
    #[must_use]
    pub fn array_at(&self, pointer: &str) -> &[Value] {
        self.0.pointer(pointer).and_then(Value::as_array).map_or(&[], Vec::as_slice)
    }

    /// `apiVersion`, e.g. `gateway.networking.k8s.io/v1`.
    #[must_use]
    pub fn api_version(&self) -> &str {
        self.str_at("/apiVersion").unwrap_or_default()
    }

    /// The API group: the part of `apiVersion` before `/`, empty for the core group.
    #[must_use]
    pub fn group(&self) -> &str {
        self.api_version().rsplit_once('/').map_or("", |(group, _)| group)
    }

    /// `kind`.
    #[must_use]
    pub fn kind(&self) -> &str {
        self.str_at("/kind").unwrap_or_default()
    }

    /// `metadata.name`.
    #[must_use]
    pub fn name(&self) -> &str {
        self.str_at("/metadata/name").unwrap_or_default()
    }

    /// `metadata.namespace`, when set.
    #[must_use]
    pub fn namespace(&self) -> Option<&str> {
        self.str_at("/metadata/namespace").filter(|namespace| !namespace.is_empty())
    }

    /// `metadata.generation`, when set.
    #[must_use]
    pub fn generation(&self) -> Option<i64> {
        self.at("/metadata/generation").and_then(Value::as_i64)
    }

    /// `metadata.labels` as pairs.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.at("/metadata/labels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(key, value)| Some((key.as_str(), value.as_str()?)))
    }

    /// Whether the object is of `group` and `kind`.
    #[must_use]
    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.kind() == kind && self.group() == group
    }

    /// The conditions in `status.conditions`.
    pub fn conditions(&self) -> impl Iterator<Item = Condition<'_>> {
        conditions_of(self.at("/status/conditions"))
    }

    /// The condition of `type_` in `status.conditions`.
    #[must_use]
    pub fn condition(&self, type_: &str) -> Option<Condition<'_>> {
        self.conditions().find(|condition| condition.type_ == type_)
    }
}

/// The conditions in a `conditions` array, wherever it sits (route parents have their own).
pub fn conditions_of(value: Option<&Value>) -> impl Iterator<Item = Condition<'_>> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(|condition| {
        let text = |key: &str| condition.get(key).and_then(Value::as_str);
        Some(Condition {
            type_: text("type")?,
            status: text("status").unwrap_or("Unknown"),
            reason: text("reason").unwrap_or_default(),
            message: text("message").unwrap_or_default(),
            observed_generation: condition.get("observedGeneration").and_then(Value::as_i64),
        })
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn accessors_read_the_fields_kubernetes_defines() {
        let object = KubeObject::new(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": "edge", "namespace": "infra", "labels": {"team": "net"}, "generation": 3},
            "status": {"conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 2}]}
        }));
        assert_eq!(object.group(), "gateway.networking.k8s.io");
        assert!(object.is("gateway.networking.k8s.io", "Gateway"));
        assert_eq!(object.namespace(), Some("infra"));
        assert_eq!(object.generation(), Some(3));
        assert_eq!(object.labels().collect::<Vec<_>>(), vec![("team", "net")]);
        let accepted = object.condition("Accepted").expect("the condition is present");
        assert_eq!((accepted.status, accepted.observed_generation), ("True", Some(2)));
    }

    #[test]
    fn the_core_group_is_empty() {
        let service = KubeObject::new(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}),
        );
        assert_eq!(service.group(), "");
        assert_eq!(service.namespace(), None);
    }
}
