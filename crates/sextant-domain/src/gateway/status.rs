//! The status a conformant controller would write (spec §2, §3), and what no controller writes
//! but a user must know (missing parents, stale status, unreadable kinds), as coded diagnostics.

// Nested `if let`s read as the spec's decision steps; collapsing them hides the steps.
#![allow(clippy::collapsible_if)]

use std::collections::{BTreeMap, HashMap};

use crate::json::Json;
use serde::Serialize;

use crate::gateway::GROUP;
use crate::gateway::hostname;
use crate::gateway::model::{
    BackendRef, Filter, FromNamespaces, Gateway, ListenerSpec, ObjectRef, ParentRef, Route,
    RouteKind, World, protocol_supported,
};
use crate::object::{KubeObject, conditions_of};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Traffic is or will be broken.
    Error,
    /// Likely a mistake, or traffic behaves differently from what the manifest suggests.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`, as the JSON spells it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One coded finding, with why it matters and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// A stable code, e.g. `parent_not_found` (Kiali's code, where one exists, is in the message).
    pub code: &'static str,
    /// The object concerned, as `Kind namespace/name`.
    pub object: String,
    /// Why: what is wrong and what it does to traffic.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// A condition as a controller would write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// `True`, `False` or `Unknown`.
    pub status: &'static str,
    /// The reason.
    pub reason: String,
    /// A human message, when there is more to say than the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Condition {
    fn new(status: bool, reason: &str) -> Self {
        Condition {
            status: if status { "True" } else { "False" },
            reason: reason.to_owned(),
            message: None,
        }
    }

    fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// Conditions keyed by type.
pub type Conditions = BTreeMap<&'static str, Condition>;

/// Why one listener did not take a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListenerVerdict {
    /// The listener's name.
    pub listener: String,
    /// `NoMatchingParent` is never here; `NotAllowedByListeners` or `NoMatchingListenerHostname`.
    pub reason: &'static str,
    /// Why.
    pub message: String,
}

/// The status of one route for one `parentRef`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteParentReport {
    /// The route.
    pub route: ObjectRef,
    /// The parentRef as written, without defaults.
    #[serde(rename = "parentRef")]
    pub parent_ref: Json,
    /// Whether a controller would write a `RouteParentStatus` for this parentRef.
    pub status_present: bool,
    /// Set when the answer is unknown because a kind could not be read (not the same as absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
    /// `Accepted`, `ResolvedRefs` and, when some rules are dropped, `PartiallyInvalid`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: Conditions,
    /// The listeners the route is attached to through this parentRef.
    pub attached_listeners: Vec<String>,
    /// Every selected listener that refused the route, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_by: Vec<ListenerVerdict>,
    /// The summary reason is a best guess because listeners failed for different reasons (§7.3).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reason_is_best_guess: bool,
    /// The written status is older than the object (`observedGeneration` lag).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
}

/// The status of one listener.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListenerReport {
    /// `namespace/name` of the Gateway.
    pub gateway: String,
    /// The listener's name.
    pub name: String,
    /// Its port.
    pub port: u16,
    /// Its protocol.
    pub protocol: String,
    /// Routes attached to it with `Accepted=True`.
    #[serde(rename = "attachedRoutes")]
    pub attached_routes: u32,
    /// The valid route kinds it takes.
    #[serde(rename = "supportedKinds")]
    pub supported_kinds: Vec<String>,
    /// `Accepted`, `Programmed`, `ResolvedRefs`, `Conflicted`.
    pub conditions: Conditions,
}

/// The status of one Gateway.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatewayReport {
    /// `namespace/name`.
    pub gateway: String,
    /// Whether a controller would write status on it at all.
    pub status_present: bool,
    /// `Accepted` and `Programmed`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: Conditions,
}

/// The whole status report (`sextant gateway status --output json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    /// One entry per route per parentRef, in input order.
    pub route_parents: Vec<RouteParentReport>,
    /// One entry per listener of every Gateway with status.
    pub listeners: Vec<ListenerReport>,
    /// One entry per Gateway.
    pub gateways: Vec<GatewayReport>,
    /// Coded findings.
    pub diagnostics: Vec<Diagnostic>,
}

/// A route attached to a listener, with the hostnames it serves there.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub(crate) route: usize,
    pub(crate) gateway: usize,
    pub(crate) listener: usize,
    /// Intersected hostnames; `None` stands for "anything".
    pub(crate) hostnames: Vec<Option<String>>,
}

/// Whether a listener can carry traffic, and why not.
#[derive(Debug, Clone)]
pub(crate) struct ListenerState {
    pub(crate) serving: bool,
    pub(crate) why_not: Option<String>,
}

/// The verdict on one backend reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BackendVerdict {
    Valid,
    Invalid { reason: &'static str, message: String },
    Unknown(String),
}

/// Everything computed, for the report and the explainer.
pub(crate) struct Analysis {
    pub(crate) report: StatusReport,
    pub(crate) attachments: Vec<Attachment>,
    /// Per gateway index, per listener index; empty for Gateways without status.
    pub(crate) listener_states: Vec<Vec<ListenerState>>,
}

const CERT_MANAGER_ANNOTATIONS: [&str; 4] = [
    "cert-manager.io/issuer",
    "cert-manager.io/cluster-issuer",
    "cert-manager.io/issuer-kind",
    "cert-manager.io/issuer-group",
];

