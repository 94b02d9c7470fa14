//! The watched caches under the faults a real cluster produces but no test server does on
//! demand: a 410 Gone on a watch, a 403 on one kind and in one namespace, an API server that
//! disappears mid-watch and comes back, an expired token (also from an exec plugin), a slow
//! server. Each test asserts what the user would see: the cluster's state, each kind's phase
//! and message, and the objects shown.
//!
//! The server is `sextant_testkit::fake_apiserver`, a fake for faults only; the ordinary paths
//! run against the kmock emulator in `cluster_and_redaction.rs`.
#![allow(clippy::unwrap_used, reason = "a failing step fails the test")]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sextant_adapters::cluster::watch::{ClusterWatch, WatchOptions};
use sextant_domain::platform::{ClusterSnapshot, ClusterState, KindPhase, KindStatus};
use sextant_testkit::fake_apiserver::FakeApiServer;

fn objects() -> Vec<Value> {
    let namespace = |name: &str| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "resourceVersion": "1"}});
    let service = |namespace: &str, name: &str| {
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": name, "namespace": namespace, "resourceVersion": "2"},
               "spec": {"ports": [{"port": 80}]}})
    };
    let route = |namespace: &str, name: &str| {
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
               "metadata": {"name": name, "namespace": namespace, "resourceVersion": "3"},
               "spec": {"parentRefs": [{"name": "edge"}]}})
    };
    vec![
        namespace("team-a"),
        namespace("team-b"),
        service("team-a", "web"),
        service("team-b", "api"),
        route("team-a", "web"),
        route("team-b", "api"),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
               "metadata": {"name": "edge", "namespace": "team-a", "resourceVersion": "4"}}),
    ]
}

fn options() -> WatchOptions {
    WatchOptions {
        max_reconnect_delay: Duration::from_secs(1),
        request_timeout: Duration::from_secs(10),
        ..WatchOptions::default()
    }
}

fn start(
    server: &FakeApiServer,
    dir: &tempfile::TempDir,
    user: &str,
    options: WatchOptions,
) -> ClusterWatch {
    let path = server.kubeconfig(dir.path(), user);
    let kubeconfig = kube::config::Kubeconfig::read_from(path).unwrap();
    ClusterWatch::start(&kubeconfig, "fake", options)
}

/// Waits (up to 30 s) until `condition` holds for the snapshot; panics with the last one.
async fn eventually(
    watch: &ClusterWatch,
    what: &str,
    condition: impl Fn(&ClusterSnapshot) -> bool,
) -> ClusterSnapshot {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let snapshot = watch.snapshot();
        if condition(&snapshot) {
            return snapshot;
        }
        assert!(
            Instant::now() < deadline,
            "never saw {what}; last: {:?} {:?} {:#?}",
            snapshot.state,
            snapshot.message,
            snapshot.kinds
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn kind<'a>(snapshot: &'a ClusterSnapshot, kind: &str) -> &'a KindStatus {
    snapshot
        .kinds
        .iter()
        .find(|status| status.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} in {:#?}", snapshot.kinds))
}

fn names(snapshot: &ClusterSnapshot, kind: &str) -> Vec<String> {
    let mut names: Vec<String> = snapshot
        .objects
        .iter()
        .filter(|object| object.kind() == kind)
        .map(|object| format!("{}/{}", object.namespace().unwrap_or_default(), object.name()))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_watch_that_expires_is_listed_again_and_then_follows_changes() {
    let server = FakeApiServer::start(objects()).await;
    server.faults().gone_watches.insert("services".to_owned(), 1);
    let dir = tempfile::tempdir().unwrap();
    let watch = start(&server, &dir, "{token: dev-token}", options());
    // The first watch after the initial list answers 410 Gone: the watcher lists again.
    eventually(&watch, "services listed twice", |_| {
        let lists = server
            .requests()
            .iter()
            .filter(|request| request.starts_with("GET /api/v1/services?&limit="))
            .count();
        lists >= 2
    })
    .await;
    let snapshot = eventually(&watch, "services ready after the relist", |snapshot| {
        snapshot
            .kinds
            .iter()
            .any(|status| status.kind == "Service" && status.phase == KindPhase::Ready)
    })
    .await;
    assert_eq!(names(&snapshot, "Service"), ["team-a/web", "team-b/api"]);
    assert!(kind(&snapshot, "Service").synced_at.is_some());
    // The watch that follows the relist delivers new objects.
    server.add(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "new", "namespace": "team-a"}}));
    let snapshot =
        eventually(&watch, "the new service", |snapshot| names(snapshot, "Service").len() == 3)
            .await;
    assert_eq!(names(&snapshot, "Service"), ["team-a/new", "team-a/web", "team-b/api"]);
    assert_eq!(snapshot.state, ClusterState::Ready, "{:?}", snapshot.message);
}

