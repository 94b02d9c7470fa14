//! The defaults the API server fills into the built-in kinds (spec §2.6-B; Kubernetes
//! `pkg/apis/*/v1/defaults.go`), for the fields a manifest usually leaves out, described by
//! where a value sits rather than applied to a copy of the object: a [`Node`] is a kind of map
//! (a Deployment's spec, a container, a probe), [`Node::field`] says what sits at one of its
//! keys and what the server fills in there, and [`Node::defaulted_keys`] lists the keys it may
//! fill in.
//!
//! The comparison reads them while it walks the desired object
//! ([`super::normalize::Normalised`]), so that a desired object is never copied to be defaulted.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use super::normalize::default_pull_policy;

/// A JSON literal with a `'static` lifetime, built once.
macro_rules! lit {
    ($($json:tt)+) => {{
        static LITERAL: LazyLock<Value> = LazyLock::new(|| json!($($json)+));
        &*LITERAL
    }};
}

/// An empty map, for the maps the server creates and then fills in (a Deployment's `strategy`).
static EMPTY_MAP: LazyLock<Value> = LazyLock::new(|| Value::Object(Map::new()));

/// Which node a value is: the map itself, or each map in the list it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Place<'v> {
    node: Node<'v>,
    each: bool,
}

impl<'v> Place<'v> {
    /// A value with no defaults in it.
    pub(crate) const NONE: Place<'static> = Place { node: Node::None, each: false };

    const fn map(node: Node<'v>) -> Place<'v> {
        Place { node, each: false }
    }

    const fn each(node: Node<'v>) -> Place<'v> {
        Place { node, each: true }
    }

    /// The top of an object of this group and kind.
    pub(crate) fn root(group: &str, kind: &str) -> Place<'static> {
        let kind = match (group, kind) {
            ("gateway.networking.k8s.io", "HTTPRoute") => Kind::Route { http: true },
            ("gateway.networking.k8s.io", "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute") => {
                Kind::Route { http: false }
            }
            ("gateway.networking.k8s.io", "Gateway") => Kind::Gateway,
            ("", "Secret") => Kind::Secret,
            ("", "Namespace") => Kind::Namespace,
            ("apps", "Deployment") => Kind::Deployment,
            ("apps", "StatefulSet") => Kind::StatefulSet,
            ("apps", "DaemonSet") => Kind::DaemonSet,
            ("apps", "ReplicaSet") | ("", "ReplicationController") => Kind::ReplicaSet,
            ("batch", "Job") => Kind::Job,
            ("batch", "CronJob") => Kind::CronJob,
            ("", "Pod") => Kind::Pod,
            ("", "PodTemplate") => Kind::PodTemplate,
            ("", "Service") => Kind::Service,
            ("", "PersistentVolumeClaim") => Kind::PersistentVolumeClaim,
            ("autoscaling", "HorizontalPodAutoscaler") => Kind::HorizontalPodAutoscaler,
            ("networking.k8s.io", "NetworkPolicy") => Kind::NetworkPolicy,
            ("admissionregistration.k8s.io", "MutatingWebhookConfiguration") => {
                Kind::Webhooks { mutating: true }
            }
            ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration") => {
                Kind::Webhooks { mutating: false }
            }
            ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => Kind::Binding,
            _ => Kind::Other,
        };
        if kind == Kind::Other { Place::NONE } else { Place::map(Node::Root(kind)) }
    }

    /// The node whose rules apply to a map at this place.
    pub(crate) fn node(self) -> Node<'v> {
        if self.each { Node::None } else { self.node }
    }

    /// The place of an element of a list at this place.
    pub(crate) fn item(self) -> Place<'v> {
        if self.each { Place::map(self.node) } else { Place::NONE }
    }
}

/// What sits at a key of a map: its own place, and what the server fills in there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Field<'v> {
    /// The place of the value at the key.
    pub(crate) place: Place<'v>,
    /// What the server fills in, if anything.
    pub(crate) fill: Option<Fill<'v>>,
}

impl<'v> Field<'v> {
    const NONE: Field<'static> = Field { place: Place::NONE, fill: None };

