//! The reverse query: who can reach a path with a capability?

use super::acl::{AclContext, Decision};
use super::capability::{Capability, CapabilitySet};
use super::store::{PolicyStore, token_policies};
use super::template::{TemplateError, TemplateIdentity};
use super::{AuthRole, Identity, VaultSnapshot};

/// What kind of principal holds policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// A token role (`auth/token/roles/<r>`).
    TokenRole,
    /// An auth method role or user (approle, kubernetes, jwt, userpass…).
    AuthRole,
    /// An identity group (its policies reach every member).
    Group,
    /// An identity entity.
    Entity,
}

/// Something that ends up holding a set of policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Its kind.
    pub kind: PrincipalKind,
    /// A display name, e.g. `kubernetes/ci` or `group ops`.
    pub name: String,
    /// The policies it grants.
    pub policies: Vec<String>,
    /// Whether `default` is added (tokens from roles, unless `token_no_default_policy`).
    pub include_default: bool,
    /// The identity templates render against, when known.
    pub identity: Option<TemplateIdentity>,
}

/// A principal that can reach the path, and the rule that decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The principal's index in the input.
    pub principal: usize,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: PrincipalKind,
    /// The attributed answer.
    pub decision: Decision,
}

/// Principals whose ACL could not be built, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReverseProblem {
    /// The principal's index in the input.
    pub principal: usize,
    /// Why.
    pub error: TemplateError,
}

/// Every principal whose policies give `capability` on `path` (the LIST view, spec §5.1),
/// in input order, plus the principals that could not be evaluated.
#[must_use]
pub fn who_can(
    store: &PolicyStore,
    principals: &[Principal],
    path: &str,
    capability: Capability,
    now_unix: Option<i64>,
) -> (Vec<Reach>, Vec<ReverseProblem>) {
    let wanted = CapabilitySet::of(&[capability]);
    let mut reaches = Vec::new();
    let mut problems = Vec::new();
    for (index, principal) in principals.iter().enumerate() {
        let names = token_policies(&principal.policies, !principal.include_default);
        let context = AclContext { identity: principal.identity.as_ref(), now_unix };
        match store.acl(&names, context) {
            Ok(acl) => {
                if acl.answer(path).grants(wanted) {
                    reaches.push(Reach {
                        principal: index,
                        name: principal.name.clone(),
                        kind: principal.kind,
                        decision: acl.explain(path),
                    });
                }
            }
            Err(error) => problems.push(ReverseProblem { principal: index, error }),
        }
    }
    (reaches, problems)
}

/// The principals a snapshot describes: auth roles (token roles for the `token` method,
/// with `default` added), identity groups and entities (their own policies only).
#[must_use]
pub fn principals_from_snapshot(snapshot: &VaultSnapshot) -> Vec<Principal> {
    let role = |role: &AuthRole| Principal {
        kind: if role.method == "token" {
            PrincipalKind::TokenRole
        } else {
            PrincipalKind::AuthRole
        },
        name: format!("{}{}", role.mount, role.name),
        policies: role.policies.clone(),
        include_default: !role.binding.no_default_policy,
        identity: None,
    };
    let identity = |kind: PrincipalKind, identity: &Identity| Principal {
        kind,
        name: identity.name.clone(),
        policies: identity.policies.clone(),
        include_default: false,
        identity: None,
    };
    snapshot
        .auth_roles
        .iter()
        .map(role)
        .chain(snapshot.groups.iter().map(|group| identity(PrincipalKind::Group, group)))
        .chain(snapshot.entities.iter().map(|entity| identity(PrincipalKind::Entity, entity)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{Flavor, PolicySource};

    #[test]
    fn finds_who_can_write() {
        let snapshot = VaultSnapshot {
            policies: vec![
                PolicySource { name: "app".into(), text: "path \"secret/app/*\" { capabilities = [\"read\"] }".into() },
                PolicySource { name: "ops".into(), text: "path \"secret/*\" { capabilities = [\"update\"] }\npath \"secret/app/locked\" { capabilities = [\"deny\"] }".into() },
            ],
            auth_roles: vec![AuthRole { mount: "kubernetes/".into(), method: "kubernetes".into(), name: "app".into(), policies: vec!["app".into()], bound: vec![], binding: crate::vault::chain::RoleBinding::default() }],
            groups: vec![Identity { id: "g1".into(), name: "ops".into(), policies: vec!["ops".into()], ..Identity::default() }],
            ..VaultSnapshot::default()
        };
        let store = PolicyStore::from_sources(&snapshot.policies, Flavor::OpenBao);
        let principals = principals_from_snapshot(&snapshot);
        let (reaches, problems) =
            who_can(&store, &principals, "secret/app/x", Capability::Update, None);
        assert!(problems.is_empty());
        assert_eq!(reaches.len(), 1);
        assert_eq!(
            (
                reaches[0].name.as_str(),
                reaches[0].decision.winner.as_ref().map(|winner| winner.pattern.as_str())
            ),
            ("ops", Some("secret/*"))
        );
        let (reaches, _) =
            who_can(&store, &principals, "secret/app/locked", Capability::Update, None);
        assert!(reaches.is_empty());
        let (reaches, _) = who_can(&store, &principals, "secret/app/x", Capability::Read, None);
        assert_eq!(reaches.len(), 1);
        assert_eq!(reaches[0].kind, PrincipalKind::AuthRole);
    }
}
