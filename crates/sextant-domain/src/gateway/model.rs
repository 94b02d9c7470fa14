//! Typed views of Gateway API objects with the API server's defaults applied (spec §1), and the
//! schema/CEL checks the API server would enforce on them.
//!
//! Manifests read from files have not been defaulted or validated by an API server, so the
//! cockpit does both itself: a manifest the API server would reject is reported and kept out of
//! routing instead of being "routed".

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::json::Json;
use serde::Serialize;

use crate::gateway::GROUP;
use crate::gateway::hostname;
use crate::object::KubeObject;

/// A reference to a Kubernetes object, as the reports print it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectRef {
    /// `namespace/name`.
    #[must_use]
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `Kind namespace/name`, as diagnostics name objects.
    #[must_use]
    pub fn display(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// The kinds of route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteKind {
    /// `HTTPRoute`.
    Http,
    /// `GRPCRoute`.
    Grpc,
    /// `TLSRoute`.
    Tls,
    /// `TCPRoute`.
    Tcp,
    /// `UDPRoute`.
    Udp,
}

impl RouteKind {
    /// The kind's name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTPRoute",
            RouteKind::Grpc => "GRPCRoute",
            RouteKind::Tls => "TLSRoute",
            RouteKind::Tcp => "TCPRoute",
            RouteKind::Udp => "UDPRoute",
        }
    }

    /// The route kind named `kind`.
    #[must_use]
    pub fn from_kind(kind: &str) -> Option<Self> {
        Some(match kind {
            "HTTPRoute" => RouteKind::Http,
            "GRPCRoute" => RouteKind::Grpc,
            "TLSRoute" => RouteKind::Tls,
            "TCPRoute" => RouteKind::Tcp,
            "UDPRoute" => RouteKind::Udp,
            _ => return None,
        })
    }

    /// Whether routes of this kind carry hostnames.
    #[must_use]
    pub fn has_hostnames(self) -> bool {
        matches!(self, RouteKind::Http | RouteKind::Grpc | RouteKind::Tls)
    }
}

/// `allowedRoutes.namespaces.from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FromNamespaces {
    Same,
    All,
    Selector(LabelSelector),
}

/// A standard label selector: `matchLabels` AND `matchExpressions`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct LabelSelector {
    pub(crate) match_labels: Vec<(String, String)>,
    pub(crate) expressions: Vec<(String, String, Vec<String>)>,
}

impl LabelSelector {
    fn parse(value: Option<&Json>) -> Self {
        let Some(value) = value else { return Self::default() };
        let match_labels = value
            .get("matchLabels")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(key, value)| Some((key.to_string(), value.as_str()?.to_owned())))
            .collect();
        let expressions = array(value.get("matchExpressions"))
            .iter()
            .map(|expression| {
                (
                    text(expression, "key").to_owned(),
                    text(expression, "operator").to_owned(),
                    array(expression.get("values"))
                        .iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect(),
                )
            })
            .collect();
        Self { match_labels, expressions }
    }

    /// Whether `labels` satisfy the selector.
    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels.iter().all(|(key, value)| labels.get(key) == Some(value))
            && self.expressions.iter().all(|(key, operator, values)| {
                let present = labels.get(key);
                match operator.as_str() {
                    "In" => present.is_some_and(|value| values.contains(value)),
                    "NotIn" => present.is_none_or(|value| !values.contains(value)),
                    "Exists" => present.is_some(),
                    "DoesNotExist" => present.is_none(),
                    _ => false,
                }
            })
    }
}

/// A certificate reference of a listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretRef {
    pub(crate) group: String,
    pub(crate) kind: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
}

/// One listener, defaulted.
#[derive(Debug, Clone)]
pub(crate) struct ListenerSpec {
    pub(crate) name: String,
    pub(crate) port: u16,
    pub(crate) protocol: String,
    pub(crate) hostname: Option<String>,
    pub(crate) tls_mode: Option<String>,
    pub(crate) certificate_refs: Vec<SecretRef>,
    pub(crate) from: FromNamespaces,
    /// `allowedRoutes.kinds` as (group, kind), group defaulted.
    pub(crate) kinds: Vec<(String, String)>,
}

