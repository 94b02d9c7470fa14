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
//!    ([`apply_builtin_defaults`]) and those declared in CRD schemas.
//! 5. `null`, `{}` and `[]` are the same as absent, on both sides.
//!
//! Quantities, numbers and int-or-string values are canonicalised where they are compared
//! (`diff.rs`), so that the values shown are the ones written.

use base64::Engine as _;
use serde_json::{Map, Value, json};

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

/// Step 1: server-owned metadata and `status`, on either side.
pub fn strip_server_fields(object: &mut Value) {
    let Some(map) = object.as_object_mut() else { return };
    map.remove("status");
    if let Some(metadata) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in SERVER_METADATA {
            metadata.remove(*key);
        }
        if let Some(annotations) = metadata.get_mut("annotations").and_then(Value::as_object_mut) {
            annotations.remove(LAST_APPLIED);
        }
    }
    // A StatefulSet's claim templates carry a `status` the server fills in.
    if let Some(templates) = map
        .get_mut("spec")
        .and_then(|spec| spec.get_mut("volumeClaimTemplates"))
        .and_then(Value::as_array_mut)
    {
        for template in templates {
            if let Some(template) = template.as_object_mut() {
                template.remove("status");
                if let Some(metadata) = template.get_mut("metadata").and_then(Value::as_object_mut)
                {
                    metadata.remove("creationTimestamp");
                }
            }
        }
    }
}

