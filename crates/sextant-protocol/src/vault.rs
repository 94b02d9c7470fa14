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

/// Asks what one subject (a role, token role, entity, group or ServiceAccount) may do: the
/// capability matrix over its rules' paths and `paths`, its escalation findings, the
/// ServiceAccount chain and the token dangers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetVaultAccess {
    /// A [`VaultSubjectRow::id`]; `None` picks the subject with the worst findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Extra paths to answer besides the subject's own rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

impl Command for GetVaultAccess {
    const NAME: &'static str = "get_vault_access";
    type Response = VaultAccess;
}

/// One subject's effective permissions, attributed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VaultAccess {
    /// Every subject, for the picker.
    pub subjects: Vec<VaultSubjectRow>,
    /// The subject answered, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The matrix's columns: the flavor's capability names.
    pub capability_names: Vec<String>,
    /// One row per path, sorted.
    pub rows: Vec<AccessRow>,
    /// The subject's escalation findings, worst first.
    pub escalations: Vec<EscalationRow>,
    /// Why the subject's ACL cannot be built (a template renders a forbidden value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The policies that failed to parse; the others still count.
    pub policy_errors: Vec<PolicyErrorRow>,
    /// Kubernetes, JWT and OIDC roles and what they hand out.
    pub chain: Vec<RoleChainRow>,
    /// Token dangers, worst first.
    pub dangers: Vec<TokenDangerRow>,
}

/// A subject in the picker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultSubjectRow {
    /// A stable id (`role:jwt/ci-deployer`, `entity:<id>`, `sa:<cluster>/<ns>/<name>`).
    pub id: String,
    /// `token_role`, `auth_role`, `entity`, `group`, `service_account`.
    pub kind: String,
    /// Its name for people.
    pub label: String,
    /// Where its policies come from.
    pub detail: String,
    /// Its policies, as a token would carry them.
    pub policies: Vec<String>,
    /// How many escalation findings it has.
    pub findings: usize,
    /// The worst finding's severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<String>,
}

/// The answer for one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessRow {
    /// The path.
    pub path: String,
    /// Sorted, as `sys/capabilities` answers: `deny`, `root`, or the granted names.
    pub capabilities: Vec<String>,
    /// The deciding rule, when one matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<DecidedByRow>,
    /// Every other matching rule, most specific first.
    pub shadowed: Vec<ShadowedRow>,
}

/// The rule that decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecidedByRow {
    /// The stored pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `exact`, `prefix`, `segment`, `root`.
    pub kind: String,
    /// Why it won, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The policies merged into it.
    pub policies: Vec<String>,
}

/// A matching rule that lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShadowedRow {
    /// The stored pattern.
    pub pattern: String,
    /// Its policies.
    pub policies: Vec<String>,
    /// What it would have answered.
    pub capabilities: Vec<String>,
}

/// An escalation finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EscalationRow {
    /// `VAULT-ESC-<row of the spec's table>`.
    pub code: String,
    /// `critical`, `high`, `medium`, `low`.
    pub severity: String,
    /// The chain of steps in plain words.
    pub explanation: String,
    /// How to fix it.
    pub fix: String,
    /// The paths that grant the steps, each with its deciding pattern and policies.
    pub steps: Vec<String>,
}

/// A policy that failed to parse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyErrorRow {
    /// The policy.
    pub policy: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A Kubernetes, JWT or OIDC role and what it hands out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleChainRow {
    /// `auth/<mount>role/<name>`.
    pub role: String,
    /// The auth method.
    pub method: String,
    /// Which tokens it accepts, in words.
    pub accepts: String,
    /// The policies a login gets.
    pub policies: Vec<String>,
    /// The rule patterns of those policies that grant read or list.
    pub readable: Vec<String>,
    /// The ServiceAccounts found that it accepts: `cluster/namespace/name`, with their workloads.
    pub service_accounts: Vec<String>,
}

/// A token danger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenDangerRow {
    /// `VAULT-SA-01` …
    pub code: String,
    /// `high`, `medium`, `low`.
    pub severity: String,
    /// The role, Secret or workload concerned.
    pub subject: String,
    /// The danger in plain words.
    pub explanation: String,
    /// The fix.
    pub fix: String,
}

/// Asks who can reach a path with a capability, across every subject.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WhoCanReach {
    /// The path.
    pub path: String,
    /// The capability, e.g. `read` or `update`.
    pub capability: String,
}

impl Command for WhoCanReach {
    const NAME: &'static str = "who_can_reach";
    type Response = Reachers;
}

/// The subjects whose policies grant the capability on the path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reachers {
    /// The path asked.
    pub path: String,
    /// The capability asked.
    pub capability: String,
    /// Who reaches it, with the deciding rule.
    pub reaches: Vec<ReachRow>,
    /// Subjects that could not be evaluated, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// One subject that reaches the path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachRow {
    /// The subject's id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub label: String,
    /// Its full answer on the path.
    pub capabilities: Vec<String>,
    /// The deciding pattern.
    pub pattern: String,
    /// The policies merged into it.
    pub policies: Vec<String>,
}
