//! Vault and OpenBao over HTTP: health, ACL policies, auth roles and identities.
//!
//! Sextant reads only policies, roles and metadata (`shared/specs/vault-acl.md` §15); it never
//! reads a secret value. The token is a [`Secret`]: it goes into the `X-Vault-Token` header and
//! nowhere else. A failure on one endpoint (a 403 on identity, say) becomes a problem on the
//! snapshot naming the endpoint; the rest is still read.

use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::Value;
use sextant_domain::vault::chain::RoleBinding;
use sextant_domain::vault::template::TemplateAlias;
use sextant_domain::vault::{AuthRole, Flavor, Identity, PolicySource, VaultSnapshot};

use crate::secret::Secret;

/// How a Vault request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No address is configured.
    #[error("no Vault address: set VAULT_ADDR (or BAO_ADDR)")]
    NotConfigured,
    /// No token is configured.
    #[error(
        "no Vault token: set VAULT_TOKEN (or BAO_TOKEN), or log in so that ~/.vault-token exists"
    )]
    NoToken,
    /// The CA file in `VAULT_CACERT` could not be used.
    #[error("cannot use the CA certificate {path} (VAULT_CACERT): {message}")]
    CaCertUnusable {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The server could not be reached.
    #[error(
        "cannot reach Vault at {address}: {message}; check VAULT_ADDR and that the server runs"
    )]
    Unreachable {
        /// The address.
        address: String,
        /// The transport's description.
        message: String,
    },
    /// The server is sealed.
    #[error("Vault at {address} is sealed: unseal it, then refresh")]
    Sealed {
        /// The address.
        address: String,
    },
    /// The token was rejected.
    #[error(
        "Vault rejected the token (permission denied on auth/token/lookup-self): it is invalid, expired or revoked; log in again"
    )]
    BadToken,
    /// The token may not read this endpoint.
    #[error("the token may not read {endpoint} (403); grant `read`/`list` on it to see this part")]
    Forbidden {
        /// The API path.
        endpoint: String,
    },
    /// Any other HTTP status.
    #[error("{endpoint} answered HTTP {status}: {message}")]
    Http {
        /// The API path.
        endpoint: String,
        /// The status.
        status: u16,
        /// The server's errors.
        message: String,
    },
    /// The body was not the JSON Vault sends.
    #[error("{endpoint} returned malformed JSON: {message}")]
    Malformed {
        /// The API path.
        endpoint: String,
        /// The parser's message.
        message: String,
    },
}

/// The module's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where and how to connect, as the `vault` and `bao` CLIs read it from the environment.
#[derive(Debug, Clone, Default)]
pub struct VaultConfig {
    /// `VAULT_ADDR` / `BAO_ADDR`.
    pub address: Option<String>,
    /// `VAULT_TOKEN` / `BAO_TOKEN`, or `~/.vault-token`.
    pub token: Option<Secret>,
    /// `VAULT_NAMESPACE` / `BAO_NAMESPACE`.
    pub namespace: Option<String>,
    /// `VAULT_CACERT` / `BAO_CACERT`.
    pub ca_cert: Option<PathBuf>,
    /// `VAULT_SKIP_VERIFY` / `BAO_SKIP_VERIFY`.
    pub skip_verify: bool,
}

impl VaultConfig {
    /// Reads the configuration from the process environment and `~/.vault-token`.
    #[must_use]
    pub fn from_env() -> VaultConfig {
        let get = |suffix: &str| {
            std::env::var(format!("VAULT_{suffix}"))
                .or_else(|_| std::env::var(format!("BAO_{suffix}")))
                .ok()
                .filter(|value| !value.is_empty())
        };
        let token = get("TOKEN").or_else(|| {
            let path = dirs::home_dir()?.join(".vault-token");
            std::fs::read_to_string(path).ok().map(|text| text.trim().to_owned())
        });
        VaultConfig {
            address: get("ADDR"),
            token: token.filter(|token| !token.is_empty()).map(Secret::new),
            namespace: get("NAMESPACE"),
            ca_cert: get("CACERT").map(PathBuf::from),
            skip_verify: get("SKIP_VERIFY").is_some_and(|value| value != "0" && value != "false"),
        }
    }
}

/// A read-only client for one server.
#[derive(Debug, Clone)]
pub struct VaultClient {
    address: String,
    token: Secret,
    namespace: Option<String>,
    http: reqwest::Client,
}

/// `sys/health`, as the server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// Whether it is initialized.
    pub initialized: bool,
    /// Whether it is sealed.
    pub sealed: bool,
    /// Whether it is a standby node.
    pub standby: bool,
    /// Its version.
    pub version: Option<String>,
}

