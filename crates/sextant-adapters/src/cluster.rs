//! Kubernetes clusters: kubeconfig contexts read exactly as kubectl reads them (kube-rs's
//! `Kubeconfig::read` merges the `KUBECONFIG` list), and a one-shot read of the kinds the views
//! need, found through discovery so a missing API is "not installed" rather than an error.
//!
//! Long-lived data comes from [`watch::ClusterWatch`]: one watcher per kind, scoped by what
//! RBAC allows ([`access`]), bounded, and honest about staleness. [`read_cluster`] is a
//! one-shot read through the same caches.

pub mod access;
pub mod kubeconfig;
pub mod watch;

use std::{fmt::Write as _, time::Duration};

use kube::{
    Client,
    api::{Api, DynamicObject, ListParams},
    config::{KubeConfigOptions, Kubeconfig},
    discovery::ApiResource,
};
use serde_json::Value;
use sextant_domain::{
    object::KubeObject,
    platform::{ClusterSnapshot, ClusterState},
};

/// How a kubeconfig or cluster could not be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kubeconfig could not be read or parsed.
    #[error("cannot read the kubeconfig: {0}")]
    KubeconfigUnreadable(String),
    /// The context does not exist.
    #[error("no context named {0} in the kubeconfig")]
    ContextMissing(String),
    /// The context's entry is broken (missing cluster, bad certificate, failed exec plugin).
    #[error("context {context} cannot be used: {message}")]
    ContextInvalid {
        /// The context.
        context: String,
        /// kube-rs's description.
        message: String,
    },
}

/// The module's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A context from the kubeconfig; never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextSummary {
    /// The context's name.
    pub name: String,
    /// Its cluster entry's name.
    pub cluster: String,
    /// The API server URL.
    pub server: Option<String>,
    /// The default namespace.
    pub namespace: Option<String>,
    /// How it authenticates: `token`, `client certificate`, `exec plugin`, `auth provider`, `none`.
    pub auth: &'static str,
    /// Whether it is the current context.
    pub current: bool,
}

/// Reads the kubeconfig (the `KUBECONFIG` list, merged, or `~/.kube/config`), file by file:
/// see [`kubeconfig`]. `Ok(None)` when there is none at all: that is "nothing configured",
/// not an error.
///
/// # Errors
/// Every kubeconfig file failed to parse.
pub fn read_kubeconfig() -> Result<Option<kubeconfig::KubeconfigRead>> {
    let read = kubeconfig::read(&kubeconfig::paths()).map_err(Error::KubeconfigUnreadable)?;
    if let Some(read) = &read {
        register_credentials(&read.kubeconfig);
    }
    Ok(read)
}

/// Registers every credential in the kubeconfig with the redactor before anything can log it.
fn register_credentials(kubeconfig: &Kubeconfig) {
    for user in kubeconfig.auth_infos.iter().filter_map(|named| named.auth_info.as_ref()) {
        if let Some(token) = &user.token {
            crate::secret::register(secrecy_text(token));
        }
        if let Some(key) = &user.client_key_data {
            crate::secret::register(secrecy_text(key));
        }
        if let Some(password) = &user.password {
            crate::secret::register(secrecy_text(password));
        }
    }
}

fn secrecy_text(secret: &secrecy::SecretString) -> &str {
    use secrecy::ExposeSecret as _;
    secret.expose_secret()
}

