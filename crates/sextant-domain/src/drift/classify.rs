//! Classing each differing field by who set it (spec §4.8), after ignore rules and the built-in
//! expected mutations (HPA replicas, injected `caBundle`, aggregated ClusterRole rules, the
//! restart annotation).

use std::cell::OnceCell;

use serde_json::Value;

use super::diff::{DiffOptions, FieldClass, FieldDiff, ObjectId};
use super::ignore::{self, IGNORE_ANNOTATION, IgnoreRules};
use super::managed_fields::{ManagedEntry, ManagedFields, ManagerKind, Step, manager_kind};
use super::normalize::{self, LAST_APPLIED};
use crate::object::Document;

/// How a raw difference came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawKind {
    /// Both sides have the field, with different values.
    Changed,
    /// Only the desired side (after defaulting) has it.
    DesiredOnly,
    /// Only the live side has it.
    LiveOnly,
}

/// A step along the live object, by field name or live index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LiveStep {
    /// A map key.
    Field(String),
    /// A list element, by its index in the live list.
    Element(usize),
}

/// A difference before it is classed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawDiff {
    pub(crate) kind: RawKind,
    /// The display path's segments (desired indices, live ones for live-only elements).
    pub(crate) segments: Vec<String>,
    /// The same place along the live object.
    pub(crate) live_steps: Vec<LiveStep>,
}

const FLUX_SSA: &str = "kustomize.toolkit.fluxcd.io/ssa";
const FLUX_RECONCILE: &str = "kustomize.toolkit.fluxcd.io/reconcile";
const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

pub(crate) struct Classifier<'a> {
    id: &'a ObjectId,
    desired: &'a Value,
    /// The desired object as written, made when a field needs it (most differences are fields
    /// only live, which do not).
    desired_git: OnceCell<Value>,
    live_norm: &'a Value,
    managed: ManagedFields<'a>,
    ignore: &'a IgnoreRules,
    hpa: Option<&'a str>,
    annotations: Option<&'a serde_json::Map<String, Value>>,
    aggregated: bool,
    controller: Option<&'a str>,
    last_applied_annotation: Option<Value>,
}