    const fn at(place: Place<'v>) -> Field<'v> {
        Field { place, fill: None }
    }

    /// `value` when the field is absent or null (Kubernetes' `if obj.Field == nil`).
    const fn defaults_to(value: &'v Value) -> Field<'v> {
        Field { place: Place::NONE, fill: Some(Fill { value, when: When::AbsentOrNull }) }
    }

    /// An empty map when the field is absent (a null stays null), to be filled in at `node`.
    fn created(node: Node<'v>) -> Field<'v> {
        Field {
            place: Place::map(node),
            fill: Some(Fill { value: &EMPTY_MAP, when: When::Absent }),
        }
    }

    fn with_place(self, place: Place<'v>) -> Field<'v> {
        Field { place, ..self }
    }
}

/// A value the API server fills in, and when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fill<'v> {
    /// The value.
    pub(crate) value: &'v Value,
    /// When.
    pub(crate) when: When,
}

impl Fill<'_> {
    /// Whether the fill replaces the value present at its key.
    pub(crate) fn replaces(&self, present: &Value) -> bool {
        match self.when {
            When::AbsentOrNull => present.is_null(),
            When::Absent => false,
            When::AbsentOrNotMap => !present.is_object(),
        }
    }
}

/// When a value is filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// The field is absent or null.
    AbsentOrNull,
    /// The field is absent (a null stays, and is then dropped as empty).
    Absent,
    /// The field is absent or not a map.
    AbsentOrNotMap,
}

/// The kinds that have built-in defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Secret,
    Namespace,
    Deployment,
    StatefulSet,
    DaemonSet,
    /// A ReplicaSet or a ReplicationController.
    ReplicaSet,
    Job,
    CronJob,
    Pod,
    PodTemplate,
    Service,
    PersistentVolumeClaim,
    HorizontalPodAutoscaler,
    NetworkPolicy,
    /// A Gateway API route; HTTPRoutes have default matches.
    Route {
        http: bool,
    },
    Gateway,
    Webhooks {
        mutating: bool,
    },
    /// A RoleBinding or a ClusterRoleBinding.
    Binding,
    Other,
}

/// A kind of map the API server fills in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Node<'v> {
    /// Nothing is filled in.
    None,
    Root(Kind),
    NamespaceSpec,
    DeploymentSpec,
    DeploymentStrategy,
    DeploymentRollingUpdate,
    StatefulSetSpec,
    StatefulSetStrategy,
    ClaimTemplate,
    /// A PersistentVolumeClaim's spec, or a claim template's.
    ClaimSpec,
    DaemonSetSpec,
    DaemonSetStrategy,
    DaemonSetRollingUpdate,
    ReplicaSetSpec,
    JobSpec,
    CronJobSpec,
    JobTemplate,
    JobTemplateSpec,
    PodTemplate,
    /// A pod's spec; `pod` for a Pod (not a template), which gets more defaults.
    PodSpec {
        pod: bool,
    },
    Container {
        pod: bool,
    },
    ContainerPort,
    Probe,
    Lifecycle,
    /// A lifecycle hook.
    Handler,
    HttpGet,
    EnvVar,
    /// Anything holding a `fieldRef` (an env var's `valueFrom`, a downward API item).
    FieldRefHolder,
    FieldRef,
    /// A Pod's container resources.
    PodResources,
    /// A Pod's container requests, which default to its limits.
    Requests(&'v Map<String, Value>),
    Volume,
    /// A volume's `configMap`, `secret`, `downwardAPI` or `projected`.
    VolumeSource,
    Projection,
    ServiceAccountToken,
    ProjectedDownwardApi,
    HostPath,
    ServiceSpec,
    ServicePort,
    HorizontalPodAutoscalerSpec,
    NetworkPolicySpec,
    NetworkPolicyRule,
    NetworkPolicyPort,
    RouteSpec {
        http: bool,
    },
    ParentRef,
    RouteRule {
        http: bool,
    },
    HttpRouteMatch,
    HttpPathMatch,
    BackendRef,
    GatewaySpec,
    Listener,
    ListenerTls,
    CertificateRef,
    AllowedRoutes,
    RouteGroupKind,
    Webhook {
        mutating: bool,
    },
    WebhookClientConfig,
    WebhookService,
    WebhookRule,
    Subject,
}

/// The keys a node may fill in, in key order.
#[derive(Debug, Clone)]
pub(crate) enum DefaultedKeys<'v> {
    Listed(std::slice::Iter<'static, &'static str>),
    Of(serde_json::map::Keys<'v>),
}

impl<'v> Iterator for DefaultedKeys<'v> {
    type Item = &'v str;

    fn next(&mut self) -> Option<&'v str> {
        match self {
            DefaultedKeys::Listed(keys) => keys.next().copied(),
            DefaultedKeys::Of(keys) => keys.next().map(String::as_str),
        }
    }
}

impl<'v> Node<'v> {
    /// Whether this node fills in a value over one written that is not null
    /// ([`When::AbsentOrNotMap`]): only a Namespace's spec.
    pub(crate) fn replaces_written_values(self) -> bool {
        self == Node::Root(Kind::Namespace)
    }

