//! The normalisation pipeline of spec §4.3: what is removed or filled in on both sides before a
//! desired object and a live one are compared, so that nothing an API server writes by itself
//! shows up as drift.
//!
//! 1. Server-owned metadata (`uid`, `resourceVersion`, `managedFields`, ...) and `status` go.
//! 2. Metadata that tools and controllers add (ownership labels, tracking annotations,
//!    `ownerReferences`, `finalizers`, ...) is not compared on the live side unless Git sets it
//!    too; nor are allocated values (`clusterIP`, `nodePort`, a claim's `volumeName`, ...).
//! 3. Secrets: `stringData` is folded into base64 `data`.
//! 4. The desired side gets the API server's defaults: the built-in ones for the common kinds
//!    (`builtin_defaults.rs`) and those declared in CRD schemas.
//! 5. `null`, `{}` and `[]` are the same as absent, on both sides.
//!
//! The live side is compared as it is: step 2 is asked while walking it ([`is_live_noise`]).
//! The desired side is read through `Normalised`, which applies steps 1, 4 and 5 as the
//! comparison reads each field, without copying the object; only a Secret (step 3) and a custom
//! resource whose CRD declares defaults are copied.
//!
//! Quantities, numbers and int-or-string values are canonicalised where they are compared
//! (`diff.rs`), so that the values shown are the ones written.

use std::sync::LazyLock;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::builtin_defaults::{DefaultedKeys, Node, Place};
use super::schema_defaults::apply_schema_defaults;

/// Metadata the API server writes on every object.
const SERVER_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Annotations written by tools and controllers, not by the manifest's author (spec §2.6-C).
/// They are dropped from the live side unless Git sets them.
const NOISE_ANNOTATIONS: &[&str] = &[
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.daemonset.template.generation",
    "argocd.argoproj.io/tracking-id",
    "meta.helm.sh/release-name",
    "meta.helm.sh/release-namespace",
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "volume.beta.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/selected-node",
    "endpoints.kubernetes.io/last-change-trigger-time",
    "control-plane.alpha.kubernetes.io/leader",
    "autoscaling.alpha.kubernetes.io/conditions",
    "autoscaling.alpha.kubernetes.io/current-metrics",
    "batch.kubernetes.io/job-tracking",
];

/// Labels written by tools and controllers (spec §2.6-C, §1.4).
const NOISE_LABELS: &[&str] = &[
    "kustomize.toolkit.fluxcd.io/name",
    "kustomize.toolkit.fluxcd.io/namespace",
    "helm.toolkit.fluxcd.io/name",
    "helm.toolkit.fluxcd.io/namespace",
    "app.kubernetes.io/instance",
    "kubernetes.io/metadata.name",
    "pod-template-hash",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
];

