//! The subjects the permissions view can analyse: token roles, auth roles, identity entities
//! and groups, and ServiceAccounts; and what each one carries (policies, the identity its
//! templates render from, and the names that make a path "its own" for the escalation
//! detector).

use super::chain::ChainReport;
use super::escalation::Subject;
use super::store::token_policies;
use std::collections::BTreeMap;

use super::template::{TemplateAlias, TemplateEntity, TemplateGroup, TemplateIdentity};
use super::{Identity, VaultSnapshot};

/// What kind of subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    /// A token role (`auth/token/roles/<name>`).
    TokenRole,
    /// An AppRole, Kubernetes, JWT or OIDC role.
    AuthRole,
    /// An identity entity.
    Entity,
    /// An identity group.
    Group,
    /// A Kubernetes ServiceAccount that logs in through one or more roles.
    ServiceAccount,
}

impl SubjectKind {
    /// `token_role`, `auth_role`, `entity`, `group`, `service_account`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::TokenRole => "token_role",
            SubjectKind::AuthRole => "auth_role",
            SubjectKind::Entity => "entity",
            SubjectKind::Group => "group",
            SubjectKind::ServiceAccount => "service_account",
        }
    }
}

/// A subject, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSubject {
    /// A stable id: `role:<mount><name>`, `entity:<id>`, `group:<id>`,
    /// `sa:<cluster>/<namespace>/<name>`.
    pub id: String,
    /// Its kind.
    pub kind: SubjectKind,
    /// Its name for people.
    pub label: String,
    /// Where its policies come from, in words.
    pub detail: String,
    /// The policies it carries, as a token would (trimmed, lower-cased, `default` where it
    /// applies).
    pub policies: Vec<String>,
    /// What its templated policies render from (`None`: templated rules drop).
    pub identity: Option<TemplateIdentity>,
    /// Its names, for the escalation detector.
    pub escalation: Subject,
}

/// The groups an entity belongs to, directly or through nesting (a group that lists a group
/// the entity is in as a member group contains the entity too), in snapshot order.
#[must_use]
pub fn groups_of_entity<'a>(snapshot: &'a VaultSnapshot, entity_id: &str) -> Vec<&'a Identity> {
    let mut ids: Vec<&str> = snapshot
        .groups
        .iter()
        .filter(|group| group.member_entity_ids.iter().any(|member| member == entity_id))
        .map(|group| group.id.as_str())
        .collect();
    expand_parents(snapshot, &mut ids);
    snapshot.groups.iter().filter(|group| ids.contains(&group.id.as_str())).collect()
}

/// Adds every group that (transitively) lists one of `ids` as a member group.
fn expand_parents<'a>(snapshot: &'a VaultSnapshot, ids: &mut Vec<&'a str>) {
    loop {
        let before = ids.len();
        for group in &snapshot.groups {
            if !ids.contains(&group.id.as_str())
                && group.member_group_ids.iter().any(|member| ids.contains(&member.as_str()))
            {
                ids.push(&group.id);
            }
        }
        if ids.len() == before {
            break;
        }
    }
}

fn template_group(group: &Identity) -> TemplateGroup {
    TemplateGroup {
        id: group.id.clone(),
        name: group.name.clone(),
        metadata: group.metadata.clone(),
    }
}

fn union(into: &mut Vec<String>, more: &[String]) {
    for policy in more {
        if !into.contains(policy) {
            into.push(policy.clone());
        }
    }
}