impl VaultClient {
    /// A client for the configured server.
    pub fn new(config: &VaultConfig) -> Result<VaultClient> {
        let address = config.address.clone().ok_or(Error::NotConfigured)?;
        let token = config.token.clone().ok_or(Error::NoToken)?;
        let mut builder = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .connect_timeout(std::time::Duration::from_secs(3))
            .danger_accept_invalid_certs(config.skip_verify);
        if let Some(path) = &config.ca_cert {
            let unusable = |message: String| Error::CaCertUnusable {
                path: path.display().to_string(),
                message,
            };
            let pem = std::fs::read(path).map_err(|error| unusable(error.to_string()))?;
            let certificate = reqwest::Certificate::from_pem(&pem)
                .map_err(|error| unusable(error.to_string()))?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder.build().map_err(|error| Error::Unreachable {
            address: address.clone(),
            message: error.to_string(),
        })?;
        Ok(VaultClient {
            address: address.trim_end_matches('/').to_owned(),
            token,
            namespace: config.namespace.clone(),
            http,
        })
    }

    /// The server's address.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }

    async fn send(&self, method: reqwest::Method, endpoint: &str) -> Result<(StatusCode, Value)> {
        let url = format!("{}/v1/{endpoint}", self.address);
        let mut request =
            self.http.request(method, url).header("X-Vault-Token", self.token.expose());
        if let Some(namespace) = &self.namespace {
            request = request.header("X-Vault-Namespace", namespace);
        }
        let response = request.send().await.map_err(|error| Error::Unreachable {
            address: self.address.clone(),
            // reqwest's message names the URL, never the headers.
            message: error.to_string(),
        })?;
        let status = response.status();
        let body = response.text().await.map_err(|error| Error::Unreachable {
            address: self.address.clone(),
            message: error.to_string(),
        })?;
        let value = if body.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).map_err(|error| Error::Malformed {
                endpoint: endpoint.to_owned(),
                message: error.to_string(),
            })?
        };
        Ok((status, value))
    }

    async fn get(&self, endpoint: &str) -> Result<Value> {
        let (status, value) = self.send(reqwest::Method::GET, endpoint).await?;
        match status {
            StatusCode::OK => Ok(value),
            StatusCode::FORBIDDEN => Err(Error::Forbidden { endpoint: endpoint.to_owned() }),
            StatusCode::SERVICE_UNAVAILABLE if errors_of(&value).contains("sealed") => {
                Err(Error::Sealed { address: self.address.clone() })
            }
            other => Err(Error::Http {
                endpoint: endpoint.to_owned(),
                status: other.as_u16(),
                message: errors_of(&value),
            }),
        }
    }

    /// `LIST endpoint`: the keys, or none when the collection is empty (Vault answers 404).
    async fn list(&self, endpoint: &str) -> Result<Vec<String>> {
        let (status, value) =
            self.send(reqwest::Method::GET, &format!("{endpoint}?list=true")).await?;
        match status {
            StatusCode::OK => Ok(value
                .pointer("/data/keys")
                .and_then(Value::as_array)
                .map(|keys| keys.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()),
            StatusCode::NOT_FOUND => Ok(Vec::new()),
            StatusCode::FORBIDDEN => Err(Error::Forbidden { endpoint: endpoint.to_owned() }),
            StatusCode::SERVICE_UNAVAILABLE => Err(Error::Sealed { address: self.address.clone() }),
            other => Err(Error::Http {
                endpoint: endpoint.to_owned(),
                status: other.as_u16(),
                message: errors_of(&value),
            }),
        }
    }

    /// `sys/health`. It answers 503 when sealed and 429 on a standby, which are states, not errors.
    pub async fn health(&self) -> Result<Health> {
        let (_, value) = self.send(reqwest::Method::GET, "sys/health").await?;
        let flag = |key: &str| value.get(key).and_then(Value::as_bool).unwrap_or(false);
        Ok(Health {
            initialized: flag("initialized"),
            sealed: flag("sealed"),
            standby: flag("standby"),
            version: value.get("version").and_then(Value::as_str).map(str::to_owned),
        })
    }

    /// Checks the token itself, so a bad token is named as such rather than as many 403s.
    pub async fn check_token(&self) -> Result<()> {
        match self.get("auth/token/lookup-self").await {
            Ok(_) => Ok(()),
            Err(Error::Forbidden { .. }) => Err(Error::BadToken),
            Err(other) => Err(other),
        }
    }

    /// OpenBao serves `sys/policies/detailed/acl`; Vault does not (spec §15).
    pub async fn detect_flavor(&self) -> Flavor {
        match self.send(reqwest::Method::GET, "sys/policies/detailed/acl?list=true").await {
            Ok((status, _)) if status == StatusCode::OK || status == StatusCode::FORBIDDEN => {
                Flavor::OpenBao
            }
            _ => Flavor::Vault,
        }
    }

    /// Every ACL policy with its text.
    pub async fn policies(&self) -> Result<Vec<PolicySource>> {
        let mut policies = Vec::new();
        for name in self.list("sys/policies/acl").await? {
            let value = self.get(&format!("sys/policies/acl/{name}")).await?;
            let text = value.pointer("/data/policy").and_then(Value::as_str).unwrap_or_default();
            policies.push(PolicySource { name, text: text.to_owned() });
        }
        Ok(policies)
    }

    /// Every role on every auth mount whose roles Sextant knows how to read.
    pub async fn auth_roles(&self, problems: &mut Vec<String>) -> Result<Vec<AuthRole>> {
        let mounts = self.get("sys/auth").await?;
        let mut roles = Vec::new();
        let Some(mounts) = mounts.get("data").and_then(Value::as_object) else { return Ok(roles) };
        for (mount, description) in mounts {
            let method = description.get("type").and_then(Value::as_str).unwrap_or_default();
            let collection = match method {
                "kubernetes" | "jwt" | "oidc" | "approle" => format!("auth/{mount}role"),
                "token" => "auth/token/roles".to_owned(),
                _ => continue,
            };
            let names = match self.list(&collection).await {
                Ok(names) => names,
                Err(error) => {
                    problems.push(error.to_string());
                    continue;
                }
            };
            for name in names {
                match self.get(&format!("{collection}/{name}")).await {
                    Ok(value) => {
                        let mut role = auth_role_from_data(
                            mount,
                            method,
                            &name,
                            value.get("data").unwrap_or(&Value::Null),
                        );
                        role.binding.mount_accessor =
                            description.get("accessor").and_then(Value::as_str).map(str::to_owned);
                        roles.push(role);
                    }
                    Err(error) => problems.push(error.to_string()),
                }
            }
        }
        Ok(roles)
    }

    async fn identities(&self, kind: &str) -> Result<Vec<Identity>> {
        let mut identities = Vec::new();
        for id in self.list(&format!("identity/{kind}/id")).await? {
            let value = self.get(&format!("identity/{kind}/id/{id}")).await?;
            identities.extend(value.get("data").and_then(identity_from_data));
        }
        Ok(identities)
    }

    /// Everything the view needs, read as far as the token allows.
    pub async fn snapshot(&self) -> Result<VaultSnapshot> {
        let health = self.health().await?;
        let mut snapshot = VaultSnapshot {
            address: self.address.clone(),
            version: health.version.clone(),
            sealed: health.sealed,
            ..VaultSnapshot::default()
        };
        if health.sealed {
            snapshot.problems.push(Error::Sealed { address: self.address.clone() }.to_string());
            return Ok(snapshot);
        }
        self.check_token().await?;
        snapshot.flavor = self.detect_flavor().await;
        match self.policies().await {
            Ok(policies) => snapshot.policies = policies,
            Err(error) => snapshot.problems.push(error.to_string()),
        }
        let mut problems = Vec::new();
        match self.auth_roles(&mut problems).await {
            Ok(roles) => snapshot.auth_roles = roles,
            Err(error) => problems.push(error.to_string()),
        }
        for (kind, target) in [("group", &mut snapshot.groups), ("entity", &mut snapshot.entities)]
        {
            match self.identities(kind).await {
                Ok(found) => *target = found,
                Err(error) => problems.push(error.to_string()),
            }
        }
        snapshot.problems.extend(problems);
        Ok(snapshot)
    }
}

