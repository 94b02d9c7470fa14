//! The Vault permissions view's use cases: one subject's attributed capability matrix and
//! escalation findings, the ServiceAccount chain, and "who can reach this path".

use sextant_domain::platform::Platform;
use sextant_domain::vault::chain::{ChainReport, service_account_chain};
use sextant_domain::vault::escalation::{Finding, PROBE, Severity, detect_escalations};
use sextant_domain::vault::subject::{ResolvedSubject, subjects};
use sextant_domain::vault::{
    Acl, AclContext, Capability, Decision, Flavor, PolicyStore, TemplateError, VaultSnapshot,
};
use sextant_protocol::vault::{
    AccessRow, DecidedByRow, EscalationRow, GetVaultAccess, PolicyErrorRow, ReachRow, Reachers,
    RoleChainRow, ShadowedRow, TokenDangerRow, VaultAccess, VaultSubjectRow, WhoCanReach,
};
use sextant_protocol::{CommandError, ErrorCode};

use crate::analyze::vault::path_answer;

/// The parsed policies, the chain and the subjects of a snapshot.
struct Model {
    store: PolicyStore,
    chain: ChainReport,
    subjects: Vec<ResolvedSubject>,
}

fn model(platform: &Platform, vault: &VaultSnapshot) -> Model {
    let store = PolicyStore::from_sources(&vault.policies, vault.flavor);
    let chain = service_account_chain(vault, &store, &platform.clusters);
    let subjects = subjects(vault, &chain);
    Model { store, chain, subjects }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}

fn acl_of(store: &PolicyStore, subject: &ResolvedSubject) -> Result<Acl, TemplateError> {
    store.acl(
        &subject.policies,
        AclContext { identity: subject.identity.as_ref(), now_unix: Some(now_unix()) },
    )
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
    }
}

fn capability_names(flavor: Flavor) -> Vec<String> {
    let mut names = vec!["create", "read", "update", "patch", "delete", "list", "sudo"];
    match flavor {
        Flavor::OpenBao => names.push("scan"),
        Flavor::Vault => names.extend(["subscribe", "recover"]),
    }
    names.push("deny");
    names.into_iter().map(str::to_owned).collect()
}

fn step(decision: &Decision) -> String {
    let capabilities = decision.answer.names().join(", ");
    let path = decision.path.replace(PROBE, "<any name>");
    match &decision.winner {
        Some(winner) => {
            let mut policies: Vec<&str> = Vec::new();
            for source in &winner.sources {
                if !policies.contains(&source.policy.as_str()) {
                    policies.push(&source.policy);
                }
            }
            format!(
                "{path} → {capabilities}, granted by rule {} of policy {}",
                winner.pattern,
                policies.join(", ")
            )
        }
        None => format!("{path} → {capabilities}"),
    }
}

fn escalation_row(finding: &Finding) -> EscalationRow {
    EscalationRow {
        code: finding.code.to_owned(),
        severity: severity_name(finding.severity).to_owned(),
        explanation: finding.explanation.clone(),
        fix: finding.fix.to_owned(),
        steps: finding.evidence.iter().map(step).collect(),
    }
}

fn subject_row(store: &PolicyStore, subject: &ResolvedSubject) -> VaultSubjectRow {
    let findings = acl_of(store, subject)
        .map(|acl| detect_escalations(&acl, &subject.escalation))
        .unwrap_or_default();
    VaultSubjectRow {
        id: subject.id.clone(),
        kind: subject.kind.as_str().to_owned(),
        label: subject.label.clone(),
        detail: subject.detail.clone(),
        policies: subject.policies.clone(),
        findings: findings.len(),
        worst: findings.first().map(|finding| severity_name(finding.severity).to_owned()),
    }
}