/// A Gateway, defaulted.
#[derive(Debug, Clone)]
pub(crate) struct Gateway<'a> {
    pub(crate) object: &'a KubeObject,
    pub(crate) id: ObjectRef,
    pub(crate) class_name: String,
    pub(crate) listeners: Vec<ListenerSpec>,
    pub(crate) addresses: Vec<String>,
    /// Problems the API server would reject the manifest for.
    pub(crate) invalid: Vec<String>,
}

/// A route's `parentRef`, defaulted, with the original kept for echoing.
#[derive(Debug, Clone)]
pub(crate) struct ParentRef {
    pub(crate) raw: Json,
    pub(crate) group: String,
    pub(crate) kind: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) section_name: Option<String>,
    pub(crate) port: Option<u16>,
}

/// How a path is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum PathKind {
    Exact,
    Prefix,
    Regex,
}

/// A string match (header, query parameter, gRPC method part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueMatch {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) regex: bool,
}

/// One `matches[]` entry, defaulted.
#[derive(Debug, Clone)]
pub(crate) struct RouteMatch {
    pub(crate) path_kind: PathKind,
    pub(crate) path: String,
    pub(crate) headers: Vec<ValueMatch>,
    pub(crate) query: Vec<ValueMatch>,
    pub(crate) method: Option<String>,
    /// `GRPCRoute`: `method.service`, `method.method`, and whether the match type is a regex.
    pub(crate) grpc_service: Option<String>,
    pub(crate) grpc_method: Option<String>,
    pub(crate) grpc_regex: bool,
}

/// A header modification (`set`, `add`, `remove`).
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderModifier {
    pub(crate) set: Vec<(String, String)>,
    pub(crate) add: Vec<(String, String)>,
    pub(crate) remove: Vec<String>,
}

/// A path modifier of a redirect or rewrite.
#[derive(Debug, Clone)]
pub(crate) enum PathModifier {
    Full(String),
    Prefix(String),
}

/// One filter.
#[derive(Debug, Clone)]
pub(crate) enum Filter {
    RequestHeaderModifier(HeaderModifier),
    ResponseHeaderModifier,
    RequestRedirect {
        scheme: Option<String>,
        hostname: Option<String>,
        path: Option<PathModifier>,
        port: Option<u16>,
        status_code: u16,
    },
    UrlRewrite {
        hostname: Option<String>,
        path: Option<PathModifier>,
    },
    RequestMirror {
        backend: BackendRef,
        percent: f64,
    },
    /// `CORS`, `ExternalAuth`, `ExtensionRef`: may answer before the backend.
    ShortCircuit(String),
}

/// A backend reference, defaulted.
#[derive(Debug, Clone)]
pub(crate) struct BackendRef {
    pub(crate) group: String,
    pub(crate) kind: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) port: Option<u16>,
    pub(crate) weight: u32,
    pub(crate) filters: Vec<Filter>,
}

/// One rule, defaulted.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) matches: Vec<RouteMatch>,
    pub(crate) filters: Vec<Filter>,
    pub(crate) backends: Vec<BackendRef>,
    /// Why the controller drops this rule (unsupported values), if it does.
    pub(crate) unsupported: Option<String>,
}

/// A route of any kind, defaulted.
#[derive(Debug, Clone)]
pub(crate) struct Route<'a> {
    pub(crate) object: &'a KubeObject,
    pub(crate) kind: RouteKind,
    pub(crate) id: ObjectRef,
    pub(crate) created: Option<String>,
    pub(crate) hostnames: Vec<String>,
    pub(crate) parent_refs: Vec<ParentRef>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) invalid: Vec<String>,
}

/// A `ReferenceGrant`.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) id: ObjectRef,
    pub(crate) from: Vec<(String, String, String)>,
    pub(crate) to: Vec<(String, String, Option<String>)>,
}

/// A cert-manager `Certificate`, as far as the listener check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Certificate {
    pub(crate) id: ObjectRef,
    /// The `Ready` condition: status, reason, message; `None` before cert-manager reports.
    pub(crate) ready: Option<(String, String, String)>,
    /// `status.notAfter`.
    pub(crate) not_after: Option<String>,
}