    /// The keys this node may fill in, in key order (whether it does depends on the map: see
    /// [`Node::field`]).
    pub(crate) fn defaulted_keys(self) -> DefaultedKeys<'v> {
        let keys: &'static [&'static str] = match self {
            Node::Root(Kind::Secret) | Node::HostPath => &["type"],
            Node::Root(Kind::Namespace) => &["spec"],
            Node::NamespaceSpec => &["finalizers"],
            Node::DeploymentSpec => {
                &["progressDeadlineSeconds", "replicas", "revisionHistoryLimit", "strategy"]
            }
            Node::DeploymentStrategy | Node::StatefulSetStrategy | Node::DaemonSetStrategy => {
                &["rollingUpdate", "type"]
            }
            Node::DeploymentRollingUpdate | Node::DaemonSetRollingUpdate => {
                &["maxSurge", "maxUnavailable"]
            }
            Node::StatefulSetSpec => &[
                "persistentVolumeClaimRetentionPolicy",
                "podManagementPolicy",
                "replicas",
                "revisionHistoryLimit",
                "updateStrategy",
            ],
            Node::ClaimTemplate => &["apiVersion", "kind"],
            Node::ClaimSpec => &["volumeMode"],
            Node::DaemonSetSpec => &["revisionHistoryLimit", "updateStrategy"],
            Node::ReplicaSetSpec => &["replicas"],
            Node::JobSpec => &[
                "backoffLimit",
                "completionMode",
                "completions",
                "manualSelector",
                "parallelism",
                "podReplacementPolicy",
                "suspend",
            ],
            Node::CronJobSpec => &[
                "concurrencyPolicy",
                "failedJobsHistoryLimit",
                "successfulJobsHistoryLimit",
                "suspend",
            ],
            Node::PodSpec { pod: false } => &[
                "dnsPolicy",
                "restartPolicy",
                "schedulerName",
                "serviceAccount",
                "terminationGracePeriodSeconds",
            ],
            Node::PodSpec { pod: true } => &[
                "dnsPolicy",
                "enableServiceLinks",
                "preemptionPolicy",
                "priority",
                "restartPolicy",
                "schedulerName",
                "serviceAccount",
                "serviceAccountName",
                "terminationGracePeriodSeconds",
            ],
            Node::Container { .. } => {
                &["imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy"]
            }
            Node::ContainerPort | Node::NetworkPolicyPort => &["protocol"],
            Node::Probe => {
                &["failureThreshold", "periodSeconds", "successThreshold", "timeoutSeconds"]
            }
            Node::HttpGet => &["scheme"],
            Node::FieldRef => &["apiVersion"],
            Node::PodResources => &["requests"],
            Node::Requests(limits) => return DefaultedKeys::Of(limits.keys()),
            Node::VolumeSource => &["defaultMode"],
            Node::ServiceAccountToken => &["expirationSeconds"],
            Node::ServiceSpec => &[
                "allocateLoadBalancerNodePorts",
                "externalTrafficPolicy",
                "internalTrafficPolicy",
                "sessionAffinity",
                "type",
            ],
            Node::ServicePort => &["protocol", "targetPort"],
            Node::HorizontalPodAutoscalerSpec => &["minReplicas"],
            Node::NetworkPolicySpec => &["policyTypes"],
            Node::RouteRule { http: true } => &["matches"],
            Node::ParentRef | Node::CertificateRef => &["group", "kind"],
            Node::HttpPathMatch => &["type", "value"],
            Node::BackendRef => &["group", "kind", "weight"],
            Node::Listener => &["allowedRoutes"],
            Node::ListenerTls => &["mode"],
            Node::AllowedRoutes => &["namespaces"],
            Node::RouteGroupKind => &["group"],
            Node::Webhook { mutating: true } => {
                &["failurePolicy", "matchPolicy", "reinvocationPolicy", "timeoutSeconds"]
            }
            Node::Webhook { mutating: false } => {
                &["failurePolicy", "matchPolicy", "timeoutSeconds"]
            }
            Node::WebhookService => &["port"],
            Node::WebhookRule => &["scope"],
            Node::Subject => &["apiGroup"],
            _ => &[],
        };
        DefaultedKeys::Listed(keys.iter())
    }

    /// What sits at `key` of `map`, a map at this node: its place, and what the server fills in
    /// there. `map` is the map as written (the server's conditions read its other fields).
    #[allow(clippy::too_many_lines)] // One arm per node: the table of the server's defaults.
    pub(crate) fn field(self, map: &'v Map<String, Value>, key: &str) -> Field<'v> {
        let pod_template = || Field::at(Place::map(Node::PodTemplate));
        match self {
            Node::None => Field::NONE,
            Node::Root(kind) => root_field(kind, map, key),
            Node::NamespaceSpec => match key {
                "finalizers" => Field::defaults_to(lit!(["kubernetes"])),
                _ => Field::NONE,
            },

            Node::DeploymentSpec => match key {
                "replicas" => Field::defaults_to(lit!(1)),
                "revisionHistoryLimit" => Field::defaults_to(lit!(10)),
                "progressDeadlineSeconds" => Field::defaults_to(lit!(600)),
                "strategy" => Field::created(Node::DeploymentStrategy),
                "template" => pod_template(),
                _ => Field::NONE,
            },
            Node::DeploymentStrategy => match key {
                "type" => Field::defaults_to(lit!("RollingUpdate")),
                "rollingUpdate" if rolling_update(map) => {
                    Field::created(Node::DeploymentRollingUpdate)
                }
                _ => Field::NONE,
            },
            Node::DeploymentRollingUpdate => match key {
                "maxSurge" | "maxUnavailable" => Field::defaults_to(lit!("25%")),
                _ => Field::NONE,
            },

            Node::StatefulSetSpec => match key {
                "replicas" => Field::defaults_to(lit!(1)),
                "revisionHistoryLimit" => Field::defaults_to(lit!(10)),
                "podManagementPolicy" => Field::defaults_to(lit!("OrderedReady")),
                "persistentVolumeClaimRetentionPolicy" => {
                    Field::defaults_to(lit!({"whenDeleted": "Retain", "whenScaled": "Retain"}))
                }
                "updateStrategy" => Field::created(Node::StatefulSetStrategy),
                "volumeClaimTemplates" => Field::at(Place::each(Node::ClaimTemplate)),
                "template" => pod_template(),
                _ => Field::NONE,
            },
            Node::StatefulSetStrategy => match key {
                "type" => Field::defaults_to(lit!("RollingUpdate")),
                "rollingUpdate" if rolling_update(map) => {
                    Field::defaults_to(lit!({"partition": 0}))
                }
                _ => Field::NONE,
            },
            Node::ClaimTemplate => match key {
                "apiVersion" => Field::defaults_to(lit!("v1")),
                "kind" => Field::defaults_to(lit!("PersistentVolumeClaim")),
                "spec" => Field::at(Place::map(Node::ClaimSpec)),
                _ => Field::NONE,
            },
            Node::ClaimSpec => match key {
                "volumeMode" => Field::defaults_to(lit!("Filesystem")),
                _ => Field::NONE,
            },

            Node::DaemonSetSpec => match key {
                "revisionHistoryLimit" => Field::defaults_to(lit!(10)),
                "updateStrategy" => Field::created(Node::DaemonSetStrategy),
                "template" => pod_template(),
                _ => Field::NONE,
            },
            Node::DaemonSetStrategy => match key {
                "type" => Field::defaults_to(lit!("RollingUpdate")),
                "rollingUpdate" if rolling_update(map) => {
                    Field::created(Node::DaemonSetRollingUpdate)
                }
                _ => Field::NONE,
            },
            Node::DaemonSetRollingUpdate => match key {
                "maxUnavailable" => Field::defaults_to(lit!(1)),
                "maxSurge" => Field::defaults_to(lit!(0)),
                _ => Field::NONE,
            },

            Node::ReplicaSetSpec => match key {
                "replicas" => Field::defaults_to(lit!(1)),
                "template" => pod_template(),
                _ => Field::NONE,
            },
            Node::JobSpec => match key {
                "backoffLimit" => Field::defaults_to(lit!(6)),
                "completionMode" => Field::defaults_to(lit!("NonIndexed")),
                "suspend" => Field::defaults_to(lit!(false)),
                "podReplacementPolicy" => Field::defaults_to(lit!("TerminatingOrFailed")),
                // Recent API servers write `manualSelector: false` when they generate the
                // selector. A default the server did not apply is harmless: a field only the
                // defaulted side has is not reported.
                "manualSelector" => Field::defaults_to(lit!(false)),
                // One completion, unless the manifest says how many run in parallel (even as
                // null).
                "completions" if !map.contains_key("parallelism") => Field {
                    place: Place::NONE,
                    fill: Some(Fill { value: lit!(1), when: When::Absent }),
                },
                "parallelism" => Field::defaults_to(lit!(1)),
                "template" => pod_template(),
                _ => Field::NONE,
            },
            Node::CronJobSpec => match key {
                "concurrencyPolicy" => Field::defaults_to(lit!("Allow")),
                "suspend" => Field::defaults_to(lit!(false)),
                "successfulJobsHistoryLimit" => Field::defaults_to(lit!(3)),
                "failedJobsHistoryLimit" => Field::defaults_to(lit!(1)),
                "jobTemplate" => Field::at(Place::map(Node::JobTemplate)),
                _ => Field::NONE,
            },
            Node::JobTemplate => match key {
                "spec" => Field::at(Place::map(Node::JobTemplateSpec)),
                _ => Field::NONE,
            },
            Node::JobTemplateSpec => match key {
                "template" => pod_template(),
                _ => Field::NONE,
            },
            Node::PodTemplate => match key {
                "spec" => Field::at(Place::map(Node::PodSpec { pod: false })),
                _ => Field::NONE,
            },

            Node::PodSpec { pod } => pod_spec_field(pod, map, key),
            Node::Container { pod } => container_field(pod, map, key),
            Node::ContainerPort | Node::NetworkPolicyPort => match key {
                "protocol" => Field::defaults_to(lit!("TCP")),
                _ => Field::NONE,
            },
            Node::Probe => match key {
                "timeoutSeconds" => Field::defaults_to(lit!(1)),
                "periodSeconds" => Field::defaults_to(lit!(10)),
                "successThreshold" => Field::defaults_to(lit!(1)),
                "failureThreshold" => Field::defaults_to(lit!(3)),
                "httpGet" => Field::at(Place::map(Node::HttpGet)),
                _ => Field::NONE,
            },
            Node::Lifecycle => Field::at(Place::map(Node::Handler)),
            Node::Handler => match key {
                "httpGet" => Field::at(Place::map(Node::HttpGet)),
                _ => Field::NONE,
            },
            Node::HttpGet => match key {
                "scheme" => Field::defaults_to(lit!("HTTP")),
                _ => Field::NONE,
            },
            Node::EnvVar => match key {
                "valueFrom" => Field::at(Place::map(Node::FieldRefHolder)),
                _ => Field::NONE,
            },
            Node::FieldRefHolder => match key {
                "fieldRef" => Field::at(Place::map(Node::FieldRef)),
                _ => Field::NONE,
            },
            Node::FieldRef => match key {
                "apiVersion" => Field::defaults_to(lit!("v1")),
                _ => Field::NONE,
            },
            // On a Pod (not a template), absent requests default to the limits.
            Node::PodResources => match key {
                "requests" if map.contains_key("limits") => {
                    let limits = map.get("limits").and_then(Value::as_object);
                    Field::created(limits.map_or(Node::None, Node::Requests))
                }
                _ => Field::NONE,
            },
            Node::Requests(limits) => match limits.get(key) {
                Some(limit) => Field {
                    place: Place::NONE,
                    fill: Some(Fill { value: limit, when: When::Absent }),
                },
                None => Field::NONE,
            },

            Node::Volume => match key {
                "configMap" | "secret" | "downwardAPI" | "projected" => {
                    Field::at(Place::map(Node::VolumeSource))
                }
                "hostPath" => Field::at(Place::map(Node::HostPath)),
                _ => Field::NONE,
            },
            Node::VolumeSource => match key {
                "defaultMode" => Field::defaults_to(lit!(420)),
                "items" => Field::at(Place::each(Node::FieldRefHolder)),
                "sources" => Field::at(Place::each(Node::Projection)),
                _ => Field::NONE,
            },
            Node::Projection => match key {
                "serviceAccountToken" => Field::at(Place::map(Node::ServiceAccountToken)),
                "downwardAPI" => Field::at(Place::map(Node::ProjectedDownwardApi)),
                _ => Field::NONE,
            },
            Node::ServiceAccountToken => match key {
                "expirationSeconds" => Field::defaults_to(lit!(3600)),
                _ => Field::NONE,
            },
            Node::ProjectedDownwardApi => match key {
                "items" => Field::at(Place::each(Node::FieldRefHolder)),
                _ => Field::NONE,
            },
            Node::HostPath => match key {
                "type" => Field::defaults_to(lit!("")),
                _ => Field::NONE,
            },

            Node::ServiceSpec => service_field(map, key),
            Node::ServicePort => match key {
                "protocol" => Field::defaults_to(lit!("TCP")),
                "targetPort" => map.get("port").map_or(Field::NONE, Field::defaults_to),
                _ => Field::NONE,
            },
            Node::HorizontalPodAutoscalerSpec => match key {
                "minReplicas" => Field::defaults_to(lit!(1)),
                _ => Field::NONE,
            },
            Node::NetworkPolicySpec => match key {
                "policyTypes" if map.contains_key("egress") => {
                    Field::defaults_to(lit!(["Ingress", "Egress"]))
                }
                "policyTypes" => Field::defaults_to(lit!(["Ingress"])),
                "ingress" | "egress" => Field::at(Place::each(Node::NetworkPolicyRule)),
                _ => Field::NONE,
            },
            Node::NetworkPolicyRule => match key {
                "ports" => Field::at(Place::each(Node::NetworkPolicyPort)),
                _ => Field::NONE,
            },

            // The Gateway API CRDs' defaults (`shared/crds/gateway-api`, standard channel): a
            // parent reference is a Gateway of the Gateway API group, a backend reference a core
            // Service of weight 1, an HTTPRoute rule without matches matches every path, a
            // listener's certificate is a core Secret and its routes come from its own
            // namespace. Built in because clusters (and the demo) rarely hand Sextant those CRDs.
            Node::RouteSpec { http } => match key {
                "parentRefs" => Field::at(Place::each(Node::ParentRef)),
                "rules" => Field::at(Place::each(Node::RouteRule { http })),
                _ => Field::NONE,
            },
            Node::ParentRef => match key {
                "group" => Field::defaults_to(lit!("gateway.networking.k8s.io")),
                "kind" => Field::defaults_to(lit!("Gateway")),
                _ => Field::NONE,
            },
            Node::RouteRule { http } => match key {
                "matches" if http => {
                    Field::defaults_to(lit!([{"path": {"type": "PathPrefix", "value": "/"}}]))
                        .with_place(Place::each(Node::HttpRouteMatch))
                }
                "backendRefs" => Field::at(Place::each(Node::BackendRef)),
                _ => Field::NONE,
            },
            Node::HttpRouteMatch => match key {
                "path" => Field::at(Place::map(Node::HttpPathMatch)),
                _ => Field::NONE,
            },
            Node::HttpPathMatch => match key {
                "type" => Field::defaults_to(lit!("PathPrefix")),
                "value" => Field::defaults_to(lit!("/")),
                _ => Field::NONE,
            },
            Node::BackendRef => match key {
                "group" => Field::defaults_to(lit!("")),
                "kind" => Field::defaults_to(lit!("Service")),
                "weight" => Field::defaults_to(lit!(1)),
                _ => Field::NONE,
            },
            Node::GatewaySpec => match key {
                "listeners" => Field::at(Place::each(Node::Listener)),
                _ => Field::NONE,
            },
            Node::Listener => match key {
                "tls" => Field::at(Place::map(Node::ListenerTls)),
                "allowedRoutes" => Field::created(Node::AllowedRoutes),
                _ => Field::NONE,
            },
            Node::ListenerTls => match key {
                "mode" => Field::defaults_to(lit!("Terminate")),
                "certificateRefs" => Field::at(Place::each(Node::CertificateRef)),
                _ => Field::NONE,
            },
            Node::CertificateRef => match key {
                "group" => Field::defaults_to(lit!("")),
                "kind" => Field::defaults_to(lit!("Secret")),
                _ => Field::NONE,
            },
            Node::AllowedRoutes => match key {
                "namespaces" => Field::defaults_to(lit!({"from": "Same"})),
                "kinds" => Field::at(Place::each(Node::RouteGroupKind)),
                _ => Field::NONE,
            },
            Node::RouteGroupKind => match key {
                "group" => Field::defaults_to(lit!("gateway.networking.k8s.io")),
                _ => Field::NONE,
            },

            Node::Webhook { mutating } => match key {
                "failurePolicy" => Field::defaults_to(lit!("Fail")),
                "matchPolicy" => Field::defaults_to(lit!("Equivalent")),
                "timeoutSeconds" => Field::defaults_to(lit!(10)),
                "reinvocationPolicy" if mutating => Field::defaults_to(lit!("Never")),
                "clientConfig" => Field::at(Place::map(Node::WebhookClientConfig)),
                "rules" => Field::at(Place::each(Node::WebhookRule)),
                _ => Field::NONE,
            },
            Node::WebhookClientConfig => match key {
                "service" => Field::at(Place::map(Node::WebhookService)),
                _ => Field::NONE,
            },
            Node::WebhookService => match key {
                "port" => Field::defaults_to(lit!(443)),
                _ => Field::NONE,
            },
            Node::WebhookRule => match key {
                "scope" => Field::defaults_to(lit!("*")),
                _ => Field::NONE,
            },
            Node::Subject => match key {
                "apiGroup" => match map.get("kind").and_then(Value::as_str) {
                    Some("User" | "Group") => Field::defaults_to(lit!("rbac.authorization.k8s.io")),
                    _ => Field::defaults_to(lit!("")),
                },
                _ => Field::NONE,
            },
        }
    }
}