#[tokio::test]
async fn a_forbidden_kind_is_named_and_told_apart_from_an_empty_one() {
    let server = FakeApiServer::start(objects()).await;
    server.faults().forbidden.insert("gateways".to_owned());
    server.faults().forbidden_in.insert("httproutes".to_owned(), ["team-b".to_owned()].into());
    let dir = tempfile::tempdir().unwrap();
    let watch = start(&server, &dir, "{token: dev-token}", options());
    watch.wait_settled(Duration::from_secs(30)).await;
    let snapshot = watch.snapshot();
    assert_eq!(snapshot.state, ClusterState::Ready, "{:?}", snapshot.message);

    let gateways = kind(&snapshot, "Gateway");
    assert_eq!(gateways.phase, KindPhase::Forbidden);
    let message = gateways.message.as_deref().unwrap();
    assert!(
        message.contains("may not") && message.contains("gateways") && message.contains("`list`"),
        "{message}"
    );
    assert!(snapshot.unreadable("Gateway"), "a forbidden kind is unknown, not absent");
    assert!(names(&snapshot, "Gateway").is_empty());

    // HTTPRoutes: forbidden cluster-wide and in team-b, allowed in team-a.
    let routes = kind(&snapshot, "HTTPRoute");
    assert_eq!(routes.phase, KindPhase::Ready);
    assert_eq!(routes.namespaces, ["team-a"]);
    assert_eq!(routes.denied_namespaces, ["team-b"]);
    assert!(routes.message.as_deref().unwrap().contains("in team-b"), "{:?}", routes.message);
    assert_eq!(names(&snapshot, "HTTPRoute"), ["team-a/web"]);
    assert!(snapshot.unreadable("HTTPRoute"));

    // Everything else is read in full.
    assert_eq!(kind(&snapshot, "Service").phase, KindPhase::Ready);
    assert!(!snapshot.unreadable("Service"));
    assert_eq!(names(&snapshot, "Service"), ["team-a/web", "team-b/api"]);
}

/// `sextant doctor`'s survey: the same access reviews, without watching anything.
#[tokio::test]
async fn the_survey_names_installed_apis_and_missing_permissions_without_listing() {
    let server = FakeApiServer::start(objects()).await;
    server.faults().forbidden.insert("gateways".to_owned());
    server.faults().forbidden_in.insert("httproutes".to_owned(), ["team-b".to_owned()].into());
    let dir = tempfile::tempdir().unwrap();
    let path = server.kubeconfig(dir.path(), "{token: dev-token}");
    let kubeconfig = kube::config::Kubeconfig::read_from(path).unwrap();
    let survey =
        sextant_adapters::cluster::watch::survey(&kubeconfig, "fake", &options()).await.unwrap();
    assert_eq!(survey.version, "v1.33.0-fake");
    // The fake serves the core group, apps, Gateway API and PolicyReports only.
    let installed: Vec<(&str, Option<&str>)> =
        survey.apis.iter().map(|api| (api.name.as_str(), api.version.as_deref())).collect();
    assert!(installed.contains(&("Gateway API", Some("v1"))), "{installed:?}");
    assert!(installed.contains(&("PolicyReport", Some("v1alpha2"))), "{installed:?}");
    assert!(installed.contains(&("Flux", None)), "{installed:?}");
    assert_eq!(installed.iter().filter(|(_, version)| version.is_some()).count(), 2);
    let denied: Vec<(&str, &[String])> = survey
        .denied
        .iter()
        .map(|kind| (kind.kind.as_str(), kind.denied_namespaces.as_slice()))
        .collect();
    assert_eq!(denied, [("Gateway", &[][..]), ("HTTPRoute", &["team-b".to_owned()][..])]);
    // Nothing was listed or watched.
    let requests = server.requests();
    assert!(
        !requests.iter().any(|request| request.contains("/services") || request.contains("watch=")),
        "{requests:#?}"
    );
}

