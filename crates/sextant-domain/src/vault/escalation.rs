//! The escalation detector (spec §16): paths through which a principal can give itself more.
//!
//! Each check asks the evaluator about concrete probe paths built from the subject's own
//! policy, role, user, entity and group names, so a finding always names the rule that
//! grants the step.

use super::acl::{Acl, Decision};
use super::capability::{Capability, CapabilitySet};

/// The subject being analysed: its policy names and the names that make paths "its own".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// The policies it carries (including `default` when attached).
    pub policies: Vec<String>,
    /// `(auth mount without trailing slash, role)` pairs it logs in with.
    pub roles: Vec<(String, String)>,
    /// `(userpass mount, user name)` pairs it logs in as.
    pub users: Vec<(String, String)>,
    /// Its entity id.
    pub entity_id: Option<String>,
    /// The ids of its groups.
    pub group_ids: Vec<String>,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational: a false sense of safety rather than a step up.
    Low,
    /// A step towards escalation, or disruption.
    Medium,
    /// Control over auth, mounts or identity.
    High,
    /// Effectively admin.
    Critical,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable code, `VAULT-ESC-<row of spec §16>`.
    pub code: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// The chain of steps in plain words.
    pub explanation: String,
    /// How to fix it.
    pub fix: &'static str,
    /// The decisions that make each step possible.
    pub evidence: Vec<Decision>,
}

/// A check on fixed probe paths: code, severity, paths, capabilities, what it allows, fix.
type SimpleCheck = (
    &'static str,
    Severity,
    &'static [&'static str],
    &'static [Capability],
    &'static str,
    &'static str,
);

/// The name the probe paths use for "a name of the subject's choosing".
pub const PROBE: &str = "sextant-escalation-probe";

fn caps(capabilities: &[Capability]) -> CapabilitySet {
    CapabilitySet::of(capabilities)
}

/// The decisions on `paths` that grant every capability in `wanted`.
fn granted(acl: &Acl, paths: &[String], wanted: CapabilitySet) -> Vec<Decision> {
    paths
        .iter()
        .filter(|path| acl.answer(path).grants(wanted))
        .map(|path| acl.explain(path))
        .collect()
}

fn update() -> CapabilitySet {
    caps(&[Capability::Update])
}

