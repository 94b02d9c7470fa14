//! The cluster adapter against the kmock Kubernetes API emulator, and a trace-level CLI run with
//! real-looking credentials that must not print any of them.
//!
//! Checked by hand on 2026-11-25: with the log redactor switched off, this run still prints no
//! credential (kube marks `Authorization` sensitive; reqwest and hyper log no header values).
//! So this test guards the whole path against any future leak, and the redactor itself is
//! proven by the unit tests in `sextant-adapters/src/secret.rs`.
#![allow(clippy::unwrap_used, reason = "test helpers fail the test on a broken server")]

use sextant_testkit::{start_kmock, start_openbao, workspace_root};

fn seed() -> serde_json::Value {
    serde_json::json!([
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"ports": [{"port": 80}]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"parentRefs": [{"name": "edge", "namespace": "infra"}], "hostnames": ["shop.example"]}}
    ])
}

const CRDS: &[&str] = &["gateway.networking.k8s.io/v1/httproutes:HTTPRoute:ns"];

/// A kubeconfig for the emulator at `port`, authenticating with `token`.
fn kubeconfig(dir: &std::path::Path, port: u16, token: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: emulated\nclusters:\n- name: emulated\n  cluster: {{server: 'http://127.0.0.1:{port}'}}\n\
             contexts:\n- name: emulated\n  context: {{cluster: emulated, user: dev}}\nusers:\n- name: dev\n  user: {{token: '{token}'}}\n"
        ),
    )
    .unwrap();
    path
}

