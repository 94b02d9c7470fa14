//! Rendering desired state from a real Git repository laid out like
//! `fluxcd/flux2-kustomize-helm-example` (clusters/, apps/base, apps/production overlays), with a
//! local Helm chart, created by the test: `kubectl kustomize` and `helm template` really run.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use sextant_adapters::render::{self, RenderError, Tools};
use sextant_domain::object::{Document, KubeObject};

fn tools() -> Tools {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let helm = root.join(".tools/bin/helm");
    assert!(helm.exists(), "helm is missing at {}; run scripts/setup.sh", helm.display());
    Tools { kubectl: PathBuf::from("kubectl"), helm }
}

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

fn git(root: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_AUTHOR_NAME", "Sextant Test")
        .env("GIT_AUTHOR_EMAIL", "test@sextant.invalid")
        .env("GIT_COMMITTER_NAME", "Sextant Test")
        .env("GIT_COMMITTER_EMAIL", "test@sextant.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?} failed");
}

/// A fleet repository: a cluster directory with a Flux Kustomization, a base and a production
/// overlay, plain manifests without a kustomization.yaml, and a local chart. Committed, then
/// cloned, so the render reads a checkout of a real commit.
fn fleet_repository() -> (tempfile::TempDir, PathBuf) {
    let directory = tempfile::tempdir().unwrap();
    let origin = directory.path().join("origin");
    write(
        &origin,
        "clusters/production/apps.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 1h
  path: ./apps/production
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
  targetNamespace: podinfo
  postBuild:
    substitute:
      cluster_name: production
    substituteFrom:
      - {kind: ConfigMap, name: cluster-vars}
      - {kind: Secret, name: cluster-secrets}
      - {kind: ConfigMap, name: not-there, optional: true}
",
    );
    write(
        &origin,
        "apps/base/podinfo/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - release.yaml
  - settings.yaml
",
    );
    write(
        &origin,
        "apps/base/podinfo/release.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  interval: 50m
  releaseName: podinfo
  chart:
    spec:
      chart: ./charts/podinfo
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  values:
    replicaCount: 1
",
    );
    write(
        &origin,
        "apps/base/podinfo/settings.yaml",
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: podinfo-settings
data:
  cluster: ${cluster_name}
  registry: ${registry}
  database_url: postgres://app:${db_password}@db:5432/app
  tier: ${tier:=web}
",
    );
    write(
        &origin,
        "apps/production/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base/podinfo
patches:
  - path: podinfo-values.yaml
    target:
      kind: HelmRelease
",
    );
    write(
        &origin,
        "apps/production/podinfo-values.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  values:
    replicaCount: ${replicas}
    image:
      tag: 6.9.2
",
    );
    write(
        &origin,
        "infrastructure/configs/quota.yaml",
        "apiVersion: v1
kind: ResourceQuota
metadata:
  name: team
spec:
  hard: {pods: \"50\"}
---
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits: [{type: Container, default: {cpu: 250m}}]
",
    );
    write(
        &origin,
        "charts/podinfo/Chart.yaml",
        "apiVersion: v2
name: podinfo
version: 6.9.2
appVersion: 6.9.2
",
    );
    write(
        &origin,
        "charts/podinfo/values.yaml",
        "replicaCount: 1
image:
  repository: ghcr.io/stefanprodan/podinfo
  tag: 6.0.0
",
    );
    write(
        &origin,
        "charts/podinfo/templates/deployment.yaml",
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: podinfo
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app.kubernetes.io/name: podinfo}
  template:
    metadata:
      labels: {app.kubernetes.io/name: podinfo}
    spec:
      containers:
        - name: podinfo
          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"
          ports: [{name: http, containerPort: 9898}]
",
    );
    git(&origin, &["init", "--quiet", "--initial-branch=main"]);
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "--quiet", "-m", "fleet"]);
    let checkout = directory.path().join("checkout");
    git(
        directory.path(),
        &["clone", "--quiet", origin.to_str().unwrap(), checkout.to_str().unwrap()],
    );
    (directory, checkout)
}

fn cluster_objects() -> Vec<KubeObject> {
    vec![
        KubeObject::new(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cluster-vars", "namespace": "flux-system"},
            "data": {"registry": "registry.northwind.example", "cluster_name": "overridden-by-inline", "replicas": "3"}})),
        KubeObject::new(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "cluster-secrets", "namespace": "flux-system"},
            // "s3cr3t-pw" in base64.
            "data": {"db_password": "czNjcjN0LXB3"}})),
    ]
}

fn find<'a>(objects: &'a [Document], kind: &str, name: &str) -> &'a Document {
    objects
        .iter()
        .find(|object| object.kind() == kind && object.name() == name)
        .unwrap_or_else(|| panic!("{kind} {name} was not rendered: {objects:?}"))
}

