//! The ServiceAccount chain: which Kubernetes ServiceAccounts (and the workloads that run as
//! them) log in to Vault through which auth role, so which policies they get and what those
//! let them read; and the token dangers along the way (issue #3, item 5).
//!
//! Kubernetes auth roles bind ServiceAccount names and namespaces (`*` and `prefix*` glob
//! forms allowed, as the plugin's glob matcher does); JWT/OIDC roles bind claims, and they
//! reach ServiceAccounts when they bind the ServiceAccount subject
//! (`system:serviceaccount:<ns>:<name>`) or the Kubernetes claims. A Kubernetes mount whose
//! path names a cluster (`kubernetes-prod-eu/`) is matched against that cluster only; any other
//! mount against every cluster.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::escalation::Severity;
use super::store::{PolicyStore, token_policies};
use super::{AuthRole, VaultSnapshot};
use crate::object::KubeObject;
use crate::platform::ClusterSnapshot;

/// The audiences a Kubernetes API server puts in tokens by default: a role that accepts them
/// accepts every token a pod gets without asking.
pub const DEFAULT_KUBERNETES_AUDIENCES: &[&str] = &[
    "https://kubernetes.default.svc.cluster.local",
    "https://kubernetes.default.svc",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "api",
];

/// What an auth role binds, structured (the words are in [`AuthRole::bound`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleBinding {
    /// Kubernetes: `bound_service_account_names`.
    pub service_account_names: Vec<String>,
    /// Kubernetes: `bound_service_account_namespaces`.
    pub service_account_namespaces: Vec<String>,
    /// Kubernetes: `bound_service_account_namespace_selector`, when set.
    pub namespace_selector: Option<String>,
    /// Kubernetes: `audience`, when set.
    pub audience: Option<String>,
    /// JWT/OIDC: `bound_audiences`.
    pub bound_audiences: Vec<String>,
    /// JWT/OIDC: `bound_subject`, when set.
    pub bound_subject: Option<String>,
    /// JWT/OIDC: `bound_claims`, each claim with its accepted values.
    pub bound_claims: Vec<(String, Vec<String>)>,
    /// JWT/OIDC: `bound_claims_type = "glob"`.
    pub claims_glob: bool,
    /// JWT/OIDC: `role_type` (`jwt` or `oidc`).
    pub role_type: Option<String>,
    /// `token_no_default_policy`.
    pub no_default_policy: bool,
    /// The auth mount's accessor (templates name aliases by it).
    pub mount_accessor: Option<String>,
}

/// A ServiceAccount an auth role accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountMatch {
    /// The cluster it lives in.
    pub cluster: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Whether its token is mounted into pods by default (`automountServiceAccountToken` not
    /// false on the ServiceAccount).
    pub automount: bool,
    /// The workloads that run as it: `Kind/name`.
    pub workloads: Vec<String>,
}

/// One auth role and what it hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChain {
    /// `kubernetes-prod-eu/`.
    pub mount: String,
    /// The auth method.
    pub method: String,
    /// The role.
    pub role: String,
    /// Which tokens it accepts, in words.
    pub accepts: String,
    /// The policies a login gets (with `default` unless the role drops it).
    pub policies: Vec<String>,
    /// The rule patterns of those policies, `default` aside, that grant `read` or `list`.
    pub readable: Vec<String>,
    /// The ServiceAccounts found in the clusters that it accepts.
    pub service_accounts: Vec<ServiceAccountMatch>,
    /// Whether it binds ServiceAccounts at all (a CI pipeline's JWT role does not).
    pub binds_service_accounts: bool,
}

/// A token danger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDanger {
    /// `VAULT-SA-01` (no audience), `-02` (default audience), `-03` (legacy token Secret),
    /// `-04` (auto-mounted token that logs in), `-05` (any ServiceAccount).
    pub code: &'static str,
    /// How bad.
    pub severity: Severity,
    /// What it concerns: a role (`auth/<mount>role/<name>`), a Secret or a workload.
    pub subject: String,
    /// The danger in plain words.
    pub explanation: String,
    /// The fix.
    pub fix: &'static str,
}

/// The chain and its dangers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    /// Kubernetes, JWT and OIDC roles, in snapshot order.
    pub roles: Vec<RoleChain>,
    /// Worst first.
    pub dangers: Vec<TokenDanger>,
}

