//! Vault and OpenBao: policies, auth roles and identities as read from a server or files.
//!
//! The exact ACL evaluator (`shared/specs/vault-acl.md`) builds on these types:
//!
//! * [`parse`] reads HCL and JSON policies with the server's edge cases ([`syntax`] is the
//!   duplicate-preserving reader underneath);
//! * [`acl`] merges policies and answers what `sys/capabilities` would, with attribution;
//! * [`store`] holds a server's parsed policies and resolves a token's policy list;
//! * [`template`] renders identity templates, [`builtin`] holds the built-in policies;
//! * [`reverse`] answers "who can reach this path", [`escalation`] flags self-escalation;
//! * [`chain`] follows auth roles to ServiceAccounts and workloads, and flags token dangers;
//! * [`cases`] generates the differential corpus checked against a real OpenBao.

// Product names (OpenBao, Vault) read better without backticks.
#![allow(clippy::doc_markdown)]

pub mod acl;
pub mod builtin;
pub mod capability;
pub mod cases;
pub mod chain;
pub mod escalation;
pub mod parse;
pub mod reverse;
pub mod store;
pub mod subject;
pub mod syntax;
pub mod template;

pub use acl::{
    Acl, AclContext, Answer, Candidate, Decision, LookupStep, PatternKind, RuleSource, TieBreak,
};
pub use capability::{Capability, CapabilitySet};
pub use parse::{Policy, PolicyError, PolicyOptions, Rule, parse_policy};
pub use store::PolicyStore;
pub use template::{TemplateError, TemplateIdentity};

/// What was read from a Vault or OpenBao server: never a secret value, never a token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VaultSnapshot {
    /// The server's address.
    pub address: String,
    /// Which server semantics apply.
    pub flavor: Flavor,
    /// The server's version, when read.
    pub version: Option<String>,
    /// Whether it is sealed.
    pub sealed: bool,
    /// ACL policies: name and text (HCL or JSON).
    pub policies: Vec<PolicySource>,
    /// Auth roles.
    pub auth_roles: Vec<AuthRole>,
    /// Identity groups.
    pub groups: Vec<Identity>,
    /// Identity entities.
    pub entities: Vec<Identity>,
    /// What could not be read, and why.
    pub problems: Vec<String>,
}

/// Where OpenBao and Vault differ, the semantics to apply (spec §13).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Flavor {
    /// OpenBao.
    #[default]
    OpenBao,
    /// HashiCorp Vault.
    Vault,
}

impl Flavor {
    /// `openbao` or `vault`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::OpenBao => "openbao",
            Flavor::Vault => "vault",
        }
    }
}

/// A policy's name and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// The policy's name.
    pub name: String,
    /// Its HCL or JSON text.
    pub text: String,
}

/// An auth role: what a login through it is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRole {
    /// The mount path, e.g. `kubernetes/`.
    pub mount: String,
    /// The auth method.
    pub method: String,
    /// The role's name.
    pub name: String,
    /// `token_policies` (and the legacy `policies`).
    pub policies: Vec<String>,
    /// What it binds to, in words (ServiceAccounts, namespaces, claims, audiences).
    pub bound: Vec<String>,
    /// The same, structured, for the ServiceAccount chain.
    pub binding: chain::RoleBinding,
}

/// An identity group or entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its directly attached policies.
    pub policies: Vec<String>,
    /// Its metadata (templates read it).
    pub metadata: std::collections::BTreeMap<String, String>,
    /// Entities: their aliases (templates read them).
    pub aliases: Vec<template::TemplateAlias>,
    /// Groups: the member entities' ids.
    pub member_entity_ids: Vec<String>,
    /// Groups: the member groups' ids (their members inherit this group's policies).
    pub member_group_ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_and_json_policies_parse_to_their_rules() {
        let hcl = "path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n# path \"x\"\npath \"sys/policy\" { capabilities = [\"deny\"] }\n";
        assert_eq!(parse::parse_policy("a", hcl, Flavor::OpenBao).unwrap().rules.len(), 2);
        let json =
            r#"{"path": {"a/*": {"capabilities": ["read"]}, "b": {"capabilities": ["list"]}}}"#;
        assert_eq!(parse::parse_policy("b", json, Flavor::OpenBao).unwrap().rules.len(), 2);
        let error = parse::parse_policy("broken", "path \"a\" {", Flavor::OpenBao).unwrap_err();
        assert_eq!(
            (error.policy.as_str(), error.line),
            ("broken", 1),
            "the error names the policy and the line: {error}"
        );
    }
}