/// The annotation holding the previous `kubectl apply`: it repeats the object (and, on a
/// Secret, its values), so it is never compared or shown.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A copy of `object` without `status` and `metadata.managedFields`, the two largest parts of a
/// live object and the two that are never compared; cheaper than copying and removing them.
#[must_use]
pub fn clone_without_server_fields(object: &Value) -> Value {
    let Some(map) = object.as_object() else { return object.clone() };
    let mut copy = Map::new();
    for (key, value) in map {
        match (key.as_str(), value) {
            ("status", _) => {}
            ("metadata", Value::Object(metadata)) => {
                let metadata: Map<String, Value> = metadata
                    .iter()
                    .filter(|(key, _)| key.as_str() != "managedFields")
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect();
                copy.insert(key.clone(), Value::Object(metadata));
            }
            _ => {
                copy.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(copy)
}

/// Step 2: whether a field the live side has and Git does not set is noise: server metadata,
/// `status`, metadata that tools and controllers add, values the server allocates, or an empty
/// value. `path` is where the field's parent sits (map keys; `None` for a list element).
///
/// The comparison asks this for live-only fields instead of copying the live object and
/// removing them, which keeps the diff of an object in sync free of copies. No rule looks at a
/// path longer than [`NOISE_DEPTH`]: deeper, a field is noise only when it is empty.
#[must_use]
pub fn is_live_noise(
    group: &str,
    kind: &str,
    path: &[Option<&str>],
    key: &str,
    value: &Value,
) -> bool {
    if is_empty(value) {
        return true;
    }
    if path.len() > NOISE_DEPTH {
        return false;
    }
    // The section of an object's or a pod template's metadata the field is in, if any.
    let metadata_section = match path {
        [Some("metadata"), Some(section)]
        | [Some("spec"), Some("template"), Some("metadata"), Some(section)]
        | [
            Some("spec"),
            Some("jobTemplate"),
            Some("spec"),
            Some("template"),
            Some("metadata"),
            Some(section),
        ] => Some(*section),
        _ => None,
    };
    match (path, metadata_section) {
        ([], _) => key == "status",
        ([Some("metadata")], _) => {
            SERVER_METADATA.contains(&key)
                || matches!(key, "namespace" | "ownerReferences" | "finalizers" | "generateName")
        }
        (_, Some("annotations")) => key == LAST_APPLIED || NOISE_ANNOTATIONS.contains(&key),
        (_, Some("labels")) => {
            NOISE_LABELS.contains(&key)
                || (key == "app.kubernetes.io/managed-by" && value.as_str() == Some("Helm"))
        }
        ([Some("spec")], _) => match (group, kind) {
            ("", "Service") => matches!(
                key,
                "clusterIP"
                    | "clusterIPs"
                    | "ipFamilies"
                    | "ipFamilyPolicy"
                    | "healthCheckNodePort"
            ),
            ("", "PersistentVolumeClaim") => matches!(key, "volumeName" | "storageClassName"),
            ("batch", "Job") => key == "selector",
            _ => false,
        },
        ([Some("spec"), Some("ports"), None], _) => {
            (group, kind) == ("", "Service") && key == "nodePort"
        }
        ([Some("spec"), Some("volumeClaimTemplates"), None], _) => key == "status",
        ([Some("spec"), Some("volumeClaimTemplates"), None, Some("metadata")], _) => {
            key == "creationTimestamp"
        }
        _ => false,
    }
}

/// The longest path [`is_live_noise`] has a rule for (a CronJob's pod template's metadata).
pub const NOISE_DEPTH: usize = 6;

/// Step 3: a Secret's `stringData` folded into base64 `data`, and `null` values as empty.
pub fn fold_secret(object: &mut Value) {
    let Some(map) = object.as_object_mut() else { return };
    let string_data = map.remove("stringData");
    let data = map.entry("data").or_insert_with(|| Value::Object(Map::new()));
    let Some(data) = data.as_object_mut() else { return };
    for value in data.values_mut() {
        if value.is_null() {
            *value = Value::String(String::new());
        }
    }
    if let Some(Value::Object(string_data)) = string_data {
        for (key, value) in string_data {
            let text = match value {
                Value::String(text) => text,
                Value::Null => String::new(),
                other => other.to_string(),
            };
            data.insert(key, Value::String(base64::engine::general_purpose::STANDARD.encode(text)));
        }
    }
}

/// Decodes a Secret's `data` value for comparison: two encodings of the same bytes are equal.
#[must_use]
pub fn decode_secret_value(value: &Value) -> Option<Vec<u8>> {
    let text: String = value.as_str()?.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(&text)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&text))
        .ok()
}

/// Step 5: `null`, `{}` and `[]` removed from maps, recursively (list elements stay, so list
/// indices keep pointing at the same elements).
pub fn prune_empty(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, child| {
                prune_empty(child);
                !is_empty(child)
            });
        }
        Value::Array(items) => items.iter_mut().for_each(prune_empty),
        _ => {}
    }
}

/// `null`, `{}` or `[]`.
pub(crate) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Whether serde_json's maps iterate in key order (its default BTreeMap). Checked once rather than
/// assumed, because another crate in the build could switch serde_json to insertion order.
pub(crate) static MAPS_SORTED: LazyLock<bool> = LazyLock::new(|| {
    let mut probe = Map::new();
    probe.insert("b".to_owned(), Value::Null);
    probe.insert("a".to_owned(), Value::Null);
    probe.keys().map(String::as_str).eq(["a", "b"])
});

/// Step 1 on the desired side, by where a value sits: what is removed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strip {
    /// Nothing below.
    Off,
    /// The object: `status`.
    Root,
    /// `metadata`: what the server writes, and the namespace (identity already decided it, so
    /// a manifest not naming it is no difference).
    Metadata,
    /// `metadata.annotations`: kubectl's last-applied copy of the object.
    Annotations,
    Spec,
    /// `spec.volumeClaimTemplates` (a StatefulSet's), whose elements ...
    ClaimTemplates,
    /// ... carry a `status` the server fills in ...
    ClaimTemplate,
    /// ... and a `creationTimestamp`.
    ClaimMetadata,
}