/// Everything the status model reads, indexed.
#[derive(Debug, Default)]
pub(crate) struct World<'a> {
    pub(crate) classes: HashMap<String, &'a KubeObject>,
    pub(crate) gateways: Vec<Gateway<'a>>,
    pub(crate) routes: Vec<Route<'a>>,
    pub(crate) grants: Vec<Grant>,
    pub(crate) services: HashMap<(String, String), Vec<u16>>,
    pub(crate) secrets: HashSet<(String, String)>,
    /// cert-manager Certificates by the (namespace, Secret) they issue.
    pub(crate) certificates: HashMap<(String, String), Certificate>,
    pub(crate) namespaces: HashMap<String, BTreeMap<String, String>>,
    pub(crate) unreadable: HashSet<String>,
}

fn text<'v>(value: &'v Json, key: &str) -> &'v str {
    value.get(key).and_then(Json::as_str).unwrap_or_default()
}

fn opt_text(value: &Json, key: &str) -> Option<String> {
    value.get(key).and_then(Json::as_str).map(str::to_owned)
}

fn array(value: Option<&Json>) -> &[Json] {
    value.and_then(Json::as_array).unwrap_or_default()
}

fn port_of(value: Option<&Json>) -> Option<u16> {
    value.and_then(Json::as_u64).and_then(|port| u16::try_from(port).ok())
}

/// The namespace of an object, `default` when a manifest leaves it out.
pub(crate) fn namespace_of(object: &KubeObject) -> String {
    object.namespace().unwrap_or("default").to_owned()
}

fn object_ref(object: &KubeObject) -> ObjectRef {
    ObjectRef {
        kind: object.kind().to_owned(),
        namespace: namespace_of(object),
        name: object.name().to_owned(),
    }
}

impl<'a> World<'a> {
    /// Indexes `objects`; `unreadable` names kinds the caller could not read.
    pub(crate) fn build(objects: &'a [KubeObject], unreadable: &[&str]) -> Self {
        let mut world = World {
            unreadable: unreadable.iter().map(|kind| (*kind).to_owned()).collect(),
            ..World::default()
        };
        for object in objects {
            let group = object.group();
            match (group, object.kind()) {
                (GROUP, "GatewayClass") => {
                    world.classes.insert(object.name().to_owned(), object);
                }
                (GROUP, "Gateway") => world.gateways.push(parse_gateway(object)),
                (GROUP, "ReferenceGrant") => world.grants.push(parse_grant(object)),
                (GROUP, kind) => {
                    if let Some(route_kind) = RouteKind::from_kind(kind) {
                        world.routes.push(parse_route(object, route_kind));
                    }
                }
                ("", "Service") => {
                    let ports = object
                        .array_at("/spec/ports")
                        .iter()
                        .filter_map(|port| port_of(port.get("port")))
                        .collect();
                    world.services.insert((namespace_of(object), object.name().to_owned()), ports);
                }
                ("", "Secret") => {
                    world.secrets.insert((namespace_of(object), object.name().to_owned()));
                }
                ("cert-manager.io", "Certificate") => {
                    let secret = object.str_at("/spec/secretName").unwrap_or_default().to_owned();
                    let ready = object.condition("Ready").map(|condition| {
                        (
                            condition.status.to_owned(),
                            condition.reason.to_owned(),
                            condition.message.to_owned(),
                        )
                    });
                    world.certificates.insert(
                        (namespace_of(object), secret),
                        Certificate {
                            id: object_ref(object),
                            ready,
                            not_after: object.str_at("/status/notAfter").map(str::to_owned),
                        },
                    );
                }
                ("", "Namespace") => {
                    let mut labels: BTreeMap<String, String> = object
                        .labels()
                        .map(|(key, value)| (key.to_owned(), value.to_owned()))
                        .collect();
                    labels
                        .insert("kubernetes.io/metadata.name".to_owned(), object.name().to_owned());
                    world.namespaces.insert(object.name().to_owned(), labels);
                }
                _ => {}
            }
        }
        world
    }

    /// Whether `kind` could not be read.
    pub(crate) fn cannot_read(&self, kind: &str) -> bool {
        self.unreadable.contains(kind)
    }

