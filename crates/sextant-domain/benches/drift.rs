//! Objects normalised and diffed per second: 2,000 Deployments as an API server returns them
//! (managedFields from server-side apply and from `kubectl edit`, defaulted fields, canonical
//! quantities, status), against their desired manifests; one in ten carries an additive edit.
//!
//! Run with `cargo bench -p sextant-domain --bench drift`. Throughput is reported in elements
//! (desired/live pairs) per second.

use criterion::{Criterion, Throughput, criterion_main};
use serde_json::{Value, json};
use sextant_domain::drift::diff::{DiffOptions, diff_objects};
use sextant_domain::drift::ignore::IgnoreRules;
use sextant_domain::drift::schema_defaults::SchemaDefaults;
use sextant_domain::object::Document;

const OBJECTS: usize = 2_000;

fn desired(index: usize) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": format!("app-{index}"), "namespace": format!("team-{}", index % 20),
            "labels": {"app": format!("app-{index}"), "team": format!("team-{}", index % 20)}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": format!("app-{index}")}},
            "template": {
                "metadata": {"labels": {"app": format!("app-{index}")}},
                "spec": {"containers": [
                    {"name": "app", "image": format!("registry.example/app-{index}:1.{index}.0"),
                     "ports": [{"name": "http", "containerPort": 8080}],
                     "env": [{"name": "MODE", "value": "production"}, {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                     "resources": {"requests": {"cpu": "1000m", "memory": "3072Mi"}, "limits": {"cpu": 2, "memory": "4Gi"}},
                     "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}}},
                    {"name": "proxy", "image": "registry.example/proxy:2.0.1", "resources": {"requests": {"cpu": 0.5}}}
                ]}
            }
        }
    })
}

fn live(index: usize) -> Value {
    let mut env = vec![
        json!({"name": "MODE", "value": "production"}),
        json!({"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}),
    ];
    let mut managed = vec![json!({
        "manager": "kustomize-controller", "operation": "Apply", "apiVersion": "apps/v1", "time": "2026-11-20T10:00:00Z", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}, "f:team": {}}}, "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:containers": {
                "k:{\"name\":\"app\"}": {".": {}, "f:name": {}, "f:image": {}, "f:ports": {"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}}},
                    "f:env": {"k:{\"name\":\"MODE\"}": {".": {}, "f:name": {}, "f:value": {}}, "k:{\"name\":\"POD\"}": {".": {}, "f:name": {}, "f:valueFrom": {"f:fieldRef": {}}}},
                    "f:resources": {"f:limits": {"f:cpu": {}, "f:memory": {}}, "f:requests": {"f:cpu": {}, "f:memory": {}}},
                    "f:readinessProbe": {"f:httpGet": {"f:path": {}, "f:port": {}}}},
                "k:{\"name\":\"proxy\"}": {".": {}, "f:name": {}, "f:image": {}, "f:resources": {"f:requests": {"f:cpu": {}}}}}}}}}
    })];
    if index.is_multiple_of(10) {
        env.insert(0, json!({"name": "DEBUG", "value": "true"}));
        managed.push(json!({"manager": "kubectl-edit", "operation": "Update", "apiVersion": "apps/v1", "time": "2026-11-24T14:02:11Z", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {"f:env": {"k:{\"name\":\"DEBUG\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}}}));
    }
    managed.push(json!({"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1", "time": "2026-11-20T10:00:05Z", "subresource": "status", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:deployment.kubernetes.io/revision": {}}}, "f:status": {"f:replicas": {}, "f:readyReplicas": {}}}}));
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": format!("app-{index}"), "namespace": format!("team-{}", index % 20),
            "uid": format!("00000000-0000-4000-8000-{index:012}"), "resourceVersion": format!("{}", 100_000 + index), "generation": 3,
            "creationTimestamp": "2026-11-02T09:12:44Z",
            "labels": {"app": format!("app-{index}"), "team": format!("team-{}", index % 20), "kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
            "annotations": {"deployment.kubernetes.io/revision": "3"},
            "managedFields": managed},
        "spec": {
            "progressDeadlineSeconds": 600, "replicas": 2, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": format!("app-{index}")}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"creationTimestamp": null, "labels": {"app": format!("app-{index}")}},
                "spec": {
                    "containers": [
                        {"name": "app", "image": format!("registry.example/app-{index}:1.{index}.0"), "imagePullPolicy": "IfNotPresent",
                         "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}], "env": env,
                         "resources": {"requests": {"cpu": "1", "memory": "3Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}},
                         "readinessProbe": {"httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"}, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
                         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"},
                        {"name": "proxy", "image": "registry.example/proxy:2.0.1", "imagePullPolicy": "IfNotPresent", "resources": {"requests": {"cpu": "500m"}},
                         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}
                    ],
                    "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {}, "terminationGracePeriodSeconds": 30
                }
            }
        },
        "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 3,
            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]}
    })
}

fn diff_deployments(criterion: &mut Criterion) {
    let desired: Vec<Document> = (0..OBJECTS).map(|index| Document::new(desired(index))).collect();
    let live: Vec<Document> = (0..OBJECTS).map(|index| Document::new(live(index))).collect();
    let ignore = IgnoreRules::default();
    let schemas = SchemaDefaults::default();
    let options = DiffOptions {
        ignore: &ignore,
        schemas: &schemas,
        default_namespace: "default",
        controller: None,
    };
    // The input is what the bench claims: one drifted object in ten, the rest in sync.
    let report = diff_objects(&desired, &live, &options);
    assert_eq!(report.summary().drifted, OBJECTS / 10, "the bench input is not what it says");
    assert_eq!(report.summary().in_sync, OBJECTS - OBJECTS / 10);
    let mut group = criterion.benchmark_group("drift");
    group.throughput(Throughput::Elements(OBJECTS as u64));
    group.bench_function("diff_2000_deployments", |bencher| {
        bencher.iter(|| std::hint::black_box(diff_objects(&desired, &live, &options)));
    });
    group.finish();
}

fn benches() {
    let mut criterion = Criterion::default().configure_from_args();
    diff_deployments(&mut criterion);
}

criterion_main!(benches);
