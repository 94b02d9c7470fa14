//! Serves the demo platform's clusters from kmock emulators, for screenshots of the live
//! Overview (`scripts/screenshot-live.sh`): one kmock per named cluster, declared with every
//! upstream CRD of `../shared/crds` and seeded with that cluster's demo objects. Writes a
//! kubeconfig naming them all, prints `ready`, and stops a cluster's emulator when it reads
//! `stop NAME` on standard input (the cluster then fails, as a cluster whose API server went
//! away does). Runs until standard input closes.
//!
//! `cargo run -p sextant-e2e --example emulated_fleet -- KUBECONFIG prod-eu prod-us`
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::format_push_string,
    reason = "a screenshot fixture"
)]

use std::io::BufRead as _;

use sextant_testkit::{shared_crds, start_kmock};

fn main() {
    let mut args = std::env::args().skip(1);
    let kubeconfig_path = args.next().expect("usage: emulated_fleet KUBECONFIG CLUSTER...");
    let clusters: Vec<String> = args.collect();
    let platform = sextant_adapters::demo::load();
    let mut crds = shared_crds();
    crds.push("cert-manager.io/v1/certificates:Certificate:ns".to_owned());
    let mut servers = Vec::new();
    let (mut entries, mut contexts) = (String::new(), String::new());
    for cluster in &clusters {
        let snapshot = platform.clusters.iter().find(|snapshot| &snapshot.name == cluster).unwrap();
        let (server, _) = start_kmock(&serde_json::to_value(&snapshot.objects).unwrap(), &crds);
        entries.push_str(&format!(
            "- name: {cluster}\n  cluster: {{server: 'http://127.0.0.1:{}'}}\n",
            server.port
        ));
        contexts.push_str(&format!(
            "- name: {cluster}\n  context: {{cluster: {cluster}, user: dev}}\n"
        ));
        servers.push((cluster.clone(), server));
    }
    std::fs::write(
        &kubeconfig_path,
        format!("apiVersion: v1\nkind: Config\nclusters:\n{entries}contexts:\n{contexts}users:\n- name: dev\n  user: {{token: emulated}}\n"),
    )
    .unwrap();
    println!("ready");
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        if let Some(name) = line.strip_prefix("stop ")
            && let Some((_, server)) = servers.iter_mut().find(|(cluster, _)| cluster == name)
        {
            server.stop();
            println!("stopped {name}");
        }
    }
}