    /// Whether a grant in `to_namespace` lets (`from_group`, `from_kind`, `from_namespace`)
    /// refer to (`to_group`, `to_kind`, `to_name`).
    pub(crate) fn granted(
        &self,
        from: (&str, &str, &str),
        to_namespace: &str,
        to: (&str, &str, &str),
    ) -> bool {
        self.grants.iter().filter(|grant| grant.id.namespace == to_namespace).any(|grant| {
            grant.from.iter().any(|(group, kind, namespace)| {
                (group.as_str(), kind.as_str(), namespace.as_str()) == from
            }) && grant.to.iter().any(|(group, kind, name)| {
                group == to.0 && kind == to.1 && name.as_deref().is_none_or(|name| name == to.2)
            })
        })
    }

    /// The labels of namespace `name`: its own plus the `kubernetes.io/metadata.name` every
    /// namespace carries.
    pub(crate) fn namespace_labels(&self, name: &str) -> BTreeMap<String, String> {
        self.namespaces.get(name).cloned().unwrap_or_else(|| {
            BTreeMap::from([("kubernetes.io/metadata.name".to_owned(), name.to_owned())])
        })
    }
}

fn parse_grant(object: &KubeObject) -> Grant {
    Grant {
        id: object_ref(object),
        from: object
            .array_at("/spec/from")
            .iter()
            .map(|from| {
                (
                    text(from, "group").to_owned(),
                    text(from, "kind").to_owned(),
                    text(from, "namespace").to_owned(),
                )
            })
            .collect(),
        to: object
            .array_at("/spec/to")
            .iter()
            .map(|to| {
                (text(to, "group").to_owned(), text(to, "kind").to_owned(), opt_text(to, "name"))
            })
            .collect(),
    }
}

const LISTENER_PROTOCOLS: [&str; 5] = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"];

#[allow(clippy::too_many_lines)]
fn parse_gateway(object: &KubeObject) -> Gateway<'_> {
    let namespace = namespace_of(object);
    let mut invalid = Vec::new();
    let mut listeners = Vec::new();
    for listener in object.array_at("/spec/listeners") {
        let name = text(listener, "name").to_owned();
        let protocol = text(listener, "protocol").to_owned();
        let port = port_of(listener.get("port")).unwrap_or_default();
        let hostname = opt_text(listener, "hostname");
        let tls = listener.get("tls");
        // `tls.mode` defaults to Terminate when a `tls` block is present.
        let tls_mode =
            tls.map(|tls| tls.get("mode").and_then(Json::as_str).unwrap_or("Terminate").to_owned());
        let certificate_refs = tls
            .map(|tls| array(tls.get("certificateRefs")))
            .unwrap_or_default()
            .iter()
            .map(|reference| SecretRef {
                group: text(reference, "group").to_owned(),
                kind: reference.get("kind").and_then(Json::as_str).unwrap_or("Secret").to_owned(),
                namespace: reference
                    .get("namespace")
                    .and_then(Json::as_str)
                    .unwrap_or(&namespace)
                    .to_owned(),
                name: text(reference, "name").to_owned(),
            })
            .collect();
        let allowed = listener.get("allowedRoutes");
        let namespaces = allowed.and_then(|allowed| allowed.get("namespaces"));
        let from = match namespaces
            .and_then(|namespaces| namespaces.get("from"))
            .and_then(Json::as_str)
        {
            None | Some("Same") => FromNamespaces::Same,
            Some("All") => FromNamespaces::All,
            Some("Selector") => FromNamespaces::Selector(LabelSelector::parse(
                namespaces.and_then(|n| n.get("selector")),
            )),
            Some(other) => {
                invalid.push(format!(
                    "listener {name}: allowedRoutes.namespaces.from {other:?} is not one of All, Selector, Same"
                ));
                FromNamespaces::Same
            }
        };
        let kinds = array(allowed.and_then(|allowed| allowed.get("kinds")))
            .iter()
            .map(|kind| {
                (
                    kind.get("group").and_then(Json::as_str).unwrap_or(GROUP).to_owned(),
                    text(kind, "kind").to_owned(),
                )
            })
            .collect();
        if hostname.as_deref().is_some_and(|hostname| !hostname::is_valid(hostname)) {
            invalid.push(format!(
                "listener {name}: hostname {:?} is not a valid hostname",
                hostname.as_deref().unwrap_or_default()
            ));
        }
        match protocol.as_str() {
            "HTTP" | "TCP" | "UDP" if tls.is_some() => {
                invalid.push(format!("listener {name}: tls is forbidden for protocol {protocol}"));
            }
            "HTTPS" | "TLS" if tls.is_none() => {
                invalid.push(format!("listener {name}: tls must be set for protocol {protocol}"));
            }
            "HTTPS" if tls_mode.as_deref() != Some("Terminate") => {
                invalid.push(format!(
                    "listener {name}: HTTPS listeners only allow tls.mode Terminate"
                ));
            }
            _ => {}
        }
        if matches!(protocol.as_str(), "TCP" | "UDP") && hostname.is_some() {
            invalid.push(format!("listener {name}: hostname is forbidden for protocol {protocol}"));
        }
        listeners.push(ListenerSpec {
            name,
            port,
            protocol,
            hostname,
            tls_mode,
            certificate_refs,
            from,
            kinds,
        });
    }
    for (index, listener) in listeners.iter().enumerate() {
        let earlier = &listeners[..index];
        if earlier.iter().any(|other| other.name == listener.name) {
            invalid.push(format!("listener name {:?} is used twice", listener.name));
        }
        if earlier.iter().any(|other| {
            other.port == listener.port
                && other.protocol == listener.protocol
                && other.hostname == listener.hostname
        }) {
            invalid.push(format!(
                "listeners repeat port {} protocol {} hostname {}",
                listener.port,
                listener.protocol,
                listener.hostname.as_deref().unwrap_or("(none)")
            ));
        }
    }
    Gateway {
        object,
        id: object_ref(object),
        class_name: object.str_at("/spec/gatewayClassName").unwrap_or_default().to_owned(),
        listeners,
        addresses: object
            .array_at("/spec/addresses")
            .iter()
            .filter_map(|address| address.get("value").and_then(Json::as_str).map(str::to_owned))
            .collect(),
        invalid,
    }
}

