//! The field-level diff of spec §4: desired objects (rendered from Git) against live ones (as an
//! API server returns them), matched by identity (§4.2), normalised (§4.3), compared (§4.4) and
//! every differing field classed by who set it (§4.8).
//!
//! This is the "estimated" mode: no cluster is asked for a server-side-apply dry-run, so the
//! API server's defaulting is reproduced locally ([`super::normalize`], [`super::schema_defaults`]).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use serde_json::Value;

use super::classify::{Classifier, LiveStep, RawDiff, RawKind};
use super::ignore::IgnoreRules;
use super::normalize::{self, MAPS_SORTED, Normalised};
use super::quantity;
use super::schema_defaults::{self, SchemaDefaults};
use crate::object::Document;

/// Identifies an object: group, kind, namespace and name (the version is carried, not compared).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// The API group, empty for the core group.
    pub group: String,
    /// The version the object was written at.
    pub version: String,
    /// The kind.
    pub kind: String,
    /// The namespace, for namespaced objects.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

/// An identity without the version, borrowed: group, kind, namespace and name.
type IdKey<'k> = (&'k str, &'k str, Option<&'k str>, &'k str);

/// An identity as a hash key: compared in full, hashed by namespace and name only (what tells
/// most objects apart), which halves the hashing of a matching that hashes every object.
#[derive(PartialEq, Eq)]
struct Hashed<'k>(IdKey<'k>);

impl Hash for Hashed<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (_, _, namespace, name) = self.0;
        (namespace, name).hash(state);
    }
}

impl ObjectId {
    /// The identity without the version, borrowed (lookups run once per object per side).
    fn key(&self) -> IdKey<'_> {
        (&self.group, &self.kind, self.namespace.as_deref(), &self.name)
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        };
        match &self.namespace {
            Some(namespace) => write!(f, "{kind} {namespace}/{}", self.name),
            None => write!(f, "{kind} {}", self.name),
        }
    }
}

/// An object's state after the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectState {
    /// No field is `drift` (expected mutations and ignored fields may remain).
    InSync,
    /// At least one field is `drift`.
    Drifted,
    /// In Git, not live.
    MissingLive,
    /// Live, not in Git.
    NotInGit,
}

/// Why a field differs, in Sextant's three classes (spec §4.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldClass {
    /// A change someone should look at.
    Drift,
    /// Set by a controller, an operator, a webhook or an autoscaler.
    ExpectedMutation,
    /// Covered by an ignore rule or annotation.
    Ignored,
}

/// One differing field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDiff {
    /// A JSON Pointer: desired indices for elements in Git, live ones for live-only elements.
    pub path: String,
    /// The value in Git, when it is there (never for a Secret's data).
    pub desired: Option<Value>,
    /// The live value, when it is there (never for a Secret's data).
    pub live: Option<Value>,
    /// The value the GitOps controller last applied there, when it can be known (the rule is on
    /// `Classifier::last_applied` in `classify.rs`: the live value of a field the controller's
    /// manager owns, else kubectl's last-applied annotation, else absent).
    pub last_applied: Option<Value>,
    /// The class.
    pub class: FieldClass,
    /// Why, in words: who changed it and when, or which rule hides it.
    pub reason: String,
    /// The manager that set the live value, when known.
    pub manager: Option<String>,
    /// When that manager wrote, as the object records it.
    pub time: Option<String>,
    /// Whether the values were withheld because they are secret.
    pub redacted: bool,
}

/// The comparison of one object.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDiff {
    /// Which object.
    pub id: ObjectId,
    /// Its state.
    pub state: ObjectState,
    /// The differing fields, in path order.
    pub fields: Vec<FieldDiff>,
    /// Its position among the desired objects given.
    pub desired_index: Option<usize>,
    /// Its position among the live objects given.
    pub live_index: Option<usize>,
}

/// What the comparison found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffReport {
    /// Every object, desired ones first (in the order given), then those only live.
    pub objects: Vec<ObjectDiff>,
    /// Live objects left out because a controller owns them (ReplicaSets, Pods, ...).
    pub skipped_owned: usize,
    /// Problems with the input: duplicates, rules that could not be applied.
    pub problems: Vec<String>,
}

/// The objects counted by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// `in_sync`.
    pub in_sync: usize,
    /// `drifted`.
    pub drifted: usize,
    /// `missing_live`.
    pub missing_live: usize,
    /// `not_in_git`.
    pub not_in_git: usize,
}

impl DiffReport {
    /// Counts the objects by state.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for object in &self.objects {
            match object.state {
                ObjectState::InSync => summary.in_sync += 1,
                ObjectState::Drifted => summary.drifted += 1,
                ObjectState::MissingLive => summary.missing_live += 1,
                ObjectState::NotInGit => summary.not_in_git += 1,
            }
        }
        summary
    }

    /// Whether any object is drifted, missing live or not in Git.
    #[must_use]
    pub fn has_drift(&self) -> bool {
        self.objects.iter().any(|object| object.state != ObjectState::InSync)
    }
}

/// What the comparison takes besides the objects.
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions<'a> {
    /// Ignore rules (Argo CD `ignoreDifferences` shape).
    pub ignore: &'a IgnoreRules,
    /// CRD schemas, for custom resources' defaults, scope and list keys.
    pub schemas: &'a SchemaDefaults,
    /// The namespace of namespaced desired objects that name none.
    pub default_namespace: &'a str,
    /// The GitOps controller's field manager (`kustomize-controller`, `helm-controller`,
    /// `argocd-controller`), for the last-applied column; `None`: any GitOps manager.
    pub controller: Option<&'a str>,
}

