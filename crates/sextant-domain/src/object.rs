//! A Kubernetes object as read from an API server or a manifest, with typed accessors.
//!
//! Objects stay untyped JSON: the views read a few fields from dozens of kinds (many of them
//! custom resources), and typed structs for all of them would cost compile time and drop the
//! fields we do not know about yet, which the drift view must compare.
//!
//! Two forms: [`KubeObject`], immutable and compact ([`Json`]), is what the caches hold and every
//! analyzer reads; [`Document`], a `serde_json::Value`, is what the drift diff takes, because its
//! normaliser copies and changes the desired side.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::Json;

/// One Kubernetes object. Cloning is cheap: the JSON is shared, so a cache and every snapshot
/// taken from it hold one copy of each object between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KubeObject(pub Arc<Json>);

/// A desired or live object as the drift diff reads it: `serde_json`'s tree, which can be
/// copied and changed. Cloning is cheap: the JSON is shared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Document(pub Arc<Value>);

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
    pub fn new(value: impl Into<Json>) -> Self {
        KubeObject(Arc::new(value.into()))
    }

    /// The object's JSON.
    #[must_use]
    pub fn value(&self) -> &Json {
        &self.0
    }

    /// The object for the drift diff.
    #[must_use]
    pub fn to_document(&self) -> Document {
        Document::new(self.0.to_value())
    }

    /// A copy of the object with `change` made to it (objects are otherwise read-only: tests
    /// and fixtures use this).
    #[must_use]
    pub fn edited(&self, change: impl FnOnce(&mut Value)) -> KubeObject {
        let mut value = self.0.to_value();
        change(&mut value);
        KubeObject::new(value)
    }

    /// The string at a JSON pointer (`/spec/gatewayClassName`).
    #[must_use]
    pub fn str_at(&self, pointer: &str) -> Option<&str> {
        self.0.pointer(pointer).and_then(Json::as_str)
    }

    /// The value at a JSON pointer.
    #[must_use]
    pub fn at(&self, pointer: &str) -> Option<&Json> {
        self.0.pointer(pointer)
    }

    /// The array at a JSON pointer, or an empty slice.
    #[must_use]
    pub fn array_at(&self, pointer: &str) -> &[Json] {
        self.0.pointer(pointer).and_then(Json::as_array).unwrap_or_default()
    }

    /// `apiVersion`, e.g. `gateway.networking.k8s.io/v1`.
    #[must_use]
    pub fn api_version(&self) -> &str {
        self.0["apiVersion"].as_str().unwrap_or_default()
    }

    /// The API group: the part of `apiVersion` before `/`, empty for the core group.
    #[must_use]
    pub fn group(&self) -> &str {
        self.api_version().rsplit_once('/').map_or("", |(group, _)| group)
    }

    /// `kind`.
    #[must_use]
    pub fn kind(&self) -> &str {
        self.0["kind"].as_str().unwrap_or_default()
    }

    /// `metadata.name`.
    #[must_use]
    pub fn name(&self) -> &str {
        self.0["metadata"]["name"].as_str().unwrap_or_default()
    }

    /// `metadata.namespace`, when set.
    #[must_use]
    pub fn namespace(&self) -> Option<&str> {
        self.0["metadata"]["namespace"].as_str().filter(|namespace| !namespace.is_empty())
    }

    /// `metadata.generation`, when set.
    #[must_use]
    pub fn generation(&self) -> Option<i64> {
        self.0["metadata"]["generation"].as_i64()
    }

    /// `metadata.labels` as pairs.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0["metadata"]["labels"]
            .as_object()
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

impl From<Value> for Document {
    fn from(value: Value) -> Self {
        Document::new(value)
    }
}

impl From<&KubeObject> for Document {
    fn from(object: &KubeObject) -> Self {
        object.to_document()
    }
}

impl Document {
    /// The document holding `value`.
    #[must_use]
    pub fn new(value: Value) -> Self {
        Document(Arc::new(value))
    }

    /// The document's JSON.
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

    /// The string at a JSON pointer.
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

    /// `kind`.
    #[must_use]
    pub fn kind(&self) -> &str {
        self.0.get("kind").and_then(Value::as_str).unwrap_or_default()
    }

    /// Whether the document is of `group` and `kind`.
    #[must_use]
    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.kind() == kind && self.group() == group
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

    /// The API group: the part of `apiVersion` before `/`, empty for the core group.
    #[must_use]
    pub fn group(&self) -> &str {
        self.0
            .get("apiVersion")
            .and_then(Value::as_str)
            .and_then(|version| version.rsplit_once('/'))
            .map_or("", |(group, _)| group)
    }

    /// The object for the analyzers.
    #[must_use]
    pub fn to_object(&self) -> KubeObject {
        KubeObject::new(&*self.0)
    }
}

/// The conditions in a `conditions` array, wherever it sits (route parents have their own).
pub fn conditions_of(value: Option<&Json>) -> impl Iterator<Item = Condition<'_>> {
    value.and_then(Json::as_array).into_iter().flatten().filter_map(|condition| {
        let text = |key: &str| condition.get(key).and_then(Json::as_str);
        Some(Condition {
            type_: text("type")?,
            status: text("status").unwrap_or("Unknown"),
            reason: text("reason").unwrap_or_default(),
            message: text("message").unwrap_or_default(),
            observed_generation: condition.get("observedGeneration").and_then(Json::as_i64),
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