/// Step 2: whether a field the live side has and Git does not set is noise: server metadata,
/// `status`, metadata that tools and controllers add, values the server allocates, or an empty
/// value. `path` is where the field's parent sits (map keys; `None` for a list element).
///
/// The comparison asks this for live-only fields instead of copying the live object and
/// removing them, which keeps the diff of an object in sync free of copies.
#[must_use]
pub fn is_live_noise(
    group: &str,
    kind: &str,
    path: &[Option<&str>],
    key: &str,
    value: &Value,
) -> bool {
    if match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    } {
        return true;
    }
    let metadata_section = |section: &str| {
        matches!(
            path,
            [Some("metadata"), Some(found)]
                | [Some("spec"), Some("template"), Some("metadata"), Some(found)]
                | [Some("spec"), Some("jobTemplate"), Some("spec"), Some("template"), Some("metadata"), Some(found)]
                if *found == section
        )
    };
    match path {
        [] => key == "status",
        [Some("metadata")] => {
            SERVER_METADATA.contains(&key)
                || matches!(key, "namespace" | "ownerReferences" | "finalizers" | "generateName")
        }
        _ if metadata_section("annotations") => {
            key == LAST_APPLIED || NOISE_ANNOTATIONS.contains(&key)
        }
        _ if metadata_section("labels") => {
            NOISE_LABELS.contains(&key)
                || (key == "app.kubernetes.io/managed-by" && value.as_str() == Some("Helm"))
        }
        [Some("spec")] => match (group, kind) {
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
        [Some("spec"), Some("ports"), None] => {
            (group, kind) == ("", "Service") && key == "nodePort"
        }
        [Some("spec"), Some("volumeClaimTemplates"), None] => key == "status",
        [Some("spec"), Some("volumeClaimTemplates"), None, Some("metadata")] => {
            key == "creationTimestamp"
        }
        _ => false,
    }
}

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

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Step 4, built-in half: the defaults the API server applies to the common kinds, for the
/// fields a manifest usually leaves out (spec §2.6-B; Kubernetes `pkg/apis/*/v1/defaults.go`).
pub fn apply_builtin_defaults(group: &str, kind: &str, object: &mut Value) {
    let Some(map) = object.as_object_mut() else { return };
    if (group, kind) == ("", "Secret") {
        set_default(map, "type", || json!("Opaque"));
        return;
    }
    let Some(spec) = map.get_mut("spec").and_then(Value::as_object_mut) else {
        if (group, kind) == ("", "Namespace") {
            map.insert("spec".to_owned(), json!({"finalizers": ["kubernetes"]}));
        }
        return;
    };
    if group == "gateway.networking.k8s.io" {
        gateway_api_defaults(kind, spec);
        return;
    }
    match (group, kind) {
        ("apps", "Deployment") => {
            set_default(spec, "replicas", || json!(1));
            set_default(spec, "revisionHistoryLimit", || json!(10));
            set_default(spec, "progressDeadlineSeconds", || json!(600));
            let strategy = spec.entry("strategy").or_insert_with(|| json!({}));
            if let Some(strategy) = strategy.as_object_mut() {
                set_default(strategy, "type", || json!("RollingUpdate"));
                if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                    let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
                    if let Some(rolling) = rolling.as_object_mut() {
                        set_default(rolling, "maxSurge", || json!("25%"));
                        set_default(rolling, "maxUnavailable", || json!("25%"));
                    }
                }
            }
            pod_template_defaults(spec.get_mut("template"));
        }
        ("apps", "StatefulSet") => {
            set_default(spec, "replicas", || json!(1));
            set_default(spec, "revisionHistoryLimit", || json!(10));
            set_default(spec, "podManagementPolicy", || json!("OrderedReady"));
            set_default(
                spec,
                "persistentVolumeClaimRetentionPolicy",
                || json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
            let strategy = spec.entry("updateStrategy").or_insert_with(|| json!({}));
            if let Some(strategy) = strategy.as_object_mut() {
                set_default(strategy, "type", || json!("RollingUpdate"));
                if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                    set_default(strategy, "rollingUpdate", || json!({"partition": 0}));
                }
            }
            if let Some(templates) =
                spec.get_mut("volumeClaimTemplates").and_then(Value::as_array_mut)
            {
                for template in templates.iter_mut().filter_map(Value::as_object_mut) {
                    set_default(template, "apiVersion", || json!("v1"));
                    set_default(template, "kind", || json!("PersistentVolumeClaim"));
                    if let Some(claim) = template.get_mut("spec").and_then(Value::as_object_mut) {
                        set_default(claim, "volumeMode", || json!("Filesystem"));
                    }
                }
            }
            pod_template_defaults(spec.get_mut("template"));
        }
        ("apps", "DaemonSet") => {
            set_default(spec, "revisionHistoryLimit", || json!(10));
            let strategy = spec.entry("updateStrategy").or_insert_with(|| json!({}));
            if let Some(strategy) = strategy.as_object_mut() {
                set_default(strategy, "type", || json!("RollingUpdate"));
                if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                    let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
                    if let Some(rolling) = rolling.as_object_mut() {
                        set_default(rolling, "maxUnavailable", || json!(1));
                        set_default(rolling, "maxSurge", || json!(0));
                    }
                }
            }
            pod_template_defaults(spec.get_mut("template"));
        }
        ("apps", "ReplicaSet") | ("", "ReplicationController") => {
            set_default(spec, "replicas", || json!(1));
            pod_template_defaults(spec.get_mut("template"));
        }
        ("batch", "Job") => {
            job_defaults(spec);
        }
        ("batch", "CronJob") => {
            set_default(spec, "concurrencyPolicy", || json!("Allow"));
            set_default(spec, "suspend", || json!(false));
            set_default(spec, "successfulJobsHistoryLimit", || json!(3));
            set_default(spec, "failedJobsHistoryLimit", || json!(1));
            pod_template_defaults(
                spec.get_mut("jobTemplate").and_then(|job| job.pointer_mut("/spec/template")),
            );
        }
        ("", "Pod") => pod_spec_defaults(spec, true),
        ("", "PodTemplate") => pod_template_defaults(map.get_mut("template")),
        ("", "Service") => service_defaults(spec),
        ("", "PersistentVolumeClaim") => set_default(spec, "volumeMode", || json!("Filesystem")),
        ("", "Namespace") => set_default(spec, "finalizers", || json!(["kubernetes"])),
        ("autoscaling", "HorizontalPodAutoscaler") => set_default(spec, "minReplicas", || json!(1)),
        ("networking.k8s.io", "NetworkPolicy") => {
            let policy_types = if spec.contains_key("egress") {
                json!(["Ingress", "Egress"])
            } else {
                json!(["Ingress"])
            };
            set_default(spec, "policyTypes", || policy_types);
            for direction in ["ingress", "egress"] {
                for rule in array_objects(spec.get_mut(direction)) {
                    for port in array_objects(rule.get_mut("ports")) {
                        set_default(port, "protocol", || json!("TCP"));
                    }
                }
            }
        }
        _ => {}
    }
}