/// Glob matching as the auth plugins do it (`*` matches any run of characters).
#[must_use]
pub fn glob_matches(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == value;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !value.starts_with(first) || value.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &value[first.len()..value.len() - last.len()];
    if !value.ends_with(last) {
        return false;
    }
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

fn any_matches(patterns: &[String], value: &str, glob: bool) -> bool {
    patterns.iter().any(|pattern| {
        if glob || pattern.contains('*') { glob_matches(pattern, value) } else { pattern == value }
    })
}

/// The (namespace patterns, name patterns) a role accepts, when it binds ServiceAccounts.
fn service_account_patterns(role: &AuthRole) -> Option<(Vec<String>, Vec<String>, bool)> {
    let binding = &role.binding;
    if role.method == "kubernetes" {
        let namespaces = if binding.service_account_namespaces.is_empty()
            && binding.namespace_selector.is_some()
        {
            // A label selector on namespaces: any namespace could match; shown as such.
            vec!["*".to_owned()]
        } else {
            binding.service_account_namespaces.clone()
        };
        return Some((namespaces, binding.service_account_names.clone(), true));
    }
    if !matches!(role.method.as_str(), "jwt" | "oidc") {
        return None;
    }
    if let Some(rest) =
        binding.bound_subject.as_deref().and_then(|s| s.strip_prefix("system:serviceaccount:"))
        && let Some((namespace, name)) = rest.split_once(':')
    {
        return Some((vec![namespace.to_owned()], vec![name.to_owned()], false));
    }
    let claim = |keys: &[&str]| {
        binding
            .bound_claims
            .iter()
            .find(|(key, _)| keys.contains(&key.as_str()))
            .map(|(_, values)| values.clone())
    };
    let namespaces = claim(&[
        "/kubernetes.io/namespace",
        "kubernetes.io/serviceaccount/namespace",
        "/kubernetes.io/serviceaccount/namespace",
    ]);
    let names = claim(&[
        "/kubernetes.io/serviceaccount/name",
        "kubernetes.io/serviceaccount/service-account.name",
        "/kubernetes.io/serviceaccount/service-account.name",
    ]);
    if namespaces.is_none() && names.is_none() {
        return None;
    }
    Some((
        namespaces.unwrap_or_else(|| vec!["*".to_owned()]),
        names.unwrap_or_else(|| vec!["*".to_owned()]),
        binding.claims_glob,
    ))
}

fn accepts_in_words(
    role: &AuthRole,
    patterns: Option<&(Vec<String>, Vec<String>, bool)>,
) -> String {
    let binding = &role.binding;
    let mut words = match patterns {
        Some((namespaces, names, _)) => format!(
            "ServiceAccount tokens of {} in namespace {}",
            names.join(", "),
            namespaces.join(", ")
        ),
        None if binding.bound_claims.is_empty() && binding.bound_subject.is_none() => {
            "any token the issuer signs".to_owned()
        }
        None => {
            let mut claims: Vec<String> = binding
                .bound_claims
                .iter()
                .map(|(claim, values)| format!("{claim} = {}", values.join(" | ")))
                .collect();
            if let Some(subject) = &binding.bound_subject {
                claims.insert(0, format!("sub = {subject}"));
            }
            format!("tokens whose {}", claims.join(", "))
        }
    };
    if role.method == "kubernetes" {
        match &binding.audience {
            Some(audience) => {
                let _ = write!(words, ", audience {audience}");
            }
            None => words.push_str(", any audience"),
        }
    } else if binding.bound_audiences.is_empty() {
        words.push_str(", without an audience");
    } else {
        let _ = write!(words, ", audience {}", binding.bound_audiences.join(" | "));
    }
    words
}

/// A workload's pod spec pointer, by kind.
fn pod_spec(object: &KubeObject) -> Option<&'static str> {
    match object.kind() {
        "Pod" => Some("/spec"),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            Some("/spec/template/spec")
        }
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

/// Whether a pod spec's ServiceAccount token is mounted: the pod's setting wins, then the
/// ServiceAccount's; unset means mounted.
fn automounted(pod: Option<bool>, service_account: Option<bool>) -> bool {
    pod.or(service_account).unwrap_or(true)
}

struct ClusterAccount<'a> {
    cluster: &'a str,
    namespace: String,
    name: String,
    automount: Option<bool>,
    /// `(Kind/name, pod-level automount)`.
    workloads: Vec<(String, Option<bool>)>,
}