/// Resolves one backend reference (spec §3.1, checks in order).
pub(crate) fn backend_verdict(
    world: &World<'_>,
    route: &Route<'_>,
    backend: &BackendRef,
) -> BackendVerdict {
    let target = format!("{}/{}", backend.namespace, backend.name);
    if !(backend.group.is_empty() && backend.kind == "Service") {
        let group = if backend.group.is_empty() { "core" } else { &backend.group };
        return BackendVerdict::Invalid {
            reason: "InvalidKind",
            message: format!("backend {target} is a {group}/{}, not a Service", backend.kind),
        };
    }
    if backend.namespace != route.id.namespace
        && !world.granted(
            (GROUP, route.kind.as_str(), &route.id.namespace),
            &backend.namespace,
            ("", "Service", &backend.name),
        )
    {
        if world.cannot_read("ReferenceGrant") {
            return BackendVerdict::Unknown(format!(
                "no permission to read ReferenceGrants for {target}"
            ));
        }
        return BackendVerdict::Invalid {
            reason: "RefNotPermitted",
            message: format!(
                "no ReferenceGrant in namespace {} lets {} {} refer to Service {}",
                backend.namespace,
                route.kind.as_str(),
                route.id.key(),
                backend.name
            ),
        };
    }
    match world.services.get(&(backend.namespace.clone(), backend.name.clone())) {
        None if world.cannot_read("Service") => {
            BackendVerdict::Unknown(format!("no permission to read Service {target}"))
        }
        None => BackendVerdict::Invalid {
            reason: "BackendNotFound",
            message: format!("Service {target} does not exist"),
        },
        Some(ports) => match backend.port {
            Some(port) if !ports.contains(&port) => BackendVerdict::Invalid {
                reason: "BackendNotFound",
                message: format!("Service {target} has no port {port}"),
            },
            _ => BackendVerdict::Valid,
        },
    }
}

fn protocol_kinds(listener: &ListenerSpec) -> &'static [&'static str] {
    match (listener.protocol.as_str(), listener.tls_mode.as_deref()) {
        ("HTTP" | "HTTPS", _) => &["HTTPRoute", "GRPCRoute"],
        ("TLS", _) => &["TLSRoute"],
        ("TCP", _) => &["TCPRoute"],
        ("UDP", _) => &["UDPRoute"],
        _ => &[],
    }
}

struct Builder<'w, 'a> {
    world: &'w World<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Builder<'_, '_> {
    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        object: String,
        message: String,
        fix: &str,
    ) {
        self.diagnostics.push(Diagnostic { severity, code, object, message, fix: fix.to_owned() });
    }
}

/// Reports the readiness of the cert-manager Certificate that issues a listener's Secret
/// (shown when Certificates were read, from a cluster or from manifests).
fn certificate_readiness(
    builder: &mut Builder<'_, '_>,
    listener_object: &str,
    target: &str,
    certificate: &crate::gateway::model::Certificate,
) {
    let name = certificate.id.key();
    match &certificate.ready {
        Some((status, _, _)) if status == "True" => builder.push(
            Severity::Info,
            "certificate_ready",
            listener_object.to_owned(),
            format!(
                "cert-manager Certificate {name} issuing Secret {target} is Ready{}",
                certificate
                    .not_after
                    .as_ref()
                    .map(|not_after| format!(" (valid until {not_after})"))
                    .unwrap_or_default()
            ),
            "none needed",
        ),
        Some((status, reason, message)) => builder.push(
            Severity::Warning,
            "certificate_not_ready",
            listener_object.to_owned(),
            format!(
                "cert-manager Certificate {name} issuing Secret {target} is not Ready ({status}, {reason}){}",
                if message.is_empty() { String::new() } else { format!(": {message}") }
            ),
            "check the Certificate's events and its Issuer (kubectl describe certificate)",
        ),
        None => builder.push(
            Severity::Warning,
            "certificate_not_ready",
            listener_object.to_owned(),
            format!(
                "cert-manager Certificate {name} issuing Secret {target} has not reported readiness yet"
            ),
            "wait for cert-manager, or check that it runs",
        ),
    }
}

/// What the listener evaluation found, before routes are counted.
struct ListenerEval {
    supported: Vec<String>,
    conditions: Conditions,
    state: ListenerState,
}

