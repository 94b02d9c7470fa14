//! The live path against the kmock emulator, declared with every upstream CRD in
//! `../shared/crds` (read from the CRD files) and seeded with the demo platform's clusters: the
//! live Overview of each emulated cluster counts what the demo's own files count, view by view,
//! and a GitOps application, a route and a policy read through discovery, paged lists and watches
//! are the ones the demo holds.
#![allow(clippy::unwrap_used, reason = "test helpers fail the test on a broken server")]

use std::time::{Duration, Instant};

use sextant_app::{Cockpit, Handle, LiveConfig, Source};
use sextant_protocol::overview::{ClusterCounts, GetOverview, Overview};
use sextant_testkit::{RunningServer, shared_crds, start_kmock};

/// The demo's objects of `cluster`, as JSON for kmock's seed.
fn demo_objects(cluster: &str) -> serde_json::Value {
    let platform = sextant_adapters::demo::load();
    let snapshot = platform.clusters.iter().find(|snapshot| snapshot.name == cluster).unwrap();
    serde_json::to_value(&snapshot.objects).unwrap()
}

/// kmock for each of `clusters`, and a kubeconfig naming them all (contexts named like the
/// demo's clusters).
fn emulate(clusters: &[&str]) -> (Vec<RunningServer>, kube::config::Kubeconfig) {
    let mut crds = shared_crds();
    // The demo's Certificates; shared/crds has no cert-manager CRD (its SOURCES.md says why).
    crds.push("cert-manager.io/v1/certificates:Certificate:ns".to_owned());
    let mut servers = Vec::new();
    let mut merged = kube::config::Kubeconfig::default();
    for cluster in clusters {
        let (server, path) = start_kmock(&demo_objects(cluster), &crds);
        let mut kubeconfig = kube::config::Kubeconfig::read_from(path).unwrap();
        for named in &mut kubeconfig.clusters {
            named.name = format!("{cluster}-server");
        }
        for named in &mut kubeconfig.auth_infos {
            named.name = format!("{cluster}-user");
        }
        for named in &mut kubeconfig.contexts {
            (*cluster).clone_into(&mut named.name);
            if let Some(context) = &mut named.context {
                context.cluster = format!("{cluster}-server");
                context.user = Some(format!("{cluster}-user"));
            }
        }
        merged.clusters.extend(kubeconfig.clusters);
        merged.auth_infos.extend(kubeconfig.auth_infos);
        merged.contexts.extend(kubeconfig.contexts);
        servers.push(server);
    }
    (servers, merged)
}

fn counts<'o>(overview: &'o Overview, cluster: &str) -> Option<&'o ClusterCounts> {
    overview.clusters.iter().find(|card| card.name == cluster).map(|card| &card.counts)
}

#[tokio::test]
async fn the_emulated_demo_clusters_count_what_the_demo_counts() {
    let clusters = ["prod-eu", "prod-us"];
    let crds = shared_crds();
    assert!(
        crds.iter().any(|crd| crd == "gateway.networking.k8s.io/v1/httproutes:HTTPRoute:ns")
            && crds.iter().any(|crd| crd == "argoproj.io/v1alpha1/applications:Application:ns")
            && crds.iter().any(|crd| crd.starts_with(
                "policies.kubewarden.io/v1/clusteradmissionpolicies:ClusterAdmissionPolicy:cluster"
            )),
        "the CRDs are read from the upstream files: {crds:?}"
    );
    let demo = Cockpit::start(Some(Source::Demo)).await;
    let expected = demo.handle(GetOverview::default()).await.unwrap();

    let (_servers, kubeconfig) = emulate(&clusters);
    let live = LiveConfig {
        kubeconfig: Ok(Some(kubeconfig)),
        broken_contexts: std::collections::BTreeMap::new(),
        unreadable_kubeconfigs: Vec::new(),
        vault: sextant_adapters::vault::VaultConfig::default(),
        nats: None,
    };
    let cockpit = Cockpit::start_with(live, Some(Source::Live)).await;
    // The views' counts, which must come out the same; `objects` may differ (the demo counts
    // kinds the watches leave out, such as Secrets).
    let views = |counts: &ClusterCounts| {
        (
            counts.gitops_apps,
            counts.gitops_attention,
            counts.policies,
            counts.policy_failures,
            counts.gateways,
            counts.routes,
            counts.routes_not_accepted,
        )
    };
    for cluster in clusters {
        let demo = counts(&expected, cluster).unwrap();
        assert!(
            demo.gitops_apps > 0 && demo.policies > 0 && demo.routes > 0,
            "{cluster}: the demo has something in every view to compare: {demo:?}"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let overview = cockpit.handle(GetOverview::default()).await.unwrap();
        let compared: Vec<(&str, Option<_>, _)> = clusters
            .iter()
            .map(|cluster| {
                (
                    *cluster,
                    counts(&overview, cluster).map(views),
                    views(counts(&expected, cluster).unwrap()),
                )
            })
            .collect();
        if compared.iter().all(|(_, live, demo)| live.as_ref() == Some(demo)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "(cluster, live, demo) as (apps, attention, policies, failures, gateways, routes, not accepted): {compared:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
