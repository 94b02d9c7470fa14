//! `sextant drift status` against the kmock emulator seeded with Flux and Argo CD objects:
//! the verdicts, the tree and the explanations, with every expectation worked out by hand from
//! the seed below; and the contract's error shape for an unknown context and a server gone.
#![allow(clippy::unwrap_used, reason = "test helpers fail the test on a broken server")]

use sextant_testkit::{start_kmock, workspace_root};

const CRDS: &[&str] = &[
    "source.toolkit.fluxcd.io/v1/gitrepositories:GitRepository:ns",
    "kustomize.toolkit.fluxcd.io/v1/kustomizations:Kustomization:ns",
    "helm.toolkit.fluxcd.io/v2/helmreleases:HelmRelease:ns",
    "argoproj.io/v1alpha1/applications:Application:ns",
];

const OLD: &str = "main@sha1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const NEW: &str = "main@sha1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// RFC 3339 for `seconds` before now (the CLI judges ages by the clock).
fn ago(seconds: u64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let at = i64::try_from(now.as_secs() - seconds).unwrap();
    let (days, rest) = (at.div_euclid(86_400), at.rem_euclid(86_400));
    // Civil from days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn kustomization(name: &str, status: serde_json::Value, suspend: bool) -> serde_json::Value {
    let mut object = serde_json::json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system", "generation": 1},
        "spec": {"interval": "10m", "path": format!("./{name}"), "prune": true, "suspend": suspend,
                 "sourceRef": {"kind": "GitRepository", "name": "fleet"}},
    });
    object["status"] = status;
    object
}

fn ready(status: &str, reason: &str, message: &str) -> serde_json::Value {
    serde_json::json!([{"type": "Ready", "status": status, "reason": reason, "message": message,
                        "observedGeneration": 1, "lastTransitionTime": ago(600)}])
}

fn application(name: &str, status: serde_json::Value) -> serde_json::Value {
    let mut object = serde_json::json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {"project": "default", "source": {"repoURL": "https://git.example/apps", "path": name, "targetRevision": "main"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": name}},
    });
    object["status"] = status;
    object
}