/// Every ServiceAccount of every cluster: the ServiceAccount objects, and the ones workloads
/// name (`serviceAccountName`, `default` when unset) even without an object.
fn cluster_accounts(clusters: &[ClusterSnapshot]) -> Vec<ClusterAccount<'_>> {
    let mut accounts: Vec<ClusterAccount<'_>> = Vec::new();
    for cluster in clusters {
        for object in &cluster.objects {
            if object.kind() == "ServiceAccount" && object.group().is_empty() {
                accounts.push(ClusterAccount {
                    cluster: &cluster.name,
                    namespace: object.namespace().unwrap_or("default").to_owned(),
                    name: object.name().to_owned(),
                    automount: object
                        .at("/automountServiceAccountToken")
                        .and_then(crate::json::Json::as_bool),
                    workloads: Vec::new(),
                });
            }
        }
        for object in &cluster.objects {
            let Some(spec) = pod_spec(object) else { continue };
            // Pods owned by a controller are shown through their controller.
            if object.kind() == "Pod" && !object.array_at("/metadata/ownerReferences").is_empty() {
                continue;
            }
            let namespace = object.namespace().unwrap_or("default").to_owned();
            let name = object
                .str_at(&format!("{spec}/serviceAccountName"))
                .or_else(|| object.str_at(&format!("{spec}/serviceAccount")))
                .unwrap_or("default")
                .to_owned();
            let pod_automount = object
                .at(&format!("{spec}/automountServiceAccountToken"))
                .and_then(crate::json::Json::as_bool);
            let workload = (format!("{}/{}", object.kind(), object.name()), pod_automount);
            if let Some(account) = accounts.iter_mut().find(|account| {
                account.cluster == cluster.name
                    && account.namespace == namespace
                    && account.name == name
            }) {
                account.workloads.push(workload);
            } else {
                accounts.push(ClusterAccount {
                    cluster: &cluster.name,
                    namespace,
                    name,
                    automount: None,
                    workloads: vec![workload],
                });
            }
        }
    }
    accounts
}

fn mount_cluster<'a>(mount: &str, clusters: &'a [ClusterSnapshot]) -> Option<&'a str> {
    let mount = mount.trim_end_matches('/');
    clusters
        .iter()
        .filter(|cluster| !cluster.name.is_empty() && mount.contains(cluster.name.as_str()))
        .max_by_key(|cluster| cluster.name.len())
        .map(|cluster| cluster.name.as_str())
}

fn is_default_audience(audience: &str) -> bool {
    DEFAULT_KUBERNETES_AUDIENCES.contains(&audience.trim_end_matches('/'))
}

