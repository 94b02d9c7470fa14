//! The adapters against real servers: OpenBao in dev mode and nats-server, each started on
//! loopback by the test kit and stopped when the test ends, pass or fail.
#![allow(clippy::unwrap_used, reason = "test helpers fail the test on a broken server")]

use sextant_adapters::secret::Secret;
use sextant_adapters::vault::{Error, VaultClient, VaultConfig};
use sextant_testkit::{start_nats, start_openbao};

const ROOT_TOKEN: &str = "e2e-root-token-3f9c1a77";

fn config(port: u16, token: &str) -> VaultConfig {
    VaultConfig {
        address: Some(format!("http://127.0.0.1:{port}")),
        token: Some(Secret::new(token)),
        ..VaultConfig::default()
    }
}

async fn put_policy(port: u16, name: &str, text: &str) {
    let response = reqwest::Client::new()
        .put(format!("http://127.0.0.1:{port}/v1/sys/policies/acl/{name}"))
        .header("X-Vault-Token", ROOT_TOKEN)
        .json(&serde_json::json!({ "policy": text }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "writing policy {name}: {}", response.status());
}

async fn vault_write(port: u16, path: &str, body: serde_json::Value) -> serde_json::Value {
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/v1/{path}"))
        .header("X-Vault-Token", ROOT_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "POST {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or_default()
}

#[tokio::test]
async fn the_vault_adapter_reads_a_real_openbao() {
    let server = start_openbao(ROOT_TOKEN);
    let port = server.port;
    put_policy(
        port,
        "shop-read",
        "path \"secret/data/shop/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n",
    )
    .await;
    put_policy(port, "ci-deployer", "path \"sys/policies/acl/*\" { capabilities = [\"update\"] }\npath \"auth/approle/role/ci\" { capabilities = [\"update\"] }\n").await;
    vault_write(port, "sys/auth/approle", serde_json::json!({"type": "approle"})).await;
    vault_write(port, "auth/approle/role/ci", serde_json::json!({"token_policies": ["ci-deployer"], "secret_id_bound_cidrs": ["10.0.0.0/8"]})).await;
    vault_write(port, "sys/auth/kubernetes", serde_json::json!({"type": "kubernetes"})).await;
    vault_write(
        port,
        "auth/kubernetes/role/shop",
        serde_json::json!({"bound_service_account_names": ["shop"], "bound_service_account_namespaces": ["shop"], "token_policies": ["shop-read"], "audience": "vault"}),
    )
    .await;
    vault_write(
        port,
        "identity/group",
        serde_json::json!({"name": "platform-team", "policies": ["shop-read"]}),
    )
    .await;

    let client = VaultClient::new(&config(port, ROOT_TOKEN)).unwrap();
    let snapshot = client.snapshot().await.unwrap();
    assert!(!snapshot.sealed);
    assert_eq!(snapshot.flavor.as_str(), "openbao", "OpenBao serves sys/policies/detailed/acl");
    assert!(
        snapshot.version.as_deref().is_some_and(|version| version.starts_with("2.")),
        "{:?}",
        snapshot.version
    );
    let mut names: Vec<_> = snapshot.policies.iter().map(|policy| policy.name.as_str()).collect();
    names.sort_unstable();
    // A dev server also has the built-in `default` and `root` policies.
    assert_eq!(names, vec!["ci-deployer", "default", "root", "shop-read"]);
    let role = |name: &str| {
        snapshot
            .auth_roles
            .iter()
            .find(|role| role.name == name)
            .unwrap_or_else(|| panic!("role {name} in {:?}", snapshot.auth_roles))
    };
    assert_eq!(role("ci").policies, vec!["ci-deployer"]);
    assert_eq!(role("ci").method, "approle");
    assert_eq!(role("shop").policies, vec!["shop-read"]);
    assert!(role("shop").bound.contains(&"audience: vault".to_owned()), "{:?}", role("shop").bound);
    assert_eq!(
        snapshot.groups.iter().map(|group| group.name.as_str()).collect::<Vec<_>>(),
        vec!["platform-team"]
    );
    assert!(snapshot.problems.is_empty(), "{:?}", snapshot.problems);

    // A token that may read only some endpoints gets a partial snapshot that names what it
    // could not read, not an error.
    put_policy(port, "policies-only", "path \"sys/policies/acl\" { capabilities = [\"list\"] }\npath \"sys/policies/acl/*\" { capabilities = [\"read\"] }\n").await;
    let created =
        vault_write(port, "auth/token/create", serde_json::json!({"policies": ["policies-only"]}))
            .await;
    let limited = created["auth"]["client_token"].as_str().unwrap().to_owned();
    let snapshot = VaultClient::new(&config(port, &limited)).unwrap().snapshot().await.unwrap();
    assert_eq!(snapshot.policies.len(), 5);
    assert!(
        snapshot
            .problems
            .iter()
            .any(|problem| problem.contains("sys/auth") && problem.contains("403")),
        "{:?}",
        snapshot.problems
    );
    assert!(!format!("{snapshot:?}").contains(&limited), "the token never appears in the snapshot");

    // A bad token is named as such.
    let bad = VaultClient::new(&config(port, "not-a-real-token-1234")).unwrap().snapshot().await;
    assert!(matches!(bad, Err(Error::BadToken)), "{bad:?}");
    drop(server);

    // The same address with the server gone is "unreachable", not a crash.
    let gone = VaultClient::new(&config(port, ROOT_TOKEN)).unwrap().snapshot().await;
    let message = gone.unwrap_err().to_string();
    assert!(message.contains("cannot reach Vault") && message.contains("VAULT_ADDR"), "{message}");
}

#[tokio::test]
async fn the_vault_adapter_names_a_sealed_server() {
    let server = start_openbao(ROOT_TOKEN);
    let port = server.port;
    let response = reqwest::Client::new()
        .put(format!("http://127.0.0.1:{port}/v1/sys/seal"))
        .header("X-Vault-Token", ROOT_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "sealing: {}", response.status());
    let snapshot = VaultClient::new(&config(port, ROOT_TOKEN)).unwrap().snapshot().await.unwrap();
    assert!(snapshot.sealed);
    assert!(
        snapshot
            .problems
            .iter()
            .any(|problem| problem.contains("sealed") && problem.contains("unseal")),
        "{:?}",
        snapshot.problems
    );
}

#[tokio::test]
async fn the_lattice_client_reads_hosts_and_links_over_real_nats() {
    let server = start_nats();
    let url = format!("nats://127.0.0.1:{}", server.port);
    // A stand-in host answering the v1 control interface with the recorded real replies
    // (assets/demo/lattice/v1-with-wadm-app.json), so the client is exercised end to end
    // over a real nats-server.
    let recording: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/demo/lattice/v1-with-wadm-app.json"))
            .unwrap();
    let exchanges = &recording["exchanges"];
    let inventory = exchanges["inventory_with_wadm_app"]["reply"].clone();
    let links = exchanges["links_with_wadm_app"]["reply"].clone();
    let host_id = inventory["response"]["host_id"].as_str().unwrap().to_owned();
    let ping = serde_json::json!({"success": true, "message": "", "response": {"id": host_id, "friendly_name": "recorded", "lattice": "default"}});
    let host = async_nats::connect(&url).await.unwrap();
    let mut requests = host.subscribe("wasmbus.ctl.v1.default.>").await.unwrap();
    let responder = host.clone();
    let answer_host_id = host_id.clone();
    let task = tokio::spawn(async move {
        use futures::StreamExt as _;
        while let Some(message) = requests.next().await {
            let Some(reply) = message.reply else { continue };
            let body = match message.subject.as_str() {
                "wasmbus.ctl.v1.default.host.ping" => &ping,
                "wasmbus.ctl.v1.default.link.get" => &links,
                subject
                    if subject == format!("wasmbus.ctl.v1.default.host.get.{answer_host_id}") =>
                {
                    &inventory
                }
                _ => continue,
            };
            responder.publish(reply, body.to_string().into()).await.unwrap();
        }
    });
    host.flush().await.unwrap();

    let client =
        sextant_adapters::nats::LatticeClient::connect(&url, None, "default").await.unwrap();
    let snapshot = client.snapshot().await.unwrap();
    assert_eq!(snapshot.hosts.len(), 1);
    assert_eq!(snapshot.hosts[0].host_id, host_id);
    assert_eq!(
        snapshot.hosts[0].components[0].id, "cockpit_demo-empty",
        "from the recorded inventory"
    );
    assert_eq!(
        snapshot.links.len(),
        exchanges["links_with_wadm_app"]["reply"]["response"].as_array().unwrap().len()
    );
    task.abort();

    // The server going away is a named failure, not a hang or a crash.
    drop(server);
    let failed = sextant_adapters::nats::LatticeClient::connect(&url, None, "default").await;
    assert!(failed.unwrap_err().to_string().contains("cannot connect to NATS"));
}