#[allow(clippy::too_many_lines)]
fn evaluate_listeners(builder: &mut Builder<'_, '_>, gateway: &Gateway<'_>) -> Vec<ListenerEval> {
    let world = builder.world;
    let object = gateway.id.display();
    let cert_manager = CERT_MANAGER_ANNOTATIONS.iter().any(|key| {
        gateway.object.at(&format!("/metadata/annotations/{}", key.replace('/', "~1"))).is_some()
    });
    if cert_manager {
        builder.push(
            Severity::Info,
            "cert_manager_managed",
            object.clone(),
            "cert-manager's gateway-shim issues the certificates of this Gateway's listeners from its annotations".to_owned(),
            "none needed; a missing certificate Secret is expected until cert-manager has issued it",
        );
    }
    // Conflicts between listeners sharing a port (spec §2.7).
    let mut conflicts: Vec<Option<&'static str>> = vec![None; gateway.listeners.len()];
    for (index, listener) in gateway.listeners.iter().enumerate() {
        for (other_index, other) in gateway.listeners.iter().enumerate() {
            if other_index == index || other.port != listener.port {
                continue;
            }
            let l4 = |protocol: &str| protocol == "TCP";
            let tls_family = |protocol: &str| matches!(protocol, "HTTP" | "HTTPS" | "TLS");
            let conflict = if (l4(&listener.protocol) && tls_family(&other.protocol))
                || (l4(&other.protocol) && tls_family(&listener.protocol))
                || (listener.protocol == "HTTP") != (other.protocol == "HTTP")
                    && tls_family(&other.protocol)
                    && tls_family(&listener.protocol)
                || (listener.protocol == "TLS"
                    && other.protocol == "TLS"
                    && listener.tls_mode != other.tls_mode)
            {
                Some("ProtocolConflict")
            } else if tls_family(&listener.protocol)
                && tls_family(&other.protocol)
                && listener.protocol != other.protocol
                && listener.hostname == other.hostname
            {
                Some("HostnameConflict")
            } else {
                None
            };
            if conflict.is_some() && conflicts[index].is_none() {
                conflicts[index] = conflict;
            }
        }
    }
    let mut evals = Vec::new();
    for (index, listener) in gateway.listeners.iter().enumerate() {
        let mut conditions = Conditions::new();
        let listener_object = format!("{object} listener {}", listener.name);
        let supported_protocol = protocol_supported(&listener.protocol);
        let allowed = protocol_kinds(listener);
        let mut supported: Vec<String> = Vec::new();
        let mut invalid_kinds = Vec::new();
        if listener.kinds.is_empty() {
            supported.extend(allowed.iter().map(|kind| (*kind).to_owned()));
        } else {
            for (group, kind) in &listener.kinds {
                if group == GROUP && allowed.contains(&kind.as_str()) {
                    if !supported.contains(kind) {
                        supported.push(kind.clone());
                    }
                } else {
                    invalid_kinds.push(format!("{group}/{kind}"));
                }
            }
        }
        let mut resolved = Condition::new(true, "ResolvedRefs");
        if !invalid_kinds.is_empty() {
            resolved = Condition::new(false, "InvalidRouteKinds").with_message(format!(
                "kinds not valid on a {} listener: {}",
                listener.protocol,
                invalid_kinds.join(", ")
            ));
            builder.push(
                Severity::Warning,
                "listener_invalid_route_kinds",
                listener_object.clone(),
                format!(
                    "allowedRoutes.kinds lists {} which a {} listener cannot take; they are dropped from supportedKinds",
                    invalid_kinds.join(", "),
                    listener.protocol
                ),
                "list only route kinds the listener protocol supports (HTTP/HTTPS: HTTPRoute, GRPCRoute; TLS: TLSRoute; TCP: TCPRoute; UDP: UDPRoute)",
            );
        }
        let terminates = listener.protocol == "HTTPS"
            || (listener.protocol == "TLS" && listener.tls_mode.as_deref() == Some("Terminate"));
        let mut certificate_ok = true;
        if terminates {
            if listener.certificate_refs.is_empty() {
                certificate_ok = false;
                resolved = Condition::new(false, "InvalidCertificateRef")
                    .with_message("no certificateRefs");
                builder.push(
                    Severity::Error,
                    "certificate_missing",
                    listener_object.clone(),
                    "the listener terminates TLS but names no certificate, so it cannot be programmed".to_owned(),
                    "add tls.certificateRefs naming a kubernetes.io/tls Secret",
                );
            }
            for reference in &listener.certificate_refs {
                let target = format!("{}/{}", reference.namespace, reference.name);
                if !(reference.group.is_empty() && reference.kind == "Secret") {
                    certificate_ok = false;
                    resolved = Condition::new(false, "InvalidCertificateRef")
                        .with_message(format!("{target} is a {} not a Secret", reference.kind));
                    builder.push(
                        Severity::Error,
                        "certificate_invalid_kind",
                        listener_object.clone(),
                        format!(
                            "certificateRef {target} is a {}/{}, not a core Secret",
                            reference.group, reference.kind
                        ),
                        "point tls.certificateRefs at a Secret",
                    );
                    continue;
                }
                if reference.namespace != gateway.id.namespace
                    && !world.granted(
                        (GROUP, "Gateway", &gateway.id.namespace),
                        &reference.namespace,
                        ("", "Secret", &reference.name),
                    )
                {
                    if world.cannot_read("ReferenceGrant") {
                        continue;
                    }
                    certificate_ok = false;
                    resolved = Condition::new(false, "RefNotPermitted")
                        .with_message(format!("no ReferenceGrant allows the certificate {target}"));
                    builder.push(Severity::Error, "certificate_ref_not_permitted", listener_object.clone(),
                        format!("certificate Secret {target} is in another namespace and no ReferenceGrant there allows Gateways from {}", gateway.id.namespace),
                        "add a ReferenceGrant in the Secret's namespace from kind Gateway to kind Secret");
                    continue;
                }
                if let Some(certificate) =
                    world.certificates.get(&(reference.namespace.clone(), reference.name.clone()))
                {
                    certificate_readiness(builder, &listener_object, &target, certificate);
                }
                if !world.secrets.contains(&(reference.namespace.clone(), reference.name.clone())) {
                    if world.cannot_read("Secret") {
                        builder.push(Severity::Info, "unreadable_kind", listener_object.clone(),
                            format!("unknown: no permission to read Secret {target}; the certificate may or may not exist"),
                            "grant get/list on Secrets to check certificates");
                        continue;
                    }
                    certificate_ok = false;
                    resolved = Condition::new(false, "InvalidCertificateRef")
                        .with_message(format!("Secret {target} does not exist"));
                    let (severity, message) = if cert_manager {
                        (
                            Severity::Warning,
                            format!(
                                "certificate Secret {target} does not exist yet; cert-manager is expected to issue it"
                            ),
                        )
                    } else {
                        (
                            Severity::Error,
                            format!(
                                "certificate Secret {target} does not exist, so the listener is not programmed"
                            ),
                        )
                    };
                    builder.push(
                        severity,
                        "certificate_not_found",
                        listener_object.clone(),
                        message,
                        "create the Secret, or check the cert-manager Certificate for this Gateway",
                    );
                }
            }
        }
        let conflict = conflicts[index];
        let accepted = if supported_protocol {
            match conflict {
                Some("ProtocolConflict") => Condition::new(false, "ProtocolConflict"),
                _ => Condition::new(true, "Accepted"),
            }
        } else {
            builder.push(
                Severity::Error,
                "listener_unsupported_protocol",
                listener_object.clone(),
                format!("protocol {:?} is not supported", listener.protocol),
                "use HTTP, HTTPS, TLS, TCP or UDP",
            );
            Condition::new(false, "UnsupportedProtocol")
        };
        if let Some(reason) = conflict {
            builder.push(Severity::Error, "listener_conflicted", listener_object.clone(),
                format!("listener shares port {} with another listener it cannot be told apart from ({reason}); neither carries traffic", listener.port),
                "give conflicting listeners different ports or hostnames");
        }
        let serving = accepted.status == "True"
            && certificate_ok
            && conflict.is_none()
            && !supported.is_empty();
        let why_not = (!serving).then(|| {
            if !supported_protocol {
                format!("protocol {} is not supported", listener.protocol)
            } else if let Some(reason) = conflict {
                format!("listener is conflicted ({reason})")
            } else if !certificate_ok {
                "its certificate does not resolve".to_owned()
            } else {
                "it supports no route kind".to_owned()
            }
        });
        conditions.insert("Accepted", accepted);
        conditions.insert(
            "Conflicted",
            match conflict {
                Some(reason) => Condition::new(true, reason),
                None => Condition::new(false, "NoConflicts"),
            },
        );
        conditions.insert(
            "Programmed",
            if serving {
                Condition::new(true, "Programmed")
            } else {
                Condition::new(false, "Invalid")
            },
        );
        conditions.insert("ResolvedRefs", resolved);
        evals.push(ListenerEval {
            supported,
            conditions,
            state: ListenerState { serving, why_not },
        });
    }
    evals
}

