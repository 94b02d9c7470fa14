//! The per-application drift diff end to end: real Git repositories written by the test with the
//! `git` CLI (a Flux mono-repo laid out like `flux2-kustomize-helm-example`, with a local Helm
//! chart, and an Argo CD app-of-apps), the kmock Kubernetes emulator seeded with the Flux and Argo
//! objects and with live objects whose `managedFields` say who changed what, and the cockpit
//! reading it all through its kubeconfig.
//!
//! Every expected field below is worked out by hand from the repositories and the seed: the
//! rendered manifest on one side, the seeded live object on the other, and spec §4.8's rule.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on a broken server or repository"
)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sextant_adapters::render::Tools;
use sextant_app::{
    Cockpit, LiveConfig, Source,
    drift_pipeline::{DryRunPolicy, PipelineOptions},
};
use sextant_protocol::{
    ObjectRef,
    drift::{DiffMode, DriftDiff, FieldClass, FieldDiff, ObjectDiff, ObjectState},
};
use sextant_testkit::{start_kmock, workspace_root};

const CRDS: &[&str] = &[
    "kustomize.toolkit.fluxcd.io/v1/kustomizations:Kustomization:ns",
    "helm.toolkit.fluxcd.io/v2/helmreleases:HelmRelease:ns",
    "source.toolkit.fluxcd.io/v1/gitrepositories:GitRepository:ns",
    "argoproj.io/v1alpha1/applications:Application:ns",
    "example.com/v1/widgets:Widget:ns",
];

/// The secret substituted into the ConfigMap: it must never appear in an answer.
const API_TOKEN: &str = "s3cr3t-api-token-4711";

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

fn git(root: &Path, arguments: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.name=Sextant Test", "-c", "user.email=test@sextant.example"])
        .args(arguments)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {arguments:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Commits everything under `root` on `main` and returns the commit id.
fn commit_all(root: &Path) -> String {
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "platform"]);
    git(root, &["rev-parse", "HEAD"])
}

/// A Flux mono-repo: clusters/, infrastructure/ with a local Helm chart, apps/ base + overlay.
fn flux_repository(root: &Path) -> String {
    write(
        root,
        "clusters/production/apps.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps/production\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  targetNamespace: podinfo\n",
    );
    write(
        root,
        "clusters/production/infrastructure.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: cache\n  namespace: flux-system\nspec:\n  releaseName: cache\n  targetNamespace: cache\n  chart:\n    spec:\n      chart: ./infrastructure/charts/cache\n      sourceRef:\n        kind: GitRepository\n        name: flux-system\n  values:\n    tag: '7.4'\n",
    );
    write(
        root,
        "infrastructure/charts/cache/Chart.yaml",
        "apiVersion: v2\nname: cache\nversion: 0.1.0\n",
    );
    write(root, "infrastructure/charts/cache/values.yaml", "tag: '7.0'\nreplicaCount: 1\n");
    write(
        root,
        "infrastructure/charts/cache/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    app: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  selector:\n    matchLabels:\n      app: {{ .Release.Name }}\n  template:\n    metadata:\n      labels:\n        app: {{ .Release.Name }}\n    spec:\n      containers:\n      - name: redis\n        image: \"redis:{{ .Values.tag }}\"\n",
    );
    write(
        root,
        "apps/base/podinfo/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n- service.yaml\n- configmap.yaml\n- frontend.yaml\n- hpa.yaml\n- extra.yaml\n",
    );
    write(
        root,
        "apps/base/podinfo/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\n  labels:\n    app: podinfo\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: podinfo\n  template:\n    metadata:\n      labels:\n        app: podinfo\n    spec:\n      containers:\n      - name: podinfo\n        image: ${registry}/podinfo:6.5.0\n        env:\n        - name: LOG_LEVEL\n          value: info\n        resources:\n          requests:\n            cpu: 1000m\n            memory: 64Mi\n",
    );
    write(
        root,
        "apps/base/podinfo/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo\n  labels:\n    app: podinfo\n    tier: frontend\nspec:\n  selector:\n    app: podinfo\n  ports:\n  - name: http\n    port: 9898\n    targetPort: 9898\n",
    );
    write(
        root,
        "apps/base/podinfo/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-config\ndata:\n  registry: ${registry}\n  token: ${api_token}\n",
    );
    write(
        root,
        "apps/base/podinfo/frontend.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: frontend\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: frontend\n  template:\n    metadata:\n      labels:\n        app: frontend\n    spec:\n      containers:\n      - name: frontend\n        image: nginx:1.27\n",
    );
    write(
        root,
        "apps/base/podinfo/hpa.yaml",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: frontend\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: frontend\n  minReplicas: 1\n  maxReplicas: 5\n",
    );
    write(
        root,
        "apps/base/podinfo/extra.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-extra\ndata:\n  mode: new\n",
    );
    write(
        root,
        "apps/production/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../base/podinfo\npatches:\n- target:\n    kind: Deployment\n    name: podinfo\n  patch: |\n    - op: replace\n      path: /spec/replicas\n      value: 2\n",
    );
    write(
        root,
        "apps/broken/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- missing-file.yaml\n",
    );
    commit_all(root)
}