fn errors_of(value: &Value) -> String {
    value
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| errors.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "))
        .unwrap_or_default()
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    match value.get(key) {
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        // Vault accepts comma-separated strings for list fields.
        Some(Value::String(text)) if !text.is_empty() => {
            text.split(',').map(|item| item.trim().to_owned()).collect()
        }
        _ => Vec::new(),
    }
}

/// An [`AuthRole`] from the data of `GET auth/<mount>/role/<name>` (or a token role).
#[must_use]
pub fn auth_role_from_data(mount: &str, method: &str, name: &str, data: &Value) -> AuthRole {
    // OpenBao returns only `token_policies`; Vault may still return the legacy `policies`
    // alias (spec §13): take the union.
    let mut policies = strings(data, "token_policies");
    for policy in strings(data, "policies").into_iter().chain(strings(data, "allowed_policies")) {
        if !policies.contains(&policy) {
            policies.push(policy);
        }
    }
    let mut bound = Vec::new();
    let mut describe = |label: &str, key: &str| {
        let values = strings(data, key);
        if !values.is_empty() {
            bound.push(format!("{label}: {}", values.join(", ")));
        }
    };
    describe("service accounts", "bound_service_account_names");
    describe("namespaces", "bound_service_account_namespaces");
    describe("audiences", "bound_audiences");
    describe("CIDRs", "secret_id_bound_cidrs");
    if let Some(audience) =
        data.get("audience").and_then(Value::as_str).filter(|audience| !audience.is_empty())
    {
        bound.push(format!("audience: {audience}"));
    }
    if let Some(claims) = data.get("bound_claims").and_then(Value::as_object) {
        for (claim, value) in claims {
            bound.push(format!(
                "claim {claim} = {}",
                value.as_str().map_or_else(|| value.to_string(), str::to_owned)
            ));
        }
    }
    let text = |key: &str| {
        data.get(key).and_then(Value::as_str).filter(|value| !value.is_empty()).map(str::to_owned)
    };
    let binding = RoleBinding {
        service_account_names: strings(data, "bound_service_account_names"),
        service_account_namespaces: strings(data, "bound_service_account_namespaces"),
        namespace_selector: text("bound_service_account_namespace_selector"),
        audience: text("audience"),
        bound_audiences: strings(data, "bound_audiences"),
        bound_subject: text("bound_subject"),
        bound_claims: data
            .get("bound_claims")
            .and_then(Value::as_object)
            .map(|claims| {
                claims
                    .iter()
                    .map(|(claim, value)| {
                        let values = match value {
                            Value::Array(items) => items
                                .iter()
                                .map(|item| {
                                    item.as_str().map_or_else(|| item.to_string(), str::to_owned)
                                })
                                .collect(),
                            Value::String(text) => vec![text.clone()],
                            other => vec![other.to_string()],
                        };
                        (claim.clone(), values)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        claims_glob: data.get("bound_claims_type").and_then(Value::as_str) == Some("glob"),
        role_type: text("role_type"),
        mount_accessor: None,
        no_default_policy: data
            .get("token_no_default_policy")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    AuthRole {
        mount: mount.to_owned(),
        method: method.to_owned(),
        name: name.to_owned(),
        policies,
        bound,
        binding,
    }
}

/// Every role in a mount file: `{"path", "type", "roles": {name: data}}` (the demo's layout).
#[must_use]
pub fn auth_roles_from_mount_file(mount: &Value) -> Vec<AuthRole> {
    let path = mount.get("path").and_then(Value::as_str).unwrap_or_default();
    let method = mount.get("type").and_then(Value::as_str).unwrap_or_default();
    mount
        .get("roles")
        .and_then(Value::as_object)
        .map(|roles| {
            roles
                .iter()
                .map(|(name, data)| {
                    let mut role = auth_role_from_data(path, method, name, data);
                    role.binding.mount_accessor =
                        mount.get("accessor").and_then(Value::as_str).map(str::to_owned);
                    role
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An [`Identity`] from the data of `GET identity/{group,entity}/id/<id>`.
#[must_use]
pub fn identity_from_data(data: &Value) -> Option<Identity> {
    let map = |value: Option<&Value>| -> std::collections::BTreeMap<String, String> {
        value
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let aliases = data
        .get("aliases")
        .and_then(Value::as_array)
        .map(|aliases| {
            aliases
                .iter()
                .map(|alias| TemplateAlias {
                    mount_accessor: alias
                        .get("mount_accessor")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    id: alias.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    name: alias.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    metadata: map(alias.get("metadata")),
                    custom_metadata: map(alias.get("custom_metadata")),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Identity {
        id: data.get("id")?.as_str()?.to_owned(),
        name: data.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
        policies: strings(data, "policies"),
        metadata: map(data.get("metadata")),
        aliases,
        member_entity_ids: strings(data, "member_entity_ids"),
        member_group_ids: strings(data, "member_group_ids"),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn roles_take_the_union_of_current_and_legacy_policy_keys() {
        let role = auth_role_from_data(
            "kubernetes/",
            "kubernetes",
            "shop",
            &json!({"token_policies": ["shop-read"], "policies": ["shop-read", "legacy"],
                    "bound_service_account_names": ["shop"], "bound_service_account_namespaces": "shop,checkout"}),
        );
        assert_eq!(role.policies, vec!["shop-read", "legacy"]);
        assert_eq!(role.bound, vec!["service accounts: shop", "namespaces: shop, checkout"]);
    }

    #[test]
    fn a_missing_address_or_token_is_named() {
        assert!(matches!(VaultClient::new(&VaultConfig::default()), Err(Error::NotConfigured)));
        let config =
            VaultConfig { address: Some("http://127.0.0.1:1".into()), ..VaultConfig::default() };
        assert!(matches!(VaultClient::new(&config), Err(Error::NoToken)));
    }
}