#[tokio::test]
async fn a_cluster_is_read_through_discovery_from_the_emulator() {
    let crds: Vec<String> = CRDS.iter().map(|crd| (*crd).to_owned()).collect();
    let (server, kubeconfig_path) = start_kmock(&seed(), &crds);
    let kubeconfig = kube::config::Kubeconfig::read_from(&kubeconfig_path).unwrap();
    let context = kubeconfig.contexts[0].name.clone();
    let snapshot = sextant_adapters::cluster::read_cluster(&kubeconfig, &context).await;
    assert_eq!(
        snapshot.state,
        sextant_domain::platform::ClusterState::Ready,
        "{:?}",
        snapshot.message
    );
    // kmock answers /version with a fixed k3s version (shared/specs/gitops-drift.md §5.1).
    assert_eq!(snapshot.kubernetes_version.as_deref(), Some("v1.26.4+k3s1"));
    let mut found: Vec<String> = snapshot
        .objects
        .iter()
        .map(|object| format!("{}/{}", object.kind(), object.name()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec!["HTTPRoute/web", "Namespace/shop", "Service/web"],
        "the seeded objects of the wanted kinds"
    );
    let route = snapshot.objects.iter().find(|object| object.kind() == "HTTPRoute").unwrap();
    assert_eq!(sextant_domain::gateway::route_parents(route), vec!["infra/edge"]);
    drop(server);

    // The same context with the server gone is reported as unreachable, in words.
    let gone = sextant_adapters::cluster::read_cluster(&kubeconfig, &context).await;
    assert_eq!(gone.state, sextant_domain::platform::ClusterState::Unreachable);
    assert!(gone.message.is_some());
}

#[tokio::test]
async fn a_trace_level_run_prints_no_credential() {
    // Real credentials of real shapes: a ServiceAccount-style JWT in the kubeconfig, and a token
    // that OpenBao itself issues in VAULT_TOKEN, so every request really carries both.
    let cluster_token = "eyJhbGciOiJSUzI1NiIsImtpZCI6InNleHRhbnQifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDp3ZWIifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
    let vault = start_openbao("redaction-root-5d1f");
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{}/v1/auth/token/create", vault.port))
        .header("X-Vault-Token", "redaction-root-5d1f")
        .json(&serde_json::json!({"policies": ["default"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vault_token = created["auth"]["client_token"].as_str().unwrap().to_owned();
    let vault_token = vault_token.as_str();
    let crds: Vec<String> = CRDS.iter().map(|crd| (*crd).to_owned()).collect();
    let (kmock, _) = start_kmock(&seed(), &crds);
    let home = tempfile::tempdir().unwrap();
    let kubeconfig_path = kubeconfig(home.path(), kmock.port, cluster_token);
    let binary = workspace_root().join("target/debug/sextant");
    assert!(binary.exists(), "build the CLI first: cargo build -p sextant-cli");
    let output = tokio::process::Command::new(binary)
        .args(["doctor", "--output", "json", "--log", "trace"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("KUBECONFIG", &kubeconfig_path)
        .env("VAULT_ADDR", format!("http://127.0.0.1:{}", vault.port))
        .env("VAULT_TOKEN", vault_token)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "doctor failed: {stderr}");
    // The run really talked to both servers, at trace level: otherwise the check proves nothing.
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["kubernetes"]["contexts"][0]["state"], "ready", "{report}");
    // The emulator declares Gateway API's HTTPRoutes and no Flux; every kind may be read.
    let apis = report["kubernetes"]["contexts"][0]["apis"].as_array().unwrap();
    let version_of = |name: &str| {
        apis.iter().find(|api| api["name"] == name).map(|api| api["version"].clone()).unwrap()
    };
    assert_eq!(version_of("Gateway API"), "v1", "{report}");
    assert_eq!(version_of("Flux"), serde_json::Value::Null, "{report}");
    assert!(report["kubernetes"]["contexts"][0].get("missing_permissions").is_none(), "{report}");
    assert_eq!(report["vault"]["reachable"], true, "{report}");
    assert!(
        stderr.lines().count() > 20 && stderr.contains("TRACE"),
        "expected a trace log, got:\n{stderr}"
    );
    for (what, secret) in [("kubeconfig token", cluster_token), ("VAULT_TOKEN", vault_token)] {
        // Any 12-character piece of the credential counts as a leak.
        let pieces: Vec<&str> =
            (0..secret.len() - 12).step_by(6).map(|start| &secret[start..start + 12]).collect();
        for piece in pieces {
            assert!(!stdout.contains(piece), "the {what} leaked on stdout ({piece})");
            assert!(!stderr.contains(piece), "the {what} leaked on stderr ({piece}):\n{stderr}");
        }
    }
}

/// `sextant serve` on live clusters, end to end: two contexts (the emulator, and one whose
/// server is down), watched from start; a route created in the emulator afterwards reaches the
/// Overview through the watch, with no restart; and at trace level, no log line and no IPC
/// payload carries the kubeconfig's token.
#[tokio::test]
async fn serve_watches_live_clusters_and_leaks_no_credential() {
    use tokio::io::AsyncBufReadExt as _;
    let cluster_token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImxpdmUifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6b3BzOmNvY2twaXQifQ.bGl2ZS1zaWduYXR1cmUtb2YtdG9rZW4";
    let crds: Vec<String> = CRDS.iter().map(|crd| (*crd).to_owned()).collect();
    let (kmock, _) = start_kmock(&seed(), &crds);
    let home = tempfile::tempdir().unwrap();
    let dead_port = sextant_testkit::free_port();
    let kubeconfig_path = home.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig_path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: emulated\nclusters:\n- name: emulated\n  cluster: {{server: 'http://127.0.0.1:{}'}}\n\
             - name: gone\n  cluster: {{server: 'http://127.0.0.1:{dead_port}'}}\n\
             contexts:\n- name: emulated\n  context: {{cluster: emulated, user: dev}}\n- name: down\n  context: {{cluster: gone, user: dev}}\n\
             - name: typo\n  context: {{cluster: emulatd, user: dev}}\n\
             users:\n- name: dev\n  user: {{token: '{cluster_token}'}}\n",
            kmock.port
        ),
    )
    .unwrap();
    let binary = workspace_root().join("target/debug/sextant");
    assert!(binary.exists(), "build the CLI first: cargo build -p sextant-cli");
    let mut serve = tokio::process::Command::new(binary)
        .args(["serve", "--log", "trace"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("KUBECONFIG", &kubeconfig_path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // A trace log fills a pipe quickly: read it as it comes, or the server blocks on writing.
    let mut stderr_pipe = serve.stderr.take().unwrap();
    let stderr_reader = tokio::spawn(async move {
        let mut log = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut stderr_pipe, &mut log).await;
        log
    });
    let mut stdout = tokio::io::BufReader::new(serve.stdout.take().unwrap()).lines();
    let url = loop {
        let line = stdout.next_line().await.unwrap().expect("serve prints its URL");
        if let Some(url) = line.strip_prefix("sextant serve: open ") {
            break url.to_owned();
        }
    };
    let (base, key) = url.split_once("/?k=").unwrap();
    let client = reqwest::Client::new();
    let mut payloads = String::new();
    let overview = || {
        let request = client
            .post(format!("{base}/api/get_overview"))
            .header("x-sextant-key", key)
            .json(&serde_json::json!({}));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let cluster = |text: &str, name: &str| -> serde_json::Value {
        let overview: serde_json::Value = serde_json::from_str(text).unwrap();
        overview["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|cluster| cluster["name"] == name)
            .cloned()
            .unwrap()
    };

    let text = overview().await;
    payloads.push_str(&text);
    let emulated = cluster(&text, "emulated");
    assert_eq!(emulated["state"], "ready", "{emulated}");
    assert_eq!(emulated["counts"]["routes"], 1, "{emulated}");
    // Discovery: the Gateway API is installed (its HTTPRoute CRD is declared), Argo CD is not.
    let api = |name: &str| {
        emulated["apis"]
            .as_array()
            .unwrap()
            .iter()
            .find(|api| api["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(api("Gateway API")["version"], "v1", "{emulated}");
    assert!(api("Argo CD").get("version").is_none(), "not installed: {emulated}");
    let kinds = emulated["kinds"].as_array().unwrap();
    assert!(
        kinds.iter().any(|kind| kind["kind"] == "HTTPRoute"
            && kind["phase"] == "ready"
            && kind["objects"] == 1),
        "{emulated}"
    );
    let down = cluster(&text, "down");
    assert_eq!(down["state"], "unreachable", "{down}");
    assert!(down["message"].as_str().unwrap().contains("connection refused"), "{down}");
    // A broken entry disables only its own context, named by file and field.
    let typo = cluster(&text, "typo");
    assert_eq!(typo["state"], "invalid", "{typo}");
    assert_eq!(
        typo["message"],
        format!(
            "{}: contexts[2] (typo) field context.cluster names cluster \"emulatd\", which no kubeconfig file defines; add it under clusters",
            kubeconfig_path.display()
        ),
        "{typo}"
    );

    // A route created now arrives through the watch.
    let created = client
        .post(format!("http://127.0.0.1:{}/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes", kmock.port))
        .json(&serde_json::json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                                  "metadata": {"name": "late", "namespace": "shop"},
                                  "spec": {"parentRefs": [{"name": "edge", "namespace": "infra"}]}}))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let text = overview().await;
        payloads.push_str(&text);
        if cluster(&text, "emulated")["counts"]["routes"] == 2 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the new route never arrived: {text}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    serve.start_kill().unwrap();
    serve.wait().await.unwrap();
    let stderr = String::from_utf8_lossy(&stderr_reader.await.unwrap()).into_owned();
    assert!(stderr.contains("TRACE"), "expected a trace log");
    let pieces: Vec<&str> = (0..cluster_token.len() - 12)
        .step_by(6)
        .map(|start| &cluster_token[start..start + 12])
        .collect();
    for piece in pieces {
        assert!(!stderr.contains(piece), "the kubeconfig token leaked in the log ({piece})");
        assert!(
            !payloads.contains(piece),
            "the kubeconfig token leaked in an IPC payload ({piece})"
        );
    }
}