impl Strip {
    fn hides(self, key: &str) -> bool {
        match self {
            Strip::Root | Strip::ClaimTemplate => key == "status",
            Strip::Metadata => key == "namespace" || SERVER_METADATA.contains(&key),
            Strip::Annotations => key == LAST_APPLIED,
            Strip::ClaimMetadata => key == "creationTimestamp",
            Strip::Off | Strip::Spec | Strip::ClaimTemplates => false,
        }
    }

    fn child(self, key: &str) -> Strip {
        match self {
            Strip::Root if key == "metadata" => Strip::Metadata,
            Strip::Root if key == "spec" => Strip::Spec,
            Strip::Metadata if key == "annotations" => Strip::Annotations,
            Strip::Spec if key == "volumeClaimTemplates" => Strip::ClaimTemplates,
            Strip::ClaimTemplate if key == "metadata" => Strip::ClaimMetadata,
            _ => Strip::Off,
        }
    }

    fn item(self) -> Strip {
        if self == Strip::ClaimTemplates { Strip::ClaimTemplate } else { Strip::Off }
    }
}

/// A value as the comparison sees it, normalised as it is read: server fields removed (step 1),
/// the API server's built-in defaults filled in (step 4) and empty values dropped (step 5),
/// without copying it. Reading a map's entries or a field gives the normalised children; a copy
/// of the whole ([`Normalised::to_value`]) is the value these steps would have produced.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Normalised<'v> {
    value: &'v Value,
    strip: Strip,
    place: Place<'v>,
    prune: bool,
}

impl<'v> Normalised<'v> {
    const fn new(value: &'v Value, strip: Strip, place: Place<'v>, prune: bool) -> Self {
        Normalised { value, strip, place, prune }
    }

    /// `value` as it is.
    pub(crate) const fn raw(value: &'v Value) -> Self {
        Normalised::new(value, Strip::Off, Place::NONE, false)
    }