/// Whether a listener protocol is one the model implements.
pub(crate) fn protocol_supported(protocol: &str) -> bool {
    LISTENER_PROTOCOLS.contains(&protocol)
}

fn parse_backend(
    value: &Json,
    route_namespace: &str,
    route_kind: RouteKind,
    invalid: &mut Vec<String>,
) -> BackendRef {
    let group = text(value, "group").to_owned();
    let kind = value.get("kind").and_then(Json::as_str).unwrap_or("Service").to_owned();
    let name = text(value, "name").to_owned();
    let port = port_of(value.get("port"));
    if group.is_empty() && kind == "Service" && port.is_none() {
        invalid.push(format!("backendRef {name}: port is required for a Service"));
    }
    BackendRef {
        namespace: value
            .get("namespace")
            .and_then(Json::as_str)
            .unwrap_or(route_namespace)
            .to_owned(),
        weight: value
            .get("weight")
            .and_then(Json::as_u64)
            .and_then(|weight| u32::try_from(weight).ok())
            .unwrap_or(1),
        filters: array(value.get("filters"))
            .iter()
            .filter_map(|filter| parse_filter(filter, route_namespace, route_kind, invalid))
            .collect(),
        group,
        kind,
        name,
        port,
    }
}

fn path_modifier(value: Option<&Json>) -> Option<PathModifier> {
    let value = value?;
    match text(value, "type") {
        "ReplaceFullPath" => Some(PathModifier::Full(text(value, "replaceFullPath").to_owned())),
        "ReplacePrefixMatch" => {
            Some(PathModifier::Prefix(text(value, "replacePrefixMatch").to_owned()))
        }
        _ => None,
    }
}

fn header_modifier(value: Option<&Json>) -> HeaderModifier {
    let pairs = |key: &str| -> Vec<(String, String)> {
        array(value.and_then(|value| value.get(key)))
            .iter()
            .map(|header| {
                (text(header, "name").to_ascii_lowercase(), text(header, "value").to_owned())
            })
            .collect()
    };
    HeaderModifier {
        set: pairs("set"),
        add: pairs("add"),
        remove: array(value.and_then(|value| value.get("remove")))
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
    }
}