/// Every context in `kubeconfig`, with what it points at.
#[must_use]
pub fn contexts(kubeconfig: &Kubeconfig) -> Vec<ContextSummary> {
    kubeconfig
        .contexts
        .iter()
        .map(|named| {
            let context = named.context.as_ref();
            let cluster_name = context.map(|context| context.cluster.clone()).unwrap_or_default();
            let user_name = context.and_then(|context| context.user.clone());
            let server = kubeconfig
                .clusters
                .iter()
                .find(|cluster| cluster.name == cluster_name)
                .and_then(|cluster| cluster.cluster.as_ref()?.server.clone());
            let user = kubeconfig
                .auth_infos
                .iter()
                .find(|user| Some(&user.name) == user_name.as_ref())
                .and_then(|user| user.auth_info.as_ref());
            let auth = match user {
                Some(user) if user.exec.is_some() => "exec plugin",
                Some(user) if user.auth_provider.is_some() => "auth provider",
                Some(user) if user.token.is_some() || user.token_file.is_some() => "token",
                Some(user)
                    if user.client_certificate.is_some()
                        || user.client_certificate_data.is_some() =>
                {
                    "client certificate"
                }
                Some(user) if user.username.is_some() => "basic auth",
                _ => "none",
            };
            ContextSummary {
                name: named.name.clone(),
                cluster: cluster_name,
                server,
                namespace: context.and_then(|context| context.namespace.clone()),
                auth,
                current: kubeconfig.current_context.as_deref() == Some(named.name.as_str()),
            }
        })
        .collect()
}

/// A client for `context`, for one-shot requests: 5 s to connect, 20 s to read.
pub async fn client_for(kubeconfig: &Kubeconfig, context: &str) -> Result<Client> {
    client_with_timeouts(kubeconfig, context, Duration::from_secs(5), Duration::from_secs(20)).await
}

/// A client for `context` with the given timeouts. Watches need a read timeout longer than
/// the watch's own server-side timeout.
pub async fn client_with_timeouts(
    kubeconfig: &Kubeconfig,
    context: &str,
    connect: Duration,
    read: Duration,
) -> Result<Client> {
    if !kubeconfig.contexts.iter().any(|named| named.name == context) {
        return Err(Error::ContextMissing(context.to_owned()));
    }
    let options =
        KubeConfigOptions { context: Some(context.to_owned()), ..KubeConfigOptions::default() };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options)
        .await
        .map_err(|error| Error::ContextInvalid {
            context: context.to_owned(),
            message: error.to_string(),
        })?;
    // kube's defaults (30 s to connect, about 5 minutes to read) would let one dead cluster hold
    // the whole live load; an unreachable cluster should be named within seconds.
    config.connect_timeout = Some(connect);
    config.read_timeout = Some(read);
    Client::try_from(config).map_err(|error| Error::ContextInvalid {
        context: context.to_owned(),
        message: error.to_string(),
    })
}

/// The kinds the views read, by API group, with the versions their analyzers are written
/// against, best first. A server that serves none of them is read at its preferred version.
const WANTED: &[(&str, &[&str], &[&str])] = &[
    // ServiceAccounts and workloads: the Vault view's ServiceAccount chain (issue #3).
    ("", &["v1"], &["Namespace", "Service", "ServiceAccount", "Pod"]),
    ("apps", &["v1"], &["Deployment", "StatefulSet", "DaemonSet"]),
    ("batch", &["v1"], &["Job", "CronJob"]),
    // The readiness of the Certificates behind listener Secrets (TLS Secrets are not read: only
    // the metadata of ServiceAccount token Secrets is). EndpointSlices, which the traffic graph
    // draws when given, are not watched: one per Service would weigh on large clusters.
    ("cert-manager.io", &["v1"], &["Certificate"]),
    ("kustomize.toolkit.fluxcd.io", &["v1"], &["Kustomization"]),
    ("helm.toolkit.fluxcd.io", &["v2"], &["HelmRelease"]),
    (
        "source.toolkit.fluxcd.io",
        &["v1", "v1beta2"],
        &["GitRepository", "OCIRepository", "HelmRepository"],
    ),
    ("argoproj.io", &["v1alpha1"], &["Application", "ApplicationSet", "AppProject"]),
    (
        "gateway.networking.k8s.io",
        &["v1", "v1beta1", "v1alpha2"],
        &[
            "GatewayClass",
            "Gateway",
            "HTTPRoute",
            "GRPCRoute",
            "TLSRoute",
            "TCPRoute",
            "UDPRoute",
            "ReferenceGrant",
        ],
    ),
    (
        "policies.kubewarden.io",
        &["v1"],
        &[
            "ClusterAdmissionPolicy",
            "AdmissionPolicy",
            "ClusterAdmissionPolicyGroup",
            "AdmissionPolicyGroup",
        ],
    ),
    ("kyverno.io", &["v1"], &["ClusterPolicy", "Policy"]),
    ("wgpolicyk8s.io", &["v1alpha2"], &["PolicyReport", "ClusterPolicyReport"]),
    ("openreports.io", &["v1alpha1"], &["Report", "ClusterReport"]),
    (
        "runtime.wasmcloud.dev",
        &["v1alpha1"],
        &["Host", "Workload", "WorkloadDeployment", "WorkloadReplicaSet", "Artifact"],
    ),
];