#[tokio::test]
async fn a_server_that_disappears_mid_watch_shows_stale_data_then_recovers() {
    let mut server = FakeApiServer::start(objects()).await;
    let dir = tempfile::tempdir().unwrap();
    let watch = start(&server, &dir, "{token: dev-token}", options());
    eventually(&watch, "ready", |snapshot| snapshot.state == ClusterState::Ready).await;

    server.stop();
    let snapshot = eventually(&watch, "the cluster unreachable", |snapshot| {
        snapshot.state == ClusterState::Unreachable
    })
    .await;
    // The data from before is still shown, and marked as not current.
    assert_eq!(names(&snapshot, "Service"), ["team-a/web", "team-b/api"]);
    assert!(snapshot.kinds.iter().any(|status| status.phase == KindPhase::Reconnecting));
    assert!(
        snapshot.message.as_deref().unwrap().contains("reconnecting"),
        "{:?}",
        snapshot.message
    );

    server.restart().await;
    server.add(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "back", "namespace": "team-b"}}));
    let snapshot = eventually(&watch, "ready again with the new service", |snapshot| {
        snapshot.state == ClusterState::Ready && names(snapshot, "Service").len() == 3
    })
    .await;
    assert_eq!(names(&snapshot, "Service"), ["team-a/web", "team-b/api", "team-b/back"]);
    assert!(
        snapshot
            .kinds
            .iter()
            .all(|status| status.phase == KindPhase::Ready || status.phase == KindPhase::Forbidden)
    );
}

#[tokio::test]
async fn an_expired_token_is_named_as_such() {
    let server = FakeApiServer::start(objects()).await;
    server.faults().accepted_token = Some("current-token".to_owned());
    let dir = tempfile::tempdir().unwrap();
    let watch = start(&server, &dir, "{token: expired-token}", options());
    let snapshot = eventually(&watch, "unauthenticated", |snapshot| {
        snapshot.state == ClusterState::Unauthenticated
    })
    .await;
    let message = snapshot.message.unwrap();
    assert!(
        message.contains("rejected the credentials") && message.contains("log in again"),
        "{message}"
    );
    assert!(!message.contains("expired-token"), "the token is never shown: {message}");
    assert!(snapshot.objects.is_empty());
}

#[tokio::test]
async fn an_exec_plugin_whose_credential_expires_is_named_after_the_next_reconnect() {
    let mut server = FakeApiServer::start(objects()).await;
    server.faults().accepted_token = Some("exec-token-1".to_owned());
    let dir = tempfile::tempdir().unwrap();
    // The plugin prints whatever token the file holds, valid for 30 s: kube refreshes tokens
    // that expire within a minute, so it runs the plugin again for every new connection.
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "exec-token-1").unwrap();
    let plugin = dir.path().join("credential-plugin");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\nprintf '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"%s\",\"expirationTimestamp\":\"%s\"}}}}' \"$(cat {})\" \"$(date -u -d '+30 seconds' +%Y-%m-%dT%H:%M:%SZ)\"\n",
            token_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let user = format!(
        "{{exec: {{apiVersion: client.authentication.k8s.io/v1, command: '{}', interactiveMode: Never}}}}",
        plugin.display()
    );
    let watch = start(&server, &dir, &user, options());
    let snapshot = eventually(&watch, "ready with the plugin's credential", |snapshot| {
        snapshot.state == ClusterState::Ready && !names(snapshot, "Service").is_empty()
    })
    .await;
    assert_eq!(names(&snapshot, "Service"), ["team-a/web", "team-b/api"]);

    // The plugin now hands out a credential the server no longer accepts.
    std::fs::write(&token_file, "exec-token-0-expired").unwrap();
    server.stop();
    server.restart().await;
    let snapshot = eventually(&watch, "unauthenticated", |snapshot| {
        snapshot.state == ClusterState::Unauthenticated
    })
    .await;
    assert!(
        snapshot.message.as_deref().unwrap().contains("rejected the credentials"),
        "{:?}",
        snapshot.message
    );
    let shown = format!("{:?} {:?}", snapshot.message, snapshot.kinds);
    assert!(!shown.contains("exec-token"), "no token in what the user sees: {shown}");
    // What was read before is still there, not thrown away.
    assert_eq!(names(&snapshot, "Service"), ["team-a/web", "team-b/api"]);
}