    /// The value here (a map's or a list's children are read through [`Normalised::entries`],
    /// [`Normalised::get`] and [`Normalised::items`]).
    pub(crate) const fn value(self) -> &'v Value {
        self.value
    }

    /// Whether nothing is removed or filled in among this map's entries (its node has no
    /// defaults; a list's elements may still have some).
    #[inline]
    fn entries_are_plain(self) -> bool {
        self.strip == Strip::Off && self.place.node() == Node::None
    }

    /// Whether a map has a child at `key` once normalised: [`Normalised::get`] is `Some`.
    pub(crate) fn has(self, key: &str) -> bool {
        let Some(map) = self.value.as_object() else { return false };
        match map.get(key) {
            // A scalar written here stays, unless step 1 removes it (a default replaces only a
            // null, or with a map a value that is not a map).
            Some(Value::Bool(_) | Value::Number(_) | Value::String(_))
                if !self.strip.hides(key) =>
            {
                true
            }
            present => {
                self.child(map, key, present).is_some_and(|child| !(self.prune && child.is_empty()))
            }
        }
    }

    /// The child at `key` of a map, normalised; `None` when there is none (or it is empty).
    pub(crate) fn get(self, key: &str) -> Option<Normalised<'v>> {
        let map = self.value.as_object()?;
        self.child(map, key, map.get(key)).filter(|child| !(self.prune && child.is_empty()))
    }

    /// The child at `key` of `map` (this value), `present` as written: the value written there
    /// unless step 1 removes it or the server fills in another, else what the server fills in.
    #[inline]
    fn child(
        self,
        map: &'v Map<String, Value>,
        key: &str,
        present: Option<&'v Value>,
    ) -> Option<Normalised<'v>> {
        if self.entries_are_plain() {
            // Nothing is removed or filled in here (most of an object): the value as written.
            return present
                .map(|value| Normalised::new(value, Strip::Off, Place::NONE, self.prune));
        }
        if let Some(value @ (Value::Bool(_) | Value::Number(_) | Value::String(_))) = present
            && !self.place.node().replaces_written_values()
            && !self.strip.hides(key)
        {
            // A scalar written here stays as written (a default replaces a null), and nothing
            // below a scalar is read: no need to ask the defaults what sits at the key.
            return Some(Normalised::new(value, Strip::Off, Place::NONE, self.prune));
        }
        self.child_by_rules(map, key, present)
    }

    fn child_by_rules(
        self,
        map: &'v Map<String, Value>,
        key: &str,
        present: Option<&'v Value>,
    ) -> Option<Normalised<'v>> {
        let node = self.place.node();
        let present = present.filter(|_| !self.strip.hides(key));
        let field = node.field(map, key);
        let (value, strip) = match (present, field.fill) {
            (Some(present), Some(fill)) if fill.replaces(present) => (fill.value, Strip::Off),
            (Some(present), _) => (present, self.strip.child(key)),
            (None, Some(fill)) => (fill.value, Strip::Off),
            (None, None) => return None,
        };
        Some(Normalised::new(value, strip, field.place, self.prune))
    }

    /// A map's entries, normalised, in key order (when serde_json keeps maps sorted, see
    /// [`MAPS_SORTED`]); nothing for a value that is not a map.
    pub(crate) fn entries(self) -> Entries<'v> {
        self.entries_checking_maps(true)
    }

    /// Like [`Normalised::entries`], except that a map is given without checking that something
    /// is left in it once normalised (only a `null` and an empty list are left out). Finding
    /// that out reads the map through the defaults, which its reader does anyway; the
    /// comparison asks [`Normalised::is_empty`] only where the answer changes what it reports.
    pub(crate) fn entries_maps_unchecked(self) -> Entries<'v> {
        self.entries_checking_maps(false)
    }

    fn entries_checking_maps(self, check_maps: bool) -> Entries<'v> {
        static NO_ENTRIES: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);
        let map = self.value.as_object().unwrap_or(&NO_ENTRIES);
        Entries {
            parent: self,
            map,
            present: map.iter().peekable(),
            defaulted: self.place.node().defaulted_keys().peekable(),
            check_maps,
        }
    }

    /// A list's elements, normalised; nothing for a value that is not a list.
    pub(crate) fn items(self) -> impl ExactSizeIterator<Item = Normalised<'v>> + Clone {
        let items = self.value.as_array().map_or(&[][..], Vec::as_slice);
        let (strip, place, prune) = (self.strip.item(), self.place.item(), self.prune);
        items.iter().map(move |value| Normalised::new(value, strip, place, prune))
    }

    /// Whether step 5 drops the value: `null`, `[]`, or a map with nothing left in it.
    #[inline]
    pub(crate) fn is_empty(self) -> bool {
        match self.value {
            Value::Null => true,
            Value::Array(items) => items.is_empty(),
            Value::Object(map) => self.is_empty_map(map),
            _ => false,
        }
    }

    fn is_empty_map(self, map: &Map<String, Value>) -> bool {
        !self.keeps_a_written_value(map) && self.entries().next().is_none()
    }

    /// Whether a scalar or a list written in this map stays (a default replaces only a null,
    /// or a value that is not a map with a map): then the map is not empty. This answers most
    /// maps without reading them through the defaults.
    pub(crate) fn keeps_a_written_value(self, map: &Map<String, Value>) -> bool {
        map.iter().any(|(key, value)| {
            let kept = match value {
                Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
                Value::Array(items) => !items.is_empty(),
                Value::Null | Value::Object(_) => false,
            };
            kept && !self.strip.hides(key)
        })
    }

    /// A copy, normalised.
    pub(crate) fn to_value(self) -> Value {
        match self.value {
            Value::Object(_) => Value::Object(
                self.entries().map(|(key, child)| (key.to_owned(), child.to_value())).collect(),
            ),
            Value::Array(_) => Value::Array(self.items().map(Normalised::to_value).collect()),
            scalar => scalar.clone(),
        }
    }
}

/// Equal once normalised.
impl PartialEq for Normalised<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.value, other.value) {
            (Value::Object(_), Value::Object(_)) => {
                self.entries().count() == other.entries().count()
                    && self.entries().all(|(key, child)| other.get(key) == Some(child))
            }
            (Value::Array(left), Value::Array(right)) => {
                left.len() == right.len() && self.items().eq(other.items())
            }
            (left, right) => left == right,
        }
    }
}

/// A map's entries, normalised: those written (unless removed, replaced or empty) and those the
/// server fills in, merged in key order.
pub(crate) struct Entries<'v> {
    parent: Normalised<'v>,
    map: &'v Map<String, Value>,
    present: std::iter::Peekable<serde_json::map::Iter<'v>>,
    defaulted: std::iter::Peekable<DefaultedKeys<'v>>,
    /// Whether a map is left out when nothing is left in it.
    check_maps: bool,
}

impl<'v> Iterator for Entries<'v> {
    type Item = (&'v str, Normalised<'v>);