fn access_row(acl: &Acl, path: &str) -> AccessRow {
    let answer = path_answer(acl, path);
    AccessRow {
        path: answer.path,
        capabilities: answer.capabilities,
        decided_by: answer.decided_by.map(|decided| DecidedByRow {
            pattern: decided.pattern,
            kind: decided.kind,
            why: decided.why,
            policies: decided.policies,
        }),
        shadowed: answer
            .shadowed
            .into_iter()
            .map(|shadowed| ShadowedRow {
                pattern: shadowed.pattern,
                policies: shadowed.policies,
                capabilities: shadowed.capabilities,
            })
            .collect(),
    }
}

/// One subject's permissions (the picker's choice, or the subject with the worst findings).
#[must_use]
pub fn access(platform: &Platform, request: &GetVaultAccess) -> VaultAccess {
    let Some(vault) = platform.vault.as_ref() else { return VaultAccess::default() };
    let model = model(platform, vault);
    let subjects: Vec<VaultSubjectRow> =
        model.subjects.iter().map(|subject| subject_row(&model.store, subject)).collect();
    let chosen = match &request.subject {
        Some(id) => model.subjects.iter().position(|subject| &subject.id == id),
        None => subjects
            .iter()
            .enumerate()
            .max_by_key(|(index, row)| {
                let rank = match row.worst.as_deref() {
                    Some("critical") => 4,
                    Some("high") => 3,
                    Some("medium") => 2,
                    Some("low") => 1,
                    _ => 0,
                };
                // The first of the worst: rank, then findings, then earliest.
                (rank, row.findings, usize::MAX - index)
            })
            .map(|(index, _)| index),
    };
    let mut access = VaultAccess {
        capability_names: capability_names(vault.flavor),
        policy_errors: model
            .store
            .errors()
            .iter()
            .map(|error| PolicyErrorRow {
                policy: error.policy.clone(),
                line: error.line,
                column: error.column,
                message: error.message.clone(),
            })
            .collect(),
        chain: model
            .chain
            .roles
            .iter()
            .map(|role| RoleChainRow {
                role: format!("auth/{}role/{}", role.mount, role.role),
                method: role.method.clone(),
                accepts: role.accepts.clone(),
                policies: role.policies.clone(),
                readable: role.readable.clone(),
                service_accounts: role
                    .service_accounts
                    .iter()
                    .map(|account| {
                        let name =
                            format!("{}/{}/{}", account.cluster, account.namespace, account.name);
                        if account.workloads.is_empty() {
                            name
                        } else {
                            format!("{name} ({})", account.workloads.join(", "))
                        }
                    })
                    .collect(),
            })
            .collect(),
        dangers: model
            .chain
            .dangers
            .iter()
            .map(|danger| TokenDangerRow {
                code: danger.code.to_owned(),
                severity: severity_name(danger.severity).to_owned(),
                subject: danger.subject.clone(),
                explanation: danger.explanation.clone(),
                fix: danger.fix.to_owned(),
            })
            .collect(),
        subjects,
        ..VaultAccess::default()
    };
    let Some(index) = chosen else { return access };
    let subject = &model.subjects[index];
    access.subject = Some(subject.id.clone());
    match acl_of(&model.store, subject) {
        Ok(acl) => {
            let findings = detect_escalations(&acl, &subject.escalation);
            let mut paths: Vec<String> =
                acl.entries().map(|(pattern, ..)| pattern.to_owned()).collect();
            // The detector's probe paths stand for "any name"; the matrix shows real paths.
            for finding in &findings {
                paths.extend(
                    finding
                        .evidence
                        .iter()
                        .filter(|decision| !decision.path.contains(PROBE))
                        .map(|decision| decision.path.clone()),
                );
            }
            paths.extend(request.paths.iter().filter(|path| !path.is_empty()).cloned());
            paths.sort();
            paths.dedup();
            access.rows = paths.iter().map(|path| access_row(&acl, path)).collect();
            access.escalations = findings.iter().map(escalation_row).collect();
        }
        Err(error) => {
            access.error = Some(format!(
                "policy {:?}: the template in {:?} renders to {:?}, which holds '/', '+' or '*'; the server refuses every request of this subject's tokens",
                error.policy, error.pattern, error.value
            ));
        }
    }
    access
}

