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

/// The names of the HTTPRoutes held, sorted.
fn routes(snapshot: &sextant_domain::platform::ClusterSnapshot) -> Vec<String> {
    let mut names: Vec<String> = snapshot
        .objects
        .iter()
        .filter(|object| object.kind() == "HTTPRoute")
        .map(|object| object.name().to_owned())
        .collect();
    names.sort();
    names
}

/// Waits (up to 30 s) until `condition` holds for the watch's snapshot.
async fn eventually(
    watch: &sextant_adapters::cluster::watch::ClusterWatch,
    what: &str,
    condition: impl Fn(&sextant_domain::platform::ClusterSnapshot) -> bool,
) -> sextant_domain::platform::ClusterSnapshot {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let snapshot = watch.snapshot();
        if condition(&snapshot) {
            return snapshot;
        }
        assert!(
            Instant::now() < deadline,
            "never {what}: {:?} {:?}",
            snapshot.state,
            snapshot.kinds
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_emulator_that_goes_away_and_comes_back_is_followed_again() {
    use sextant_adapters::cluster::watch::{ClusterWatch, WatchOptions};
    use sextant_domain::platform::{ClusterState, KindPhase};
    let crds = vec!["gateway.networking.k8s.io/v1/httproutes:HTTPRoute:ns".to_owned()];
    let route = |name: &str| {
        serde_json::json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": "shop"}, "spec": {"parentRefs": [{"name": "edge"}]}})
    };
    let port = sextant_testkit::free_port();
    let (mut server, path) =
        sextant_testkit::start_kmock_at(port, &serde_json::json!([route("web")]), &crds);
    let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
    let context = kubeconfig.contexts[0].name.clone();
    let options =
        WatchOptions { max_reconnect_delay: Duration::from_secs(1), ..WatchOptions::default() };
    let watch = ClusterWatch::start(&kubeconfig, &context, options);
    eventually(&watch, "ready with the route", |snapshot| routes(snapshot) == ["web"]).await;
    // The emulator goes away: the last data stays, marked as not current.
    server.stop();
    let gone = eventually(&watch, "marked reconnecting", |snapshot| {
        snapshot
            .kinds
            .iter()
            .any(|kind| kind.kind == "HTTPRoute" && kind.phase == KindPhase::Reconnecting)
    })
    .await;
    assert_eq!(routes(&gone), ["web"], "the data from before is still shown");
    // It comes back on the same address with another route: the watch lists it again.
    let (_server, _) = sextant_testkit::start_kmock_at(
        port,
        &serde_json::json!([route("web"), route("api")]),
        &crds,
    );
    let back = eventually(&watch, "following again", |snapshot| {
        snapshot.state == ClusterState::Ready && routes(snapshot) == ["api", "web"]
    })
    .await;
    let kind = back.kinds.iter().find(|kind| kind.kind == "HTTPRoute").unwrap();
    assert_eq!(kind.phase, KindPhase::Ready);
}