    fn next(&mut self) -> Option<(&'v str, Normalised<'v>)> {
        if self.parent.entries_are_plain() {
            // Nothing is removed or filled in here (most of an object): the entries written.
            return self.next_written();
        }
        loop {
            let next_present = self.present.peek().map(|(key, _)| key.as_str());
            let next_defaulted = self.defaulted.peek().copied();
            let (key, present) = match (next_present, next_defaulted) {
                (None, None) => return None,
                // Unsorted maps (see `MAPS_SORTED`): the entries written, then the defaults.
                (Some(_), Some(_)) if !*MAPS_SORTED => self.take_present(),
                (None, Some(defaulted)) => {
                    self.defaulted.next();
                    // Unsorted, the entries written came first: a default they hold is done.
                    if !*MAPS_SORTED && self.map.contains_key(defaulted) {
                        continue;
                    }
                    (defaulted, None)
                }
                (Some(present), Some(defaulted)) if defaulted < present => {
                    self.defaulted.next();
                    (defaulted, None)
                }
                (Some(present), defaulted) => {
                    if defaulted == Some(present) {
                        self.defaulted.next();
                    }
                    self.take_present()
                }
            };
            if let Some(child) = self.parent.child(self.map, key, present)
                && !(self.parent.prune
                    && match child.value {
                        Value::Object(map) => self.check_maps && child.is_empty_map(map),
                        _ => child.is_empty(),
                    })
            {
                return Some((key, child));
            }
        }
    }
}

impl<'v> Entries<'v> {
    fn next_written(&mut self) -> Option<(&'v str, Normalised<'v>)> {
        let prune = self.parent.prune;
        self.present.find_map(|(key, value)| {
            let child = Normalised::new(value, Strip::Off, Place::NONE, prune);
            let dropped = prune
                && match value {
                    Value::Object(map) => self.check_maps && child.is_empty_map(map),
                    _ => child.is_empty(),
                };
            (!dropped).then_some((key.as_str(), child))
        })
    }

    fn take_present(&mut self) -> (&'v str, Option<&'v Value>) {
        match self.present.next() {
            Some((key, value)) => (key.as_str(), Some(value)),
            None => unreachable!("peeked"),
        }
    }
}

/// The desired object as the comparison reads it (steps 1, 3, 4 and 5). Nothing is copied,
/// except for a Secret (its values are folded, step 3) and for a custom resource whose CRD
/// declares defaults (`schema`: they are applied to a copy, [`apply_schema_defaults`]); `copy`
/// holds that copy.
pub(crate) fn desired<'v>(
    object: &'v Value,
    group: &str,
    kind: &str,
    schema: Option<&Value>,
    copy: &'v mut Option<Value>,
) -> Normalised<'v> {
    let builtin = Place::root(group, kind);
    let mut value = if (group, kind) == ("", "Secret") {
        let mut folded = Normalised::new(object, Strip::Root, Place::NONE, false).to_value();
        fold_secret(&mut folded);
        if schema.is_none() {
            return Normalised::new(copy.insert(folded), Strip::Off, builtin, true);
        }
        Normalised::new(&folded, Strip::Off, builtin, false).to_value()
    } else if schema.is_some() {
        Normalised::new(object, Strip::Root, builtin, false).to_value()
    } else {
        return Normalised::new(object, Strip::Root, builtin, true);
    };
    if let Some(schema) = schema {
        apply_schema_defaults(schema, &mut value);
    }
    Normalised::new(copy.insert(value), Strip::Off, Place::NONE, true)
}

/// The desired object as written, for showing its values: steps 1, 3 and 5, no defaults.
pub(crate) fn as_written(object: &Value, group: &str, kind: &str) -> Value {
    if (group, kind) == ("", "Secret") {
        let mut folded = Normalised::new(object, Strip::Root, Place::NONE, false).to_value();
        fold_secret(&mut folded);
        prune_empty(&mut folded);
        folded
    } else {
        Normalised::new(object, Strip::Root, Place::NONE, true).to_value()
    }
}

/// Step 4, built-in half, on a copy: the defaults the API server applies to the common kinds
/// (`builtin_defaults.rs`); empty values stay.
pub fn apply_builtin_defaults(group: &str, kind: &str, object: &mut Value) {
    let defaulted = Normalised::new(object, Strip::Off, Place::root(group, kind), false).to_value();
    *object = defaulted;
}