fn seed() -> serde_json::Value {
    let inventory = |ids: &[&str]| serde_json::json!({"entries": ids.iter().map(|id| serde_json::json!({"id": id, "v": "v1"})).collect::<Vec<_>>()});
    serde_json::json!([
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
         "metadata": {"name": "fleet", "namespace": "flux-system", "generation": 1},
         "spec": {"url": "https://git.example/fleet", "interval": "1m"},
         "status": {"observedGeneration": 1, "artifact": {"revision": NEW},
                    "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded"}]}},
        // The root: in sync, its inventory lists two Kustomizations, a HelmRelease and a Service.
        kustomization("root", serde_json::json!({
            "observedGeneration": 1, "lastAppliedRevision": NEW, "lastAttemptedRevision": NEW,
            "conditions": ready("True", "ReconciliationSucceeded", &format!("Applied revision: {NEW}")),
            "history": [{"lastReconciled": ago(60), "lastReconciledStatus": "ReconciliationSucceeded",
                         "totalReconciliations": 3, "metadata": {"revision": NEW}}],
            "inventory": inventory(&[
                "flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization",
                "flux-system_infra_kustomize.toolkit.fluxcd.io_Kustomization",
                "web_podinfo_helm.toolkit.fluxcd.io_HelmRelease",
                "web_podinfo__Service",
            ])}), false),
        // Stale: Ready, but the source offers NEW and the last attempt was at OLD.
        kustomization("apps", serde_json::json!({
            "observedGeneration": 1, "lastAppliedRevision": OLD, "lastAttemptedRevision": OLD,
            "conditions": ready("True", "ReconciliationSucceeded", &format!("Applied revision: {OLD}")),
            "history": [{"lastReconciled": ago(120), "metadata": {"revision": OLD}}]}), false),
        // Suspended.
        kustomization("infra", serde_json::json!({
            "observedGeneration": 1, "lastAppliedRevision": OLD,
            "conditions": ready("True", "ReconciliationSucceeded", &format!("Applied revision: {OLD}"))}), true),
        // Failing.
        {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
         "metadata": {"name": "podinfo", "namespace": "web", "generation": 2},
         "spec": {"interval": "5m", "chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}}},
         "status": {"observedGeneration": 2, "lastAttemptedRevision": "6.5.4",
                    "conditions": ready("False", "UpgradeFailed", "Helm upgrade failed for release web/podinfo with chart podinfo@6.5.4: timed out waiting for the condition")}},
        // Argo CD: an app of apps with one child out of sync and one whose sync failed.
        application("root", serde_json::json!({
            "sync": {"status": "Synced", "revision": "c0ffee"}, "health": {"status": "Healthy"},
            "reconciledAt": ago(30),
            "resources": [
                {"group": "argoproj.io", "kind": "Application", "namespace": "argocd", "name": "shop", "status": "Synced"},
                {"group": "argoproj.io", "kind": "Application", "namespace": "argocd", "name": "billing", "status": "Synced"},
                {"kind": "ConfigMap", "namespace": "argocd", "name": "settings", "status": "Synced"}]})),
        application("shop", serde_json::json!({
            "sync": {"status": "OutOfSync", "revision": "c0ffee"}, "health": {"status": "Healthy"},
            "reconciledAt": ago(30),
            "resources": [
                {"group": "apps", "kind": "Deployment", "namespace": "shop", "name": "web", "status": "OutOfSync"},
                {"kind": "Service", "namespace": "shop", "name": "web", "status": "Synced"},
                {"kind": "ConfigMap", "namespace": "shop", "name": "env", "status": "OutOfSync"}]})),
        application("billing", serde_json::json!({
            "sync": {"status": "OutOfSync", "revision": "c0ffee"}, "health": {"status": "Healthy"},
            "reconciledAt": ago(30),
            "operationState": {"phase": "Failed", "message": "one or more synchronization tasks completed unsuccessfully",
                               "startedAt": ago(90), "finishedAt": ago(80)}})),
    ])
}