fn parse_filter(
    value: &Json,
    route_namespace: &str,
    route_kind: RouteKind,
    invalid: &mut Vec<String>,
) -> Option<Filter> {
    Some(match text(value, "type") {
        "RequestHeaderModifier" => {
            Filter::RequestHeaderModifier(header_modifier(value.get("requestHeaderModifier")))
        }
        "ResponseHeaderModifier" => Filter::ResponseHeaderModifier,
        "RequestRedirect" => {
            let redirect = value.get("requestRedirect").unwrap_or(&Json::Null);
            Filter::RequestRedirect {
                scheme: opt_text(redirect, "scheme"),
                hostname: opt_text(redirect, "hostname"),
                path: path_modifier(redirect.get("path")),
                port: port_of(redirect.get("port")),
                status_code: redirect
                    .get("statusCode")
                    .and_then(Json::as_u64)
                    .and_then(|code| u16::try_from(code).ok())
                    .unwrap_or(302),
            }
        }
        "URLRewrite" => {
            let rewrite = value.get("urlRewrite").unwrap_or(&Json::Null);
            Filter::UrlRewrite {
                hostname: opt_text(rewrite, "hostname"),
                path: path_modifier(rewrite.get("path")),
            }
        }
        "RequestMirror" => {
            let mirror = value.get("requestMirror").unwrap_or(&Json::Null);
            let percent = if let Some(percent) = mirror.get("percent").and_then(Json::as_f64) {
                percent
            } else if let Some(fraction) = mirror.get("fraction") {
                let numerator = fraction.get("numerator").and_then(Json::as_f64).unwrap_or(0.0);
                let denominator =
                    fraction.get("denominator").and_then(Json::as_f64).unwrap_or(100.0);
                if denominator > 0.0 { numerator * 100.0 / denominator } else { 0.0 }
            } else {
                100.0
            };
            Filter::RequestMirror {
                backend: parse_backend(
                    mirror.get("backendRef").unwrap_or(&Json::Null),
                    route_namespace,
                    route_kind,
                    invalid,
                ),
                percent,
            }
        }
        "" => return None,
        other => Filter::ShortCircuit(other.to_owned()),
    })
}

/// Whether an `Exact`/`PathPrefix` value passes the schema's path rules.
fn path_is_valid(path: &str) -> bool {
    path.starts_with('/')
        && !["//", "/./", "/../", "%2f", "%2F", "#"].iter().any(|bad| path.contains(bad))
        && !path.ends_with("/.")
        && !path.ends_with("/..")
}

fn value_matches(values: &[Json], lower_names: bool) -> (Vec<ValueMatch>, Option<String>) {
    let mut seen = HashSet::new();
    let mut unsupported = None;
    let mut result = Vec::new();
    for value in values {
        let name = if lower_names {
            text(value, "name").to_ascii_lowercase()
        } else {
            text(value, "name").to_owned()
        };
        let kind = value.get("type").and_then(Json::as_str).unwrap_or("Exact");
        if kind != "Exact" && kind != "RegularExpression" {
            unsupported = Some(format!("match type {kind}"));
        }
        // The first entry of a repeated name counts; the rest are ignored (spec §4.3).
        if seen.insert(name.clone()) {
            result.push(ValueMatch {
                name,
                value: text(value, "value").to_owned(),
                regex: kind == "RegularExpression",
            });
        }
    }
    (result, unsupported)
}

fn parse_http_match(
    value: &Json,
    invalid: &mut Vec<String>,
    unsupported: &mut Option<String>,
) -> RouteMatch {
    let path = value.get("path");
    let path_kind = match path.and_then(|path| path.get("type")).and_then(Json::as_str) {
        None | Some("PathPrefix") => PathKind::Prefix,
        Some("Exact") => PathKind::Exact,
        Some("RegularExpression") => PathKind::Regex,
        Some(other) => {
            *unsupported = Some(format!("path match type {other}"));
            PathKind::Prefix
        }
    };
    let path_value =
        path.and_then(|path| path.get("value")).and_then(Json::as_str).unwrap_or("/").to_owned();
    if path_kind != PathKind::Regex && !path_is_valid(&path_value) {
        invalid.push(format!("path {path_value:?} is not a valid {path_kind:?} path"));
    }
    let (headers, header_problem) = value_matches(array(value.get("headers")), true);
    let (query, query_problem) = value_matches(array(value.get("queryParams")), false);
    if let Some(problem) = header_problem.or(query_problem) {
        *unsupported = Some(problem);
    }
    let method = opt_text(value, "method");
    if let Some(method) = &method {
        const METHODS: [&str; 9] =
            ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
        if !METHODS.contains(&method.as_str()) {
            *unsupported = Some(format!("method {method}"));
        }
    }
    RouteMatch {
        path_kind,
        path: path_value,
        headers,
        query,
        method,
        grpc_service: None,
        grpc_method: None,
        grpc_regex: false,
    }
}