/// Kinds that are cluster-scoped, for identity (spec §4.2).
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("networking.k8s.io", "IngressClass"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("apiregistration.k8s.io", "APIService"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("cert-manager.io", "ClusterIssuer"),
    ("kyverno.io", "ClusterPolicy"),
    ("policies.kubewarden.io", "ClusterAdmissionPolicy"),
];

/// Compares every desired object with its live counterpart ("estimated" mode).
#[must_use]
pub fn diff_objects(
    desired: &[Document],
    live: &[Document],
    options: &DiffOptions<'_>,
) -> DiffReport {
    diff_objects_predicted(desired, &[], live, options)
}

/// Like [`diff_objects`], with the API server's prediction for some desired objects:
/// `predicted[i]` is what a server-side-apply dry-run of `desired[i]` under the controller's
/// field manager answered (spec §4.4), or `None` where there was none (the object is then
/// compared in the estimated way).
///
/// With a prediction, the fields the server would store replace Sextant's local defaulting: a
/// field differs when the predicted value differs from the live one (canonical spellings are
/// still compared as equal, since an emulator may not canonicalise). Fields only live are
/// still found by the local comparison as well and classed by §4.8, because a real server's
/// prediction keeps fields other managers own (an additive `kubectl edit`), which Sextant
/// reports.
#[must_use]
pub fn diff_objects_predicted(
    desired: &[Document],
    predicted: &[Option<Document>],
    live: &[Document],
    options: &DiffOptions<'_>,
) -> DiffReport {
    let mut report = DiffReport {
        objects: Vec::with_capacity(desired.len()),
        problems: options.ignore.unsupported.clone(),
        ..DiffReport::default()
    };
    // Each object's identifying fields are read once.
    let live_heads: Vec<Head<'_>> = live.iter().map(Head::of).collect();
    let desired_heads: Vec<Head<'_>> = desired.iter().map(Head::of).collect();
    let scopes = LiveScopes::of_heads(&live_heads);
    let mut namespaced = Namespaced::new(&scopes, options.schemas);
    let desired_ids: Vec<ObjectId> =
        desired_heads.iter().map(|head| head.identity(&mut namespaced, options)).collect();
    // Matched by borrowed keys first, so that the identities can then move into the report; a
    // live object's identity is made only if it is reported on its own (not in Git). Each key
    // holds the first live object with it, and whether a desired object had it already.
    let (live_indices, first_seen): (Vec<Option<usize>>, Vec<bool>) = {
        let mut by_key: HashMap<Hashed<'_>, (Option<usize>, bool)> =
            HashMap::with_capacity(live.len() + desired.len());
        for (index, head) in live_heads.iter().enumerate() {
            by_key
                .entry(Hashed(head.key(&mut namespaced, options)))
                .or_insert((Some(index), false));
        }
        desired_ids
            .iter()
            .map(|id| {
                let (live_index, seen) = by_key.entry(Hashed(id.key())).or_insert((None, false));
                (*live_index, !std::mem::replace(seen, true))
            })
            .unzip()
    };
    let hpa_targets = hpa_targets(
        desired.iter().zip(&desired_heads).chain(live.iter().zip(&live_heads)),
        options.default_namespace,
    );
    let mut matched_live = vec![false; live.len()];
    for (desired_index, (object, id)) in desired.iter().zip(desired_ids).enumerate() {
        if !first_seen[desired_index] {
            report.problems.push(format!(
                "{id} appears more than once in the desired objects; the first one is compared"
            ));
            continue;
        }
        let live_index = live_indices[desired_index];
        let (state, fields) = match live_index {
            None => (ObjectState::MissingLive, Vec::new()),
            Some(live_index) => {
                matched_live[live_index] = true;
                let hpa = if hpa_targets.is_empty() {
                    None
                } else {
                    hpa_targets.get(&(id.namespace.clone(), id.kind.clone(), id.name.clone()))
                };
                let prediction = predicted.get(desired_index).and_then(Option::as_ref);
                let fields = diff_pair(
                    &id,
                    object,
                    prediction,
                    &live[live_index],
                    options,
                    hpa.map(String::as_str),
                );
                let state = if fields.iter().any(|field| field.class == FieldClass::Drift) {
                    ObjectState::Drifted
                } else {
                    ObjectState::InSync
                };
                (state, fields)
            }
        };
        report.objects.push(ObjectDiff {
            id,
            state,
            fields,
            desired_index: Some(desired_index),
            live_index,
        });
    }
    for (live_index, (object, head)) in live.iter().zip(&live_heads).enumerate() {
        if matched_live[live_index] {
            continue;
        }
        if owned_by_controller(object) {
            report.skipped_owned += 1;
            continue;
        }
        report.objects.push(ObjectDiff {
            id: head.identity(&mut namespaced, options),
            state: ObjectState::NotInGit,
            fields: Vec::new(),
            desired_index: None,
            live_index: Some(live_index),
        });
    }
    report
}

fn owned_by_controller(object: &Document) -> bool {
    object
        .0
        .get("metadata")
        .and_then(|metadata| metadata.get("ownerReferences"))
        .and_then(Value::as_array)
        .is_some_and(|owners| {
            owners
                .iter()
                .any(|owner| owner.get("controller").and_then(Value::as_bool) == Some(true))
        })
}

/// The identifying fields, read without JSON Pointers (which allocate per lookup): this runs
/// for every object on both sides.
struct Head<'v> {
    group: &'v str,
    version: &'v str,
    kind: &'v str,
    name: &'v str,
    namespace: Option<&'v str>,
}