/// Defaults for kinds whose defaults sit outside `spec` (webhook configurations, bindings).
pub fn apply_builtin_top_level_defaults(group: &str, kind: &str, object: &mut Value) {
    let Some(map) = object.as_object_mut() else { return };
    match (group, kind) {
        (
            "admissionregistration.k8s.io",
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
        ) => {
            let mutating = kind.starts_with("Mutating");
            for webhook in array_objects(map.get_mut("webhooks")) {
                set_default(webhook, "failurePolicy", || json!("Fail"));
                set_default(webhook, "matchPolicy", || json!("Equivalent"));
                set_default(webhook, "timeoutSeconds", || json!(10));
                if mutating {
                    set_default(webhook, "reinvocationPolicy", || json!("Never"));
                }
                if let Some(service) = webhook
                    .get_mut("clientConfig")
                    .and_then(|config| config.get_mut("service"))
                    .and_then(Value::as_object_mut)
                {
                    set_default(service, "port", || json!(443));
                }
                for rule in array_objects(webhook.get_mut("rules")) {
                    set_default(rule, "scope", || json!("*"));
                }
            }
        }
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            for subject in array_objects(map.get_mut("subjects")) {
                let api_group = match subject.get("kind").and_then(Value::as_str) {
                    Some("User" | "Group") => "rbac.authorization.k8s.io",
                    _ => "",
                };
                set_default(subject, "apiGroup", || json!(api_group));
            }
        }
        _ => {}
    }
}

fn job_defaults(spec: &mut Map<String, Value>) {
    set_default(spec, "backoffLimit", || json!(6));
    set_default(spec, "completionMode", || json!("NonIndexed"));
    set_default(spec, "suspend", || json!(false));
    set_default(spec, "podReplacementPolicy", || json!("TerminatingOrFailed"));
    // Recent API servers write `manualSelector: false` when they generate the selector. A
    // default the server did not apply is harmless: a field only the defaulted side has is not
    // reported.
    set_default(spec, "manualSelector", || json!(false));
    if !spec.contains_key("completions") && !spec.contains_key("parallelism") {
        spec.insert("completions".to_owned(), json!(1));
    }
    set_default(spec, "parallelism", || json!(1));
    pod_template_defaults(spec.get_mut("template"));
}

fn pod_template_defaults(template: Option<&mut Value>) {
    if let Some(spec) =
        template.and_then(|template| template.get_mut("spec")).and_then(Value::as_object_mut)
    {
        pod_spec_defaults(spec, false);
    }
}