fn parse_grpc_match(value: &Json) -> RouteMatch {
    let method = value.get("method");
    let (headers, _) = value_matches(array(value.get("headers")), true);
    RouteMatch {
        path_kind: PathKind::Prefix,
        path: "/".to_owned(),
        headers,
        query: Vec::new(),
        method: None,
        grpc_service: method.and_then(|method| opt_text(method, "service")),
        grpc_method: method.and_then(|method| opt_text(method, "method")),
        grpc_regex: method.and_then(|method| method.get("type")).and_then(Json::as_str)
            == Some("RegularExpression"),
    }
}

fn default_match() -> RouteMatch {
    RouteMatch {
        path_kind: PathKind::Prefix,
        path: "/".to_owned(),
        headers: Vec::new(),
        query: Vec::new(),
        method: None,
        grpc_service: None,
        grpc_method: None,
        grpc_regex: false,
    }
}

fn parse_rule(
    value: &Json,
    route_namespace: &str,
    kind: RouteKind,
    invalid: &mut Vec<String>,
) -> Rule {
    let mut unsupported = None;
    let matches_value = array(value.get("matches"));
    let matches: Vec<RouteMatch> = match kind {
        _ if matches_value.is_empty() => vec![default_match()],
        RouteKind::Http => matches_value
            .iter()
            .map(|entry| parse_http_match(entry, invalid, &mut unsupported))
            .collect(),
        RouteKind::Grpc => matches_value.iter().map(parse_grpc_match).collect(),
        RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp => vec![default_match()],
    };
    let filters: Vec<Filter> = array(value.get("filters"))
        .iter()
        .filter_map(|filter| parse_filter(filter, route_namespace, kind, invalid))
        .collect();
    let backends: Vec<BackendRef> = array(value.get("backendRefs"))
        .iter()
        .map(|backend| parse_backend(backend, route_namespace, kind, invalid))
        .collect();
    // The CEL rules of §1 on filters.
    let count = |name: &str| {
        array(value.get("filters")).iter().filter(|filter| text(filter, "type") == name).count()
    };
    let has_redirect = count("RequestRedirect") > 0;
    if has_redirect && !backends.is_empty() {
        invalid.push("a rule may not combine RequestRedirect with backendRefs".to_owned());
    }
    if has_redirect && count("URLRewrite") > 0 {
        invalid.push("a rule may not combine RequestRedirect and URLRewrite".to_owned());
    }
    for name in
        ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "CORS"]
    {
        if count(name) > 1 {
            invalid.push(format!("filter {name} may appear at most once per rule"));
        }
    }
    let uses_prefix_replace = filters.iter().any(|filter| {
        matches!(
            filter,
            Filter::RequestRedirect { path: Some(PathModifier::Prefix(_)), .. }
                | Filter::UrlRewrite { path: Some(PathModifier::Prefix(_)), .. }
        )
    });
    if uses_prefix_replace && (matches.len() != 1 || matches[0].path_kind != PathKind::Prefix) {
        invalid
            .push("ReplacePrefixMatch requires exactly one match, of type PathPrefix".to_owned());
    }
    if matches_value.len() > 64 {
        invalid.push("more than 64 matches in a rule".to_owned());
    }
    if backends.len() > 16 {
        invalid.push("more than 16 backendRefs in a rule".to_owned());
    }
    Rule { matches, filters, backends, unsupported }
}