impl<'v> Head<'v> {
    fn of(object: &'v Document) -> Head<'v> {
        // One pass over each map rather than a lookup per field: cheaper for these few keys.
        let text = |value: &'v Value| value.as_str().unwrap_or_default();
        let (mut api_version, mut kind, mut name, mut namespace) = ("", "", "", None);
        for (key, value) in object.0.as_object().into_iter().flatten() {
            match key.as_str() {
                "apiVersion" => api_version = text(value),
                "kind" => kind = text(value),
                "metadata" => {
                    for (key, value) in value.as_object().into_iter().flatten() {
                        match key.as_str() {
                            "name" => name = text(value),
                            "namespace" => namespace = value.as_str(),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let namespace = namespace.filter(|namespace| !namespace.is_empty());
        Head { group, version, kind, name, namespace }
    }
}

impl Head<'_> {
    /// The identity without the version, borrowed: see [`identity`].
    fn key<'k>(&'k self, namespaced: &mut Namespaced<'_>, options: &DiffOptions<'k>) -> IdKey<'k> {
        let namespace = namespaced
            .get(self.group, self.kind)
            .then(|| self.namespace.unwrap_or(options.default_namespace));
        (self.group, self.kind, namespace, self.name)
    }

    fn identity(&self, namespaced: &mut Namespaced<'_>, options: &DiffOptions<'_>) -> ObjectId {
        let (group, kind, namespace, name) = self.key(namespaced, options);
        ObjectId {
            group: group.to_owned(),
            version: self.version.to_owned(),
            kind: kind.to_owned(),
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
        }
    }
}

/// The identity of an object (spec §4.2): namespaced objects without a namespace get the
/// default one; cluster-scoped ones lose any namespace they name.
#[must_use]
pub fn identity(object: &Document, scopes: &LiveScopes, options: &DiffOptions<'_>) -> ObjectId {
    Head::of(object).identity(&mut Namespaced::new(scopes, options.schemas), options)
}

/// Whether kinds are namespaced ([`is_namespaced`]), remembering the last kind asked about:
/// objects come in runs of one kind, and the answer takes two hash lookups.
struct Namespaced<'s> {
    scopes: &'s LiveScopes,
    schemas: &'s SchemaDefaults,
    /// The last group and kind asked about, and the answer (`None` before the first question).
    last: (String, String, Option<bool>),
}

impl<'s> Namespaced<'s> {
    fn new(scopes: &'s LiveScopes, schemas: &'s SchemaDefaults) -> Self {
        Namespaced { scopes, schemas, last: (String::new(), String::new(), None) }
    }

    fn get(&mut self, group: &str, kind: &str) -> bool {
        let (last_group, last_kind, answer) = &mut self.last;
        if let Some(namespaced) = *answer
            && (last_group.as_str(), last_kind.as_str()) == (group, kind)
        {
            return namespaced;
        }
        let namespaced = is_namespaced(group, kind, self.scopes, self.schemas);
        last_group.clear();
        last_group.push_str(group);
        last_kind.clear();
        last_kind.push_str(kind);
        *answer = Some(namespaced);
        namespaced
    }
}

/// For kinds neither built in nor declared by a CRD: whether the live objects of that kind carry
/// a namespace.
#[derive(Debug, Clone, Default)]
pub struct LiveScopes(HashMap<String, HashMap<String, bool>>);

impl LiveScopes {
    /// Reads the scope of every kind among `live`.
    #[must_use]
    pub fn of(live: &[Document]) -> LiveScopes {
        let heads: Vec<Head<'_>> = live.iter().map(Head::of).collect();
        LiveScopes::of_heads(&heads)
    }

    fn of_heads(live: &[Head<'_>]) -> LiveScopes {
        // Keyed group, then kind, so that the lookups, once per object, borrow.
        let mut scopes: HashMap<String, HashMap<String, bool>> = HashMap::new();
        for head in live {
            if let Some(namespaced) =
                scopes.get_mut(head.group).and_then(|kinds| kinds.get_mut(head.kind))
            {
                *namespaced |= head.namespace.is_some();
            } else {
                scopes
                    .entry(head.group.to_owned())
                    .or_default()
                    .insert(head.kind.to_owned(), head.namespace.is_some());
            }
        }
        LiveScopes(scopes)
    }
}

fn is_namespaced(group: &str, kind: &str, scopes: &LiveScopes, schemas: &SchemaDefaults) -> bool {
    if CLUSTER_SCOPED.contains(&(group, kind)) {
        return false;
    }
    if let Some(namespaced) = schemas.namespaced(group, kind) {
        return namespaced;
    }
    scopes.0.get(group).and_then(|kinds| kinds.get(kind)).copied().unwrap_or(true)
}

/// `(namespace, kind, name)` of every object an HPA scales, with the HPA's name.
fn hpa_targets<'a>(
    objects: impl Iterator<Item = (&'a Document, &'a Head<'a>)>,
    default_namespace: &str,
) -> HashMap<(Option<String>, String, String), String> {
    objects
        .filter(|(_, head)| (head.group, head.kind) == ("autoscaling", "HorizontalPodAutoscaler"))
        .filter_map(|(hpa, _)| {
            let kind = hpa.str_at("/spec/scaleTargetRef/kind")?;
            let name = hpa.str_at("/spec/scaleTargetRef/name")?;
            Some((
                (
                    Some(hpa.namespace().unwrap_or(default_namespace).to_owned()),
                    kind.to_owned(),
                    name.to_owned(),
                ),
                hpa.name().to_owned(),
            ))
        })
        .collect()
}

fn diff_pair(
    id: &ObjectId,
    desired: &Document,
    predicted: Option<&Document>,
    live: &Document,
    options: &DiffOptions<'_>,
    hpa: Option<&str>,
) -> Vec<FieldDiff> {
    let (group, kind) = (id.group.as_str(), id.kind.as_str());
    let is_secret = (group, kind) == ("", "Secret");
    let schema = options.schemas.schema(group, kind, &id.version);
    // The desired object with the server's defaults, as the comparison reads it (normalised while
    // walking; copied only for a Secret or a custom resource with schema defaults).
    let mut desired_copy = None;
    let desired_norm = normalize::desired(&desired.0, group, kind, schema, &mut desired_copy);
    // The live object is compared as it is (noise is skipped while walking); only a Secret is
    // copied, to fold its values.
    let live_view: Cow<'_, Value> = if is_secret {
        let mut folded = normalize::clone_without_server_fields(&live.0);
        normalize::fold_secret(&mut folded);
        Cow::Owned(folded)
    } else {
        Cow::Borrowed(&live.0)
    };
    let live_norm: &Value = &live_view;

    let mut walker = Walker { group, kind, schema, is_secret, out: Vec::new() };
    let mut segments = Vec::with_capacity(16);
    walker.compare(desired_norm, live_norm, &mut segments);
    let mut raws = walker.out;
    if let Some(predicted) = predicted {
        // A real server's prediction already holds its defaults; an emulator's does not.
        let mut predicted_copy = None;
        let predicted_norm =
            normalize::desired(&predicted.0, group, kind, schema, &mut predicted_copy);
        let mut walker = Walker { group, kind, schema, is_secret, out: Vec::new() };
        walker.compare(predicted_norm, live_norm, &mut segments);
        // The server decides the fields Git sets; the local comparison adds the fields only live.
        let local_live_only: Vec<RawDiff> = raws
            .into_iter()
            .filter(|raw| {
                raw.kind == RawKind::LiveOnly
                    && !walker.out.iter().any(|server| server.segments == raw.segments)
            })
            .collect();
        raws = walker.out;
        raws.extend(local_live_only);
    }
    if raws.is_empty() {
        return Vec::new();
    }
    let classifier = Classifier::new(id, desired, live, live_norm, options, hpa);
    raws.iter().filter_map(|raw| classifier.classify(raw)).collect()
}

/// A step of a path while walking, on both sides at once: borrowed, so that walking an object
/// in sync allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg<'v> {
    Key(&'v str),
    /// A list element: its index in the path shown (the desired index, or the live one for an
    /// element only live) and in the live list (`None` for an element only in Git).
    Element {
        shown: usize,
        live: Option<usize>,
    },
}

impl Seg<'_> {
    /// An element at the same index on both sides.
    const fn element(index: usize) -> Self {
        Seg::Element { shown: index, live: Some(index) }
    }
}

fn seg_name<'v>(seg: Option<&Seg<'v>>) -> &'v str {
    match seg {
        Some(Seg::Key(key)) => key,
        Some(Seg::Element { .. }) | None => "",
    }
}