/// `Always` for `:latest` or an untagged image, `IfNotPresent` otherwise (Kubernetes
/// `SetDefaults_Container`).
#[must_use]
pub fn default_pull_policy(image: &str) -> &'static str {
    // One pass: a digest anywhere, and the last tag separator of the last path segment.
    let mut tag = None;
    for (index, byte) in image.bytes().enumerate() {
        match byte {
            b'@' => return "IfNotPresent",
            b'/' => tag = None,
            b':' => tag = Some(index + 1),
            _ => {}
        }
    }
    match tag.map(|start| &image[start..]) {
        Some("latest") | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.27"), "IfNotPresent");
        assert_eq!(default_pull_policy("registry:5000/nginx"), "Always");
        assert_eq!(default_pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }

    #[test]
    fn string_data_is_folded_into_base64_data() {
        let mut secret = json!({"kind": "Secret", "stringData": {"password": "hunter2"}, "data": {"user": "YWRtaW4="}});
        fold_secret(&mut secret);
        assert_eq!(
            secret,
            json!({"kind": "Secret", "data": {"user": "YWRtaW4=", "password": "aHVudGVyMg=="}})
        );
        assert_eq!(decode_secret_value(&json!("aHVudGVyMg")), Some(b"hunter2".to_vec()));
    }

    #[test]
    fn gateway_api_references_get_the_crd_defaults() {
        let mut route = json!({"spec": {"parentRefs": [{"name": "public"}],
            "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}});
        apply_builtin_defaults("gateway.networking.k8s.io", "HTTPRoute", &mut route);
        assert_eq!(
            route["spec"],
            json!({"parentRefs": [{"name": "public", "group": "gateway.networking.k8s.io", "kind": "Gateway"}],
                "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [{"name": "web", "port": 80, "group": "", "kind": "Service", "weight": 1}]}]})
        );
    }

    #[test]
    fn empty_values_are_absent() {
        let mut value = json!({"a": {}, "b": [], "c": null, "d": {"e": {}}, "f": [{}], "g": 0});
        prune_empty(&mut value);
        assert_eq!(value, json!({"f": [{}], "g": 0}));
    }

    fn desired_as_compared(object: &Value) -> Value {
        let api_version = object["apiVersion"].as_str().unwrap();
        let (group, _) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let kind = object["kind"].as_str().unwrap();
        let mut copy = None;
        desired(object, group, kind, None, &mut copy).to_value()
    }

    #[test]
    fn the_desired_object_is_stripped_defaulted_and_pruned_as_it_is_read() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "uid": "u", "annotations": {LAST_APPLIED: "{}"}},
            "spec": {"replicas": null, "strategy": {"type": "Recreate"}, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}, "annotations": {}},
                    "spec": {"containers": [{"name": "web", "image": "web:1", "ports": [{"containerPort": 80}],
                        "readinessProbe": {"httpGet": {"port": 80}}, "env": [{"name": "A", "value": null}]}]}}},
            "status": {"replicas": 1}});
        assert_eq!(
            desired_as_compared(&deployment),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                "spec": {"replicas": 1, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                    "strategy": {"type": "Recreate"}, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                            "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                            "containers": [{"name": "web", "image": "web:1", "imagePullPolicy": "IfNotPresent",
                                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                "readinessProbe": {"httpGet": {"port": 80, "scheme": "HTTP"}, "timeoutSeconds": 1,
                                    "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
                                "env": [{"name": "A"}]}]}}}})
        );
    }

    #[test]
    fn a_pod_requests_its_limits_and_runs_as_the_default_service_account() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a", "image": "a@sha256:0",
                "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}}]}});
        let spec = &desired_as_compared(&pod)["spec"];
        assert_eq!(
            spec["containers"][0]["resources"]["requests"],
            json!({"cpu": "500m", "memory": "1Gi"})
        );
        assert_eq!(
            (&spec["serviceAccountName"], &spec["serviceAccount"]),
            (&json!("default"), &json!("default"))
        );
        assert_eq!(spec["enableServiceLinks"], json!(true));
    }

    #[test]
    fn normalised_values_compare_as_their_copies() {
        let left = json!({"spec": {"ports": [{"port": 80}], "empty": {}}});
        let right = json!({"spec": {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
            "type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster"}});
        let place = Place::root("", "Service");
        let left = Normalised::new(&left, Strip::Off, place, true);
        assert!(left == Normalised::raw(&right));
        assert_eq!(left.to_value(), right);
        assert!(Normalised::raw(&json!({"a": {}})) != Normalised::raw(&json!({})));
    }

    #[test]
    fn a_service_gets_protocol_and_target_port() {
        let mut service = json!({"spec": {"ports": [{"port": 80}]}});
        apply_builtin_defaults("", "Service", &mut service);
        assert_eq!(
            service,
            json!({"spec": {"type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
                "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}})
        );
    }
}