/// The chain from auth roles to ServiceAccounts, workloads, policies and readable paths, and
/// the token dangers (`VAULT-SA-*`).
#[must_use]
#[allow(clippy::too_many_lines)] // One pass per danger, read top to bottom.
pub fn service_account_chain(
    snapshot: &VaultSnapshot,
    store: &PolicyStore,
    clusters: &[ClusterSnapshot],
) -> ChainReport {
    let accounts = cluster_accounts(clusters);
    let mut report = ChainReport::default();
    for role in &snapshot.auth_roles {
        if !matches!(role.method.as_str(), "kubernetes" | "jwt" | "oidc") {
            continue;
        }
        let subject = format!("auth/{}role/{}", role.mount, role.name);
        let patterns = service_account_patterns(role);
        let policies = token_policies(&role.policies, role.binding.no_default_policy);
        let readable = readable_patterns(store, &policies);
        let mut matches = Vec::new();
        if let Some((namespaces, names, glob)) = &patterns {
            let only = if role.method == "kubernetes" {
                mount_cluster(&role.mount, clusters)
            } else {
                None
            };
            for account in &accounts {
                if only.is_some_and(|cluster| cluster != account.cluster) {
                    continue;
                }
                if any_matches(namespaces, &account.namespace, *glob)
                    && any_matches(names, &account.name, *glob)
                {
                    matches.push(ServiceAccountMatch {
                        cluster: account.cluster.to_owned(),
                        namespace: account.namespace.clone(),
                        name: account.name.clone(),
                        automount: account.automount.unwrap_or(true),
                        workloads: account.workloads.iter().map(|(name, _)| name.clone()).collect(),
                    });
                }
            }
        }

        // VAULT-SA-01 / -02: which tokens the role accepts.
        let (no_audience, default_audience) = if role.method == "kubernetes" {
            let audience = role.binding.audience.as_deref().filter(|audience| !audience.is_empty());
            (audience.is_none(), audience.is_some_and(is_default_audience))
        } else {
            let jwt = role.binding.role_type.as_deref() != Some("oidc");
            (
                jwt && role.binding.bound_audiences.is_empty(),
                role.binding.bound_audiences.iter().any(|audience| is_default_audience(audience)),
            )
        };
        if no_audience {
            report.dangers.push(TokenDanger {
                code: "VAULT-SA-01",
                severity: Severity::High,
                subject: subject.clone(),
                explanation: if role.method == "kubernetes" {
                    format!("{subject} checks no audience: any token of the bound ServiceAccounts logs in, including the one every pod gets by default and any token minted for another service; one leaked by a debug log line is a Vault login to {}", policies.join(", "))
                } else {
                    format!("{subject} binds no audience: it accepts JWTs that carry none, so a token issued for anything else by the same issuer can log in")
                },
                fix: "set audience = \"vault\" (Kubernetes) or bound_audiences (JWT) and give the workload a projected token with that audience",
            });
        }
        if default_audience {
            report.dangers.push(TokenDanger {
                code: "VAULT-SA-02",
                severity: Severity::High,
                subject: subject.clone(),
                explanation: format!("{subject} accepts the Kubernetes API server's default audience, which every auto-mounted token carries: any pod of the bound ServiceAccounts logs in with the token it got without asking"),
                fix: "use a dedicated audience (e.g. \"vault\") and a projected ServiceAccount token volume with that audience",
            });
        }
        if let Some((namespaces, names, _)) = &patterns
            && (names.iter().any(|name| name == "*") || namespaces.iter().any(|ns| ns == "*"))
        {
            report.dangers.push(TokenDanger {
                code: "VAULT-SA-05",
                severity: Severity::High,
                subject: subject.clone(),
                explanation: format!("{subject} binds ServiceAccount {} in namespace {}: every ServiceAccount there, including `default` and any created later, gets {}", names.join(", "), namespaces.join(", "), policies.join(", ")),
                fix: "bind the exact ServiceAccount names and namespaces of the workloads that need the secrets",
            });
        }
        // VAULT-SA-04: auto-mounted tokens of the workloads this role lets in.
        let accepts_mounted = no_audience || default_audience;
        for account in &matches {
            let source = accounts.iter().find(|candidate| {
                candidate.cluster == account.cluster
                    && candidate.namespace == account.namespace
                    && candidate.name == account.name
            });
            let Some(source) = source else { continue };
            for (workload, pod_automount) in &source.workloads {
                if !automounted(*pod_automount, source.automount) {
                    continue;
                }
                let place = format!("{}/{}/{workload}", account.cluster, account.namespace);
                report.dangers.push(if accepts_mounted {
                    TokenDanger {
                        code: "VAULT-SA-04",
                        severity: Severity::High,
                        subject: place.clone(),
                        explanation: format!("{place} runs as ServiceAccount {} with its token auto-mounted, and {subject} accepts that token: anything that can read the pod's filesystem or logs can log in to Vault with {}", account.name, policies.join(", ")),
                        fix: "set automountServiceAccountToken: false and mount a projected token with the audience the role requires",
                    }
                } else {
                    TokenDanger {
                        code: "VAULT-SA-04",
                        severity: Severity::Low,
                        subject: place.clone(),
                        explanation: format!("{place} has its ServiceAccount token auto-mounted; {subject} requires another audience, so the mounted token is not a Vault login, but it is still a Kubernetes credential"),
                        fix: "set automountServiceAccountToken: false unless the workload calls the Kubernetes API",
                    }
                });
            }
        }
        report.roles.push(RoleChain {
            mount: role.mount.clone(),
            method: role.method.clone(),
            role: role.name.clone(),
            accepts: accepts_in_words(role, patterns.as_ref()),
            policies,
            readable,
            service_accounts: matches,
            binds_service_accounts: patterns.is_some(),
        });
    }

    // VAULT-SA-03: legacy, never-expiring ServiceAccount token Secrets.
    for cluster in clusters {
        for object in &cluster.objects {
            if object.kind() != "Secret"
                || object.str_at("/type") != Some("kubernetes.io/service-account-token")
            {
                continue;
            }
            let namespace = object.namespace().unwrap_or("default");
            let account = object
                .str_at("/metadata/annotations/kubernetes.io~1service-account.name")
                .unwrap_or("?");
            let bound: Vec<String> = report
                .roles
                .iter()
                .filter(|role| {
                    role.service_accounts.iter().any(|matched| {
                        matched.cluster == cluster.name
                            && matched.namespace == namespace
                            && matched.name == account
                    })
                })
                .map(|role| format!("auth/{}role/{}", role.mount, role.role))
                .collect();
            let subject = format!("{}/{namespace}/Secret/{}", cluster.name, object.name());
            report.dangers.push(TokenDanger {
                code: "VAULT-SA-03",
                severity: if bound.is_empty() { Severity::Medium } else { Severity::High },
                explanation: if bound.is_empty() {
                    format!("{subject} is a legacy token of ServiceAccount {account} that never expires")
                } else {
                    format!("{subject} is a legacy token of ServiceAccount {account} that never expires, and {} accept(s) it: whoever reads the Secret has a permanent Vault login", bound.join(", "))
                },
                subject,
                fix: "delete the Secret and use short-lived projected tokens (TokenRequest); Kubernetes no longer creates these since 1.24",
            });
        }
    }
    report.dangers.sort_by(|left, right| {
        right
            .severity
            .cmp(&left.severity)
            .then(left.code.cmp(right.code))
            .then(left.subject.cmp(&right.subject))
    });
    report
}