impl<'a> Classifier<'a> {
    pub(crate) fn new(
        id: &'a ObjectId,
        desired: &'a Document,
        live: &'a Document,
        live_norm: &'a Value,
        options: &DiffOptions<'a>,
        hpa: Option<&'a str>,
    ) -> Classifier<'a> {
        Classifier {
            id,
            desired: &desired.0,
            desired_git: OnceCell::new(),
            live_norm,
            managed: ManagedFields::of(&live.0),
            ignore: options.ignore,
            hpa,
            annotations: desired
                .0
                .get("metadata")
                .and_then(|metadata| metadata.get("annotations"))
                .and_then(Value::as_object),
            aggregated: desired.0.get("aggregationRule").is_some(),
            controller: options.controller,
            last_applied_annotation: live
                .0
                .get("metadata")
                .and_then(|metadata| metadata.get("annotations"))
                .and_then(|annotations| annotations.get(LAST_APPLIED))
                .and_then(Value::as_str)
                .and_then(|text| serde_json::from_str(text).ok()),
        }
    }

    fn desired_git(&self) -> &Value {
        self.desired_git
            .get_or_init(|| normalize::as_written(self.desired, &self.id.group, &self.id.kind))
    }

    fn annotation(&self, key: &str) -> Option<&'a str> {
        self.annotations.and_then(|annotations| annotations.get(key)).and_then(Value::as_str)
    }

    /// The manager that set the live value: the owner of the field, or of its nearest owned
    /// ancestor. An ancestor owned through server-side apply owns only what it applied, so it
    /// does not explain a field it does not list.
    fn owner(&self, live_steps: &[LiveStep]) -> Option<(&ManagedEntry<'_>, bool)> {
        let mut node = self.live_norm;
        let mut steps = Vec::with_capacity(live_steps.len());
        for step in live_steps {
            match step {
                LiveStep::Field(name) => {
                    steps.push(Step::Field(name));
                    match node.get(name.as_str()) {
                        Some(child) => node = child,
                        None => break,
                    }
                }
                LiveStep::Element(index) => match node.get(*index) {
                    Some(child) => {
                        steps.push(Step::Element(*index, child));
                        node = child;
                    }
                    None => break,
                },
            }
        }
        let owner = self.managed.owner(&steps)?;
        (owner.exact || owner.entry.operation != "Apply").then_some((owner.entry, owner.exact))
    }

    /// The value the GitOps controller last applied at this field (the middle column), by this
    /// rule:
    /// 1. the field is live and `managedFields` says the controller's own manager owns exactly
    ///    it: nobody has written it since the controller's last apply (a later write by anyone
    ///    else moves the ownership), so the live value *is* what the controller applied;
    /// 2. otherwise, the live object carries `kubectl.kubernetes.io/last-applied-configuration`
    ///    (client-side apply, e.g. Argo CD without server-side apply): its value at the path;
    /// 3. otherwise it is not recoverable (a person changed a field the controller owned:
    ///    `managedFields` keeps who owns a field, never an older value), and stays absent.
    ///
    /// The controller's manager is the one named in the options; without one, any GitOps manager
    /// (spec §4.8). A Secret's values are never returned.
    fn last_applied(
        &self,
        pointer: &str,
        owner: Option<(&ManagedEntry<'_>, bool)>,
        live_value: Option<&Value>,
    ) -> Option<Value> {
        let controller_owns = owner.is_some_and(|(entry, exact)| {
            exact
                && match self.controller {
                    Some(controller) => entry.manager == controller,
                    None => manager_kind(entry.manager) == ManagerKind::GitOps,
                }
        });
        if controller_owns && let Some(value) = live_value {
            return Some(value.clone());
        }
        self.last_applied_annotation.as_ref()?.pointer(pointer).cloned()
    }

    pub(crate) fn classify(&self, raw: &RawDiff) -> Option<FieldDiff> {
        let pointer = to_pointer(&raw.segments);
        let in_git = match raw.kind {
            RawKind::LiveOnly => None,
            RawKind::Changed | RawKind::DesiredOnly => self.desired_git().pointer(&pointer),
        };
        if raw.kind == RawKind::DesiredOnly && in_git.is_none() {
            // A default Sextant filled in that this server did not: neither side wrote it.
            return None;
        }
        let live_value = match raw.kind {
            RawKind::DesiredOnly => None,
            RawKind::Changed | RawKind::LiveOnly => live_at(self.live_norm, &raw.live_steps),
        };
        let ownership = self.owner(&raw.live_steps);
        let owner = ownership.map(|(entry, _)| entry);
        let manager = owner.map(|entry| entry.manager);
        let (class, reason) = self.class_and_reason(raw, in_git.is_some(), owner, live_value);
        let redacted = (self.id.group.as_str(), self.id.kind.as_str()) == ("", "Secret")
            && raw.segments.first().is_some_and(|first| first == "data" || first == "stringData");
        let last_applied =
            if redacted { None } else { self.last_applied(&pointer, ownership, live_value) };
        Some(FieldDiff {
            desired: if redacted { None } else { in_git.cloned() },
            live: if redacted { None } else { live_value.cloned() },
            last_applied,
            path: pointer,
            class,
            reason,
            manager: manager.map(str::to_owned),
            time: owner.and_then(|entry| entry.time.map(str::to_owned)),
            redacted,
        })
    }

    fn class_and_reason(
        &self,
        raw: &RawDiff,
        in_git: bool,
        owner: Option<&ManagedEntry<'_>>,
        live_value: Option<&Value>,
    ) -> (FieldClass, String) {
        let segments = &raw.segments;
        if self.annotation(FLUX_RECONCILE) == Some("disabled") {
            return (
                FieldClass::Ignored,
                format!("the object is annotated {FLUX_RECONCILE}: disabled"),
            );
        }
        if let Some(mode @ ("Ignore" | "IfNotPresent")) = self.annotation(FLUX_SSA) {
            return (FieldClass::Ignored, format!("the object is annotated {FLUX_SSA}: {mode}"));
        }
        if let Some(paths) = self.annotation(IGNORE_ANNOTATION)
            && let Some(pointer) = paths
                .split([',', '\n'])
                .map(str::trim)
                .find(|pointer| !pointer.is_empty() && ignore::pointer_covers(pointer, segments))
        {
            return (
                FieldClass::Ignored,
                format!("ignored by the annotation {IGNORE_ANNOTATION}: {pointer}"),
            );
        }
        let select_side =
            if raw.kind == RawKind::LiveOnly { self.live_norm } else { self.desired_git() };
        let id = (
            self.id.group.as_str(),
            self.id.kind.as_str(),
            self.id.namespace.as_deref(),
            self.id.name.as_str(),
        );
        if let Some(reason) =
            self.ignore.reason(id, segments, select_side, owner.map(|entry| entry.manager))
        {
            return (FieldClass::Ignored, reason.0);
        }
        if let Some(reason) = self.builtin_mutation(segments, owner, live_value) {
            return (FieldClass::ExpectedMutation, reason);
        }
        if raw.kind == RawKind::LiveOnly && self.annotation(FLUX_SSA) == Some("Merge") {
            return (
                FieldClass::Ignored,
                format!(
                    "kept: the object is annotated {FLUX_SSA}: Merge, so Flux keeps fields other managers add"
                ),
            );
        }
        if in_git {
            let reason = match (raw.kind, owner) {
                (RawKind::DesiredOnly, _) => "in Git, absent live".to_owned(),
                (_, Some(entry)) if manager_kind(entry.manager) == ManagerKind::GitOps => {
                    format!("{} applied a different value (a stale or failed apply)", by(entry))
                }
                (_, Some(entry)) => format!("changed by {}", by(entry)),
                (_, None) => {
                    "differs from Git; no managedFields entry names who changed it".to_owned()
                }
            };
            return (FieldClass::Drift, reason);
        }
        let verb = if raw.kind == RawKind::LiveOnly { "added" } else { "set" };
        match owner.map(|entry| (entry, manager_kind(entry.manager))) {
            Some((entry, ManagerKind::Person)) => (FieldClass::Drift, format!("{verb} by {} (not in Git)", by(entry))),
            Some((entry, ManagerKind::GitOps)) => (
                FieldClass::Drift,
                format!("{verb} by {} but no longer in Git: the controller removes it at its next apply", by(entry)),
            ),
            Some((entry, ManagerKind::Controller | ManagerKind::Rollout)) => {
                (FieldClass::ExpectedMutation, format!("{verb} by {}", by(entry)))
            }
            None => (
                FieldClass::Drift,
                "present only live, not an API-server default, and no managedFields entry names who set it"
                    .to_owned(),
            ),
        }
    }

    fn builtin_mutation(
        &self,
        segments: &[String],
        owner: Option<&ManagedEntry<'_>>,
        live_value: Option<&Value>,
    ) -> Option<String> {
        let last = segments.last().map(String::as_str);
        let scaled_by_controller = owner.is_some_and(|entry| {
            entry.manager == "kube-controller-manager" && entry.subresource == Some("scale")
        });
        if segments == ["spec", "replicas"] && (self.hpa.is_some() || scaled_by_controller) {
            let who = owner.map(|entry| format!(" ({})", by(entry))).unwrap_or_default();
            return Some(match self.hpa {
                Some(hpa) => format!("set by the HorizontalPodAutoscaler {hpa}{who}"),
                None => format!("set through /scale by an autoscaler{who}"),
            });
        }
        if last == Some("caBundle")
            && let Some(entry) =
                owner.filter(|entry| manager_kind(entry.manager) != ManagerKind::Person)
        {
            return Some(format!("injected by {}", by(entry)));
        }
        if self.aggregated
            && self.id.kind == "ClusterRole"
            && segments.first().is_some_and(|first| first == "rules")
        {
            return Some(
                "filled by the ClusterRole aggregation controller (aggregationRule)".to_owned(),
            );
        }
        if last == Some(RESTARTED_AT) && segments.len() >= 4 {
            let at = live_value.and_then(Value::as_str).unwrap_or("an unknown time");
            return Some(format!("a restart requested with kubectl rollout restart at {at}"));
        }
        None
    }
}

fn by(entry: &ManagedEntry<'_>) -> String {
    match entry.time {
        Some(time) => format!("{} at {time}", entry.manager),
        None => entry.manager.to_owned(),
    }
}

fn live_at<'v>(mut node: &'v Value, steps: &[LiveStep]) -> Option<&'v Value> {
    for step in steps {
        node = match step {
            LiveStep::Field(name) => node.get(name.as_str())?,
            LiveStep::Element(index) => node.get(*index)?,
        };
    }
    Some(node)
}

/// A JSON Pointer from unescaped segments.
#[must_use]
pub fn to_pointer(segments: &[String]) -> String {
    let mut pointer = String::new();
    for segment in segments {
        pointer.push('/');
        for character in segment.chars() {
            match character {
                '~' => pointer.push_str("~0"),
                '/' => pointer.push_str("~1"),
                other => pointer.push(other),
            }
        }
    }
    pointer
}