/// The version of `kind` to read from `group`: the first of `versions` that serves it, else the
/// server's recommendation. `None` when the group does not serve the kind at all.
fn resource_for(
    group: &kube::discovery::ApiGroup,
    versions: &[&str],
    kind: &str,
) -> Option<ApiResource> {
    versions
        .iter()
        .find_map(|version| {
            group
                .versioned_resources(version)
                .into_iter()
                .find(|(resource, _)| resource.kind == kind)
        })
        .or_else(|| group.recommended_kind(kind))
        .map(|(resource, _)| resource)
}

/// Reads one cluster once, through the same caches as the live views: connects, lists every
/// wanted kind that discovery finds (as RBAC allows), and returns when every list has finished
/// or after `SEXTANT_READ_TIMEOUT_SECS` (30 by default). A failure becomes the snapshot's
/// state and message; each kind's own state is in `kinds`.
pub async fn read_cluster(kubeconfig: &Kubeconfig, context: &str) -> ClusterSnapshot {
    let watch = watch::ClusterWatch::start(kubeconfig, context, watch::WatchOptions::from_env());
    let timeout = std::env::var("SEXTANT_READ_TIMEOUT_SECS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(30);
    watch.wait_settled(Duration::from_secs(timeout)).await;
    watch.snapshot()
}

/// The legacy ServiceAccount token Secrets, metadata only: the list asks the API server for
/// `PartialObjectMetadata` filtered on the Secret type, so no Secret value is ever read.
pub(crate) async fn legacy_token_secrets(
    client: &Client,
    resource: &ApiResource,
) -> std::result::Result<Vec<KubeObject>, kube::Error> {
    const TYPE: &str = "kubernetes.io/service-account-token";
    let api: Api<DynamicObject> = Api::all_with(client.clone(), resource);
    let list = api
        .list_metadata(&ListParams::default().fields(&format!("type={TYPE}")).limit(500))
        .await?;
    // Every such Secret names its ServiceAccount; the check also guards against a server that
    // ignores the field selector (the emulator does).
    Ok(list
        .items
        .into_iter()
        .filter(|item| {
            item.metadata.annotations.as_ref().is_some_and(|annotations| {
                annotations.contains_key("kubernetes.io/service-account.name")
            })
        })
        .map(|item| {
            KubeObject::new(serde_json::json!({
                "apiVersion": resource.api_version,
                "kind": "Secret",
                "type": TYPE,
                "metadata": serde_json::to_value(&item.metadata).unwrap_or(Value::Null),
            }))
        })
        .collect())
}

/// How much of an object of a kind the cache keeps. The views read a few fields of the bulky
/// kinds; the drift view fetches the objects it compares in full, on demand (spec §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The whole object, less `managedFields` and kubectl's last-applied annotation.
    Full,
    /// Only the metadata, watched as `PartialObjectMetadata` so the server sends no more.
    Metadata,
    /// The metadata and the fields at these JSON pointers.
    Projected(&'static [&'static str]),
}