/// Every subject of a snapshot, in picker order: auth roles, token roles, ServiceAccounts,
/// entities, groups.
#[must_use]
pub fn subjects(snapshot: &VaultSnapshot, chain: &ChainReport) -> Vec<ResolvedSubject> {
    let mut out = Vec::new();
    for role in &snapshot.auth_roles {
        let token = role.method == "token";
        let mount = role.mount.trim_end_matches('/');
        out.push(ResolvedSubject {
            id: format!("role:{}{}", role.mount, role.name),
            kind: if token { SubjectKind::TokenRole } else { SubjectKind::AuthRole },
            label: if token {
                format!("auth/token/roles/{}", role.name)
            } else {
                format!("auth/{}role/{}", role.mount, role.name)
            },
            detail: if role.binding.no_default_policy {
                format!("{} role: its token policies (token_no_default_policy)", role.method)
            } else {
                format!("{} role: its token policies plus default", role.method)
            },
            policies: token_policies(&role.policies, role.binding.no_default_policy),
            identity: None,
            escalation: Subject {
                policies: token_policies(&role.policies, role.binding.no_default_policy),
                roles: if token { Vec::new() } else { vec![(mount.to_owned(), role.name.clone())] },
                ..Subject::default()
            },
        });
    }
    let mut accounts: Vec<ResolvedSubject> = Vec::new();
    for role in &chain.roles {
        let accessor = snapshot
            .auth_roles
            .iter()
            .find(|auth| auth.mount == role.mount && auth.name == role.role)
            .and_then(|auth| auth.binding.mount_accessor.clone());
        for account in &role.service_accounts {
            let id = format!("sa:{}/{}/{}", account.cluster, account.namespace, account.name);
            let mount = role.mount.trim_end_matches('/').to_owned();
            let via = format!("auth/{}role/{}", role.mount, role.role);
            // A Kubernetes login creates an entity with an alias on the mount whose metadata
            // names the ServiceAccount; templated policies render from it.
            let alias = (role.method == "kubernetes").then(|| TemplateAlias {
                mount_accessor: accessor.clone().unwrap_or_default(),
                id: "<alias id>".to_owned(),
                name: "<service account uid>".to_owned(),
                metadata: [
                    ("service_account_namespace".to_owned(), account.namespace.clone()),
                    ("service_account_name".to_owned(), account.name.clone()),
                ]
                .into(),
                custom_metadata: BTreeMap::new(),
            });
            if let Some(existing) = accounts.iter_mut().find(|subject| subject.id == id) {
                if let (Some(alias), Some(entity)) = (
                    alias,
                    existing.identity.as_mut().and_then(|identity| identity.entity.as_mut()),
                ) {
                    entity.aliases.push(alias);
                }
                union(&mut existing.policies, &role.policies);
                existing.escalation.policies.clone_from(&existing.policies);
                existing.escalation.roles.push((mount, role.role.clone()));
                existing.detail.push_str(", ");
                existing.detail.push_str(&via);
            } else {
                accounts.push(ResolvedSubject {
                    id,
                    kind: SubjectKind::ServiceAccount,
                    label: format!("{}/{}/{}", account.cluster, account.namespace, account.name),
                    detail: format!("ServiceAccount; logs in through {via}"),
                    policies: role.policies.clone(),
                    identity: Some(TemplateIdentity {
                        entity: Some(TemplateEntity {
                            id: "<entity id>".to_owned(),
                            name: "<entity name>".to_owned(),
                            metadata: BTreeMap::new(),
                            aliases: alias.into_iter().collect(),
                        }),
                        groups: Vec::new(),
                    }),
                    escalation: Subject {
                        policies: role.policies.clone(),
                        roles: vec![(mount, role.role.clone())],
                        ..Subject::default()
                    },
                });
            }
        }
    }
    out.extend(accounts);
    for entity in &snapshot.entities {
        let groups = groups_of_entity(snapshot, &entity.id);
        let mut policies = token_policies(&entity.policies, true);
        for group in &groups {
            union(&mut policies, &token_policies(&group.policies, true));
        }
        union(&mut policies, &["default".to_owned()]);
        let group_names: Vec<&str> = groups.iter().map(|group| group.name.as_str()).collect();
        out.push(ResolvedSubject {
            id: format!("entity:{}", entity.id),
            kind: SubjectKind::Entity,
            label: entity.name.clone(),
            detail: if group_names.is_empty() {
                "entity: its policies plus default".to_owned()
            } else {
                format!(
                    "entity: its policies, its groups' ({}) and default",
                    group_names.join(", ")
                )
            },
            policies: policies.clone(),
            identity: Some(TemplateIdentity {
                entity: Some(TemplateEntity {
                    id: entity.id.clone(),
                    name: entity.name.clone(),
                    metadata: entity.metadata.clone(),
                    aliases: entity.aliases.clone(),
                }),
                groups: groups.iter().map(|group| template_group(group)).collect(),
            }),
            escalation: Subject {
                policies,
                entity_id: Some(entity.id.clone()),
                group_ids: groups.iter().map(|group| group.id.clone()).collect(),
                ..Subject::default()
            },
        });
    }
    for group in &snapshot.groups {
        let mut ids = vec![group.id.as_str()];
        expand_parents(snapshot, &mut ids);
        let mut policies = Vec::new();
        for id in &ids {
            if let Some(found) = snapshot.groups.iter().find(|candidate| candidate.id == *id) {
                union(&mut policies, &token_policies(&found.policies, true));
            }
        }
        out.push(ResolvedSubject {
            id: format!("group:{}", group.id),
            kind: SubjectKind::Group,
            label: group.name.clone(),
            detail: if ids.len() > 1 {
                "group: its policies and its parent groups'".to_owned()
            } else {
                "group: its policies".to_owned()
            },
            policies: policies.clone(),
            identity: None,
            escalation: Subject {
                policies,
                group_ids: ids.iter().map(ToString::to_string).collect(),
                ..Subject::default()
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::AuthRole;
    use crate::vault::chain::{RoleBinding, RoleChain, ServiceAccountMatch};

    fn group(id: &str, policies: &[&str], entities: &[&str], groups: &[&str]) -> Identity {
        Identity {
            id: id.into(),
            name: format!("g-{id}"),
            policies: policies.iter().map(ToString::to_string).collect(),
            member_entity_ids: entities.iter().map(ToString::to_string).collect(),
            member_group_ids: groups.iter().map(ToString::to_string).collect(),
            ..Identity::default()
        }
    }

    #[test]
    fn entities_inherit_nested_group_policies_and_roles_carry_default() {
        let snapshot = VaultSnapshot {
            auth_roles: vec![AuthRole {
                mount: "jwt/".into(),
                method: "jwt".into(),
                name: "ci".into(),
                policies: vec!["CI".into()],
                bound: Vec::new(),
                binding: RoleBinding::default(),
            }],
            groups: vec![
                group("team", &["team"], &["e1"], &[]),
                group("parent", &["parent"], &[], &["team"]),
                group("grand", &["grand"], &[], &["parent"]),
                group("other", &["other"], &["e2"], &[]),
            ],
            entities: vec![Identity {
                id: "e1".into(),
                name: "alice".into(),
                policies: vec!["own".into()],
                ..Identity::default()
            }],
            ..VaultSnapshot::default()
        };
        let chain = ChainReport {
            roles: vec![RoleChain {
                mount: "kubernetes/".into(),
                method: "kubernetes".into(),
                role: "app".into(),
                accepts: String::new(),
                policies: vec!["app".into(), "default".into()],
                readable: Vec::new(),
                service_accounts: vec![ServiceAccountMatch {
                    cluster: "prod".into(),
                    namespace: "shop".into(),
                    name: "web".into(),
                    automount: true,
                    workloads: Vec::new(),
                }],
                binds_service_accounts: true,
            }],
            dangers: Vec::new(),
        };
        let all = subjects(&snapshot, &chain);
        let find = |id: &str| all.iter().find(|subject| subject.id == id).unwrap();
        let role = find("role:jwt/ci");
        assert_eq!(role.policies, ["ci", "default"]);
        assert_eq!(role.escalation.roles, [("jwt".to_owned(), "ci".to_owned())]);
        let account = find("sa:prod/shop/web");
        assert_eq!(account.policies, ["app", "default"]);
        assert_eq!(account.escalation.roles, [("kubernetes".to_owned(), "app".to_owned())]);
        let alice = find("entity:e1");
        assert_eq!(alice.policies, ["own", "team", "parent", "grand", "default"]);
        let groups: Vec<&str> =
            alice.identity.as_ref().unwrap().groups.iter().map(|group| group.id.as_str()).collect();
        assert_eq!(groups, ["team", "parent", "grand"]);
        assert_eq!(find("group:team").policies, ["team", "parent", "grand"]);
        assert_eq!(find("group:grand").policies, ["grand"]);
    }
}