fn pod_spec_defaults(spec: &mut Map<String, Value>, is_pod: bool) {
    set_default(spec, "restartPolicy", || json!("Always"));
    set_default(spec, "terminationGracePeriodSeconds", || json!(30));
    set_default(spec, "dnsPolicy", || json!("ClusterFirst"));
    set_default(spec, "schedulerName", || json!("default-scheduler"));
    if is_pod {
        set_default(spec, "enableServiceLinks", || json!(true));
        set_default(spec, "preemptionPolicy", || json!("PreemptLowerPriority"));
        set_default(spec, "priority", || json!(0));
        set_default(spec, "serviceAccountName", || json!("default"));
    }
    // The v1 conversion copies `serviceAccountName` into the deprecated `serviceAccount`.
    if let Some(account) = spec.get("serviceAccountName").cloned() {
        set_default(spec, "serviceAccount", || account);
    }
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        for container in array_objects(spec.get_mut(list)) {
            container_defaults(container, is_pod);
        }
    }
    for volume in array_objects(spec.get_mut("volumes")) {
        for source in ["configMap", "secret", "downwardAPI", "projected"] {
            if let Some(source) = volume.get_mut(source).and_then(Value::as_object_mut) {
                set_default(source, "defaultMode", || json!(420));
                for item in array_objects(source.get_mut("items")) {
                    field_ref_defaults(item);
                }
                for projection in array_objects(source.get_mut("sources")) {
                    if let Some(token) =
                        projection.get_mut("serviceAccountToken").and_then(Value::as_object_mut)
                    {
                        set_default(token, "expirationSeconds", || json!(3600));
                    }
                    if let Some(downward) =
                        projection.get_mut("downwardAPI").and_then(Value::as_object_mut)
                    {
                        for item in array_objects(downward.get_mut("items")) {
                            field_ref_defaults(item);
                        }
                    }
                }
            }
        }
        if let Some(host_path) = volume.get_mut("hostPath").and_then(Value::as_object_mut) {
            set_default(host_path, "type", || json!(""));
        }
    }
}

fn container_defaults(container: &mut Map<String, Value>, is_pod: bool) {
    set_default(container, "terminationMessagePath", || json!("/dev/termination-log"));
    set_default(container, "terminationMessagePolicy", || json!("File"));
    let pull_policy = container.get("image").and_then(Value::as_str).map(default_pull_policy);
    if let Some(pull_policy) = pull_policy {
        set_default(container, "imagePullPolicy", || json!(pull_policy));
    }
    for port in array_objects(container.get_mut("ports")) {
        set_default(port, "protocol", || json!("TCP"));
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(probe) = container.get_mut(probe).and_then(Value::as_object_mut) {
            set_default(probe, "timeoutSeconds", || json!(1));
            set_default(probe, "periodSeconds", || json!(10));
            set_default(probe, "successThreshold", || json!(1));
            set_default(probe, "failureThreshold", || json!(3));
            http_get_defaults(probe);
        }
    }
    if let Some(lifecycle) = container.get_mut("lifecycle").and_then(Value::as_object_mut) {
        for hook in lifecycle.values_mut().filter_map(Value::as_object_mut) {
            http_get_defaults(hook);
        }
    }
    for variable in array_objects(container.get_mut("env")) {
        if let Some(from) = variable.get_mut("valueFrom").and_then(Value::as_object_mut) {
            field_ref_defaults(from);
        }
    }
    if is_pod
        && let Some(resources) = container.get_mut("resources").and_then(Value::as_object_mut)
        && let Some(limits) = resources.get("limits").cloned()
    {
        // On a Pod (not a template), absent requests default to the limits.
        let requests = resources.entry("requests").or_insert_with(|| json!({}));
        if let (Some(requests), Value::Object(limits)) = (requests.as_object_mut(), limits) {
            for (name, limit) in limits {
                requests.entry(name).or_insert(limit);
            }
        }
    }
}

fn http_get_defaults(handler: &mut Map<String, Value>) {
    if let Some(http_get) = handler.get_mut("httpGet").and_then(Value::as_object_mut) {
        set_default(http_get, "scheme", || json!("HTTP"));
    }
}

fn field_ref_defaults(holder: &mut Map<String, Value>) {
    if let Some(field_ref) = holder.get_mut("fieldRef").and_then(Value::as_object_mut) {
        set_default(field_ref, "apiVersion", || json!("v1"));
    }
}

fn service_defaults(spec: &mut Map<String, Value>) {
    set_default(spec, "type", || json!("ClusterIP"));
    let service_type = spec.get("type").and_then(Value::as_str).unwrap_or("ClusterIP").to_owned();
    if service_type == "ExternalName" {
        return;
    }
    set_default(spec, "sessionAffinity", || json!("None"));
    set_default(spec, "internalTrafficPolicy", || json!("Cluster"));
    if matches!(service_type.as_str(), "NodePort" | "LoadBalancer") {
        set_default(spec, "externalTrafficPolicy", || json!("Cluster"));
    }
    if service_type == "LoadBalancer" {
        set_default(spec, "allocateLoadBalancerNodePorts", || json!(true));
    }
    for port in array_objects(spec.get_mut("ports")) {
        set_default(port, "protocol", || json!("TCP"));
        if let Some(number) = port.get("port").cloned() {
            set_default(port, "targetPort", || number);
        }
    }
}