fn root_field<'v>(kind: Kind, map: &'v Map<String, Value>, key: &str) -> Field<'v> {
    let spec = |node| Field::at(Place::map(node));
    match (kind, key) {
        (Kind::Secret, "type") => Field::defaults_to(lit!("Opaque")),
        // A Namespace's spec is written as the server writes it, even over a spec that is not
        // a map.
        (Kind::Namespace, "spec") => Field {
            place: Place::map(Node::NamespaceSpec),
            fill: Some(Fill {
                value: lit!({"finalizers": ["kubernetes"]}),
                when: When::AbsentOrNotMap,
            }),
        },
        (Kind::Deployment, "spec") => spec(Node::DeploymentSpec),
        (Kind::StatefulSet, "spec") => spec(Node::StatefulSetSpec),
        (Kind::DaemonSet, "spec") => spec(Node::DaemonSetSpec),
        (Kind::ReplicaSet, "spec") => spec(Node::ReplicaSetSpec),
        (Kind::Job, "spec") => spec(Node::JobSpec),
        (Kind::CronJob, "spec") => spec(Node::CronJobSpec),
        (Kind::Pod, "spec") => spec(Node::PodSpec { pod: true }),
        (Kind::Service, "spec") => spec(Node::ServiceSpec),
        (Kind::PersistentVolumeClaim, "spec") => spec(Node::ClaimSpec),
        (Kind::HorizontalPodAutoscaler, "spec") => spec(Node::HorizontalPodAutoscalerSpec),
        (Kind::NetworkPolicy, "spec") => spec(Node::NetworkPolicySpec),
        (Kind::Route { http }, "spec") => spec(Node::RouteSpec { http }),
        (Kind::Gateway, "spec") => spec(Node::GatewaySpec),
        // A PodTemplate's template is defaulted only when the object also has a spec map (as
        // Sextant has always done; real PodTemplates have none).
        (Kind::PodTemplate, "template") if map.get("spec").is_some_and(Value::is_object) => {
            Field::at(Place::map(Node::PodTemplate))
        }
        (Kind::Webhooks { mutating }, "webhooks") => {
            Field::at(Place::each(Node::Webhook { mutating }))
        }
        (Kind::Binding, "subjects") => Field::at(Place::each(Node::Subject)),
        _ => Field::NONE,
    }
}