#[allow(clippy::too_many_lines)]
fn parse_route(object: &KubeObject, kind: RouteKind) -> Route<'_> {
    let namespace = namespace_of(object);
    let mut invalid = Vec::new();
    let hostnames: Vec<String> = object
        .array_at("/spec/hostnames")
        .iter()
        .filter_map(Json::as_str)
        .map(str::to_owned)
        .collect();
    for name in &hostnames {
        if !hostname::is_valid(name) {
            invalid.push(format!("hostname {name:?} is not a valid hostname"));
        }
    }
    let parent_refs: Vec<ParentRef> = object
        .array_at("/spec/parentRefs")
        .iter()
        .map(|raw| ParentRef {
            raw: raw.clone(),
            group: raw.get("group").and_then(Json::as_str).unwrap_or(GROUP).to_owned(),
            kind: raw.get("kind").and_then(Json::as_str).unwrap_or("Gateway").to_owned(),
            namespace: raw.get("namespace").and_then(Json::as_str).unwrap_or(&namespace).to_owned(),
            name: text(raw, "name").to_owned(),
            section_name: opt_text(raw, "sectionName"),
            port: port_of(raw.get("port")),
        })
        .collect();
    for (index, parent) in parent_refs.iter().enumerate() {
        let same: Vec<&ParentRef> = parent_refs[..index]
            .iter()
            .filter(|other| {
                (&other.group, &other.kind, &other.namespace, &other.name)
                    == (&parent.group, &parent.kind, &parent.namespace, &parent.name)
            })
            .collect();
        if !same.is_empty() {
            let distinct = |other: &&ParentRef| {
                (parent.section_name.is_some() || parent.port.is_some())
                    && (other.section_name.is_some() || other.port.is_some())
                    && (other.section_name != parent.section_name || other.port != parent.port)
            };
            if !same.iter().all(distinct) {
                invalid.push(format!(
                    "parentRef {}/{} is repeated without distinct sectionName or port",
                    parent.namespace, parent.name
                ));
            }
        }
    }
    let rules_value = object.array_at("/spec/rules");
    let mut rules: Vec<Rule> =
        rules_value.iter().map(|rule| parse_rule(rule, &namespace, kind, &mut invalid)).collect();
    if rules.is_empty() && kind == RouteKind::Http {
        rules.push(Rule {
            matches: vec![default_match()],
            filters: Vec::new(),
            backends: Vec::new(),
            unsupported: None,
        });
    }
    // The v1alpha2 CRDs of TLSRoute, TCPRoute and UDPRoute allow 1 to 16 rules and (TLSRoute)
    // no hostnames; v1alpha3 and v1 require exactly one rule and at least one hostname.
    let v1alpha2 = object.api_version().ends_with("/v1alpha2");
    let max_rules = if v1alpha2 { 16 } else { 1 };
    let rule_count = if v1alpha2 { "1 to 16 rules" } else { "exactly one rule" };
    match kind {
        RouteKind::Tls => {
            if hostnames.is_empty() && !v1alpha2 {
                invalid.push("a TLSRoute needs at least one hostname".to_owned());
            }
            if !(1..=max_rules).contains(&rules_value.len())
                || rules.iter().any(|rule| rule.backends.is_empty())
            {
                invalid.push(format!(
                    "a TLSRoute ({}) needs {rule_count}, each with at least one backendRef",
                    object.api_version()
                ));
            }
        }
        RouteKind::Tcp | RouteKind::Udp => {
            if !(1..=max_rules).contains(&rules_value.len())
                || rules.iter().any(|rule| rule.backends.is_empty() || rule.backends.len() > 16)
            {
                invalid.push(format!(
                    "a {} ({}) needs {rule_count}, each with 1 to 16 backendRefs",
                    kind.as_str(),
                    object.api_version()
                ));
            }
        }
        RouteKind::Http | RouteKind::Grpc => {
            if hostnames.len() > 16 {
                invalid.push("more than 16 hostnames".to_owned());
            }
            if rules_value.len() > 16 {
                invalid.push("more than 16 rules".to_owned());
            }
            if rules.iter().map(|rule| rule.matches.len()).sum::<usize>() > 128 {
                invalid.push("more than 128 matches in a route".to_owned());
            }
        }
    }
    Route {
        object,
        kind,
        id: object_ref(object),
        created: object.str_at("/metadata/creationTimestamp").map(str::to_owned),
        hostnames,
        parent_refs,
        rules,
        invalid,
    }
}