/// Flags the escalation patterns of spec §16 for a subject's ACL.
#[must_use]
#[allow(clippy::too_many_lines)] // One block per row of the spec's table.
pub fn detect_escalations(acl: &Acl, subject: &Subject) -> Vec<Finding> {
    let mut findings = Vec::new();
    if acl.is_root() {
        findings.push(Finding {
            code: "VAULT-ESC-00",
            severity: Severity::Critical,
            explanation: "the subject holds the root policy: it can do anything".into(),
            fix: "use root tokens only for break-glass work and revoke them afterwards",
            evidence: Vec::new(),
        });
        return findings;
    }
    let policy_paths =
        |name: &str| vec![format!("sys/policies/acl/{name}"), format!("sys/policy/{name}")];

    // Row 1 and 20: rewrite a policy the subject (or everyone) already carries.
    let own: Vec<Decision> = subject
        .policies
        .iter()
        .flat_map(|name| granted(acl, &policy_paths(name), update()))
        .collect();
    if !own.is_empty() {
        findings.push(Finding {
            code: "VAULT-ESC-01",
            severity: Severity::Critical,
            explanation: format!(
                "the subject may update its own policy ({}); it can rewrite it to grant anything, and the change applies at once to its existing tokens",
                own.iter().map(|decision| decision.path.as_str()).collect::<Vec<_>>().join(", ")
            ),
            fix: "grant policy writes on disjoint sub-paths that exclude the subject's own policies (e.g. sys/policies/acl/team-*), or deny its own policy names explicitly",
            evidence: own,
        });
    }
    let default_write = granted(acl, &policy_paths("default"), update());
    if !default_write.is_empty() {
        findings.push(Finding {
            code: "VAULT-ESC-20",
            severity: Severity::Critical,
            explanation:
                "the subject may rewrite the default policy, which almost every token carries"
                    .into(),
            fix: "remove update on sys/policies/acl/default; manage it only with an admin token",
            evidence: default_write,
        });
    }

    // Rows 3–8: ways to attach policies to oneself.
    let mut attach: Vec<(&'static str, Severity, String, &'static str, Vec<Decision>)> = Vec::new();
    let role_paths: Vec<String> = subject
        .roles
        .iter()
        .flat_map(|(mount, role)| {
            [format!("auth/{mount}/role/{role}"), format!("auth/{mount}/role/{role}/policies")]
        })
        .collect();
    let roles = granted(acl, &role_paths, update());
    if !roles.is_empty() {
        attach.push((
            "VAULT-ESC-03",
            Severity::High,
            "may update the auth role it logs in with, so it can raise that role's token_policies".into(),
            "let the subject create roles only (create without update), or template the role path so it excludes its own role",
            roles,
        ));
    }
    let user_paths: Vec<String> =
        subject.users.iter().map(|(mount, user)| format!("auth/{mount}/users/{user}")).collect();
    let users: Vec<Decision> = granted(acl, &user_paths, update())
        .into_iter()
        .filter(|decision| {
            let Some(winner) = &decision.winner else { return true };
            let Some(constraints) = acl.constraints(&winner.pattern) else { return true };
            let denied = |key: &str| {
                constraints.denied_parameters.contains_key(key)
                    || constraints.denied_parameters.contains_key("*")
            };
            let allowed_only_safe = !constraints.allowed_parameters.is_empty()
                && !constraints.allowed_parameters.contains_key("*")
                && !constraints.allowed_parameters.contains_key("token_policies")
                && !constraints.allowed_parameters.contains_key("policies");
            !(allowed_only_safe || (denied("token_policies") && denied("policies")))
        })
        .collect();
    if !users.is_empty() {
        attach.push((
            "VAULT-ESC-04",
            Severity::High,
            "may update its own userpass user without parameter limits, so it can set token_policies".into(),
            "restrict the rule with allowed_parameters = { password = [] }, or deny token_policies and policies",
            users,
        ));
    }
    let mut identity_paths = vec![
        "identity/group".to_string(),
        format!("identity/group/id/{PROBE}"),
        format!("identity/group/name/{PROBE}"),
    ];
    identity_paths
        .extend(subject.group_ids.iter().map(|group| format!("identity/group/id/{group}")));
    if let Some(entity) = &subject.entity_id {
        identity_paths.push(format!("identity/entity/id/{entity}"));
    }
    let identity = granted(acl, &identity_paths, update());
    if !identity.is_empty() {
        attach.push((
            "VAULT-ESC-05",
            Severity::High,
            "may write identity groups or its own entity, so it can add policies to them or add itself to a powerful group; this reaches existing tokens".into(),
            "grant identity writes only to an admin; use templated paths (identity/entity/id/{{identity.entity.id}} read-only) for self-service",
            identity,
        ));
    }
    let alias_paths = vec![
        format!("identity/entity-alias/id/{PROBE}"),
        "identity/entity-alias".into(),
        format!("identity/group-alias/id/{PROBE}"),
        "identity/group-alias".into(),
        "identity/entity/merge".into(),
    ];
    let aliases = granted(acl, &alias_paths, update());
    if !aliases.is_empty() {
        attach.push((
            "VAULT-ESC-06",
            Severity::High,
            "may write entity or group aliases or merge entities, so it can attach its login to a privileged entity or map an external group to a privileged one".into(),
            "remove write on identity/entity-alias*, identity/group-alias* and identity/entity/merge",
            aliases,
        ));
    }
    let token_create = granted(
        acl,
        &["auth/token/create".into(), "auth/token/create-orphan".into()],
        caps(&[Capability::Update, Capability::Sudo]),
    );
    if !token_create.is_empty() {
        attach.push((
            "VAULT-ESC-07",
            Severity::Critical,
            "has update and sudo on auth/token/create, so it can mint tokens with any non-root policy".into(),
            "drop sudo from auth/token/create; use token roles with a fixed allowed_policies list",
            token_create,
        ));
    }
    let token_roles = granted(acl, &[format!("auth/token/roles/{PROBE}")], update());
    let token_role_create = granted(acl, &[format!("auth/token/create/{PROBE}")], update());
    if !token_roles.is_empty() && !token_role_create.is_empty() {
        attach.push((
            "VAULT-ESC-08",
            Severity::Critical,
            "may write token roles and create tokens from them, so it can define a role allowing any policy and mint it".into(),
            "separate who writes auth/token/roles/* from who uses auth/token/create/*",
            token_roles.into_iter().chain(token_role_create).collect(),
        ));
    }

    // Row 2: write a new policy, then attach it through one of the above.
    let any_policy = granted(acl, &policy_paths(PROBE), update());
    if !any_policy.is_empty() {
        if let Some((code, _, how, _, evidence)) = attach.first() {
            findings.push(Finding {
                code: "VAULT-ESC-02",
                severity: Severity::Critical,
                explanation: format!("the subject may write any ACL policy and {how} ({code}); together it can grant itself any policy: effectively admin"),
                fix: "limit policy writes to a disjoint prefix (sys/policies/acl/team-*) that the subject's own roles and groups never reference, or make the attach step create-only",
                evidence: any_policy.iter().cloned().chain(evidence.iter().cloned()).collect(),
            });
        } else {
            findings.push(Finding {
                code: "VAULT-ESC-02",
                severity: Severity::Medium,
                explanation: "the subject may write arbitrary ACL policies; with any way to attach one (a role, group, entity or token role write) it becomes admin".into(),
                fix: "limit policy writes to a disjoint prefix that the subject cannot attach to itself",
                evidence: any_policy,
            });
        }
    }
    for (code, severity, how, fix, evidence) in attach {
        findings.push(Finding {
            code,
            severity,
            explanation: format!("the subject {how}"),
            fix,
            evidence,
        });
    }

    // Rows 9–16: control over auth, mounts, raw storage, plugins, audit, tokens, leases.
    let simple: [SimpleCheck; 8] = [
        (
            "VAULT-ESC-09",
            Severity::Critical,
            &["sys/auth/sextant-escalation-probe", "sys/auth/sextant-escalation-probe/tune"],
            &[Capability::Update, Capability::Sudo],
            "may enable or tune auth methods, so it can mount one it controls and issue itself admin tokens",
            "grant sys/auth writes only to an admin",
        ),
        (
            "VAULT-ESC-10",
            Severity::High,
            &["sys/mounts/sextant-escalation-probe"],
            &[Capability::Update],
            "may mount and tune secret engines (no sudo needed)",
            "grant sys/mounts writes only to an admin, or to a disjoint prefix",
        ),
        (
            "VAULT-ESC-11",
            Severity::Critical,
            &["sys/raw", "sys/raw/sextant-escalation-probe"],
            &[Capability::Sudo],
            "has sudo on sys/raw: it can read and write the raw barrier, including policies and tokens",
            "never grant sys/raw",
        ),
        (
            "VAULT-ESC-12",
            Severity::Critical,
            &["sys/plugins/catalog/sextant-escalation-probe"],
            &[Capability::Update, Capability::Sudo],
            "may register plugin binaries",
            "grant the plugin catalog only to an admin",
        ),
        (
            "VAULT-ESC-13",
            Severity::Medium,
            &["sys/audit/sextant-escalation-probe", "sys/config/auditing/sextant-escalation-probe"],
            &[Capability::Update, Capability::Sudo],
            "may disable or redirect auditing (stealth)",
            "grant audit configuration only to an admin",
        ),
        (
            "VAULT-ESC-15",
            Severity::Medium,
            &["auth/token/accessors/"],
            &[Capability::List, Capability::Sudo],
            "may list every token accessor, and so enumerate and disrupt tokens",
            "remove list+sudo on auth/token/accessors",
        ),
        (
            "VAULT-ESC-16",
            Severity::Medium,
            &[
                "sys/leases/revoke-force/sextant-escalation-probe",
                "sys/leases/revoke-prefix/sextant-escalation-probe",
            ],
            &[Capability::Update, Capability::Sudo],
            "may force-revoke leases by prefix (denial of service)",
            "grant mass revocation only to an admin",
        ),
        (
            "VAULT-ESC-07",
            Severity::High,
            &["auth/token/create-orphan"],
            &[Capability::Update],
            "may create orphan tokens, escaping its parent's revocation",
            "remove update on auth/token/create-orphan",
        ),
    ];
    for (code, severity, paths, wanted, how, fix) in simple {
        if code == "VAULT-ESC-07" && findings.iter().any(|finding| finding.code == code) {
            continue;
        }
        let paths: Vec<String> = paths.iter().map(ToString::to_string).collect();
        let evidence = granted(acl, &paths, caps(wanted));
        if !evidence.is_empty() {
            findings.push(Finding {
                code,
                severity,
                explanation: format!("the subject {how}"),
                fix,
                evidence,
            });
        }
    }

    // Row 14: a broad sudo glob, and row 19: zero-capability rules that only look like denies.
    for (pattern, kind, capabilities, _) in acl.entries() {
        let broad = matches!(pattern, "*" | "sys/*" | "+/*" | "+" | "auth/*");
        if broad && capabilities.contains(Capability::Sudo) && !capabilities.is_deny() {
            findings.push(Finding {
                code: "VAULT-ESC-14",
                severity: Severity::Critical,
                explanation: format!("the {} rule {pattern:?} carries sudo, which reaches every root-protected path no more specific rule covers", kind.as_str()),
                fix: "grant sudo only on the exact paths that need it",
                evidence: vec![acl.explain(pattern.trim_end_matches('*'))],
            });
        }
        if capabilities.is_empty() {
            findings.push(Finding {
                code: "VAULT-ESC-19",
                severity: Severity::Low,
                explanation: format!("the rule {pattern:?} has no capabilities: it denies by shadowing, but only where it is the most specific match"),
                fix: "write capabilities = [\"deny\"] explicitly and check the paths it should cover",
                evidence: Vec::new(),
            });
        }
    }
    findings
        .sort_by(|left, right| right.severity.cmp(&left.severity).then(left.code.cmp(right.code)));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{AclContext, Flavor, PolicyStore};

    fn findings(text: &str, subject: &Subject) -> Vec<&'static str> {
        let mut store = PolicyStore::new(Flavor::OpenBao);
        store.insert_text("ops", text).unwrap();
        let acl = store.acl(&["ops"], AclContext::default()).unwrap();
        detect_escalations(&acl, subject).iter().map(|finding| finding.code).collect()
    }

    #[test]
    fn policy_write_plus_own_role_is_admin() {
        let subject = Subject {
            policies: vec!["ops".into()],
            roles: vec![("approle".into(), "ci".into())],
            ..Subject::default()
        };
        let codes = findings(
            "path \"sys/policies/acl/*\" { capabilities = [\"update\"] }\npath \"auth/approle/role/ci\" { capabilities = [\"update\"] }",
            &subject,
        );
        assert_eq!(codes, ["VAULT-ESC-01", "VAULT-ESC-02", "VAULT-ESC-20", "VAULT-ESC-03"]);
    }

    #[test]
    fn disjoint_prefix_and_create_only_are_quiet() {
        let subject = Subject {
            policies: vec!["ops".into()],
            roles: vec![("approle".into(), "ci".into())],
            ..Subject::default()
        };
        let codes = findings(
            "path \"sys/policies/acl/team-*\" { capabilities = [\"update\"] }\npath \"auth/approle/role/*\" { capabilities = [\"create\"] }",
            &subject,
        );
        assert!(codes.is_empty(), "{codes:?}");
    }

    #[test]
    fn token_sudo_mounts_and_broad_sudo() {
        let codes = findings(
            "path \"auth/token/create\" { capabilities = [\"update\", \"sudo\"] }\npath \"sys/mounts/*\" { capabilities = [\"update\"] }\npath \"sys/*\" { policy = \"sudo\" }\npath \"x\" {}",
            &Subject::default(),
        );
        for code in ["VAULT-ESC-07", "VAULT-ESC-09", "VAULT-ESC-10", "VAULT-ESC-14", "VAULT-ESC-19"]
        {
            assert!(codes.contains(&code), "{code} in {codes:?}");
        }
    }

    #[test]
    fn userpass_with_password_only_is_safe() {
        let subject =
            Subject { users: vec![("userpass".into(), "alice".into())], ..Subject::default() };
        let safe = findings(
            "path \"auth/userpass/users/alice\" { capabilities = [\"update\"]\n allowed_parameters = { password = [] } }",
            &subject,
        );
        assert!(safe.is_empty());
        let unsafe_codes = findings(
            "path \"auth/userpass/users/alice\" { capabilities = [\"update\"] }",
            &subject,
        );
        assert_eq!(unsafe_codes, ["VAULT-ESC-04"]);
    }
}