fn pod_spec_field<'v>(pod: bool, map: &'v Map<String, Value>, key: &str) -> Field<'v> {
    match key {
        "restartPolicy" => Field::defaults_to(lit!("Always")),
        "terminationGracePeriodSeconds" => Field::defaults_to(lit!(30)),
        "dnsPolicy" => Field::defaults_to(lit!("ClusterFirst")),
        "schedulerName" => Field::defaults_to(lit!("default-scheduler")),
        "enableServiceLinks" if pod => Field::defaults_to(lit!(true)),
        "preemptionPolicy" if pod => Field::defaults_to(lit!("PreemptLowerPriority")),
        "priority" if pod => Field::defaults_to(lit!(0)),
        "serviceAccountName" if pod => Field::defaults_to(lit!("default")),
        // The v1 conversion copies `serviceAccountName` into the deprecated `serviceAccount`.
        "serviceAccount" => match map.get("serviceAccountName") {
            Some(account) if !account.is_null() => Field::defaults_to(account),
            _ if pod => Field::defaults_to(lit!("default")),
            Some(null) => Field::defaults_to(null),
            None => Field::NONE,
        },
        "containers" | "initContainers" | "ephemeralContainers" => {
            Field::at(Place::each(Node::Container { pod }))
        }
        "volumes" => Field::at(Place::each(Node::Volume)),
        _ => Field::NONE,
    }
}