/// An Argo CD app-of-apps: `apps/` holds the child Applications (plain, Kustomize, Helm).
fn argo_repository(root: &Path) -> String {
    let url = format!("file://{}", root.display());
    let child = |name: &str, path: &str, extra: &str| {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: {url}\n    path: {path}\n    targetRevision: main\n{extra}  destination:\n    server: https://kubernetes.default.svc\n    namespace: guestbook\n"
        )
    };
    write(root, "apps/plain.yaml", &child("guestbook-plain", "plain", ""));
    write(
        root,
        "apps/kustomize.yaml",
        &child("guestbook-kustomize", "kustomize/overlays/prod", ""),
    );
    write(
        root,
        "apps/helm.yaml",
        &child("guestbook-helm", "helm/guestbook", "    helm:\n      releaseName: guestbook\n"),
    );
    write(
        root,
        "plain/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guestbook-ui\ndata:\n  title: Guestbook\n  footer: made in Git\n",
    );
    write(
        root,
        "plain/widget.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gear\nspec:\n  color: blue\n",
    );
    write(root, "kustomize/base/kustomization.yaml", "resources:\n- deployment.yaml\n");
    write(
        root,
        "kustomize/base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: guestbook\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: guestbook\n  template:\n    metadata:\n      labels:\n        app: guestbook\n    spec:\n      containers:\n      - name: guestbook\n        image: guestbook:v1\n",
    );
    write(
        root,
        "kustomize/overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\nnamePrefix: prod-\n",
    );
    write(root, "helm/guestbook/Chart.yaml", "apiVersion: v2\nname: guestbook\nversion: 0.1.0\n");
    write(root, "helm/guestbook/values.yaml", "port: 80\n");
    write(
        root,
        "helm/guestbook/templates/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  selector:\n    app: guestbook\n  ports:\n  - port: {{ .Values.port }}\n    targetPort: 80\n",
    );
    commit_all(root)
}

#[allow(clippy::needless_pass_by_value, reason = "called with json! literals")]
fn managed(manager: &str, operation: &str, time: &str, fields: Value) -> Value {
    json!({"manager": manager, "operation": operation, "time": time, "apiVersion": "v1",
           "fieldsType": "FieldsV1", "fieldsV1": fields})
}

fn flux_labels(fields: Value) -> Value {
    let mut fields = fields;
    fields["f:metadata"]["f:labels"]["f:kustomize.toolkit.fluxcd.io/name"] = json!({});
    fields["f:metadata"]["f:labels"]["f:kustomize.toolkit.fluxcd.io/namespace"] = json!({});
    fields
}

const APPLIED: &str = "2026-11-20T10:00:00Z";
const EDITED: &str = "2026-11-24T14:02:00Z";