/// Every subject whose policies grant `capability` on `path`.
///
/// # Errors
/// `invalid_input` when the path is empty or the capability unknown.
pub fn who_can_reach(platform: &Platform, request: &WhoCanReach) -> Result<Reachers, CommandError> {
    let path = request.path.trim();
    if path.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            "no path given: type a path such as secret/data/app/config",
        ));
    }
    let Some(capability) = Capability::from_name(request.capability.trim())
        .filter(|capability| *capability != Capability::Deny)
    else {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!(
                "unknown capability {:?}: use create, read, update, patch, delete, list, sudo or scan",
                request.capability
            ),
        ));
    };
    let mut reachers = Reachers {
        path: path.to_owned(),
        capability: capability.as_str().to_owned(),
        ..Reachers::default()
    };
    let Some(vault) = platform.vault.as_ref() else { return Ok(reachers) };
    let model = model(platform, vault);
    let wanted = sextant_domain::vault::CapabilitySet::of(&[capability]);
    for subject in &model.subjects {
        match acl_of(&model.store, subject) {
            Ok(acl) => {
                if acl.answer(path).grants(wanted) {
                    let row = access_row(&acl, path);
                    let decided = row.decided_by.unwrap_or(DecidedByRow {
                        pattern: None,
                        kind: String::new(),
                        why: None,
                        policies: Vec::new(),
                    });
                    reachers.reaches.push(ReachRow {
                        id: subject.id.clone(),
                        kind: subject.kind.as_str().to_owned(),
                        label: subject.label.clone(),
                        capabilities: row.capabilities,
                        pattern: decided.pattern.unwrap_or_else(|| decided.kind.clone()),
                        policies: decided.policies,
                    });
                }
            }
            Err(error) => reachers.problems.push(format!(
                "{}: cannot be evaluated, policy {:?} renders a forbidden value",
                subject.label, error.policy
            )),
        }
    }
    Ok(reachers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Platform {
        sextant_adapters::demo::load()
    }

    #[test]
    fn the_demo_picks_the_ci_escalation_and_explains_it() {
        let platform = demo();
        let access = access(&platform, &GetVaultAccess::default());
        assert!(access.subjects.len() > 20, "{}", access.subjects.len());
        let ci = access
            .subjects
            .iter()
            .find(|subject| subject.id == "role:jwt/ci-deployer")
            .expect("the CI role is a subject");
        assert_eq!(ci.policies, ["ci-deployer", "default"]);
        assert_eq!(ci.worst.as_deref(), Some("critical"));
        let access = super::access(
            &platform,
            &GetVaultAccess {
                subject: Some(ci.id.clone()),
                paths: vec!["secret/data/ci/x".into()],
            },
        );
        let codes: Vec<&str> = access.escalations.iter().map(|row| row.code.as_str()).collect();
        // §16 row 1 (its own policy), row 2 (any policy plus a way to attach it), row 3 (its role).
        for code in ["VAULT-ESC-01", "VAULT-ESC-02", "VAULT-ESC-03"] {
            assert!(codes.contains(&code), "{code} in {codes:?}");
        }
        let row = |path: &str| access.rows.iter().find(|row| row.path == path).unwrap();
        assert_eq!(row("secret/data/ci/x").capabilities, ["read"]);
        assert_eq!(row("auth/jwt/role/ci-deployer").capabilities, ["read", "update"]);
        assert_eq!(
            row("auth/jwt/role/ci-deployer").decided_by.as_ref().unwrap().policies,
            ["ci-deployer"]
        );
    }

    #[test]
    fn who_can_reach_names_the_ci_role_and_refuses_bad_input() {
        let platform = demo();
        let reachers = who_can_reach(
            &platform,
            &WhoCanReach { path: "sys/policies/acl/anything".into(), capability: "update".into() },
        )
        .unwrap();
        assert!(
            reachers
                .reaches
                .iter()
                .any(|reach| reach.id == "role:jwt/ci-deployer"
                    && reach.pattern == "sys/policies/acl/*"),
            "{reachers:?}"
        );
        let error = who_can_reach(
            &platform,
            &WhoCanReach { path: "x".into(), capability: "banana".into() },
        )
        .unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn service_accounts_render_the_namespace_template_of_their_own_mount() {
        let platform = demo();
        let rows = |id: &str| {
            access(&platform, &GetVaultAccess { subject: Some(id.into()), paths: Vec::new() }).rows
        };
        // k8s-namespace-secrets.hcl templates on the alias metadata of auth/kubernetes-prod-eu/
        // (accessor auth_kubernetes_5c1e9a03): on prod-eu the namespace renders.
        let eu = rows("sa:prod-eu/payments/payments-api");
        let own = eu.iter().find(|row| row.path == "secret/data/k8s/payments/*").expect("rendered");
        assert_eq!(own.capabilities, ["create", "delete", "read", "update"]);
        assert_eq!(own.decided_by.as_ref().unwrap().policies, ["k8s-namespace-secrets"]);
        // On staging, staging-apps also grants k8s-namespace-secrets, but the alias lives on
        // auth/kubernetes-staging/, so the templated rules drop (the policy's own comment).
        let staging = rows("sa:staging/catalog/catalog-api");
        assert!(staging.iter().any(|row| row.path == "secret/data/shop/*"), "{staging:?}");
        assert!(staging.iter().all(|row| !row.path.starts_with("secret/data/k8s/")), "{staging:?}");
    }

    #[test]
    fn a_malformed_policy_is_reported_beside_the_others_which_still_count() {
        use sextant_domain::vault::{AuthRole, PolicySource, chain::RoleBinding};
        let vault = VaultSnapshot {
            policies: vec![
                PolicySource {
                    name: "good".into(),
                    text: "path \"secret/a\" { capabilities = [\"read\"] }".into(),
                },
                PolicySource {
                    name: "broken".into(),
                    text: "path \"secret/b\" {\n  capabilites = [\"read\"]\n}".into(),
                },
            ],
            auth_roles: vec![AuthRole {
                mount: "approle/".into(),
                method: "approle".into(),
                name: "app".into(),
                policies: vec!["good".into(), "broken".into()],
                bound: Vec::new(),
                binding: RoleBinding { no_default_policy: true, ..RoleBinding::default() },
            }],
            ..VaultSnapshot::default()
        };
        let platform = Platform { vault: Some(vault), ..Platform::default() };
        let access = access(&platform, &GetVaultAccess::default());
        // Line 2, column 3: the typo `capabilites` (spec §2.3).
        assert_eq!(
            access
                .policy_errors
                .iter()
                .map(|error| (error.policy.as_str(), error.line, error.column))
                .collect::<Vec<_>>(),
            [("broken", 2, 3)]
        );
        assert_eq!(access.subject.as_deref(), Some("role:approle/app"));
        let paths: Vec<(&str, &[String])> = access
            .rows
            .iter()
            .map(|row| (row.path.as_str(), row.capabilities.as_slice()))
            .collect();
        assert_eq!(paths, [("secret/a", &["read".to_owned()][..])]);
    }

    #[test]
    fn the_demo_shows_every_token_danger() {
        let access = access(&demo(), &GetVaultAccess::default());
        let codes: Vec<&str> = access.dangers.iter().map(|danger| danger.code.as_str()).collect();
        for code in ["VAULT-SA-01", "VAULT-SA-02", "VAULT-SA-03", "VAULT-SA-04", "VAULT-SA-05"] {
            assert!(codes.contains(&code), "{code} in {codes:?}");
        }
        // The legacy Secret in staging belongs to catalog-api, which staging-apps accepts.
        let legacy = access.dangers.iter().find(|danger| danger.code == "VAULT-SA-03").unwrap();
        assert_eq!(legacy.subject, "staging/catalog/Secret/catalog-api-debug-token");
        assert_eq!(legacy.severity, "high");
    }
}