/// What the views read of Pods: the Vault view's ServiceAccount chain, and the phase.
const POD_FIELDS: &[&str] = &[
    "/spec/serviceAccountName",
    "/spec/serviceAccount",
    "/spec/automountServiceAccountToken",
    "/spec/nodeName",
    "/status/phase",
    "/status/podIP",
];
/// What the views read of workloads: replicas, selectors, and the pod template's account.
const WORKLOAD_FIELDS: &[&str] = &[
    "/spec/replicas",
    "/spec/selector",
    "/spec/suspend",
    "/spec/schedule",
    "/spec/template/metadata/labels",
    "/spec/template/spec/serviceAccountName",
    "/spec/template/spec/serviceAccount",
    "/spec/template/spec/automountServiceAccountToken",
    "/spec/jobTemplate/spec/template/spec/serviceAccountName",
    "/spec/jobTemplate/spec/template/spec/serviceAccount",
    "/spec/jobTemplate/spec/template/spec/automountServiceAccountToken",
    "/status",
];

/// How much the cache keeps of a kind.
pub(crate) fn shape(group: &str, kind: &str) -> Shape {
    match (group, kind) {
        ("", "Namespace") => Shape::Metadata,
        ("", "Pod") => Shape::Projected(POD_FIELDS),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet") | ("batch", "Job" | "CronJob") => {
            Shape::Projected(WORKLOAD_FIELDS)
        }
        _ => Shape::Full,
    }
}

/// The part of `value` (an object of `resource`) the cache keeps, with its `apiVersion` and
/// `kind` (absent from watch events of some servers).
pub(crate) fn keep(mut value: Value, resource: &ApiResource, shape: Shape) -> KubeObject {
    let Value::Object(map) = &mut value else { return KubeObject::new(value) };
    map.insert("apiVersion".into(), Value::String(resource.api_version.clone()));
    map.insert("kind".into(), Value::String(resource.kind.clone()));
    if let Some(Value::Object(metadata)) = map.get_mut("metadata") {
        // Often half of an object's size, and read only by the drift view, which fetches its
        // objects itself.
        metadata.remove("managedFields");
        if let Some(Value::Object(annotations)) = metadata.get_mut("annotations") {
            annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
            if annotations.is_empty() {
                metadata.remove("annotations");
            }
        }
    }
    match shape {
        Shape::Full => KubeObject::new(value),
        Shape::Metadata => {
            map.retain(|key, _| matches!(key.as_str(), "apiVersion" | "kind" | "metadata"));
            KubeObject::new(value)
        }
        Shape::Projected(pointers) => {
            let mut kept = serde_json::Map::new();
            for key in ["apiVersion", "kind", "metadata"] {
                if let Some(field) = map.remove(key) {
                    kept.insert(key.to_owned(), field);
                }
            }
            let mut kept = Value::Object(kept);
            for pointer in pointers {
                if let Some(field) = value.pointer_mut(pointer).map(Value::take) {
                    set_at(&mut kept, pointer, field);
                }
            }
            KubeObject::new(kept)
        }
    }
}

