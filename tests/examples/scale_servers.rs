//! Serves a synthetic fleet for the scale benchmark (BENCHMARKS.md, "Live clusters at scale"):
//! N in-process API servers with M objects each (Services and HTTPRoutes across 50 namespaces),
//! and a kubeconfig naming them all. Runs until killed.
//!
//! `cargo run --release -p sextant-e2e --example scale_servers -- 5 20000 /tmp/scale.kubeconfig`
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::format_push_string,
    reason = "a benchmark fixture"
)]

use serde_json::json;
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
            let namespace = format!("team-{}", index % 50);
            let name = format!("app-{index}");
            objects.push(if index % 2 == 0 {
                json!({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": name, "namespace": namespace, "resourceVersion": "2",
                                 "labels": {"app": name, "tier": "web"}, "uid": format!("uid-{cluster}-{index}")},
                    "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})
            } else {
                json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                    "metadata": {"name": name, "namespace": namespace, "resourceVersion": "3", "labels": {"app": name}},
                    "spec": {"parentRefs": [{"name": "edge", "namespace": "infra"}],
                             "hostnames": [format!("{name}.example.com")],
                             "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                                        "backendRefs": [{"name": format!("app-{}", index - 1), "port": 80}]}]}})
            });
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