#[tokio::test]
async fn a_slow_server_is_named_within_the_request_timeout() {
    let server = FakeApiServer::start(objects()).await;
    server.faults().delay = Duration::from_secs(3);
    let dir = tempfile::tempdir().unwrap();
    let options = WatchOptions { request_timeout: Duration::from_secs(1), ..options() };
    let watch = start(&server, &dir, "{token: dev-token}", options);
    let snapshot =
        eventually(&watch, "unreachable", |snapshot| snapshot.state == ClusterState::Unreachable)
            .await;
    let message = snapshot.message.unwrap();
    assert!(message.contains("did not answer in time"), "{message}");
    // Once the server is fast again, the watch recovers without a restart.
    server.faults().delay = Duration::ZERO;
    let snapshot = eventually(&watch, "ready", |snapshot| {
        snapshot.state == ClusterState::Ready && !snapshot.objects.is_empty()
    })
    .await;
    assert_eq!(names(&snapshot, "Service"), ["team-a/web", "team-b/api"]);
}

#[tokio::test]
async fn a_list_that_stalls_is_abandoned_and_started_again() {
    // The list of Services sends nothing; the socket timeout (10 s) is longer than the stall
    // limit (1 s).
    let server = FakeApiServer::start(objects()).await;
    server.faults().stalled_lists.insert("services".to_owned());
    let dir = tempfile::tempdir().unwrap();
    let options = WatchOptions { list_stall_timeout: Duration::from_secs(1), ..options() };
    let watch = start(&server, &dir, "{token: dev-token}", options);
    let snapshot = eventually(&watch, "a stalled list named", |snapshot| {
        snapshot.kinds.iter().any(|kind| {
            kind.kind == "Service"
                && kind.message.as_deref()
                    == Some("the list of services sent nothing for 1 s; listing again")
        })
    })
    .await;
    assert_ne!(snapshot.state, ClusterState::Ready, "a stalled sync is not shown as complete");
    server.faults().stalled_lists.clear();
    let snapshot = eventually(&watch, "ready", |snapshot| {
        snapshot.state == ClusterState::Ready && !snapshot.objects.is_empty()
    })
    .await;
    assert_eq!(names(&snapshot, "Service"), ["team-a/web", "team-b/api"]);
}

#[tokio::test]
async fn a_kind_over_its_limit_is_partial_and_says_by_how_much() {
    let server = FakeApiServer::start(objects()).await;
    let dir = tempfile::tempdir().unwrap();
    let options = WatchOptions { max_objects_per_kind: 1, ..options() };
    let watch = start(&server, &dir, "{token: dev-token}", options);
    watch.wait_settled(Duration::from_secs(30)).await;
    let snapshot = watch.snapshot();
    let services = kind(&snapshot, "Service");
    assert_eq!((services.objects, services.dropped), (1, 1));
    assert!(
        services.message.as_deref().unwrap().starts_with("partial: 1 more objects"),
        "{:?}",
        services.message
    );
    assert_eq!(names(&snapshot, "Service").len(), 1);
}

