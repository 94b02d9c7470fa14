//! Serves a synthetic fleet for the scale benchmark (BENCHMARKS.md, "Live clusters at scale"):
//! N in-process API servers with M objects each across 50 namespaces, shaped as a real API
//! server returns them (managedFields, kubectl's last-applied annotation, full Pod specs and
//! statuses): 40 % Pods, 10 % Deployments, 20 % Services, 20 % HTTPRoutes, 10 % PolicyReports.
//! Writes a kubeconfig naming them all, and runs until killed.
//!
//! `cargo run --release -p sextant-e2e --example scale_servers -- 5 20000 /tmp/scale.kubeconfig`
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::format_push_string,
    reason = "a benchmark fixture"
)]

use serde_json::{Value, json};
use sextant_testkit::fake_apiserver::FakeApiServer;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let clusters: usize = args.next().and_then(|value| value.parse().ok()).unwrap_or(5);
    let per_cluster: usize = args.next().and_then(|value| value.parse().ok()).unwrap_or(20_000);
    let kubeconfig = args.next().unwrap_or_else(|| "/tmp/scale.kubeconfig".to_owned());
    let mut servers = Vec::new();
    let (mut entries, mut contexts) = (String::new(), String::new());
    for cluster in 0..clusters {
        let mut objects = Vec::with_capacity(per_cluster + 50);
        for namespace in 0..50 {
            objects.push(json!({"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": format!("team-{namespace}"), "resourceVersion": "1"}}));
        }
        for index in 0..per_cluster {
            objects.push(object(cluster, index));
        }
        let server = FakeApiServer::start(objects).await;
        entries.push_str(&format!(
            "- name: c{cluster}\n  cluster: {{server: 'http://127.0.0.1:{}'}}\n",
            server.port
        ));
        contexts.push_str(&format!(
            "- name: cluster-{cluster}\n  context: {{cluster: c{cluster}, user: dev}}\n"
        ));
        servers.push(server);
    }
    std::fs::write(
        &kubeconfig,
        format!("apiVersion: v1\nkind: Config\ncurrent-context: cluster-0\nclusters:\n{entries}contexts:\n{contexts}users:\n- name: dev\n  user: {{token: bench}}\n"),
    )
    .unwrap();
    println!("ready: {clusters} clusters x {per_cluster} objects, kubeconfig {kubeconfig}");
    tokio::signal::ctrl_c().await.unwrap();
    drop(servers);
}

fn managed_fields(manager: &str) -> Value {
    json!([
        {"manager": manager, "operation": "Apply", "apiVersion": "v1", "time": "2026-11-20T10:00:00Z",
         "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}, "f:tier": {}}},
            "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}, "f:ports": {}}}}}}}},
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "subresource": "status",
         "time": "2026-11-20T10:00:05Z", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:status": {"f:conditions": {}, "f:observedGeneration": {}, "f:replicas": {}}}}
    ])
}

/// Object `index` of `cluster`: the kind by `index % 10`.
fn object(cluster: usize, index: usize) -> Value {
    let namespace = format!("team-{}", index % 50);
    let name = format!("app-{index}");
    let uid = format!("2b7c1d3e-{cluster:04}-4a5b-8c9d-{index:012}");
    let metadata = |labels: Value| {
        json!({"name": name, "namespace": namespace, "uid": uid, "resourceVersion": format!("{}", 1000 + index),
               "generation": 1, "creationTimestamp": "2026-11-20T10:00:00Z", "labels": labels,
               "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                   format!("{{\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{namespace}\"}}}}")},
               "managedFields": managed_fields("kustomize-controller")})
    };
    match index % 10 {
        0..=3 => json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("{name}-7d9f8-x2k4p"), "namespace": namespace, "uid": uid,
                "resourceVersion": format!("{}", 1000 + index), "creationTimestamp": "2026-11-20T10:00:00Z",
                "labels": {"app": name, "pod-template-hash": "7d9f8"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{name}-7d9f8"),
                                     "uid": uid, "controller": true, "blockOwnerDeletion": true}],
                "managedFields": managed_fields("kube-controller-manager")},
            "spec": {"serviceAccountName": "app", "nodeName": format!("node-{}", index % 20),
                "containers": [{"name": "app", "image": format!("registry.example.com/{name}:1.4.2"),
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                    "volumeMounts": [{"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}],
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
                "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}],
                "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                "terminationGracePeriodSeconds": 30, "securityContext": {}, "priority": 0,
                "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]},
            "status": {"phase": "Running", "podIP": format!("10.{}.{}.{}", cluster, index / 256 % 256, index % 256),
                "hostIP": "192.168.1.10", "startTime": "2026-11-20T10:00:01Z", "qosClass": "Burstable",
                "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-20T10:00:04Z"},
                               {"type": "ContainersReady", "status": "True", "lastTransitionTime": "2026-11-20T10:00:04Z"},
                               {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-11-20T10:00:00Z"}],
                "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "started": true,
                    "image": format!("registry.example.com/{name}:1.4.2"),
                    "imageID": "registry.example.com/app@sha256:4f2a9c0e7b1d3a5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5",
                    "containerID": format!("containerd://{uid}"), "state": {"running": {"startedAt": "2026-11-20T10:00:03Z"}}}]}}),
        4 => {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata(json!({"app": name, "tier": "web"})),
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": {"metadata": {"labels": {"app": name}},
                    "spec": {"serviceAccountName": "app", "containers": [{"name": "app",
                        "image": format!("registry.example.com/{name}:1.4.2"), "ports": [{"containerPort": 8080}]}]}}},
            "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 1,
                "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]}})
        }
        5 | 6 => {
            json!({"apiVersion": "v1", "kind": "Service", "metadata": metadata(json!({"app": name, "tier": "web"})),
            "spec": {"selector": {"app": name}, "type": "ClusterIP", "clusterIP": format!("10.96.{}.{}", index / 256 % 256, index % 256),
                     "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}})
        }
        7 | 8 => json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": metadata(json!({"app": name})),
            "spec": {"parentRefs": [{"name": "edge", "namespace": "infra"}],
                     "hostnames": [format!("{name}.example.com")],
                     "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                                "backendRefs": [{"name": format!("app-{}", index - 2), "port": 80}]}]}}),
        _ => json!({"apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": "PolicyReport",
            "metadata": metadata(json!({"app.kubernetes.io/managed-by": "kyverno"})),
            "scope": {"apiVersion": "apps/v1", "kind": "Deployment", "name": format!("app-{}", index - 5), "namespace": namespace},
            "summary": {"pass": 3, "fail": 1, "warn": 0, "error": 0, "skip": 0},
            "results": [
                {"policy": "require-labels", "rule": "check-team", "result": "fail", "severity": "medium",
                 "message": "validation error: label team is required", "source": "kyverno", "timestamp": {"seconds": 1_795_000_000}},
                {"policy": "disallow-latest", "rule": "validate-image-tag", "result": "pass", "source": "kyverno", "timestamp": {"seconds": 1_795_000_000}},
                {"policy": "require-requests", "rule": "validate-resources", "result": "pass", "source": "kyverno", "timestamp": {"seconds": 1_795_000_000}},
                {"policy": "restrict-registries", "rule": "validate-registries", "result": "pass", "source": "kyverno", "timestamp": {"seconds": 1_795_000_000}}]}),
    }
}
