//! Vault or OpenBao: the server, its policies, auth roles and identities.

use serde::{Deserialize, Serialize};

use crate::Command;

/// Asks for what Sextant read from the Vault or OpenBao server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetVaultInventory {}

impl Command for GetVaultInventory {
    const NAME: &'static str = "get_vault_inventory";
    type Response = VaultInventory;
}

/// Policies, roles and identities. Never a secret value or a token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VaultInventory {
    /// The server, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<VaultServer>,
    /// ACL policies.
    pub policies: Vec<VaultPolicyRow>,
    /// Auth roles across every auth mount.
    pub auth_roles: Vec<AuthRoleRow>,
    /// Identity groups.
    pub groups: Vec<IdentityRow>,
    /// Identity entities.
    pub entities: Vec<IdentityRow>,
    /// What could not be read, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// The server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultServer {
    /// Its address.
    pub address: String,
    /// `openbao` or `vault`.
    pub flavor: String,
    /// The server's version, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Whether it is sealed.
    pub sealed: bool,
}

/// An ACL policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultPolicyRow {
    /// The policy's name.
    pub name: String,
    /// The number of path rules.
    pub paths: usize,
    /// Why the policy could not be parsed, naming the line and column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An auth role (AppRole, Kubernetes, JWT/OIDC, token role).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthRoleRow {
    /// The auth mount's path, e.g. `kubernetes/`.
    pub mount: String,
    /// The auth method: `approle`, `kubernetes`, `jwt`, `oidc`, `token`.
    pub method: String,
    /// The role's name.
    pub name: String,
    /// The policies it grants.
    pub policies: Vec<String>,
    /// What it binds to (ServiceAccounts, namespaces, claims), in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bound: Vec<String>,
}

/// An identity group or entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityRow {
    /// Its name.
    pub name: String,
    /// The policies attached to it directly.
    pub policies: Vec<String>,
}