fn flux_seed(repository: &Path, commit: &str) -> Value {
    let labels = |app: &str| json!({"app": app, "kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"});
    let revision = format!("main@sha1:{commit}");
    let inventory: Vec<Value> = [
        "podinfo_podinfo_apps_Deployment",
        "podinfo_frontend_apps_Deployment",
        "podinfo_podinfo__Service",
        "podinfo_podinfo-config__ConfigMap",
        "podinfo_frontend_autoscaling_HorizontalPodAutoscaler",
        "podinfo_podinfo-legacy__ConfigMap",
    ]
    .iter()
    .map(|id| json!({"id": id, "v": if id.contains("autoscaling") { "v2" } else { "v1" }}))
    .collect();
    json!([
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "podinfo"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "cache"}},
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
         "metadata": {"name": "flux-system", "namespace": "flux-system", "generation": 1},
         "spec": {"url": format!("file://{}", repository.display()), "ref": {"branch": "main"}, "interval": "1m"},
         "status": {"observedGeneration": 1, "artifact": {"revision": revision},
                    "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded", "message": "stored artifact"}]}},
        {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
         "metadata": {"name": "apps", "namespace": "flux-system", "generation": 1},
         "spec": {"interval": "10m", "path": "./apps/production", "prune": true, "targetNamespace": "podinfo",
                  "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                  "postBuild": {"substituteFrom": [{"kind": "ConfigMap", "name": "cluster-vars"},
                                                   {"kind": "Secret", "name": "cluster-secrets"}]}},
         "status": {"observedGeneration": 1, "lastAppliedRevision": revision, "lastAttemptedRevision": revision,
                    "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": "Applied revision"}],
                    "inventory": {"entries": inventory}}},
        {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
         "metadata": {"name": "broken", "namespace": "flux-system", "generation": 1},
         "spec": {"interval": "10m", "path": "./apps/broken", "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
         "status": {"observedGeneration": 1, "lastAppliedRevision": revision,
                    "conditions": [{"type": "Ready", "status": "False", "reason": "BuildFailed", "message": "kustomize build failed"}]}},
        {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
         "metadata": {"name": "cache", "namespace": "flux-system", "generation": 1},
         "spec": {"releaseName": "cache", "targetNamespace": "cache", "values": {"tag": "7.4"},
                  "chart": {"spec": {"chart": "./infrastructure/charts/cache",
                                     "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}}},
         "status": {"observedGeneration": 1, "lastAttemptedRevision": "0.1.0",
                    "conditions": [{"type": "Ready", "status": "True", "reason": "UpgradeSucceeded", "message": "Helm upgrade succeeded"}]}},
        // The "GitOps bridge": values written by Terraform into a ConfigMap, and a Secret.
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cluster-vars", "namespace": "flux-system"},
         "data": {"registry": "registry.internal:5000"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cluster-secrets", "namespace": "flux-system"},
         "type": "Opaque", "data": {"api_token": "czNjcjN0LWFwaS10b2tlbi00NzEx"}},
        // podinfo: replicas changed 2 -> 3 and DEBUG added by kubectl edit; cpu spelled "1"
        // by the server for Git's "1000m"; the server's defaults present.
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "podinfo", "namespace": "podinfo", "generation": 3, "labels": labels("podinfo"),
            "managedFields": [
                managed("kustomize-controller", "Apply", APPLIED, flux_labels(json!({"f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                        "f:spec": {"f:containers": {"k:{\"name\":\"podinfo\"}": {".": {}, "f:name": {}, "f:image": {},
                            "f:env": {"k:{\"name\":\"LOG_LEVEL\"}": {".": {}, "f:name": {}, "f:value": {}}},
                            "f:resources": {"f:requests": {"f:cpu": {}, "f:memory": {}}}}}}}}}))),
                managed("kubectl-edit", "Update", EDITED, json!({"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"podinfo\"}": {"f:env": {"k:{\"name\":\"DEBUG\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}}))
            ]},
         "spec": {"replicas": 3, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                  "selector": {"matchLabels": {"app": "podinfo"}},
                  "template": {"metadata": {"labels": {"app": "podinfo"}, "creationTimestamp": null},
                     "spec": {"containers": [{"name": "podinfo", "image": "registry.internal:5000/podinfo:6.5.0",
                        "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "DEBUG", "value": "true"}],
                        "resources": {"requests": {"cpu": "1", "memory": "64Mi"}},
                        "imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File"}],
                      "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                      "securityContext": {}, "terminationGracePeriodSeconds": 30}}},
         "status": {"replicas": 3, "readyReplicas": 3}},
        // frontend: replicas set to 4 by the HPA through /scale.
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "frontend", "namespace": "podinfo", "labels": {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
            "managedFields": [
                managed("kustomize-controller", "Apply", APPLIED, flux_labels(json!({"f:metadata": {"f:labels": {}},
                    "f:spec": {"f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                        "f:spec": {"f:containers": {"k:{\"name\":\"frontend\"}": {".": {}, "f:name": {}, "f:image": {}}}}}}}))),
                {"manager": "kube-controller-manager", "operation": "Update", "time": EDITED, "subresource": "scale",
                 "apiVersion": "apps/v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
            ]},
         "spec": {"replicas": 4, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                  "selector": {"matchLabels": {"app": "frontend"}},
                  "template": {"metadata": {"labels": {"app": "frontend"}},
                     "spec": {"containers": [{"name": "frontend", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
                      "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                      "securityContext": {}, "terminationGracePeriodSeconds": 30}}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "frontend", "namespace": "podinfo", "labels": {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
            "managedFields": [managed("kustomize-controller", "Apply", APPLIED, flux_labels(json!({"f:metadata": {"f:labels": {}}, "f:spec": {"f:scaleTargetRef": {}, "f:minReplicas": {}, "f:maxReplicas": {}}})))]},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "frontend"}, "minReplicas": 1, "maxReplicas": 5},
         "status": {"currentReplicas": 4, "desiredReplicas": 4}},
        // The tier label was deleted live.
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "podinfo", "namespace": "podinfo", "labels": labels("podinfo"),
            "managedFields": [managed("kustomize-controller", "Apply", APPLIED, flux_labels(json!({"f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {"f:selector": {}, "f:ports": {"k:{\"port\":9898,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}, "f:port": {}, "f:targetPort": {}}}}})))]},
         "spec": {"selector": {"app": "podinfo"}, "type": "ClusterIP", "sessionAffinity": "None",
                  "clusterIP": "10.43.12.7", "clusterIPs": ["10.43.12.7"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                  "internalTrafficPolicy": "Cluster",
                  "ports": [{"name": "http", "port": 9898, "protocol": "TCP", "targetPort": 9898}]}},
        // The token was changed by hand; Git substitutes the Secret's value.
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "podinfo-config", "namespace": "podinfo", "labels": {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
            "managedFields": [
                managed("kustomize-controller", "Apply", APPLIED, flux_labels(json!({"f:metadata": {"f:labels": {}}, "f:data": {"f:registry": {}}}))),
                managed("kubectl-edit", "Update", EDITED, json!({"f:data": {"f:token": {}}}))
            ]},
         "data": {"registry": "registry.internal:5000", "token": "rotated-by-hand"}},
        // In the inventory, no longer in Git.
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "podinfo-legacy", "namespace": "podinfo", "labels": {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}},
         "data": {"mode": "old"}},
        // The Helm release's Deployment: the controller applied redis:7.2, Git now says 7.4.
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "cache", "namespace": "cache",
            "labels": {"app": "cache", "app.kubernetes.io/managed-by": "Helm", "helm.toolkit.fluxcd.io/name": "cache", "helm.toolkit.fluxcd.io/namespace": "flux-system"},
            "annotations": {"meta.helm.sh/release-name": "cache", "meta.helm.sh/release-namespace": "cache"},
            "managedFields": [managed("helm-controller", "Update", APPLIED, json!({
                "f:metadata": {"f:labels": {".": {}, "f:app": {}, "f:app.kubernetes.io/managed-by": {}, "f:helm.toolkit.fluxcd.io/name": {}, "f:helm.toolkit.fluxcd.io/namespace": {}},
                               "f:annotations": {".": {}, "f:meta.helm.sh/release-name": {}, "f:meta.helm.sh/release-namespace": {}}},
                "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"redis\"}": {".": {}, "f:name": {}, "f:image": {}}}}}}}))]},
         "spec": {"replicas": 1, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                  "selector": {"matchLabels": {"app": "cache"}},
                  "template": {"metadata": {"labels": {"app": "cache"}},
                     "spec": {"containers": [{"name": "redis", "image": "redis:7.2", "imagePullPolicy": "IfNotPresent",
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
                      "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                      "securityContext": {}, "terminationGracePeriodSeconds": 30}}}}
    ])
}

fn argo_seed(repository: &Path, commit: &str) -> Value {
    let url = format!("file://{}", repository.display());
    let application = |name: &str,
                       path: &str,
                       helm: Option<Value>,
                       resources: Value,
                       tracked: bool| {
        let mut source = json!({"repoURL": url, "path": path, "targetRevision": "main"});
        if let Some(helm) = helm {
            source["helm"] = helm;
        }
        let mut metadata = json!({"name": name, "namespace": "argocd"});
        if tracked {
            metadata["annotations"] = json!({"argocd.argoproj.io/tracking-id": format!("root:argoproj.io/Application:argocd/{name}")});
        }
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": metadata,
               "spec": {"project": "default", "source": source,
                        "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"}},
               "status": {"sync": {"status": "OutOfSync", "revision": commit}, "health": {"status": "Healthy"},
                          "resources": resources}})
    };
    let mut plain = application(
        "guestbook-plain",
        "plain",
        None,
        json!([{"version": "v1", "kind": "ConfigMap", "namespace": "guestbook", "name": "guestbook-ui", "status": "OutOfSync"}]),
        true,
    );
    // The footer is an ignored difference; the title is drift.
    plain["spec"]["ignoreDifferences"] =
        json!([{"kind": "ConfigMap", "jsonPointers": ["/data/footer"]}]);
    let tracking = |app: &str, group: &str, kind: &str, name: &str| json!({"argocd.argoproj.io/tracking-id": format!("{app}:{group}/{kind}:guestbook/{name}")});
    json!([
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "argocd"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "guestbook"}},
        application("root", "apps", None, json!([
            {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application", "namespace": "argocd", "name": "guestbook-plain", "status": "Synced"},
            {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application", "namespace": "argocd", "name": "guestbook-kustomize", "status": "Synced"},
            {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application", "namespace": "argocd", "name": "guestbook-helm", "status": "Synced"}]), false),
        plain,
        application("guestbook-kustomize", "kustomize/overlays/prod", None,
            json!([{"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "guestbook", "name": "prod-guestbook", "status": "Synced"}]), true),
        application("guestbook-helm", "helm/guestbook", Some(json!({"releaseName": "guestbook"})),
            json!([{"version": "v1", "kind": "Service", "namespace": "guestbook", "name": "guestbook", "status": "Synced"}]), true),
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "guestbook-ui", "namespace": "guestbook", "annotations": tracking("guestbook-plain", "", "ConfigMap", "guestbook-ui"),
            "managedFields": [
                managed("argocd-controller", "Apply", APPLIED, json!({"f:metadata": {"f:annotations": {"f:argocd.argoproj.io/tracking-id": {}}}, "f:data": {}})),
                managed("kubectl-edit", "Update", EDITED, json!({"f:data": {"f:title": {}, "f:footer": {}}}))]},
         "data": {"title": "Guestbook (hotfix)", "footer": "edited live"}},
        // A custom resource whose CRD defaults spec.size: the live copy has it, Git does not.
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": {"name": "widgets.example.com"},
         "spec": {"group": "example.com", "scope": "Namespaced",
                  "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                  "versions": [{"name": "v1", "served": true, "storage": true,
                      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                          "spec": {"type": "object", "properties": {
                              "color": {"type": "string"},
                              "size": {"type": "string", "default": "medium"}}}}}}}]}},
        {"apiVersion": "example.com/v1", "kind": "Widget",
         "metadata": {"name": "gear", "namespace": "guestbook", "annotations": tracking("guestbook-plain", "example.com", "Widget", "gear"),
            "managedFields": [managed("argocd-controller", "Apply", APPLIED, json!({"f:metadata": {"f:annotations": {}}, "f:spec": {"f:color": {}}}))]},
         "spec": {"color": "blue", "size": "medium"}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "prod-guestbook", "namespace": "guestbook", "annotations": tracking("guestbook-kustomize", "apps", "Deployment", "prod-guestbook"),
            "managedFields": [managed("argocd-controller", "Apply", APPLIED, json!({"f:metadata": {"f:annotations": {}}, "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {}}}))]},
         "spec": {"replicas": 1, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                  "selector": {"matchLabels": {"app": "guestbook"}},
                  "template": {"metadata": {"labels": {"app": "guestbook"}},
                     "spec": {"containers": [{"name": "guestbook", "image": "guestbook:v1", "imagePullPolicy": "IfNotPresent",
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
                      "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                      "securityContext": {}, "terminationGracePeriodSeconds": 30}}}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "guestbook", "namespace": "guestbook", "annotations": tracking("guestbook-helm", "", "Service", "guestbook"),
            "managedFields": [managed("argocd-controller", "Apply", APPLIED, json!({"f:metadata": {"f:annotations": {}}, "f:spec": {"f:selector": {}, "f:ports": {}}}))]},
         "spec": {"selector": {"app": "guestbook"}, "type": "ClusterIP", "sessionAffinity": "None",
                  "clusterIP": "10.43.40.2", "clusterIPs": ["10.43.40.2"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                  "internalTrafficPolicy": "Cluster", "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}}
    ])
}

struct Emulated {
    _server: sextant_testkit::RunningServer,
    cockpit: Cockpit,
    context: String,
    kubeconfig: kube::config::Kubeconfig,
    _repository: tempfile::TempDir,
}

async fn emulate(seed: impl FnOnce(&Path) -> Value) -> Emulated {
    let repository = tempfile::tempdir().unwrap();
    let seed = seed(repository.path());
    let crds: Vec<String> = CRDS.iter().map(|crd| (*crd).to_owned()).collect();
    let (server, kubeconfig_path) = start_kmock(&seed, &crds);
    let kubeconfig = kube::config::Kubeconfig::read_from(&kubeconfig_path).unwrap();
    let context = kubeconfig.contexts[0].name.clone();
    let live = LiveConfig {
        kubeconfig: Ok(Some(kubeconfig.clone())),
        broken_contexts: std::collections::BTreeMap::new(),
        unreadable_kubeconfigs: Vec::new(),
        vault: sextant_adapters::vault::VaultConfig::default(),
        nats: None,
    };
    let cockpit = Cockpit::start_with(live, Some(Source::Live)).await;
    Emulated { _server: server, cockpit, context, kubeconfig, _repository: repository }
}

fn options(dry_run: DryRunPolicy) -> PipelineOptions {
    PipelineOptions {
        dry_run,
        tools: Tools {
            kubectl: PathBuf::from("kubectl"),
            helm: workspace_root().join(".tools/bin/helm"),
        },
        cache: std::env::temp_dir().join("sextant-e2e-git-cache"),
    }
}

fn app(context: &str, kind: &str, namespace: &str, name: &str) -> ObjectRef {
    ObjectRef {
        cluster: context.to_owned(),
        kind: kind.to_owned(),
        namespace: Some(namespace.to_owned()),
        name: name.to_owned(),
    }
}

/// The diff, once the cockpit's watches have seen the application.
async fn diff_of(emulated: &Emulated, app_ref: &ObjectRef, dry_run: DryRunPolicy) -> DriftDiff {
    let mut last = None;
    for _ in 0..40 {
        match emulated.cockpit.app_drift_diff(app_ref, &options(dry_run)).await {
            Ok(diff) => return diff,
            Err(error) if error.code == sextant_protocol::ErrorCode::NotFound => last = Some(error),
            Err(error) => panic!("{error}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("the cockpit never saw {app_ref:?}: {last:?}")
}

fn object<'d>(diff: &'d DriftDiff, kind: &str, name: &str) -> &'d ObjectDiff {
    diff.objects
        .iter()
        .find(|object| object.id.kind == kind && object.id.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {:#?}", diff.objects))
}

fn fields(object: &ObjectDiff) -> Vec<(&str, FieldClass)> {
    object.fields.iter().map(|field| (field.path.as_str(), field.class)).collect()
}

fn field<'o>(object: &'o ObjectDiff, path: &str) -> &'o FieldDiff {
    object
        .fields
        .iter()
        .find(|field| field.path == path)
        .unwrap_or_else(|| panic!("no {path} in {:#?}", object.fields))
}

/// The Flux Kustomization's answer, the same in both modes (hand-computed from the repository
/// and the seed).
fn assert_flux_apps(diff: &DriftDiff) {
    let podinfo = object(diff, "Deployment", "podinfo");
    assert_eq!(podinfo.state, ObjectState::Drifted);
    assert_eq!(
        fields(podinfo),
        [
            ("/spec/replicas", FieldClass::Drift),
            ("/spec/template/spec/containers/0/env/1", FieldClass::Drift)
        ],
        "only the edits: the server's defaults and cpu 1 for 1000m are not drift"
    );
    let replicas = field(podinfo, "/spec/replicas");
    assert_eq!((replicas.desired.clone(), replicas.live.clone()), (Some(json!(2)), Some(json!(3))));
    assert_eq!(replicas.manager.as_deref(), Some("kubectl-edit"));
    assert_eq!(replicas.time.as_deref(), Some(EDITED));
    assert_eq!(replicas.last_applied, None, "kubectl-edit took the field over: not recoverable");
    let debug = field(podinfo, "/spec/template/spec/containers/0/env/1");
    assert_eq!(debug.live, Some(json!({"name": "DEBUG", "value": "true"})));
    assert_eq!(debug.desired, None);
    assert!(debug.reason.starts_with("added by kubectl-edit"), "{}", debug.reason);

    let frontend = object(diff, "Deployment", "frontend");
    assert_eq!(frontend.state, ObjectState::InSync);
    assert_eq!(fields(frontend), [("/spec/replicas", FieldClass::ExpectedMutation)]);
    assert!(field(frontend, "/spec/replicas").reason.contains("HorizontalPodAutoscaler frontend"));

    let service = object(diff, "Service", "podinfo");
    assert_eq!(fields(service), [("/metadata/labels/tier", FieldClass::Drift)]);
    assert_eq!(field(service, "/metadata/labels/tier").reason, "in Git, absent live");

    let config = object(diff, "ConfigMap", "podinfo-config");
    assert_eq!(fields(config), [("/data/token", FieldClass::Drift)]);
    let token = field(config, "/data/token");
    assert_eq!(token.desired, Some(json!("[redacted]")), "the substituted Secret value is masked");
    assert_eq!(token.live, Some(json!("rotated-by-hand")));

    assert_eq!(object(diff, "ConfigMap", "podinfo-extra").state, ObjectState::MissingLive);
    assert_eq!(object(diff, "ConfigMap", "podinfo-legacy").state, ObjectState::NotInGit);
    assert_eq!(object(diff, "HorizontalPodAutoscaler", "frontend").state, ObjectState::InSync);
    assert_eq!(
        (
            diff.summary.in_sync,
            diff.summary.drifted,
            diff.summary.missing_live,
            diff.summary.not_in_git
        ),
        (2, 3, 1, 1),
        "{:#?}",
        diff.objects
    );
    let text = serde_json::to_string(diff).unwrap();
    assert!(!text.contains(API_TOKEN), "a Secret value reached the answer: {text}");
}

#[tokio::test]
async fn a_flux_kustomization_is_diffed_locally_against_the_emulator() {
    let mut commit = String::new();
    let emulated = emulate(|root| {
        commit = flux_repository(root);
        flux_seed(root, &commit)
    })
    .await;
    let apps = app(&emulated.context, "Kustomization", "flux-system", "apps");
    let diff = diff_of(&emulated, &apps, DryRunPolicy::Never).await;
    assert_eq!(diff.mode, DiffMode::Estimated);
    let source = diff.source.clone().unwrap();
    assert_eq!(
        source.revision.as_deref(),
        Some(commit.as_str()),
        "the applied revision is rendered"
    );
    assert_eq!(source.revision_note, None);
    assert_eq!(source.renderer, "flux kustomization");
    assert!(source.engine.starts_with("estimated locally"), "{}", source.engine);
    assert_flux_apps(&diff);

    // A HelmRelease whose chart is a directory of the same repository: the controller applied
    // redis:7.2 and still owns the image, Git says 7.4.
    let cache = diff_of(
        &emulated,
        &app(&emulated.context, "HelmRelease", "flux-system", "cache"),
        DryRunPolicy::Never,
    )
    .await;
    assert_eq!(cache.source.as_ref().unwrap().renderer, "helm");
    let deployment = object(&cache, "Deployment", "cache");
    assert_eq!(
        fields(deployment),
        [("/spec/template/spec/containers/0/image", FieldClass::Drift)],
        "{cache:#?}"
    );
    let image = field(deployment, "/spec/template/spec/containers/0/image");
    assert_eq!(image.desired, Some(json!("redis:7.4")));
    assert_eq!(image.live, Some(json!("redis:7.2")));
    assert_eq!(
        image.last_applied,
        Some(json!("redis:7.2")),
        "helm-controller still owns what it applied"
    );

    // A render failure is an answer with the tool's message and the file, not an error.
    let broken = diff_of(
        &emulated,
        &app(&emulated.context, "Kustomization", "flux-system", "broken"),
        DryRunPolicy::Never,
    )
    .await;
    let error = broken.source.unwrap().render_error.unwrap();
    assert!(
        error.contains("kubectl kustomize failed") && error.contains("missing-file.yaml"),
        "{error}"
    );
    assert!(broken.objects.is_empty());
}

#[tokio::test]
async fn a_flux_kustomization_is_diffed_by_a_server_side_apply_dry_run_that_stores_nothing() {
    let mut commit = String::new();
    let emulated = emulate(|root| {
        commit = flux_repository(root);
        flux_seed(root, &commit)
    })
    .await;
    let client = sextant_adapters::cluster::client_for(&emulated.kubeconfig, &emulated.context)
        .await
        .unwrap();
    let deployments: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
        client.clone(),
        "podinfo",
        &kube::discovery::ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()),
    );
    let before = deployments.get("podinfo").await.unwrap();
    let apps = app(&emulated.context, "Kustomization", "flux-system", "apps");
    let diff = diff_of(&emulated, &apps, DryRunPolicy::WhenAllowed).await;
    assert_eq!(diff.mode, DiffMode::ServerDryRun, "{:?} {:?}", diff.source, diff.problems);
    assert_eq!(
        diff.source.as_ref().unwrap().engine,
        "server-side-apply dry-run as kustomize-controller"
    );
    assert_flux_apps(&diff);
    // kmock answers ?dryRun=All with a preview and stores nothing: the object is as seeded.
    let after = deployments.get("podinfo").await.unwrap();
    assert_eq!(after.metadata.resource_version, before.metadata.resource_version);
    assert_eq!(after.data["spec"]["replicas"], json!(3));
    assert_eq!(
        after.data["spec"]["template"]["spec"]["containers"][0]["env"][1]["name"],
        json!("DEBUG")
    );
}

#[tokio::test]
async fn an_argo_app_of_apps_and_its_children_are_diffed() {
    let mut commit = String::new();
    let emulated = emulate(|root| {
        commit = argo_repository(root);
        argo_seed(root, &commit)
    })
    .await;
    let context = emulated.context.clone();
    let mut events = emulated.cockpit.subscribe();
    let root =
        diff_of(&emulated, &app(&context, "Application", "argocd", "root"), DryRunPolicy::Never)
            .await;
    assert_eq!(root.source.as_ref().unwrap().renderer, "plain");
    // The clone (or fetch) of the file:// repository was reported to the UI as it went.
    let mut progress = Vec::new();
    while let Ok(envelope) = events.try_recv() {
        if envelope.name == "git/progress" {
            let event: sextant_protocol::git::GitProgress =
                serde_json::from_value(envelope.payload).unwrap();
            progress.push(event);
        }
    }
    let (last, during) = progress.split_last().expect("progress events were pushed");
    assert!(last.finished, "the last event says the clone or fetch is over: {last:?}");
    assert!(
        during.iter().any(|event| !event.finished && !event.stage.is_empty()),
        "stages were reported before it ended: {progress:?}"
    );
    assert!(
        progress.iter().all(|event| event.repository == root.source.as_ref().unwrap().repository)
    );
    assert_eq!(root.source.as_ref().unwrap().revision.as_deref(), Some(commit.as_str()));
    let children: Vec<(&str, ObjectState)> =
        root.objects.iter().map(|object| (object.id.name.as_str(), object.state)).collect();
    assert_eq!(
        children,
        [
            ("guestbook-helm", ObjectState::InSync),
            ("guestbook-kustomize", ObjectState::InSync),
            ("guestbook-plain", ObjectState::Drifted)
        ],
        "{:#?}",
        root.objects
    );
    // The live child carries ignoreDifferences that its manifest in Git does not.
    assert_eq!(
        fields(object(&root, "Application", "guestbook-plain")),
        [("/spec/ignoreDifferences", FieldClass::Drift)]
    );

    let plain = diff_of(
        &emulated,
        &app(&context, "Application", "argocd", "guestbook-plain"),
        DryRunPolicy::Never,
    )
    .await;
    let config = object(&plain, "ConfigMap", "guestbook-ui");
    assert_eq!(
        fields(config),
        [("/data/footer", FieldClass::Ignored), ("/data/title", FieldClass::Drift)]
    );
    assert_eq!(field(config, "/data/title").manager.as_deref(), Some("kubectl-edit"));
    // The server defaulted spec.size from the CRD's schema, read from the cluster: not drift.
    let widget = object(&plain, "Widget", "gear");
    assert_eq!((widget.state, widget.fields.len()), (ObjectState::InSync, 0), "{widget:?}");

    let kustomize = diff_of(
        &emulated,
        &app(&context, "Application", "argocd", "guestbook-kustomize"),
        DryRunPolicy::Never,
    )
    .await;
    assert_eq!(kustomize.source.as_ref().unwrap().renderer, "kustomize");
    assert_eq!(
        object(&kustomize, "Deployment", "prod-guestbook").state,
        ObjectState::InSync,
        "{:#?}",
        kustomize.objects
    );

    let helm = diff_of(
        &emulated,
        &app(&context, "Application", "argocd", "guestbook-helm"),
        DryRunPolicy::Never,
    )
    .await;
    assert_eq!(helm.source.as_ref().unwrap().renderer, "helm");
    assert_eq!(
        object(&helm, "Service", "guestbook").state,
        ObjectState::InSync,
        "{:#?}",
        helm.objects
    );
}

/// A 403 on a GET is "unknown", never "missing"; a dry-run the server rejects "would fail" (or
/// "requires recreate" for an immutable field); a `SelfSubjectAccessReview` that denies
/// `patch` means no dry-run. The fault server answers both (kmock has no RBAC).
#[tokio::test]
async fn a_forbidden_object_is_unknown_a_rejected_dry_run_would_fail_and_a_denied_patch_sends_none()
{
    use sextant_adapters::drift_live::{DryRun, Fetched, KubeLive, LiveObjects as _};
    use sextant_domain::{drift::diff::ObjectId, object::Document};
    use sextant_testkit::fake_apiserver::FakeApiServer;

    let service = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"}, "spec": {"ports": [{"port": 80}]}});
    let server = FakeApiServer::start(vec![service.clone()]).await;
    let directory = tempfile::tempdir().unwrap();
    let kubeconfig_path = server.kubeconfig(directory.path(), "{token: dev-token}");
    let kubeconfig = kube::config::Kubeconfig::read_from(&kubeconfig_path).unwrap();
    let context = kubeconfig.contexts[0].name.clone();
    let live = KubeLive::connect(&kubeconfig, &context).await.unwrap();
    let id = |name: &str| ObjectId {
        group: String::new(),
        version: "v1".to_owned(),
        kind: "Service".to_owned(),
        namespace: Some("shop".to_owned()),
        name: name.to_owned(),
    };
    assert!(matches!(live.get(&id("web")).await.unwrap(), Fetched::Found { .. }));
    assert_eq!(live.get(&id("gone")).await.unwrap(), Fetched::Missing);

    // A dry-run the server rejects: an admission denial, and an immutable field.
    server.faults().patch_rejection =
        Some((422, "admission webhook denied: ports must be named".to_owned()));
    let answer = live
        .dry_run_apply(&id("web"), &Document::new(service.clone()), "kustomize-controller")
        .await;
    assert_eq!(
        answer,
        DryRun::WouldFail("admission webhook denied: ports must be named".to_owned())
    );
    server.faults().patch_rejection = Some((
        422,
        "Service \"web\" is invalid: spec.clusterIP: Invalid value: field is immutable".to_owned(),
    ));
    let answer = live
        .dry_run_apply(&id("web"), &Document::new(service.clone()), "kustomize-controller")
        .await;
    assert!(matches!(answer, DryRun::RequiresRecreate(message) if message.contains("immutable")));
    let patches: Vec<String> =
        server.requests().into_iter().filter(|request| request.starts_with("PATCH")).collect();
    assert_eq!(patches.len(), 2);
    assert!(patches.iter().all(|request| request.contains("dryRun=All")), "{patches:?}");

    server.faults().forbidden_in.insert("services".to_owned(), ["shop".to_owned()].into());
    assert_eq!(
        live.get(&id("web")).await.unwrap(),
        Fetched::Forbidden("unknown: you may not get services in shop".to_owned())
    );
    let answer =
        live.dry_run_apply(&id("web"), &Document::new(service), "kustomize-controller").await;
    assert_eq!(answer, DryRun::Unavailable("you may not patch services in shop".to_owned()));
    let patches_after =
        server.requests().into_iter().filter(|request| request.starts_with("PATCH")).count();
    assert_eq!(patches_after, 2, "no PATCH is sent when patch is denied");
}