#[test]
fn a_flux_kustomization_is_built_with_overlays_target_namespace_and_substitution() {
    let (_directory, checkout) = fleet_repository();
    let kustomization = render::plain(&checkout.join("clusters/production/apps.yaml"))
        .unwrap()
        .remove(0)
        .to_object();
    let rendered =
        render::flux_kustomization(&tools(), &kustomization, &checkout, &cluster_objects())
            .unwrap();

    let release = find(&rendered.objects, "HelmRelease", "podinfo");
    assert_eq!(release.namespace(), Some("podinfo"), "targetNamespace applies");
    assert_eq!(
        release.at("/spec/values"),
        Some(&json!({"replicaCount": 3, "image": {"tag": "6.9.2"}})),
        "the production patch applies, and an unquoted ${{replicas}} becomes a number"
    );

    let settings = find(&rendered.objects, "ConfigMap", "podinfo-settings");
    assert_eq!(settings.namespace(), Some("podinfo"));
    assert_eq!(
        settings.at("/data"),
        Some(&json!({
            "cluster": "production",
            "registry": "registry.northwind.example",
            "database_url": "postgres://app:s3cr3t-pw@db:5432/app",
            "tier": "web"
        })),
        "inline substitute wins over substituteFrom; defaults apply"
    );
    assert_eq!(
        rendered.secret_values,
        ["s3cr3t-pw"],
        "values from Secrets are returned for masking"
    );
}

#[test]
fn a_missing_substitution_source_is_named() {
    let (_directory, checkout) = fleet_repository();
    let kustomization = render::plain(&checkout.join("clusters/production/apps.yaml"))
        .unwrap()
        .remove(0)
        .to_object();
    let error =
        render::flux_kustomization(&tools(), &kustomization, &checkout, &cluster_objects()[..1])
            .unwrap_err();
    assert!(matches!(error, RenderError::MissingSubstituteSource { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "Kustomization flux-system/apps: postBuild.substituteFrom names Secret flux-system/cluster-secrets, which does not exist; create it or mark it optional"
    );
}

#[test]
fn a_path_without_kustomization_yaml_gets_one_generated() {
    let (_directory, checkout) = fleet_repository();
    let kustomization = KubeObject::new(
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "infra", "namespace": "flux-system"},
        "spec": {"path": "./infrastructure/configs", "targetNamespace": "shop", "namePrefix": "team-"}}),
    );
    let rendered = render::flux_kustomization(&tools(), &kustomization, &checkout, &[]).unwrap();
    let mut names: Vec<(String, String, String)> = rendered
        .objects
        .iter()
        .map(|object| {
            (
                object.kind().to_owned(),
                object.namespace().unwrap_or_default().to_owned(),
                object.name().to_owned(),
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("LimitRange".to_owned(), "shop".to_owned(), "team-defaults".to_owned()),
            ("ResourceQuota".to_owned(), "shop".to_owned(), "team-team".to_owned()),
        ]
    );
}

#[test]
fn a_helm_release_renders_its_local_chart_with_its_values() {
    let (_directory, checkout) = fleet_repository();
    let kustomization = render::plain(&checkout.join("clusters/production/apps.yaml"))
        .unwrap()
        .remove(0)
        .to_object();
    let rendered =
        render::flux_kustomization(&tools(), &kustomization, &checkout, &cluster_objects())
            .unwrap();
    let release = find(&rendered.objects, "HelmRelease", "podinfo");
    let chart = checkout.join(release.str_at("/spec/chart/spec/chart").unwrap());
    let objects = render::flux_helm_release(&tools(), &release.to_object(), &chart).unwrap();
    let deployment = find(&objects, "Deployment", "podinfo");
    assert_eq!(deployment.namespace(), Some("podinfo"));
    assert_eq!(deployment.at("/spec/replicas"), Some(&json!(3)));
    assert_eq!(
        deployment.str_at("/spec/template/spec/containers/0/image"),
        Some("ghcr.io/stefanprodan/podinfo:6.9.2"),
        "HelmRelease values override the chart's"
    );
    assert_eq!(deployment.str_at("/metadata/labels/helm.sh~1chart"), Some("podinfo-6.9.2"));
}

#[test]
fn a_render_failure_carries_the_tools_stderr_and_the_directory() {
    let (_directory, checkout) = fleet_repository();
    write(&checkout, "apps/broken/kustomization.yaml", "resources:\n  - missing.yaml\n");
    let error = render::kustomize(&tools(), &checkout.join("apps/broken")).unwrap_err();
    let RenderError::ToolFailed { tool, target, stderr } = &error else { panic!("{error:?}") };
    assert_eq!(*tool, "kubectl kustomize");
    assert_eq!(target, &checkout.join("apps/broken"));
    assert!(stderr.contains("missing.yaml"), "{stderr}");
    assert!(error.to_string().contains(&checkout.join("apps/broken").display().to_string()));

    write(&checkout, "charts/broken/Chart.yaml", "apiVersion: v2\nname: broken\nversion: 0.1.0\n");
    write(&checkout, "charts/broken/templates/x.yaml", "kind: {{ .Values.nope.deeper }}\n");
    let error = render::helm_template(
        &tools(),
        &checkout.join("charts/broken"),
        "x",
        "default",
        &Value::Null,
    )
    .unwrap_err();
    let RenderError::ToolFailed { tool, stderr, .. } = &error else { panic!("{error:?}") };
    assert_eq!(*tool, "helm template");
    assert!(stderr.contains("templates/x.yaml"), "{stderr}");
}