async fn sextant(kubeconfig: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let binary = workspace_root().join("target/debug/sextant");
    assert!(binary.exists(), "build the CLI first: cargo build -p sextant-cli");
    let home = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(binary)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("KUBECONFIG", kubeconfig)
        .env("SEXTANT_READ_TIMEOUT_SECS", "10")
        .output()
        .await
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn drift_status_reports_the_controllers_verdicts_as_a_tree() {
    let crds: Vec<String> = CRDS.iter().map(|crd| (*crd).to_owned()).collect();
    let (server, kubeconfig_path) = start_kmock(&seed(), &crds);
    let kubeconfig = kubeconfig_path.clone();
    let context =
        kube::config::Kubeconfig::read_from(&kubeconfig).unwrap().contexts[0].name.clone();

    let (code, stdout, stderr) =
        sextant(&kubeconfig, &["drift", "status", "--context", &context, "--output", "json"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows: Vec<(String, u64, String)> = report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|app| {
            (
                format!(
                    "{}/{}/{}",
                    app["kind"].as_str().unwrap(),
                    app["namespace"].as_str().unwrap(),
                    app["name"].as_str().unwrap()
                ),
                app["depth"].as_u64().unwrap(),
                app["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("Kustomization/flux-system/root", 0, "in_sync"),
        ("Kustomization/flux-system/apps", 1, "stale"),
        ("Kustomization/flux-system/infra", 1, "suspended"),
        ("HelmRelease/web/podinfo", 1, "failed"),
        ("Application/argocd/root", 0, "in_sync"),
        ("Application/argocd/shop", 1, "out_of_sync"),
        ("Application/argocd/billing", 1, "failed"),
    ];
    assert_eq!(
        rows,
        expected.map(|(name, depth, verdict)| (name.to_owned(), depth, verdict.to_owned())),
        "{report:#}"
    );
    assert_eq!(
        report["summary"],
        serde_json::json!({"apps": 7, "needs_attention": 4, "missing_children": 0})
    );
    let app = |name: &str| {
        report["apps"].as_array().unwrap().iter().find(|app| app["name"] == name).unwrap().clone()
    };
    let root = app("root");
    assert_eq!(
        root["children"],
        serde_json::json!([
            {"name": "Kustomization/flux-system/apps", "missing": false},
            {"name": "Kustomization/flux-system/infra", "missing": false},
            {"name": "HelmRelease/web/podinfo", "missing": false}
        ])
    );
    assert_eq!(
        root["revisions"],
        serde_json::json!({"source": NEW, "attempted": NEW, "applied": NEW})
    );
    let apps = app("apps");
    assert_eq!(apps["parent"], "Kustomization/flux-system/root");
    assert_eq!(
        apps["stale_reasons"],
        serde_json::json!([format!("the source offers {NEW}, but the last attempt was at {OLD}")])
    );
    assert_eq!(app("infra")["suspended"], true);
    assert_eq!(app("infra")["needs_attention"], false);
    assert_eq!(
        app("podinfo")["explanation"],
        "Flux says Ready=False because UpgradeFailed: Helm upgrade failed for release web/podinfo with chart podinfo@6.5.4: timed out waiting for the condition."
    );
    assert_eq!(
        app("shop")["explanation"],
        "Argo says OutOfSync, health Healthy because 2 resources differ: Deployment shop/web, ConfigMap shop/env."
    );
    assert_eq!(app("shop")["parent"], "Application/argocd/root");
    assert_eq!(
        app("billing")["explanation"],
        "Argo says the last sync Failed: one or more synchronization tasks completed unsuccessfully."
    );

    // The table, --namespace and --fail-on.
    let (code, table, _) =
        sextant(&kubeconfig, &["drift", "status", "--context", &context, "--fail-on", "attention"])
            .await;
    assert_eq!(code, Some(1), "four applications need attention:\n{table}");
    assert!(table.lines().next().unwrap().starts_with("TOOL"), "{table}");
    assert!(table.contains("  flux-system/apps"), "children are indented:\n{table}");
    assert!(table.contains("4 need(s) attention"), "{table}");
    let (code, stdout, _) = sextant(
        &kubeconfig,
        &[
            "drift",
            "status",
            "--context",
            &context,
            "--namespace",
            "web",
            "--output",
            "json",
            "--fail-on",
            "attention",
        ],
    )
    .await;
    assert_eq!(code, Some(1));
    let web: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(web["apps"].as_array().unwrap().len(), 1);
    assert_eq!(
        web["apps"][0]["parent"], "Kustomization/flux-system/root",
        "parents elsewhere are named"
    );

    // Errors: an unknown context, then the server gone.
    let (code, stdout, stderr) =
        sextant(&kubeconfig, &["drift", "status", "--context", "nope", "--output", "json"]).await;
    assert_eq!(code, Some(2));
    let error: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(error["error"]["kind"], "unknown_context");
    assert_eq!(
        error["error"]["message"],
        format!("no kubeconfig context named \"nope\"; the contexts are: {context}")
    );
    assert!(stderr.contains("no kubeconfig context named"), "{stderr}");
    // The kubeconfig lives with the server: keep a copy, then stop the server.
    let kept = tempfile::tempdir().unwrap();
    let kubeconfig = kept.path().join("kubeconfig");
    std::fs::copy(&kubeconfig_path, &kubeconfig).unwrap();
    drop(server);
    let (code, stdout, _) =
        sextant(&kubeconfig, &["drift", "status", "--context", &context, "--output", "json"]).await;
    assert_eq!(code, Some(2));
    let error: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(error["error"]["kind"], "cluster_unreachable", "{error}");
    assert_eq!(error["error"]["context"], context.as_str());
}
