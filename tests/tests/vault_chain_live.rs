//! The ServiceAccount chain's live part: ServiceAccounts, workloads and legacy token Secrets
//! read from the kmock Kubernetes API emulator through the cluster adapter (Secrets as metadata
//! only, so no token value is ever read), then followed to Vault roles and token dangers.
#![allow(clippy::unwrap_used, reason = "test helpers fail the test on a broken server")]

use sextant_domain::vault::chain::{RoleBinding, service_account_chain};
use sextant_domain::vault::{AuthRole, Flavor, PolicySource, PolicyStore, VaultSnapshot};
use sextant_testkit::start_kmock;

/// A made-up value standing for a token; it must never come back from the adapter.
const TOKEN_VALUE: &str = "bm90LWEtcmVhbC10b2tlbi1tdXN0LW5vdC1sZWFr";

fn seed() -> serde_json::Value {
    serde_json::json!([
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "shop"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "batch", "namespace": "shop"},
         "automountServiceAccountToken": false},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                               "spec": {"serviceAccountName": "web", "containers": [{"name": "web", "image": "web:1"}]}}}},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
         "metadata": {"name": "web-token", "namespace": "shop",
                      "annotations": {"kubernetes.io/service-account.name": "web"}},
         "data": {"token": TOKEN_VALUE}},
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
         "metadata": {"name": "web-config", "namespace": "shop"}, "data": {"password": TOKEN_VALUE}}
    ])
}

#[tokio::test]
async fn service_accounts_workloads_and_legacy_tokens_are_read_live_and_chained() {
    let (server, kubeconfig_path) = start_kmock(&seed(), &[]);
    let kubeconfig = kube::config::Kubeconfig::read_from(&kubeconfig_path).unwrap();
    let context = kubeconfig.contexts[0].name.clone();
    let cluster = sextant_adapters::cluster::read_cluster(&kubeconfig, &context).await;
    drop(server);
    assert_eq!(
        cluster.state,
        sextant_domain::platform::ClusterState::Ready,
        "{:?}",
        cluster.message
    );
    let mut found: Vec<String> = cluster
        .objects
        .iter()
        .map(|object| format!("{}/{}", object.kind(), object.name()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "Deployment/web",
            "Namespace/shop",
            "Secret/web-token",
            "ServiceAccount/batch",
            "ServiceAccount/web"
        ],
        "only the legacy token Secret, as metadata; message: {:?}",
        cluster.message
    );
    assert!(!format!("{:?}", cluster.objects).contains(TOKEN_VALUE), "no Secret value is read");

    let vault = VaultSnapshot {
        policies: vec![PolicySource {
            name: "web".into(),
            text: "path \"secret/data/web/*\" { capabilities = [\"read\"] }".into(),
        }],
        auth_roles: vec![AuthRole {
            mount: "kubernetes/".into(),
            method: "kubernetes".into(),
            name: "web".into(),
            policies: vec!["web".into()],
            bound: Vec::new(),
            binding: RoleBinding {
                service_account_names: vec!["web".into(), "batch".into()],
                service_account_namespaces: vec!["shop".into()],
                ..RoleBinding::default()
            },
        }],
        ..VaultSnapshot::default()
    };
    let store = PolicyStore::from_sources(&vault.policies, Flavor::OpenBao);
    let chain = service_account_chain(&vault, &store, std::slice::from_ref(&cluster));
    let accounts: Vec<(&str, bool, Vec<String>)> = chain.roles[0]
        .service_accounts
        .iter()
        .map(|account| (account.name.as_str(), account.automount, account.workloads.clone()))
        .collect();
    assert_eq!(
        accounts,
        [("web", true, vec!["Deployment/web".to_owned()]), ("batch", false, vec![])]
    );
    assert_eq!(chain.roles[0].readable, ["secret/data/web/*"]);
    let dangers: Vec<(&str, String)> =
        chain.dangers.iter().map(|danger| (danger.code, danger.subject.clone())).collect();
    assert_eq!(
        dangers,
        [
            ("VAULT-SA-01", "auth/kubernetes/role/web".to_owned()),
            ("VAULT-SA-03", format!("{context}/shop/Secret/web-token")),
            ("VAULT-SA-04", format!("{context}/shop/Deployment/web")),
        ]
    );
}