/// Why the gateway cannot be a parent, if it cannot.
fn gateway_unusable(world: &World<'_>, gateway: &Gateway<'_>) -> Option<String> {
    if !gateway.invalid.is_empty() {
        return Some("the API server would reject its manifest".to_owned());
    }
    if !world.classes.contains_key(&gateway.class_name) && !world.cannot_read("GatewayClass") {
        return Some(format!("its GatewayClass {:?} does not exist", gateway.class_name));
    }
    None
}

fn written_parent<'o>(
    route: &'o KubeObject,
    parent: &ParentRef,
    route_namespace: &str,
) -> Option<&'o Json> {
    route.array_at("/status/parents").iter().find(|written| {
        let Some(reference) = written.get("parentRef") else { return false };
        let field = |key: &str| reference.get(key).and_then(Json::as_str);
        field("name") == Some(parent.name.as_str())
            && field("namespace").unwrap_or(route_namespace) == parent.namespace
            && field("sectionName").map(str::to_owned) == parent.section_name
    })
}

/// Computes the status report and the attachments the explainer routes over.
#[allow(clippy::too_many_lines)]
pub(crate) fn analyze(world: &World<'_>) -> Analysis {
    let mut builder = Builder { world, diagnostics: Vec::new() };
    for kind in {
        let mut kinds: Vec<&String> = world.unreadable.iter().collect();
        kinds.sort();
        kinds
    } {
        builder.push(Severity::Info, "unreadable_kind", format!("kind {kind}"),
            format!("unknown: no permission to read {kind}; answers that depend on it are marked unknown, not absent"),
            "grant get/list/watch on this kind to the cockpit's identity");
    }
    let mut listeners_report = Vec::new();
    let mut gateways_report = Vec::new();
    let mut listener_states = Vec::new();
    let mut evals_by_gateway = Vec::new();
    for gateway in &world.gateways {
        let object = gateway.id.display();
        for problem in &gateway.invalid {
            let code = if problem.starts_with("listeners repeat") {
                "listener_not_unique"
            } else {
                "invalid_manifest"
            };
            builder.push(
                Severity::Error,
                code,
                object.clone(),
                format!("the API server would reject this Gateway: {problem}"),
                "fix the manifest; it cannot be applied as written",
            );
        }
        if !world.classes.contains_key(&gateway.class_name) {
            if world.cannot_read("GatewayClass") {
                // Reported once as unreadable_kind.
            } else {
                builder.push(Severity::Error, "gatewayclass_missing", object.clone(),
                    format!("GatewayClass {:?} does not exist, so no controller reconciles this Gateway (Kiali KIA1504)", gateway.class_name),
                    "set spec.gatewayClassName to an installed GatewayClass");
            }
        }
        if let Some(written) = gateway.object.condition("Accepted") {
            if let (Some(observed), Some(generation)) =
                (written.observed_generation, gateway.object.generation())
            {
                if observed < generation {
                    builder.push(Severity::Warning, "stale_status", object.clone(),
                        format!("status was written for generation {observed} but the Gateway is at generation {generation}"),
                        "wait for the controller, or check that it is running");
                }
            }
        }
        if gateway_unusable(world, gateway).is_some() {
            gateways_report.push(GatewayReport {
                gateway: gateway.id.key(),
                status_present: false,
                conditions: Conditions::new(),
            });
            listener_states.push(Vec::new());
            evals_by_gateway.push(Vec::new());
            continue;
        }
        let evals = evaluate_listeners(&mut builder, gateway);
        let accepted_count = evals
            .iter()
            .filter(|eval| eval.conditions.get("Accepted").is_some_and(|c| c.status == "True"))
            .count();
        let mut conditions = Conditions::new();
        conditions.insert(
            "Accepted",
            if accepted_count == evals.len() && !evals.is_empty() {
                Condition::new(true, "Accepted")
            } else if accepted_count > 0 {
                Condition::new(true, "ListenersNotValid")
            } else {
                Condition::new(false, "ListenersNotValid")
            },
        );
        conditions.insert(
            "Programmed",
            if evals.iter().any(|eval| eval.state.serving) {
                Condition::new(true, "Programmed")
            } else {
                Condition::new(false, "Invalid")
            },
        );
        gateways_report.push(GatewayReport {
            gateway: gateway.id.key(),
            status_present: true,
            conditions,
        });
        listener_states.push(evals.iter().map(|eval| eval.state.clone()).collect());
        evals_by_gateway.push(evals);
    }
    kiali_gateway_checks(&mut builder);

    let gateway_index: HashMap<(&str, &str), usize> = world
        .gateways
        .iter()
        .enumerate()
        .map(|(index, gateway)| ((gateway.id.namespace.as_str(), gateway.id.name.as_str()), index))
        .collect();
    let mut attached_counts: Vec<Vec<u32>> =
        world.gateways.iter().map(|gateway| vec![0; gateway.listeners.len()]).collect();
    let mut attachments = Vec::new();
    let mut route_parents = Vec::new();
    for (route_index, route) in world.routes.iter().enumerate() {
        let object = route.id.display();
        let route_namespace = route.id.namespace.as_str();
        let empty = |parent: &ParentRef, unknown: Option<String>| RouteParentReport {
            route: route.id.clone(),
            parent_ref: parent.raw.clone(),
            status_present: false,
            unknown,
            conditions: Conditions::new(),
            attached_listeners: Vec::new(),
            refused_by: Vec::new(),
            reason_is_best_guess: false,
            stale: false,
        };
        if !route.invalid.is_empty() {
            for problem in &route.invalid {
                builder.push(
                    Severity::Error,
                    "invalid_manifest",
                    object.clone(),
                    format!("the API server would reject this {}: {problem}", route.kind.as_str()),
                    "fix the manifest; it cannot be applied as written, so it routes nothing",
                );
            }
            for parent in &route.parent_refs {
                route_parents.push(empty(parent, None));
            }
            continue;
        }
        // ResolvedRefs over every backendRef and mirror of every rule (§3.1).
        let mut failures: Vec<(&'static str, String)> = Vec::new();
        for (rule_index, rule) in route.rules.iter().enumerate() {
            let mirrors = rule.filters.iter().filter_map(|filter| match filter {
                Filter::RequestMirror { backend, .. } => Some(backend),
                _ => None,
            });
            for backend in rule.backends.iter().chain(mirrors) {
                match backend_verdict(world, route, backend) {
                    BackendVerdict::Valid => {}
                    BackendVerdict::Unknown(message) => {
                        builder.push(
                            Severity::Info,
                            "backend_unknown",
                            object.clone(),
                            format!("unknown: {message}"),
                            "grant read access to Services and ReferenceGrants",
                        );
                    }
                    BackendVerdict::Invalid { reason, message } => {
                        let (code, fix) = match reason {
                            "InvalidKind" => (
                                "backend_invalid_kind",
                                "reference a core Service (group \"\", kind Service)",
                            ),
                            "RefNotPermitted" => (
                                "backend_ref_not_permitted",
                                "add a ReferenceGrant in the backend's namespace from this route kind and namespace to the Service",
                            ),
                            _ if message.contains("has no port") => (
                                "backend_port_missing",
                                "use a port the Service exposes (the Service port, not targetPort)",
                            ),
                            _ => (
                                "backend_not_found",
                                "create the Service or fix the backendRef name/namespace",
                            ),
                        };
                        builder.push(Severity::Error, code, object.clone(),
                            format!("rule {rule_index}: {message}; its share of traffic gets HTTP 500 (or a refused connection for L4)"), fix);
                        failures.push((reason, message));
                    }
                }
            }
            let responds = rule.filters.iter().any(|filter| {
                matches!(filter, Filter::RequestRedirect { .. } | Filter::ShortCircuit(_))
            });
            if rule.backends.is_empty()
                && !responds
                && matches!(route.kind, RouteKind::Http | RouteKind::Grpc)
            {
                builder.push(Severity::Warning, "no_backends", object.clone(),
                    format!("rule {rule_index} has no backendRefs and no filter that answers, so every request it matches gets 500"),
                    "add backendRefs or a RequestRedirect filter");
            }
            if !rule.backends.is_empty() && rule.backends.iter().all(|backend| backend.weight == 0)
            {
                builder.push(Severity::Warning, "all_weights_zero", object.clone(),
                    format!("rule {rule_index}: every backendRef has weight 0, so no backend is selected (500 or 503 depending on the implementation)"),
                    "give at least one backendRef a positive weight");
            }
        }
        let resolved = match failures.first() {
            None => Condition::new(true, "ResolvedRefs"),
            Some((reason, _)) => Condition::new(false, reason).with_message(
                failures.iter().map(|(_, message)| message.as_str()).collect::<Vec<_>>().join("; "),
            ),
        };
        let unsupported: Vec<(usize, &String)> = route
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| Some((index, rule.unsupported.as_ref()?)))
            .collect();
        for (index, what) in &unsupported {
            builder.push(Severity::Warning, "unsupported_value", object.clone(),
                format!("rule {index} uses {what}, which the controller does not support; the rule is dropped"),
                "use a supported value");
        }
        let all_unsupported = !unsupported.is_empty() && unsupported.len() == route.rules.len();
        for parent in &route.parent_refs {
            if parent.group != GROUP || parent.kind != "Gateway" {
                builder.push(
                    Severity::Info,
                    "parent_not_gateway",
                    object.clone(),
                    format!(
                        "parentRef {}/{} is a {} {}, which this model does not evaluate",
                        parent.namespace, parent.name, parent.group, parent.kind
                    ),
                    "none, if a mesh or another controller owns it",
                );
                route_parents.push(empty(
                    parent,
                    Some(format!("parent kind {} is not evaluated", parent.kind)),
                ));
                continue;
            }
            let parent_name = format!("{}/{}", parent.namespace, parent.name);
            let Some(&gateway_idx) =
                gateway_index.get(&(parent.namespace.as_str(), parent.name.as_str()))
            else {
                if world.cannot_read("Gateway") {
                    route_parents
                        .push(empty(parent, Some("no permission to read Gateway".to_owned())));
                } else {
                    builder.push(Severity::Error, "parent_not_found", object.clone(),
                        format!("parentRef names Gateway {parent_name}, which does not exist; no controller writes status for it, so the cluster shows nothing (Kiali KIA1401)"),
                        "fix the parentRef name/namespace, or create the Gateway");
                    route_parents.push(empty(parent, None));
                }
                continue;
            };
            let gateway = &world.gateways[gateway_idx];
            if let Some(why) = gateway_unusable(world, gateway) {
                builder.push(Severity::Error, "parent_not_reconciled", object.clone(),
                    format!("parent Gateway {parent_name} gets no status because {why}; so does this parentRef"),
                    "fix the Gateway first");
                route_parents.push(empty(parent, None));
                continue;
            }
            let evals = &evals_by_gateway[gateway_idx];
            let selected: Vec<usize> = gateway
                .listeners
                .iter()
                .enumerate()
                .filter(|(_, listener)| {
                    parent.section_name.as_ref().is_none_or(|section| *section == listener.name)
                        && parent.port.is_none_or(|port| port == listener.port)
                })
                .map(|(index, _)| index)
                .collect();
            let mut refused_by = Vec::new();
            let mut attached = Vec::new();
            let mut admitted_any = false;
            for &listener_index in &selected {
                let listener = &gateway.listeners[listener_index];
                let eval = &evals[listener_index];
                if !eval.supported.iter().any(|kind| kind == route.kind.as_str()) {
                    refused_by.push(ListenerVerdict {
                        listener: listener.name.clone(),
                        reason: "NotAllowedByListeners",
                        message: format!(
                            "a {} listener does not take {}",
                            listener.protocol,
                            route.kind.as_str()
                        ),
                    });
                    continue;
                }
                let namespace_ok = match &listener.from {
                    FromNamespaces::Same => route_namespace == gateway.id.namespace,
                    FromNamespaces::All => true,
                    FromNamespaces::Selector(selector) => {
                        selector.matches(&world.namespace_labels(route_namespace))
                    }
                };
                if !namespace_ok {
                    let how = match &listener.from {
                        FromNamespaces::Same => {
                            format!("only routes from namespace {}", gateway.id.namespace)
                        }
                        _ => format!(
                            "namespace {route_namespace}'s labels do not match the listener's selector"
                        ),
                    };
                    refused_by.push(ListenerVerdict {
                        listener: listener.name.clone(),
                        reason: "NotAllowedByListeners",
                        message: how,
                    });
                    continue;
                }
                admitted_any = true;
                let hostnames: Vec<Option<String>> = if !route.kind.has_hostnames() {
                    vec![None]
                } else if route.hostnames.is_empty() {
                    hostname::intersect(listener.hostname.as_deref(), None).into_iter().collect()
                } else {
                    let mut result: Vec<Option<String>> = Vec::new();
                    for name in &route.hostnames {
                        if let Some(found) =
                            hostname::intersect(listener.hostname.as_deref(), Some(name))
                        {
                            if !result.contains(&found) {
                                result.push(found);
                            }
                        }
                    }
                    result
                };
                if hostnames.is_empty() {
                    refused_by.push(ListenerVerdict {
                        listener: listener.name.clone(),
                        reason: "NoMatchingListenerHostname",
                        message: format!(
                            "listener hostname {} intersects none of {}",
                            listener.hostname.as_deref().unwrap_or("(any)"),
                            route.hostnames.join(", ")
                        ),
                    });
                    continue;
                }
                attached.push((listener_index, hostnames));
            }
            let mut conditions = Conditions::new();
            let mut reason_is_best_guess = false;
            let accepted = if all_unsupported {
                Condition::new(false, "UnsupportedValue")
            } else if !attached.is_empty() {
                Condition::new(true, "Accepted")
            } else if selected.is_empty() {
                let mut wanted = Vec::new();
                if let Some(section) = &parent.section_name {
                    wanted.push(format!("sectionName {section}"));
                }
                if let Some(port) = parent.port {
                    wanted.push(format!("port {port}"));
                }
                builder.push(
                    Severity::Error,
                    "no_matching_parent",
                    object.clone(),
                    format!("no listener of Gateway {parent_name} has {}", wanted.join(" and ")),
                    "fix sectionName/port to name an existing listener",
                );
                Condition::new(false, "NoMatchingParent")
            } else if !admitted_any {
                let reasons: Vec<&str> =
                    refused_by.iter().map(|verdict| verdict.message.as_str()).collect();
                builder.push(Severity::Error, "not_allowed_by_listeners", object.clone(),
                    format!("no listener of Gateway {parent_name} admits it: {}", reasons.join("; ")),
                    "check allowedRoutes (namespaces from Same/All/Selector, kinds) and the listener protocol");
                Condition::new(false, "NotAllowedByListeners")
            } else {
                reason_is_best_guess =
                    refused_by.iter().any(|verdict| verdict.reason != "NoMatchingListenerHostname");
                builder.push(Severity::Error, "no_matching_listener_hostname", object.clone(),
                    format!("none of the route's hostnames ({}) intersects an admitting listener of Gateway {parent_name}", route.hostnames.join(", ")),
                    "add a hostname the listener serves, or widen the listener hostname");
                Condition::new(false, "NoMatchingListenerHostname")
            };
            let is_accepted = accepted.status == "True";
            conditions.insert("Accepted", accepted);
            conditions.insert("ResolvedRefs", resolved.clone());
            if is_accepted && !unsupported.is_empty() {
                conditions.insert(
                    "PartiallyInvalid",
                    Condition::new(true, "UnsupportedValue").with_message(format!(
                        "Dropped Rule(s) {}",
                        unsupported
                            .iter()
                            .map(|(index, _)| index.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
            let mut attached_listeners = Vec::new();
            if is_accepted {
                // Hostnames that reach no listener of this parent are silently ignored (§5).
                for name in &route.hostnames {
                    let used = attached.iter().any(|(index, _)| {
                        hostname::intersect(
                            gateway.listeners[*index].hostname.as_deref(),
                            Some(name),
                        )
                        .is_some()
                    });
                    if !used {
                        builder.push(Severity::Warning, "hostname_ignored", object.clone(),
                            format!("hostname {name} matches no listener of Gateway {parent_name} it is attached to, so it is ignored there"),
                            "remove the hostname or add a listener for it");
                    }
                }
                for (listener_index, hostnames) in attached {
                    let already = attachments.iter().any(|attachment: &Attachment| {
                        attachment.route == route_index
                            && attachment.gateway == gateway_idx
                            && attachment.listener == listener_index
                    });
                    if !already {
                        attached_counts[gateway_idx][listener_index] += 1;
                        attachments.push(Attachment {
                            route: route_index,
                            gateway: gateway_idx,
                            listener: listener_index,
                            hostnames,
                        });
                    }
                    attached_listeners.push(gateway.listeners[listener_index].name.clone());
                }
            }
            let mut stale = false;
            if let Some(written) = written_parent(route.object, parent, route_namespace) {
                let generation = route.object.generation();
                let written_conditions: Vec<_> = conditions_of(written.get("conditions")).collect();
                if let Some(generation) = generation {
                    stale = written_conditions.iter().any(|condition| {
                        condition.observed_generation.is_some_and(|observed| observed < generation)
                    });
                    if stale {
                        builder.push(Severity::Warning, "stale_status", object.clone(),
                            format!("the status for parent {parent_name} was written for an older generation than {generation}; it may not describe the current spec"),
                            "wait for the controller to reconcile, or check that it is running");
                    }
                }
                for condition in &written_conditions {
                    if let Some(computed) = conditions.get(condition.type_) {
                        if computed.status != condition.status
                            || computed.reason != condition.reason
                        {
                            builder.push(Severity::Info, "status_differs", object.clone(),
                                format!("written {} for parent {parent_name} is {}/{}, a conformant controller would write {}/{}",
                                    condition.type_, condition.status, condition.reason, computed.status, computed.reason),
                                "if the status is current, the implementation diverges from the spec here");
                        }
                    }
                }
            }
            route_parents.push(RouteParentReport {
                route: route.id.clone(),
                parent_ref: parent.raw.clone(),
                status_present: true,
                unknown: None,
                conditions,
                attached_listeners,
                refused_by,
                reason_is_best_guess,
                stale,
            });
        }
    }
    route_conflict_checks(&mut builder, &attachments);
    for grant in &world.grants {
        if world.namespaces.is_empty() || world.cannot_read("Namespace") {
            break;
        }
        for (_, _, namespace) in &grant.from {
            if !world.namespaces.contains_key(namespace) {
                builder.push(Severity::Warning, "referencegrant_namespace_missing", grant.id.display(),
                    format!("spec.from names namespace {namespace}, which does not exist (Kiali KIA1601)"),
                    "fix the namespace name or remove the entry");
            }
        }
    }
    for (gateway_idx, gateway) in world.gateways.iter().enumerate() {
        for (listener_index, eval) in evals_by_gateway[gateway_idx].iter().enumerate() {
            listeners_report.push(ListenerReport {
                gateway: gateway.id.key(),
                name: gateway.listeners[listener_index].name.clone(),
                port: gateway.listeners[listener_index].port,
                protocol: gateway.listeners[listener_index].protocol.clone(),
                attached_routes: attached_counts[gateway_idx][listener_index],
                supported_kinds: eval.supported.clone(),
                conditions: eval.conditions.clone(),
            });
        }
    }
    Analysis {
        report: StatusReport {
            route_parents,
            listeners: listeners_report,
            gateways: gateways_report,
            diagnostics: builder.diagnostics,
        },
        attachments,
        listener_states,
    }
}

/// Kiali KIA1501/KIA1502: Gateways that share a host and port, or an address.
fn kiali_gateway_checks(builder: &mut Builder<'_, '_>) {
    let world = builder.world;
    for (index, gateway) in world.gateways.iter().enumerate() {
        for other in &world.gateways[..index] {
            let shared = gateway.listeners.iter().find(|listener| {
                other.listeners.iter().any(|theirs| {
                    theirs.port == listener.port && theirs.hostname == listener.hostname
                })
            });
            if let Some(listener) = shared {
                builder.push(Severity::Warning, "gateway_host_port_shared", gateway.id.display(),
                    format!("Gateway {} also has a listener on port {} for hostname {} (Kiali KIA1501); which one serves depends on addresses",
                        other.id.key(), listener.port, listener.hostname.as_deref().unwrap_or("(any)")),
                    "use distinct hostnames or ports, or make sure the Gateways get different addresses");
            }
            if let Some(address) =
                gateway.addresses.iter().find(|address| other.addresses.contains(address))
            {
                builder.push(
                    Severity::Warning,
                    "gateway_address_shared",
                    gateway.id.display(),
                    format!(
                        "Gateway {} requests the same address {address} (Kiali KIA1502)",
                        other.id.key()
                    ),
                    "give each Gateway its own address",
                );
            }
        }
    }
}

/// Attached-but-shadowed L4 routes (§2.8) and HTTPRoute/GRPCRoute overlap on one listener.
fn route_conflict_checks(builder: &mut Builder<'_, '_>, attachments: &[Attachment]) {
    let world = builder.world;
    let mut by_listener: BTreeMap<(usize, usize), Vec<&Attachment>> = BTreeMap::new();
    for attachment in attachments {
        by_listener.entry((attachment.gateway, attachment.listener)).or_default().push(attachment);
    }
    for ((gateway_idx, listener_index), group) in by_listener {
        let gateway = &world.gateways[gateway_idx];
        let listener = &gateway.listeners[listener_index];
        let l4: Vec<&&Attachment> = group
            .iter()
            .filter(|attachment| {
                matches!(world.routes[attachment.route].kind, RouteKind::Tcp | RouteKind::Udp)
            })
            .collect();
        if l4.len() > 1 {
            let winner =
                l4.iter().min_by(|a, b| age_order(&world.routes[a.route], &world.routes[b.route]));
            for attachment in &l4 {
                if winner.is_some_and(|winner| winner.route != attachment.route) {
                    let route = &world.routes[attachment.route];
                    builder.push(Severity::Warning, "route_shadowed", route.id.display(),
                        format!("attached to listener {}/{} but an older route there carries all traffic", gateway.id.key(), listener.name),
                        "remove one of the routes or move it to its own listener");
                }
            }
        }
        for http in
            group.iter().filter(|attachment| world.routes[attachment.route].kind == RouteKind::Http)
        {
            for grpc in group
                .iter()
                .filter(|attachment| world.routes[attachment.route].kind == RouteKind::Grpc)
            {
                let overlap = http.hostnames.iter().any(|a| {
                    grpc.hostnames.iter().any(|b| match (a, b) {
                        (Some(a), Some(b)) => hostname::intersect(Some(a), Some(b)).is_some(),
                        _ => true,
                    })
                });
                if overlap {
                    builder.push(Severity::Warning, "http_grpc_conflict", world.routes[grpc.route].id.display(),
                        format!("HTTPRoute {} and this GRPCRoute share listener {}/{} and hostnames; implementations accept only the older one",
                            world.routes[http.route].id.key(), gateway.id.key(), listener.name),
                        "give them distinct hostnames or listeners");
                }
            }
        }
    }
}

/// Route age order: oldest first, missing timestamps last, then `namespace/name`.
pub(crate) fn age_order(a: &Route<'_>, b: &Route<'_>) -> std::cmp::Ordering {
    let created = |route: &Route<'_>| (route.created.is_none(), route.created.clone());
    created(a)
        .cmp(&created(b))
        .then_with(|| (&a.id.namespace, &a.id.name).cmp(&(&b.id.namespace, &b.id.name)))
}