static EMPTY_MAP: LazyLock<Value> = LazyLock::new(|| Value::Object(serde_json::Map::new()));

/// Walks a normalised desired value and a live one side by side, collecting where they differ.
struct Walker<'a> {
    group: &'a str,
    kind: &'a str,
    schema: Option<&'a Value>,
    is_secret: bool,
    out: Vec<RawDiff>,
}

impl<'a> Walker<'a> {
    fn compare<'v>(
        &mut self,
        desired: Normalised<'v>,
        live: &'v Value,
        segments: &mut Vec<Seg<'v>>,
    ) {
        match (desired.value(), live) {
            (Value::Object(_), Value::Object(live_map)) => {
                let live_entries = live_map.iter().map(|(key, value)| (key.as_str(), value));
                if *MAPS_SORTED {
                    let desired_entries = desired.entries_maps_unchecked();
                    self.compare_entries(desired_entries, live_entries, segments);
                } else {
                    // Another crate switched serde_json's maps to insertion order: sort both.
                    let mut desired_entries: Vec<_> = desired.entries_maps_unchecked().collect();
                    desired_entries.sort_by_key(|(key, _)| *key);
                    let mut live_entries: Vec<_> = live_entries.collect();
                    live_entries.sort_by_key(|(key, _)| *key);
                    self.compare_entries(
                        desired_entries.into_iter(),
                        live_entries.into_iter(),
                        segments,
                    );
                }
            }
            (Value::Array(_), Value::Array(live_items)) => {
                self.compare_lists(desired, live_items, segments);
            }
            (desired, live) => {
                if !self.scalars_equal(segments, desired, live) {
                    self.push(RawKind::Changed, segments, None);
                }
            }
        }
    }

    /// Two maps' entries, both in key order: one merge pass instead of a lookup per key. The
    /// desired maps among them may hold nothing once normalised (see
    /// [`Normalised::entries_maps_unchecked`]).
    fn compare_entries<'v>(
        &mut self,
        mut desired: impl Iterator<Item = (&'v str, Normalised<'v>)>,
        mut live: impl Iterator<Item = (&'v str, &'v Value)>,
        segments: &mut Vec<Seg<'v>>,
    ) {
        let (mut next_desired, mut next_live) = (desired.next(), live.next());
        loop {
            let order = match (next_desired, next_live) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((desired_key, _)), Some((live_key, _))) => desired_key.cmp(live_key),
            };
            match (order, next_desired, next_live) {
                (Ordering::Less, Some((key, desired_child)), _) => {
                    self.desired_only_key(key, desired_child, segments);
                    next_desired = desired.next();
                }
                (Ordering::Greater, _, Some((key, live_child))) => {
                    self.live_only_key(key, live_child, segments);
                    next_live = live.next();
                }
                (Ordering::Equal, Some((key, desired_child)), Some((_, live_child))) => {
                    next_desired = desired.next();
                    next_live = live.next();
                    // Equal scalars (most fields of an object in sync): nothing to report.
                    if !matches!(live_child, Value::Object(_) | Value::Array(_))
                        && desired_child.value() == live_child
                    {
                        continue;
                    }
                    // A desired map with nothing left in it is absent, so the key is only live.
                    // Comparing it with a live map reports the same fields, unless the live
                    // value is noise as a whole; only then, or against a live value that is not
                    // a map, does it matter, and is it checked.
                    if let Value::Object(desired_map) = desired_child.value()
                        && !desired_child.keeps_a_written_value(desired_map)
                        && (!live_child.is_object() || self.live_noise(segments, key, live_child))
                        && desired_child.is_empty()
                    {
                        self.live_only_key(key, live_child, segments);
                        continue;
                    }
                    segments.push(Seg::Key(key));
                    self.compare(desired_child, live_child, segments);
                    segments.pop();
                }
                _ => unreachable!("the order follows the entries"),
            }
        }
    }

    fn desired_only_key<'v>(
        &mut self,
        key: &'v str,
        desired_child: Normalised<'v>,
        segments: &mut Vec<Seg<'v>>,
    ) {
        segments.push(Seg::Key(key));
        if desired_child.value().is_object() {
            // A map only one side has is walked into, so that each key is classed on its own.
            self.compare(desired_child, &EMPTY_MAP, segments);
        } else {
            self.push(RawKind::DesiredOnly, segments, Some(desired_child.value()));
        }
        segments.pop();
    }

    fn live_only_key<'v>(
        &mut self,
        key: &'v str,
        live_child: &'v Value,
        segments: &mut Vec<Seg<'v>>,
    ) {
        if self.live_noise(segments, key, live_child) {
            return;
        }
        segments.push(Seg::Key(key));
        if live_child.is_object() {
            // Each key of a map set live is classed by its own manager (labels by different tools).
            self.compare(Normalised::raw(&EMPTY_MAP), live_child, segments);
        } else {
            self.push(RawKind::LiveOnly, segments, None);
        }
        segments.pop();
    }

    fn compare_lists<'v>(
        &mut self,
        desired: Normalised<'v>,
        live: &'v [Value],
        segments: &mut Vec<Seg<'v>>,
    ) {
        if let Some(keys) = self.list_keys(segments, desired, live) {
            // A key must identify one element on each side; otherwise compare by position.
            let width = keys.len();
            let desired_parts = desired
                .items()
                .flat_map(|item| keys.iter().map(move |key| KeyPart::of(item.get(key))));
            let live_parts = live.iter().flat_map(|item| {
                keys.iter().map(|key| KeyPart::of(item.get(*key).map(Normalised::raw)))
            });
            let compared = on_stack(desired_parts, |desired_parts| {
                on_stack(live_parts, |live_parts| {
                    let desired_keys = KeyTable { width, parts: desired_parts };
                    let live_keys = KeyTable { width, parts: live_parts };
                    let unique = desired_keys.unique() && live_keys.unique();
                    if unique {
                        self.compare_by_key(desired, live, &desired_keys, &live_keys, segments);
                    }
                    unique
                })
            });
            if compared {
                return;
            }
        }
        let objects = desired.items().all(|item| item.value().is_object())
            && live.iter().all(Value::is_object);
        let same_length = desired.items().len() == live.len();
        if objects && same_length && self.same_multiset(segments, desired, live) {
            // Lists of objects with no merge key are sets in practice (HPA metrics, rules,
            // tolerations): the server or a controller may reorder them (spec §2.6-B).
            return;
        }
        if same_length && objects {
            for (index, (desired_item, live_item)) in desired.items().zip(live).enumerate() {
                segments.push(Seg::element(index));
                self.compare(desired_item, live_item, segments);
                segments.pop();
            }
            return;
        }
        let equal = same_length
            && desired
                .items()
                .zip(live)
                .all(|(desired_item, live_item)| self.equal(segments, desired_item, live_item));
        if !equal {
            self.push(RawKind::Changed, segments, None);
        }
    }

    /// Two lists whose elements are identified by their merge keys.
    fn compare_by_key<'v>(
        &mut self,
        desired: Normalised<'v>,
        live: &'v [Value],
        desired_keys: &KeyTable<'_, '_>,
        live_keys: &KeyTable<'_, '_>,
        segments: &mut Vec<Seg<'v>>,
    ) {
        // Which live elements were matched, on the stack for a short list.
        let mut on_stack = [false; 32];
        let mut on_heap = Vec::new();
        let live_matched: &mut [bool] = if live.len() <= on_stack.len() {
            &mut on_stack[..live.len()]
        } else {
            on_heap.resize(live.len(), false);
            &mut on_heap
        };
        for (desired_index, desired_item) in desired.items().enumerate() {
            let live_index = live_keys.position(desired_keys.key(desired_index));
            segments.push(Seg::Element { shown: desired_index, live: live_index });
            match live_index {
                Some(live_index) => {
                    live_matched[live_index] = true;
                    self.compare(desired_item, &live[live_index], segments);
                }
                None => {
                    self.push(RawKind::DesiredOnly, segments, Some(desired_item.value()));
                }
            }
            segments.pop();
        }
        for (live_index, matched) in live_matched.iter().enumerate() {
            if !matched {
                segments.push(Seg::element(live_index));
                self.push(RawKind::LiveOnly, segments, None);
                segments.pop();
            }
        }
    }

    fn schema_says_quantity(&self, segments: &[Seg<'_>]) -> bool {
        self.schema.is_some_and(|schema| {
            on_stack(keys_along(segments), |path| schema_defaults::is_quantity(schema, path))
        })
    }

    fn live_noise(&self, segments: &[Seg<'_>], key: &str, value: &Value) -> bool {
        if segments.len() > normalize::NOISE_DEPTH {
            // No noise rule reaches this deep (the path is not even collected).
            return normalize::is_empty(value);
        }
        let path = segments.iter().map(|segment| match segment {
            Seg::Key(key) => Some(*key),
            Seg::Element { .. } => None,
        });
        on_stack(path, |path| normalize::is_live_noise(self.group, self.kind, path, key, value))
    }

    fn same_multiset(&self, segments: &[Seg<'_>], desired: Normalised<'_>, live: &[Value]) -> bool {
        let mut used = vec![false; live.len()];
        desired.items().all(|desired_item| {
            let found = live.iter().enumerate().position(|(index, live_item)| {
                !used[index] && self.equal(segments, desired_item, live_item)
            });
            found.inspect(|index| used[*index] = true).is_some()
        })
    }

    /// Deep equality with the same canonicalisation as the comparison.
    fn equal(&self, segments: &[Seg<'_>], desired: Normalised<'_>, live: &Value) -> bool {
        let mut probe = Walker {
            group: self.group,
            kind: self.kind,
            schema: self.schema,
            is_secret: self.is_secret,
            out: Vec::new(),
        };
        let mut segments = segments.to_vec();
        segments.push(Seg::element(0));
        probe.compare(desired, live, &mut segments);
        probe.out.is_empty()
    }

    /// The fields that identify an element of the list at `segments`: the CRD schema's
    /// `x-kubernetes-list-map-keys`, else Kubernetes' merge keys for the built-in lists.
    fn list_keys(
        &self,
        segments: &[Seg<'_>],
        desired: Normalised<'_>,
        live: &[Value],
    ) -> Option<Cow<'a, [&'a str]>> {
        let field = seg_name(segments.last());
        if !(desired.items().all(|item| item.value().is_object())
            && live.iter().all(Value::is_object))
            || desired.items().len() == 0 && live.is_empty()
        {
            return None;
        }
        let has = |key: &str| {
            desired.items().all(|item| item.has(key))
                && live.iter().all(|item| item.get(key).is_some())
        };
        let schema_keys = self.schema.and_then(|schema| {
            on_stack(keys_along(segments), |path| schema_defaults::list_map_keys(schema, path))
        });
        if let Some(keys) = schema_keys {
            return Some(Cow::Owned(keys));
        }
        let keys: &'static [&'static str] = match field {
            "volumeMounts" => &["mountPath"],
            "volumeDevices" => &["devicePath"],
            "hostAliases" => &["ip"],
            "conditions" => &["type"],
            "topologySpreadConstraints" => &["topologyKey", "whenUnsatisfiable"],
            "ports" if has("containerPort") => &["containerPort", "protocol"],
            "ports" if has("port") => &["port", "protocol"],
            _ if has("name") => &["name"],
            _ => return None,
        };
        Some(Cow::Borrowed(keys))
    }

    fn scalars_equal(&self, segments: &[Seg<'_>], desired: &Value, live: &Value) -> bool {
        if desired == live {
            return true;
        }
        let field = seg_name(segments.last());
        let parent = seg_name(segments.len().checked_sub(2).and_then(|index| segments.get(index)));
        if self.is_secret && segments.len() == 2 && parent == "data" {
            return normalize::decode_secret_value(desired).is_some()
                && normalize::decode_secret_value(desired) == normalize::decode_secret_value(live);
        }
        if let (Value::Number(desired), Value::Number(live)) = (desired, live) {
            return desired.as_f64() == live.as_f64();
        }
        if (is_quantity_field(self.kind, parent, field) || self.schema_says_quantity(segments))
            && quantity::same_quantity(desired, live)
        {
            return true;
        }
        if INT_OR_STRING.contains(&field) {
            return int_or_string(desired) == int_or_string(live)
                && int_or_string(desired).is_some();
        }
        false
    }

    fn push(&mut self, kind: RawKind, segments: &[Seg<'_>], desired: Option<&Value>) {
        // An explicit zero value the server drops (`initialDelaySeconds: 0`, `hostNetwork:
        // false`, `value: ""`) is the same as absent (spec §2.6-A).
        if kind == RawKind::DesiredOnly
            && desired.is_some_and(|value| {
                matches!(value, Value::Bool(false))
                    || value.as_f64() == Some(0.0)
                    || value.as_str() == Some("")
            })
        {
            return;
        }
        let live_steps = segments
            .iter()
            .filter_map(|step| match step {
                Seg::Key(key) => Some(LiveStep::Field((*key).to_owned())),
                Seg::Element { live, .. } => live.map(LiveStep::Element),
            })
            .collect();
        let segments = segments
            .iter()
            .map(|segment| match segment {
                Seg::Key(key) => (*key).to_owned(),
                Seg::Element { shown, .. } => shown.to_string(),
            })
            .collect();
        self.out.push(RawDiff { kind, segments, live_steps });
    }
}

/// One part of a list element's merge key, canonical: `8080` and `"8080"` are the same port.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
enum KeyPart<'v> {
    #[default]
    Missing,
    Int(i64),
    Text(&'v str),
    Other(Normalised<'v>),
}

impl<'v> KeyPart<'v> {
    fn of(field: Option<Normalised<'v>>) -> KeyPart<'v> {
        let Some(field) = field else { return KeyPart::Missing };
        match field.value() {
            Value::Null => KeyPart::Missing,
            Value::Number(number) => number.as_i64().map_or(KeyPart::Other(field), KeyPart::Int),
            Value::String(text) => text.parse().map_or(KeyPart::Text(text), KeyPart::Int),
            _ => KeyPart::Other(field),
        }
    }
}

/// The merge keys of a list's elements, one row of `width` parts per element.
struct KeyTable<'t, 'v> {
    width: usize,
    parts: &'t [KeyPart<'v>],
}

impl<'v> KeyTable<'_, 'v> {
    fn key(&self, index: usize) -> &[KeyPart<'v>] {
        &self.parts[index * self.width..(index + 1) * self.width]
    }

    fn rows(&self) -> impl Iterator<Item = &[KeyPart<'v>]> {
        self.parts.chunks(self.width.max(1))
    }

    /// Where the element with `key` is.
    fn position(&self, key: &[KeyPart<'_>]) -> Option<usize> {
        self.rows().position(|row| row == key)
    }

    /// Whether no two elements share a key.
    fn unique(&self) -> bool {
        self.rows()
            .enumerate()
            .all(|(index, key)| self.rows().take(index).all(|other| other != key))
    }
}

/// The map keys along a path, list indices left out (how schemas are addressed).
fn keys_along<'s>(segments: &'s [Seg<'_>]) -> impl Iterator<Item = &'s str> {
    segments.iter().filter_map(|segment| match segment {
        Seg::Key(key) => Some(*key),
        Seg::Element { .. } => None,
    })
}

/// Calls `f` with the items collected on the stack (paths are short; a longer one is collected
/// on the heap): the walk asks about paths for many fields and should not allocate for them.
fn on_stack<T: Copy + Default, R>(items: impl Iterator<Item = T>, f: impl FnOnce(&[T]) -> R) -> R {
    const DEPTH: usize = 16;
    let mut buffer = [T::default(); DEPTH];
    let mut items = items.peekable();
    let mut len = 0;
    while len < DEPTH
        && let Some(item) = items.next()
    {
        buffer[len] = item;
        len += 1;
    }
    if items.peek().is_none() {
        f(&buffer[..len])
    } else {
        let all: Vec<T> = buffer.into_iter().chain(items).collect();
        f(&all)
    }
}

/// Fields typed int-or-string whose number may be written as a number or a digit string.
const INT_OR_STRING: &[&str] =
    &["targetPort", "port", "maxSurge", "maxUnavailable", "minAvailable"];

fn int_or_string(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

/// Whether a value sits where Kubernetes keeps quantities: resource requests and limits (also in
/// custom resources that embed pod specs), quotas, limit ranges, capacities, `sizeLimit`.
fn is_quantity_field(kind: &str, parent: &str, field: &str) -> bool {
    matches!(parent, "requests" | "limits" | "hard" | "capacity" | "allocatable" | "overhead")
        || field == "sizeLimit"
        || (kind == "LimitRange"
            && matches!(
                parent,
                "default" | "defaultRequest" | "max" | "min" | "maxLimitRequestRatio"
            ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn report(desired: Value, live: Value) -> DiffReport {
        let ignore = IgnoreRules::default();
        let schemas = SchemaDefaults::default();
        let options = DiffOptions {
            ignore: &ignore,
            schemas: &schemas,
            default_namespace: "default",
            controller: None,
        };
        diff_objects(&[Document::new(desired)], &[Document::new(live)], &options)
    }

    #[test]
    fn a_manifest_without_namespace_matches_the_default_namespace() {
        let report = report(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}, "data": {"k": "v"}}),
        );
        assert_eq!(report.summary(), Summary { in_sync: 1, ..Summary::default() });
        assert_eq!(report.objects[0].id.namespace.as_deref(), Some("default"));
    }

    #[test]
    fn cluster_scoped_objects_have_no_namespace() {
        let report = report(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "namespace": "ignored"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop"}},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}),
        );
        assert_eq!(report.objects[0].id.namespace, None);
        assert_eq!(report.objects[0].state, ObjectState::InSync, "{:?}", report.objects[0].fields);
    }

    fn deployment(replicas: i64, image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": image}]}}}})
    }

    /// A live Deployment: `kustomize-controller` applied replicas and the container; then
    /// `replicas_manager` (when given) wrote `replicas`, which moves its ownership there.
    fn live_deployment(replicas: i64, image: &str, replicas_manager: Option<&str>) -> Value {
        let mut live = deployment(replicas, image);
        let controller_fields = if replicas_manager.is_some() {
            json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {
                "k:{\"name\":\"web\"}": {".": {}, "f:name": {}, "f:image": {}}}}}}})
        } else {
            json!({"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                "k:{\"name\":\"web\"}": {".": {}, "f:name": {}, "f:image": {}}}}}}})
        };
        let mut managed = vec![json!({"manager": "kustomize-controller", "operation": "Apply",
            "time": "2026-11-20T10:00:00Z", "fieldsV1": controller_fields})];
        if let Some(manager) = replicas_manager {
            managed.push(json!({"manager": manager, "operation": "Update",
                "time": "2026-11-24T14:02:00Z", "fieldsV1": {"f:spec": {"f:replicas": {}}}}));
        }
        live["metadata"]["managedFields"] = json!(managed);
        live
    }

    fn report_as(desired: Value, live: Value, controller: Option<&str>) -> DiffReport {
        let ignore = IgnoreRules::default();
        let schemas = SchemaDefaults::default();
        let options = DiffOptions {
            ignore: &ignore,
            schemas: &schemas,
            default_namespace: "default",
            controller,
        };
        diff_objects(&[Document::new(desired)], &[Document::new(live)], &options)
    }

    fn field<'r>(report: &'r DiffReport, path: &str) -> &'r FieldDiff {
        report.objects[0]
            .fields
            .iter()
            .find(|field| field.path == path)
            .unwrap_or_else(|| panic!("no field {path} in {:?}", report.objects[0].fields))
    }

    #[test]
    fn last_applied_is_the_live_value_of_a_field_the_controller_still_owns() {
        // Git moved to web:2; the controller still owns the image it applied, web:1 (a failed
        // or pending apply): that is what it last applied.
        let report = report_as(
            deployment(2, "web:2"),
            live_deployment(2, "web:1", None),
            Some("kustomize-controller"),
        );
        let image = field(&report, "/spec/template/spec/containers/0/image");
        assert_eq!(image.desired, Some(json!("web:2")));
        assert_eq!(image.live, Some(json!("web:1")));
        assert_eq!(image.last_applied, Some(json!("web:1")));
        // Another controller's manager does not count as this application's.
        let report = report_as(
            deployment(2, "web:2"),
            live_deployment(2, "web:1", None),
            Some("argocd-controller"),
        );
        assert_eq!(field(&report, "/spec/template/spec/containers/0/image").last_applied, None);
    }

    #[test]
    fn last_applied_is_unknown_once_a_person_took_the_field_over() {
        // kubectl-edit changed replicas 2 -> 5: it now owns the field, and managedFields keeps no
        // older value.
        let report = report_as(
            deployment(2, "web:1"),
            live_deployment(5, "web:1", Some("kubectl-edit")),
            Some("kustomize-controller"),
        );
        let replicas = field(&report, "/spec/replicas");
        assert_eq!(
            (replicas.desired.clone(), replicas.live.clone()),
            (Some(json!(2)), Some(json!(5)))
        );
        assert_eq!(replicas.manager.as_deref(), Some("kubectl-edit"));
        assert_eq!(replicas.last_applied, None);
    }

    #[test]
    fn last_applied_falls_back_to_the_kubectl_annotation() {
        // Client-side apply recorded replicas 3 in the annotation; a person then scaled to 5.
        let mut live = live_deployment(5, "web:1", Some("kubectl-edit"));
        let previous = deployment(3, "web:1");
        live["metadata"]["annotations"] = json!({
            "kubectl.kubernetes.io/last-applied-configuration": previous.to_string()});
        let report = report_as(deployment(2, "web:1"), live, None);
        let replicas = field(&report, "/spec/replicas");
        assert_eq!(replicas.last_applied, Some(json!(3)));
        assert_eq!(replicas.class, FieldClass::Drift);
    }

    #[test]
    fn a_prediction_decides_the_fields_in_git_and_live_only_edits_are_still_found() {
        // Git: 2 replicas, image web:1, no env. Live: 5 replicas (kubectl-edit) and an env var
        // added by kubectl-edit. The server predicts replicas 2 and keeps the env var, as real
        // server-side apply does for a field another manager owns.
        let desired = deployment(2, "web:1");
        let mut live = live_deployment(5, "web:1", Some("kubectl-edit"));
        live["spec"]["template"]["spec"]["containers"][0]["env"] =
            json!([{"name": "DEBUG", "value": "1"}]);
        live["metadata"]["managedFields"].as_array_mut().unwrap().push(json!({
            "manager": "kubectl-edit", "operation": "Update", "time": "2026-11-24T14:05:00Z",
            "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                "k:{\"name\":\"web\"}": {"f:env": {".": {}, "k:{\"name\":\"DEBUG\"}": {
                    ".": {}, "f:name": {}, "f:value": {}}}}}}}}}}));
        let mut predicted = live.clone();
        predicted["spec"]["replicas"] = json!(2);
        let ignore = IgnoreRules::default();
        let schemas = SchemaDefaults::default();
        let options = DiffOptions {
            ignore: &ignore,
            schemas: &schemas,
            default_namespace: "default",
            controller: Some("kustomize-controller"),
        };
        let report = diff_objects_predicted(
            &[Document::new(desired)],
            &[Some(Document::new(predicted))],
            &[Document::new(live)],
            &options,
        );
        let paths: Vec<(&str, FieldClass)> = report.objects[0]
            .fields
            .iter()
            .map(|field| (field.path.as_str(), field.class))
            .collect();
        assert_eq!(
            paths,
            [
                ("/spec/replicas", FieldClass::Drift),
                ("/spec/template/spec/containers/0/env", FieldClass::Drift)
            ]
        );
        assert_eq!(report.objects[0].state, ObjectState::Drifted);
    }

    #[test]
    fn pointers_escape_slashes_and_tildes_in_keys() {
        let report = report(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x", "annotations": {"a/b~c": "1"}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x", "annotations": {"a/b~c": "2"}}}),
        );
        assert_eq!(report.objects[0].fields[0].path, "/metadata/annotations/a~1b~0c");
        assert_eq!(report.objects[0].fields[0].desired, Some(json!("1")));
        assert_eq!(report.objects[0].fields[0].live, Some(json!("2")));
    }
}