fn container_field<'v>(pod: bool, map: &'v Map<String, Value>, key: &str) -> Field<'v> {
    match key {
        "terminationMessagePath" => Field::defaults_to(lit!("/dev/termination-log")),
        "terminationMessagePolicy" => Field::defaults_to(lit!("File")),
        "imagePullPolicy" => {
            match map.get("image").and_then(Value::as_str).map(default_pull_policy) {
                Some("Always") => Field::defaults_to(lit!("Always")),
                Some(_) => Field::defaults_to(lit!("IfNotPresent")),
                None => Field::NONE,
            }
        }
        "ports" => Field::at(Place::each(Node::ContainerPort)),
        "livenessProbe" | "readinessProbe" | "startupProbe" => Field::at(Place::map(Node::Probe)),
        "lifecycle" => Field::at(Place::map(Node::Lifecycle)),
        "env" => Field::at(Place::each(Node::EnvVar)),
        "resources" if pod => Field::at(Place::map(Node::PodResources)),
        _ => Field::NONE,
    }
}

fn service_field<'v>(map: &'v Map<String, Value>, key: &str) -> Field<'v> {
    let service_type = match map.get("type") {
        Some(service_type) if !service_type.is_null() => {
            service_type.as_str().unwrap_or("ClusterIP")
        }
        _ => "ClusterIP",
    };
    match key {
        "type" => Field::defaults_to(lit!("ClusterIP")),
        // An ExternalName Service gets nothing else.
        _ if service_type == "ExternalName" => Field::NONE,
        "sessionAffinity" => Field::defaults_to(lit!("None")),
        "internalTrafficPolicy" => Field::defaults_to(lit!("Cluster")),
        "externalTrafficPolicy" if matches!(service_type, "NodePort" | "LoadBalancer") => {
            Field::defaults_to(lit!("Cluster"))
        }
        "allocateLoadBalancerNodePorts" if service_type == "LoadBalancer" => {
            Field::defaults_to(lit!(true))
        }
        "ports" => Field::at(Place::each(Node::ServicePort)),
        _ => Field::NONE,
    }
}