#[tokio::test]
async fn an_initial_list_in_pages_is_whole() {
    let mut objects = objects();
    for index in 0..7 {
        objects.push(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": format!("svc-{index}"), "namespace": "team-b", "resourceVersion": "5"}}));
    }
    let server = FakeApiServer::start(objects).await;
    let dir = tempfile::tempdir().unwrap();
    let watch =
        start(&server, &dir, "{token: dev-token}", WatchOptions { page_size: 3, ..options() });
    let snapshot = eventually(&watch, "services ready", |snapshot| {
        snapshot
            .kinds
            .iter()
            .any(|status| status.kind == "Service" && status.phase == KindPhase::Ready)
    })
    .await;
    // 9 Services (2 + 7) in pages of 3: three lists, the later ones continuing the first.
    assert_eq!(names(&snapshot, "Service").len(), 9, "{:?}", names(&snapshot, "Service"));
    let lists: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|request| {
            request.starts_with("GET /api/v1/services?") && !request.contains("watch=true")
        })
        .collect();
    assert_eq!(lists.len(), 3, "{lists:?}");
    assert_eq!(
        lists.iter().filter(|request| request.contains("continue=")).count(),
        2,
        "{lists:?}"
    );
}

#[tokio::test]
async fn each_view_names_the_permissions_it_lacks_and_only_its_own() {
    use sextant_app::{Cockpit, Handle, LiveConfig, Source};
    use sextant_protocol::{ViewId, overview::GetViewStatus};
    let server = FakeApiServer::start(objects()).await;
    server.faults().forbidden.insert("gateways".to_owned());
    server.faults().forbidden_in.insert("httproutes".to_owned(), ["team-b".to_owned()].into());
    let dir = tempfile::tempdir().unwrap();
    let path = server.kubeconfig(dir.path(), "{token: dev-token}");
    let live = LiveConfig {
        kubeconfig: Ok(Some(kube::config::Kubeconfig::read_from(path).unwrap())),
        broken_contexts: std::collections::BTreeMap::new(),
        unreadable_kubeconfigs: Vec::new(),
        vault: sextant_adapters::vault::VaultConfig::default(),
        nats: None,
    };
    let cockpit = Cockpit::start_with(live, Some(Source::Live)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let routes = loop {
        let status = cockpit.handle(GetViewStatus { view: ViewId::Routes }).await.unwrap();
        let settled = status.clusters.first().is_some_and(|cluster| {
            cluster.kinds.iter().any(|kind| kind.kind == "Gateway" && kind.phase == "forbidden")
                && cluster.kinds.iter().all(|kind| kind.phase != "listing")
        });
        if settled {
            break status;
        }
        assert!(Instant::now() < deadline, "never settled: {status:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(routes.live);
    let cluster = &routes.clusters[0];
    let kinds: Vec<&str> = cluster.kinds.iter().map(|kind| kind.kind.as_str()).collect();
    // The Routes view reads the Gateway API, Services, Namespaces and Certificates, not Pods.
    assert!(kinds.contains(&"HTTPRoute") && kinds.contains(&"Service"), "{kinds:?}");
    assert!(!kinds.contains(&"Pod") && !kinds.contains(&"PolicyReport"), "{kinds:?}");
    let route = cluster.kinds.iter().find(|kind| kind.kind == "HTTPRoute").unwrap();
    assert_eq!(route.denied_namespaces, ["team-b"]);
    assert!(route.message.as_deref().unwrap().contains("in team-b"), "{:?}", route.message);
    // The Policies view mentions neither: it reads none of them.
    let policies = cockpit.handle(GetViewStatus { view: ViewId::Policies }).await.unwrap();
    assert!(
        policies.clusters[0]
            .kinds
            .iter()
            .all(|kind| kind.api_version.starts_with("wgpolicyk8s.io")),
        "{:?}",
        policies.clusters[0].kinds
    );
    // The demo has no sync state to tell.
    let demo = Cockpit::start(Some(Source::Demo)).await;
    assert!(!demo.handle(GetViewStatus { view: ViewId::Routes }).await.unwrap().live);
}