/// `Always` for `:latest` or an untagged image, `IfNotPresent` otherwise (Kubernetes
/// `SetDefaults_Container`).
#[must_use]
pub fn default_pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last_segment = image.rsplit('/').next().unwrap_or(image);
    match last_segment.rsplit_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

/// Sets `key` when it is absent or null; the value is built only then (defaulting runs for
/// every desired object, and most of its fields are already set).
fn set_default(map: &mut Map<String, Value>, key: &str, value: impl FnOnce() -> Value) {
    match map.get_mut(key) {
        Some(existing) if !existing.is_null() => {}
        Some(existing) => *existing = value(),
        None => {
            map.insert(key.to_owned(), value());
        }
    }
}

fn array_objects(value: Option<&mut Value>) -> impl Iterator<Item = &mut Map<String, Value>> {
    value.and_then(Value::as_array_mut).into_iter().flatten().filter_map(Value::as_object_mut)
}

/// The defaults the Gateway API CRDs declare (`shared/crds/gateway-api`, standard channel): a
/// parent reference is a Gateway of the Gateway API group, a backend reference a core Service of
/// weight 1, an HTTPRoute rule without matches matches every path, a listener's certificate is a
/// core Secret and its routes come from its own namespace. Applied here rather than from the CRD
/// schemas because clusters (and the demo) rarely hand Sextant those CRDs.
fn gateway_api_defaults(kind: &str, spec: &mut Map<String, Value>) {
    fn each_object(list: Option<&mut Value>, mut apply: impl FnMut(&mut Map<String, Value>)) {
        if let Some(items) = list.and_then(Value::as_array_mut) {
            items.iter_mut().filter_map(Value::as_object_mut).for_each(&mut apply);
        }
    }
    match kind {
        "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute" => {
            each_object(spec.get_mut("parentRefs"), |parent| {
                set_default(parent, "group", || json!("gateway.networking.k8s.io"));
                set_default(parent, "kind", || json!("Gateway"));
            });
            each_object(spec.get_mut("rules"), |rule| {
                if kind == "HTTPRoute" {
                    set_default(
                        rule,
                        "matches",
                        || json!([{"path": {"type": "PathPrefix", "value": "/"}}]),
                    );
                    each_object(rule.get_mut("matches"), |matched| {
                        if let Some(path) = matched.get_mut("path").and_then(Value::as_object_mut) {
                            set_default(path, "type", || json!("PathPrefix"));
                            set_default(path, "value", || json!("/"));
                        }
                    });
                }
                each_object(rule.get_mut("backendRefs"), |backend| {
                    set_default(backend, "group", || json!(""));
                    set_default(backend, "kind", || json!("Service"));
                    set_default(backend, "weight", || json!(1));
                });
            });
        }
        "Gateway" => each_object(spec.get_mut("listeners"), |listener| {
            if let Some(tls) = listener.get_mut("tls").and_then(Value::as_object_mut) {
                set_default(tls, "mode", || json!("Terminate"));
                each_object(tls.get_mut("certificateRefs"), |reference| {
                    set_default(reference, "group", || json!(""));
                    set_default(reference, "kind", || json!("Secret"));
                });
            }
            let routes = listener.entry("allowedRoutes").or_insert_with(|| json!({}));
            if let Some(routes) = routes.as_object_mut() {
                set_default(routes, "namespaces", || json!({"from": "Same"}));
                each_object(routes.get_mut("kinds"), |kind| {
                    set_default(kind, "group", || json!("gateway.networking.k8s.io"));
                });
            }
        }),
        _ => {}
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