/// Sets the value at a JSON pointer of plain keys, creating the objects on the way.
fn set_at(target: &mut Value, pointer: &str, field: Value) {
    let mut here = target;
    let mut keys = pointer.split('/').skip(1).peekable();
    while let Some(key) = keys.next() {
        let Value::Object(map) = here else { return };
        if keys.peek().is_none() {
            map.insert(key.to_owned(), field);
            return;
        }
        here = map.entry(key.to_owned()).or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
}

/// The cluster state a kube error means, and the reason in words, saying what to do.
fn classify(error: &kube::Error) -> (ClusterState, Option<String>) {
    let detail = crate::secret::redact(&error.to_string());
    let mut chain = format!("{error:?} {detail}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = write!(chain, " {cause} {cause:?}");
        source = cause.source();
    }
    let lowered = chain.to_ascii_lowercase();
    let (state, message) = match error {
        kube::Error::Api(status) if status.code == 401 => (
            ClusterState::Unauthenticated,
            "the API server rejected the credentials (expired or revoked): log in again or refresh the token".to_owned(),
        ),
        kube::Error::Api(status) if status.code == 403 => {
            (ClusterState::Forbidden, format!("the API server refused the request: {}", status.message))
        }
        kube::Error::Auth(_) => (
            ClusterState::Unauthenticated,
            format!("could not get credentials for this context: {detail}"),
        ),
        _ if lowered.contains("timed out") || lowered.contains("timeout") || lowered.contains("elapsed") => (
            ClusterState::Unreachable,
            "the API server did not answer in time: check the network, VPN or proxy, then retry".to_owned(),
        ),
        _ if lowered.contains("connection refused") || lowered.contains("connectionrefused") => (
            ClusterState::Unreachable,
            "connection refused: the API server is down or the address is wrong; is the cluster running?".to_owned(),
        ),
        _ => (ClusterState::Unreachable, format!("cannot reach the API server: {detail}")),
    };
    (state, Some(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
        ApiResource {
            group: group.to_owned(),
            version: version.to_owned(),
            api_version: if group.is_empty() {
                version.to_owned()
            } else {
                format!("{group}/{version}")
            },
            kind: kind.to_owned(),
            plural: plural.to_owned(),
        }
    }

    #[test]
    fn the_cache_keeps_what_the_views_read_and_drops_field_ownership() {
        let managed = serde_json::json!([{"manager": "kubectl-edit", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}]);
        let pod = serde_json::json!({
            "metadata": {"name": "api-7d9", "namespace": "shop", "labels": {"app": "api"},
                         "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7d"}],
                         "managedFields": managed,
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "team": "web"}},
            "spec": {"serviceAccountName": "api", "nodeName": "n1",
                     "containers": [{"name": "api", "image": "api:1", "env": [{"name": "A", "value": "1"}]}],
                     "volumes": [{"name": "data", "emptyDir": {}}]},
            "status": {"phase": "Running", "podIP": "10.1.2.3", "containerStatuses": [{"name": "api", "ready": true}]},
        });
        let pods = resource("", "v1", "Pod", "pods");
        assert_eq!(shape("", "Pod"), Shape::Projected(POD_FIELDS));
        let kept = keep(pod, &pods, shape("", "Pod"));
        assert_eq!(
            kept.value(),
            &serde_json::json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "api-7d9", "namespace": "shop", "labels": {"app": "api"},
                             "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7d"}],
                             "annotations": {"team": "web"}},
                "spec": {"serviceAccountName": "api", "nodeName": "n1"},
                "status": {"phase": "Running", "podIP": "10.1.2.3"},
            })
        );

        let service = serde_json::json!({
            "metadata": {"name": "api", "namespace": "shop", "managedFields": managed,
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": {"ports": [{"port": 80}]},
        });
        let kept = keep(service, &resource("", "v1", "Service", "services"), shape("", "Service"));
        assert_eq!(
            kept.value(),
            &serde_json::json!({"apiVersion": "v1", "kind": "Service",
                                "metadata": {"name": "api", "namespace": "shop"},
                                "spec": {"ports": [{"port": 80}]}})
        );

        let namespace = serde_json::json!({"metadata": {"name": "shop"}, "spec": {"finalizers": ["kubernetes"]}});
        let kept =
            keep(namespace, &resource("", "v1", "Namespace", "namespaces"), shape("", "Namespace"));
        assert_eq!(
            kept.value(),
            &serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
        );
    }

    #[test]
    fn contexts_describe_auth_without_credentials() {
        let kubeconfig = Kubeconfig::from_yaml(
            "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://10.0.0.1:6443'}\n\
             contexts:\n- name: a\n  context: {cluster: c, user: u, namespace: shop}\n- name: b\n  context: {cluster: c, user: e}\n\
             users:\n- name: u\n  user: {token: abcdefghijklmnopqrstuvwxyz}\n- name: e\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws-iam}\n",
        )
        .unwrap();
        let summaries = contexts(&kubeconfig);
        assert_eq!(summaries[0].auth, "token");
        assert!(summaries[0].current);
        assert_eq!(summaries[0].server.as_deref(), Some("https://10.0.0.1:6443"));
        assert_eq!(summaries[1].auth, "exec plugin");
        assert!(
            !format!("{summaries:?}").contains("abcdefghijklmnop"),
            "a summary never holds the token"
        );
    }
}