/// The rule patterns of `policies` (except `default`) that grant `read` or `list` (not
/// deny), sorted.
fn readable_patterns(store: &PolicyStore, policies: &[String]) -> Vec<String> {
    use super::capability::Capability;
    let mut readable = BTreeSet::new();
    // The default policy's rules (its own token, cubbyhole, tools) are the same for everyone.
    for name in policies.iter().filter(|name| *name != "default") {
        let Some(policy) = store.get(name) else { continue };
        for rule in &policy.rules {
            let grants = rule.capabilities.contains(Capability::Read)
                || rule.capabilities.contains(Capability::List);
            if grants && !rule.capabilities.is_deny() {
                readable.insert(rule.pattern.clone());
            }
        }
    }
    readable.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::platform::ClusterState;
    use crate::vault::{Flavor, PolicySource};

    fn role(mount: &str, method: &str, name: &str, binding: RoleBinding) -> AuthRole {
        AuthRole {
            mount: mount.into(),
            method: method.into(),
            name: name.into(),
            policies: vec!["app".into()],
            bound: Vec::new(),
            binding,
        }
    }

    fn cluster(name: &str, objects: Vec<serde_json::Value>) -> ClusterSnapshot {
        ClusterSnapshot {
            name: name.into(),
            environment: None,
            kubernetes_version: None,
            state: ClusterState::Ready,
            message: None,
            objects: objects.into_iter().map(KubeObject::new).collect(),
            ..ClusterSnapshot::default()
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn globs_match_like_the_plugins() {
        assert!(glob_matches("*", "anything"));
        assert!(glob_matches("team-*", "team-a"));
        assert!(!glob_matches("team-*", "teams"));
        assert!(glob_matches("*-api", "checkout-api"));
        assert!(glob_matches("a*b*c", "a-x-b-y-c"));
        assert!(!glob_matches("a*b*c", "a-x-c"));
        assert!(glob_matches("exact", "exact") && !glob_matches("exact", "exactly"));
    }

    #[test]
    #[allow(clippy::too_many_lines)]
    fn roles_reach_service_accounts_workloads_and_their_dangers() {
        let snapshot = VaultSnapshot {
            policies: vec![PolicySource {
                name: "app".into(),
                text: "path \"secret/data/app/*\" { capabilities = [\"read\"] }\npath \"secret/data/app/admin\" { capabilities = [\"deny\"] }\npath \"sys/policies/acl/*\" { capabilities = [\"update\"] }".into(),
            }],
            auth_roles: vec![
                role("kubernetes-prod/", "kubernetes", "shop", RoleBinding {
                    service_account_names: strings(&["shop"]),
                    service_account_namespaces: strings(&["shop-*"]),
                    audience: Some("vault".into()),
                    ..RoleBinding::default()
                }),
                role("kubernetes-prod/", "kubernetes", "legacy", RoleBinding {
                    service_account_names: strings(&["*"]),
                    service_account_namespaces: strings(&["batch"]),
                    ..RoleBinding::default()
                }),
                role("jwt-k8s/", "jwt", "by-subject", RoleBinding {
                    bound_subject: Some("system:serviceaccount:batch:worker".into()),
                    bound_audiences: strings(&["https://kubernetes.default.svc.cluster.local"]),
                    role_type: Some("jwt".into()),
                    no_default_policy: true,
                    ..RoleBinding::default()
                }),
                role("jwt/", "jwt", "ci", RoleBinding {
                    bound_claims: vec![("repository".into(), strings(&["org/repo"]))],
                    role_type: Some("jwt".into()),
                    ..RoleBinding::default()
                }),
                role("approle/", "approle", "ignored", RoleBinding::default()),
            ],
            ..VaultSnapshot::default()
        };
        let store = PolicyStore::from_sources(&snapshot.policies, Flavor::OpenBao);
        let clusters = [
            cluster(
                "prod",
                vec![
                    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "shop", "namespace": "shop-eu"}, "automountServiceAccountToken": false}),
                    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "shop", "namespace": "other"}}),
                    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shop", "namespace": "shop-eu"}, "spec": {"template": {"spec": {"serviceAccountName": "shop"}}}}),
                    json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "batch"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"serviceAccountName": "worker"}}}}}}),
                    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "namespace": "batch"}, "spec": {"automountServiceAccountToken": false}}),
                    json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token", "metadata": {"name": "worker-token", "namespace": "batch", "annotations": {"kubernetes.io/service-account.name": "worker"}}}),
                    json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "plain", "namespace": "batch"}}),
                ],
            ),
            // Another cluster: the `kubernetes-prod/` mount does not reach it.
            cluster(
                "staging",
                vec![
                    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "shop", "namespace": "shop-eu"}}),
                ],
            ),
        ];
        let report = service_account_chain(&snapshot, &store, &clusters);
        let names: Vec<&str> = report.roles.iter().map(|role| role.role.as_str()).collect();
        assert_eq!(
            names,
            ["shop", "legacy", "by-subject", "ci"],
            "approle roles bind no ServiceAccount"
        );

        let shop = &report.roles[0];
        assert_eq!(shop.policies, ["app", "default"]);
        assert_eq!(shop.readable, ["secret/data/app/*"]);
        assert_eq!(
            shop.accepts,
            "ServiceAccount tokens of shop in namespace shop-*, audience vault"
        );
        assert_eq!(
            shop.service_accounts,
            [ServiceAccountMatch {
                cluster: "prod".into(),
                namespace: "shop-eu".into(),
                name: "shop".into(),
                automount: false,
                workloads: vec!["Deployment/shop".into()],
            }]
        );
        // `*` in batch: the CronJob's worker and the bare pod's `default`.
        let legacy: Vec<(&str, &str)> = report.roles[1]
            .service_accounts
            .iter()
            .map(|matched| (matched.namespace.as_str(), matched.name.as_str()))
            .collect();
        assert_eq!(legacy, [("batch", "worker"), ("batch", "default")]);
        let by_subject = &report.roles[2];
        assert_eq!(by_subject.policies, ["app"], "token_no_default_policy");
        assert_eq!(by_subject.service_accounts.len(), 1);
        assert!(!report.roles[3].binds_service_accounts);
        assert_eq!(
            report.roles[3].accepts,
            "tokens whose repository = org/repo, without an audience"
        );

        let dangers: Vec<(&str, &str)> =
            report.dangers.iter().map(|danger| (danger.code, danger.subject.as_str())).collect();
        assert_eq!(
            dangers,
            [
                ("VAULT-SA-01", "auth/jwt/role/ci"),
                ("VAULT-SA-01", "auth/kubernetes-prod/role/legacy"),
                ("VAULT-SA-02", "auth/jwt-k8s/role/by-subject"),
                ("VAULT-SA-03", "prod/batch/Secret/worker-token"),
                // The CronJob mounts worker's token and both roles accept it.
                ("VAULT-SA-04", "prod/batch/CronJob/nightly"),
                ("VAULT-SA-04", "prod/batch/CronJob/nightly"),
                ("VAULT-SA-05", "auth/kubernetes-prod/role/legacy"),
            ]
        );
        assert!(report.dangers.iter().all(|danger| danger.severity == Severity::High));
    }
}