/// Whether a strategy map is (or defaults to) `RollingUpdate`.
fn rolling_update(strategy: &Map<String, Value>) -> bool {
    match strategy.get("type") {
        Some(strategy_type) if !strategy_type.is_null() => {
            strategy_type.as_str() == Some("RollingUpdate")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every node, with `limits` for the requests node.
    fn nodes(limits: &Map<String, Value>) -> Vec<Node<'_>> {
        let mut nodes = vec![
            Node::None,
            Node::NamespaceSpec,
            Node::DeploymentSpec,
            Node::DeploymentStrategy,
            Node::DeploymentRollingUpdate,
            Node::StatefulSetSpec,
            Node::StatefulSetStrategy,
            Node::ClaimTemplate,
            Node::ClaimSpec,
            Node::DaemonSetSpec,
            Node::DaemonSetStrategy,
            Node::DaemonSetRollingUpdate,
            Node::ReplicaSetSpec,
            Node::JobSpec,
            Node::CronJobSpec,
            Node::JobTemplate,
            Node::JobTemplateSpec,
            Node::PodTemplate,
            Node::ContainerPort,
            Node::Probe,
            Node::Lifecycle,
            Node::Handler,
            Node::HttpGet,
            Node::EnvVar,
            Node::FieldRefHolder,
            Node::FieldRef,
            Node::PodResources,
            Node::Requests(limits),
            Node::Volume,
            Node::VolumeSource,
            Node::Projection,
            Node::ServiceAccountToken,
            Node::ProjectedDownwardApi,
            Node::HostPath,
            Node::ServiceSpec,
            Node::ServicePort,
            Node::HorizontalPodAutoscalerSpec,
            Node::NetworkPolicySpec,
            Node::NetworkPolicyRule,
            Node::NetworkPolicyPort,
            Node::ParentRef,
            Node::HttpRouteMatch,
            Node::HttpPathMatch,
            Node::BackendRef,
            Node::GatewaySpec,
            Node::Listener,
            Node::ListenerTls,
            Node::CertificateRef,
            Node::AllowedRoutes,
            Node::RouteGroupKind,
            Node::WebhookClientConfig,
            Node::WebhookService,
            Node::WebhookRule,
            Node::Subject,
        ];
        for flag in [false, true] {
            nodes.extend([
                Node::PodSpec { pod: flag },
                Node::Container { pod: flag },
                Node::RouteSpec { http: flag },
                Node::RouteRule { http: flag },
                Node::Webhook { mutating: flag },
                Node::Root(Kind::Route { http: flag }),
                Node::Root(Kind::Webhooks { mutating: flag }),
            ]);
        }
        nodes.extend(
            [
                Kind::Secret,
                Kind::Namespace,
                Kind::Deployment,
                Kind::StatefulSet,
                Kind::DaemonSet,
                Kind::ReplicaSet,
                Kind::Job,
                Kind::CronJob,
                Kind::Pod,
                Kind::PodTemplate,
                Kind::Service,
                Kind::PersistentVolumeClaim,
                Kind::HorizontalPodAutoscaler,
                Kind::NetworkPolicy,
                Kind::Gateway,
                Kind::Binding,
                Kind::Other,
            ]
            .map(Node::Root),
        );
        nodes
    }

    #[test]
    fn every_default_is_listed_and_the_lists_are_in_key_order() {
        // The lazy reading merges a map's entries with the keys its node may fill in, both in
        // key order: a default missing from the list would never be seen.
        let limits = json!({"cpu": "1", "memory": "1Gi"});
        let limits = limits.as_object().unwrap();
        let maps = [
            json!({}),
            json!({"image": "nginx:1", "limits": {"cpu": "1"}, "port": 80, "type": "LoadBalancer",
                "serviceAccountName": "a", "kind": "User", "egress": [], "spec": {}}),
            json!({"type": "Recreate", "parallelism": 2, "image": "nginx", "serviceAccountName": null}),
        ];
        let nodes = nodes(limits);
        let mut candidates: Vec<&str> =
            nodes.iter().flat_map(|node| node.defaulted_keys()).collect();
        candidates.extend(["cpu", "memory", "spec", "template", "unknown"]);
        for node in &nodes {
            let listed: Vec<&str> = node.defaulted_keys().collect();
            assert!(listed.windows(2).all(|pair| pair[0] < pair[1]), "{node:?}: {listed:?}");
            for map in &maps {
                for key in &candidates {
                    let fill = node.field(map.as_object().unwrap(), key).fill;
                    if fill.is_some() {
                        assert!(listed.contains(key), "{node:?} fills {key} but does not list it");
                    }
                    if fill.is_some_and(|fill| fill.when == When::AbsentOrNotMap) {
                        assert!(node.replaces_written_values(), "{node:?} replaces {key}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_default_fills_an_absent_or_null_field_a_created_map_only_an_absent_one() {
        let spec = json!({"replicas": null, "strategy": null});
        let spec = spec.as_object().unwrap();
        let replicas = Node::DeploymentSpec.field(spec, "replicas").fill.unwrap();
        assert!(replicas.replaces(&Value::Null) && !replicas.replaces(&json!(3)));
        let strategy = Node::DeploymentSpec.field(spec, "strategy").fill.unwrap();
        assert!(!strategy.replaces(&Value::Null));
        assert_eq!(strategy.value, &json!({}));
        // A Recreate strategy gets no rolling update.
        let recreate = json!({"type": "Recreate"});
        let field = Node::DeploymentStrategy.field(recreate.as_object().unwrap(), "rollingUpdate");
        assert_eq!(field, Field::NONE);
    }
}
