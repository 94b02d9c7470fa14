//! The live path of issue #3: one OpenBao, seeded with policies (a templated one, an edited
//! `default`), an AppRole role, a Kubernetes auth role, a userpass login, an identity entity
//! and group. The live adapter must read back what was written, and `sextant vault
//! capabilities` fed with the policies read from the server must answer exactly what the
//! server's `sys/capabilities` answers for a real token carrying them.
#![allow(clippy::unwrap_used, reason = "test helpers fail the test on a broken server")]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sextant_adapters::secret::Secret;
use sextant_adapters::vault::{VaultClient, VaultConfig};
use sextant_testkit::{start_openbao, workspace_root};

const ROOT_TOKEN: &str = "live-e2e-root-5d21b0";

struct Bao {
    base: String,
    http: reqwest::Client,
}

impl Bao {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}/v1/{path}", self.base))
            .header("X-Vault-Token", token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn write(&self, path: &str, body: Value) -> Value {
        let (status, value) = self.call(reqwest::Method::POST, path, ROOT_TOKEN, Some(body)).await;
        assert!((200..300).contains(&status), "POST {path}: {status} {value}");
        value
    }

    async fn read(&self, path: &str) -> Value {
        let (status, value) = self.call(reqwest::Method::GET, path, ROOT_TOKEN, None).await;
        assert_eq!(status, 200, "GET {path}: {value}");
        value
    }

    async fn put_policy(&self, name: &str, text: &str) {
        self.write(&format!("sys/policies/acl/{name}"), json!({ "policy": text })).await;
    }

    /// `sys/capabilities` for `token` on `path`: the server's answer, sorted.
    async fn capabilities(&self, token: &str, path: &str) -> Vec<String> {
        let value = self.write("sys/capabilities", json!({"token": token, "paths": [path]})).await;
        let mut names: Vec<String> = value["data"][path]
            .as_array()
            .unwrap_or_else(|| panic!("sys/capabilities for {path}: {value}"))
            .iter()
            .map(|name| name.as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    }

    async fn login(&self, user: &str) -> String {
        let value = self
            .write(&format!("auth/userpass/login/{user}"), json!({"password": "pw-not-a-secret"}))
            .await;
        value["auth"]["client_token"].as_str().unwrap().to_owned()
    }
}

/// The paths checked for every subject: exact, glob, segment, templated, trailing-slash (LIST
/// view), default-policy and escalation paths, and paths no rule covers.
const PATHS: &[&str] = &[
    "secret/data/app/config",
    "secret/data/app/admin",
    "secret/data/app/",
    "secret/metadata/app/config",
    "secret/metadata/other/config",
    "secret/data/users/alice/notes",
    "secret/data/users/bob/notes",
    "secret/data/users/alice/",
    "secret/data/teams/payments/ledger",
    "secret/data/teams/search/ledger",
    "secret/data/shared/x",
    "secret/data/platform/db",
    "secret/data/platform/",
    "secret/data/entity-only",
    "auth/token/lookup-self",
    "auth/token/renew-self",
    "cubbyhole/anything",
    "sys/capabilities-self",
    "sys/policies/acl/ci-deployer",
    "sys/policies/acl/",
    "auth/jwt/role/ci-deployer",
    "auth/approle/role/deployer/secret-id",
    "sys/mounts/x",
    "nothing/here",
    "/secret/data/app/config",
];

fn sextant() -> PathBuf {
    let binary = workspace_root().join("target/debug/sextant");
    assert!(binary.exists(), "build the CLI first: cargo build -p sextant-cli");
    binary
}

/// Runs `sextant vault capabilities --output json` with `policies` from `dir` and returns
/// (exit code, JSON).
fn cli(
    dir: &Path,
    policies: &[&str],
    identity: Option<&Path>,
    extra: &[&str],
    paths: &[&str],
) -> (i32, Value) {
    let mut command = std::process::Command::new(sextant());
    command.args(["vault", "capabilities", "--output", "json"]);
    for name in policies {
        command
            .arg("--policy")
            .arg(format!("{name}={}", dir.join(format!("{name}.hcl")).display()));
    }
    if let Some(identity) = identity {
        command.arg("--identity").arg(identity);
    }
    command.args(extra).args(paths);
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!("not JSON ({error}): {stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    });
    (output.status.code().unwrap(), value)
}

const APP: &str = r#"
path "secret/data/app/*" { capabilities = ["read", "list"] }
path "secret/data/app/admin" { capabilities = ["deny"] }
path "secret/metadata/+/config" { capabilities = ["read"] }
"#;

const CI_DEPLOYER: &str = r#"
path "secret/data/ci/*" { capabilities = ["read"] }
path "sys/policies/acl/*" { capabilities = ["create", "read", "update", "list"] }
path "sys/policies/acl" { capabilities = ["list"] }
path "auth/jwt/role/ci-deployer" { capabilities = ["read", "update"] }
path "auth/approle/role/+/secret-id" { capabilities = ["update"] }
"#;

#[tokio::test]
async fn the_live_adapter_and_the_cli_agree_with_a_seeded_openbao() {
    let server = start_openbao(ROOT_TOKEN);
    let bao =
        Bao { base: format!("http://127.0.0.1:{}", server.port), http: reqwest::Client::new() };

    // Auth mounts first: the templated policy names the userpass accessor.
    bao.write("sys/auth/userpass", json!({"type": "userpass"})).await;
    bao.write("sys/auth/approle", json!({"type": "approle"})).await;
    bao.write("sys/auth/kubernetes", json!({"type": "kubernetes"})).await;
    let accessor =
        bao.read("sys/auth").await["data"]["userpass/"]["accessor"].as_str().unwrap().to_owned();

    bao.put_policy("app", APP).await;
    bao.put_policy("ci-deployer", CI_DEPLOYER).await;
    bao.put_policy(
        "group-policy",
        "path \"secret/data/platform/*\" { capabilities = [\"read\", \"list\"] }",
    )
    .await;
    bao.put_policy(
        "entity-policy",
        "path \"secret/data/entity-only\" { capabilities = [\"patch\", \"read\"] }",
    )
    .await;
    let self_service = format!(
        r#"
path "secret/data/users/{{{{identity.entity.name}}}}/*" {{ capabilities = ["create", "read", "update", "list"] }}
path "secret/data/teams/{{{{ identity.entity.metadata.team }}}}/*" {{ capabilities = ["read"] }}
path "secret/data/groups/{{{{identity.groups.names.platform.id}}}}" {{ capabilities = ["read"] }}
path "secret/data/alias/{{{{identity.entity.aliases.{accessor}.name}}}}" {{ capabilities = ["list"] }}
path "secret/data/users/*" {{ capabilities = ["deny"] }}
"#
    );
    bao.put_policy("self-service", &self_service).await;
    // `default` is edited, not replaced: the server's own text plus one rule.
    let default_text =
        bao.read("sys/policies/acl/default").await["data"]["policy"].as_str().unwrap().to_owned();
    let edited_default =
        format!("{default_text}\npath \"secret/data/shared/*\" {{ capabilities = [\"read\"] }}\n");
    bao.put_policy("default", &edited_default).await;

    bao.write("auth/approle/role/deployer", json!({"token_policies": ["ci-deployer"]})).await;
    // Kubernetes auth `config` needs a CA; roles can be written without it.
    bao.write(
        "auth/kubernetes/role/shop",
        json!({"bound_service_account_names": ["shop"], "bound_service_account_namespaces": ["shop"],
               "token_policies": ["app"], "audience": "vault"}),
    )
    .await;
    bao.write(
        "auth/userpass/users/alice",
        json!({"password": "pw-not-a-secret", "token_policies": ["app", "self-service"]}),
    )
    .await;
    bao.write(
        "auth/userpass/users/mallory",
        json!({"password": "pw-not-a-secret", "token_policies": ["self-service"]}),
    )
    .await;

    let alice_id = bao
        .write("identity/entity", json!({"name": "alice", "metadata": {"team": "payments"}, "policies": ["entity-policy"]}))
        .await["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    bao.write(
        "identity/entity-alias",
        json!({"name": "alice", "canonical_id": alice_id, "mount_accessor": accessor}),
    )
    .await;
    let mallory_id = bao
        .write("identity/entity", json!({"name": "mallory", "metadata": {"team": "a/b"}}))
        .await["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    bao.write(
        "identity/entity-alias",
        json!({"name": "mallory", "canonical_id": mallory_id, "mount_accessor": accessor}),
    )
    .await;
    let group_id = bao
        .write("identity/group", json!({"name": "platform", "policies": ["group-policy"], "member_entity_ids": [alice_id], "metadata": {"tier": "core"}}))
        .await["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // (a) The live adapter reads it all back.
    let config = VaultConfig {
        address: Some(bao.base.clone()),
        token: Some(Secret::new(ROOT_TOKEN)),
        ..VaultConfig::default()
    };
    let snapshot = VaultClient::new(&config).unwrap().snapshot().await.unwrap();
    assert!(snapshot.problems.is_empty(), "{:?}", snapshot.problems);
    assert_eq!(snapshot.flavor.as_str(), "openbao");
    let mut names: Vec<&str> =
        snapshot.policies.iter().map(|policy| policy.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["app", "ci-deployer", "default", "entity-policy", "group-policy", "root", "self-service"]
    );
    let text = |name: &str| {
        snapshot.policies.iter().find(|policy| policy.name == name).unwrap().text.clone()
    };
    assert_eq!(text("self-service"), self_service);
    assert_eq!(text("default"), edited_default);
    let role = |name: &str| {
        snapshot
            .auth_roles
            .iter()
            .find(|role| role.name == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", snapshot.auth_roles))
    };
    assert_eq!(
        (role("deployer").method.as_str(), role("deployer").policies.clone()),
        ("approle", vec!["ci-deployer".to_owned()])
    );
    assert_eq!(
        (role("shop").mount.as_str(), role("shop").method.as_str()),
        ("kubernetes/", "kubernetes")
    );
    assert_eq!(role("shop").policies, ["app"]);
    assert_eq!(
        role("shop").bound,
        ["service accounts: shop", "namespaces: shop", "audience: vault"]
    );
    assert_eq!(snapshot.groups.len(), 1);
    assert_eq!(
        (snapshot.groups[0].id.as_str(), snapshot.groups[0].name.as_str()),
        (group_id.as_str(), "platform")
    );
    assert_eq!(snapshot.groups[0].policies, ["group-policy"]);
    let mut entities: Vec<(&str, &str, Vec<String>)> = snapshot
        .entities
        .iter()
        .map(|entity| (entity.id.as_str(), entity.name.as_str(), entity.policies.clone()))
        .collect();
    entities.sort();
    let mut expected = vec![
        (alice_id.as_str(), "alice", vec!["entity-policy".to_owned()]),
        (mallory_id.as_str(), "mallory", vec![]),
    ];
    expected.sort();
    assert_eq!(entities, expected);

    // What the view needs from identities and roles: metadata, aliases, members, accessors.
    let alice_read = snapshot.entities.iter().find(|entity| entity.id == alice_id).unwrap();
    assert_eq!(alice_read.metadata.get("team").map(String::as_str), Some("payments"));
    assert_eq!(
        alice_read
            .aliases
            .iter()
            .map(|alias| (alias.mount_accessor.as_str(), alias.name.as_str()))
            .collect::<Vec<_>>(),
        [(accessor.as_str(), "alice")]
    );
    assert_eq!(snapshot.groups[0].member_entity_ids, std::slice::from_ref(&alice_id));
    assert!(
        role("shop")
            .binding
            .mount_accessor
            .as_deref()
            .is_some_and(|value| value.starts_with("auth_kubernetes_"))
    );
    assert_eq!(role("shop").binding.audience.as_deref(), Some("vault"));

    // (b) The CLI, fed with the policies as read, answers what the server answers.
    let dir = tempfile::tempdir().unwrap();
    for policy in snapshot.policies.iter().filter(|policy| policy.name != "root") {
        std::fs::write(dir.path().join(format!("{}.hcl", policy.name)), &policy.text).unwrap();
    }
    // Alice logs in through userpass: token policies app, self-service and default; identity
    // policies from her entity and her group; templates render from her entity.
    let alice = bao.login("alice").await;
    let alias_id = bao.read(&format!("identity/entity/id/{alice_id}")).await["data"]["aliases"][0]
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let identity = dir.path().join("alice.json");
    std::fs::write(
        &identity,
        json!({"entity": {"id": alice_id, "name": "alice", "metadata": {"team": "payments"},
                          "aliases": [{"id": alias_id, "mount_accessor": accessor, "mount_type": "userpass", "name": "alice"}]},
               "groups": [{"id": group_id, "name": "platform", "metadata": {"tier": "core"}}]})
        .to_string(),
    )
    .unwrap();
    let group_path = format!("secret/data/groups/{group_id}");
    let mut paths: Vec<&str> = PATHS.to_vec();
    paths.extend([group_path.as_str(), "secret/data/alias/alice", "secret/data/alias/bob"]);
    let default_identity_path = format!("identity/entity/id/{alice_id}");
    paths.push(&default_identity_path);
    let (code, report) = cli(
        dir.path(),
        &["app", "self-service", "default", "entity-policy", "group-policy"],
        Some(&identity),
        &[],
        &paths,
    );
    assert_eq!(code, 0, "{report}");
    let mut granted = 0;
    for (index, path) in paths.iter().enumerate() {
        let answer = &report["paths"][index];
        assert_eq!(answer["path"], *path);
        let ours: Vec<String> = serde_json::from_value(answer["capabilities"].clone()).unwrap();
        assert_eq!(ours, bao.capabilities(&alice, path).await, "alice on {path}: {answer}");
        granted += usize::from(ours != ["deny"]);
    }
    // Not a vacuous agreement: templates, identity policies and default each grant something.
    for path in [
        "secret/data/users/alice/notes",
        "secret/data/teams/payments/ledger",
        group_path.as_str(),
        "secret/data/alias/alice",
        "secret/data/platform/db",
        "secret/data/entity-only",
        "secret/data/shared/x",
        "auth/token/lookup-self",
    ] {
        let index = paths.iter().position(|candidate| *candidate == path).unwrap();
        assert_ne!(report["paths"][index]["capabilities"], json!(["deny"]), "{path}");
    }
    assert!(granted >= 12, "{granted} paths granted");

    // The AppRole role's token: ci-deployer plus default; the CLI also flags the escalation.
    let deployer = bao.write("auth/token/create", json!({"policies": ["ci-deployer"]})).await["auth"]["client_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, report) =
        cli(dir.path(), &["ci-deployer", "default"], None, &["--fail-on", "escalation"], PATHS);
    assert_eq!(code, 1, "policy writes plus its own role: an escalation");
    assert!(
        report["escalations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|finding| finding["code"] == "VAULT-ESC-01"),
        "{report}"
    );
    for (index, path) in PATHS.iter().enumerate() {
        let ours: Vec<String> =
            serde_json::from_value(report["paths"][index]["capabilities"].clone()).unwrap();
        assert_eq!(ours, bao.capabilities(&deployer, path).await, "deployer on {path}");
    }

    // `--server-policy`: the CLI reads the policies from the server itself (VAULT_ADDR and
    // VAULT_TOKEN), detects the flavor, and never prints the token.
    let home = tempfile::tempdir().unwrap();
    let live = |extra: &[&str]| {
        let output = std::process::Command::new(sextant())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("VAULT_ADDR", &bao.base)
            .env("VAULT_TOKEN", ROOT_TOKEN)
            .args(["vault", "capabilities", "--output", "json"])
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            !stdout.contains(ROOT_TOKEN) && !stderr.contains(ROOT_TOKEN),
            "the token is never printed"
        );
        (
            output.status.code().unwrap(),
            serde_json::from_str::<Value>(&stdout).unwrap_or_else(|_| panic!("{stdout}\n{stderr}")),
        )
    };
    let mut args = vec!["--server-policy", "ci-deployer", "--server-policy", "default"];
    args.extend(PATHS);
    let (code, report) = live(&args);
    assert_eq!(code, 0, "{report}");
    for (index, path) in PATHS.iter().enumerate() {
        let ours: Vec<String> =
            serde_json::from_value(report["paths"][index]["capabilities"].clone()).unwrap();
        assert_eq!(
            ours,
            bao.capabilities(&deployer, path).await,
            "--server-policy, deployer on {path}"
        );
    }
    let (code, report) = live(&["--server-policy", "no-such-policy", "secret/x"]);
    assert_eq!(code, 2);
    assert_eq!(report["error"]["kind"], "unknown_policy");

    // The view's use case on the live snapshot: the AppRole role as a subject answers what a
    // token with its policies gets from the server, and carries the escalation.
    let platform = sextant_domain::platform::Platform {
        vault: Some(snapshot.clone()),
        ..sextant_domain::platform::Platform::default()
    };
    let request = sextant_protocol::vault::GetVaultAccess {
        subject: Some("role:approle/deployer".into()),
        paths: PATHS.iter().map(ToString::to_string).collect(),
    };
    let access = sextant_app::vault_access::access(&platform, &request);
    assert_eq!(access.subject.as_deref(), Some("role:approle/deployer"));
    assert!(access.policy_errors.is_empty(), "{:?}", access.policy_errors);
    assert!(access.rows.len() >= PATHS.len(), "the role's own rules plus the paths asked");
    for row in &access.rows {
        assert_eq!(
            row.capabilities,
            bao.capabilities(&deployer, &row.path).await,
            "view, deployer on {}",
            row.path
        );
    }
    assert!(access.escalations.iter().any(|finding| finding.code == "VAULT-ESC-01"));
    let reachers = sextant_app::vault_access::who_can_reach(
        &platform,
        &sextant_protocol::vault::WhoCanReach {
            path: "secret/data/app/config".into(),
            capability: "read".into(),
        },
    )
    .unwrap();
    let mut reach: Vec<&str> = reachers.reaches.iter().map(|reach| reach.id.as_str()).collect();
    reach.sort_unstable();
    // `app` is carried by the Kubernetes role shop; alice's entity carries only identity policies.
    assert_eq!(reach, ["role:kubernetes/shop"]);

    // Mallory's team holds a '/': the server refuses every request of her token, and the CLI
    // refuses to answer (spec §7.3).
    let mallory = bao.login("mallory").await;
    // Her own requests get a bare 400 "Forbidden"; the root token's sys/capabilities names why.
    let (status, refused) = bao
        .call(
            reqwest::Method::POST,
            "sys/capabilities-self",
            &mallory,
            Some(json!({"paths": ["secret/data/x"]})),
        )
        .await;
    assert_eq!((status, refused.clone()), (400, json!({"errors": ["Forbidden"]})));
    let (status, refused) = bao
        .call(
            reqwest::Method::POST,
            "sys/capabilities",
            ROOT_TOKEN,
            Some(json!({"token": mallory, "paths": ["secret/data/x"]})),
        )
        .await;
    assert_eq!(status, 403, "{refused}");
    assert!(refused.to_string().contains("forbidden value"), "{refused}");
    let mallory_identity = dir.path().join("mallory.json");
    std::fs::write(
        &mallory_identity,
        json!({"entity": {"id": mallory_id, "name": "mallory", "metadata": {"team": "a/b"}}})
            .to_string(),
    )
    .unwrap();
    let (code, report) = cli(
        dir.path(),
        &["self-service", "default"],
        Some(&mallory_identity),
        &[],
        &["secret/data/x"],
    );
    assert_eq!(code, 2);
    assert_eq!(report["error"]["kind"], "template_forbidden_value");
    assert_eq!(report["error"]["policy"], "self-service");
    drop(server);
}
