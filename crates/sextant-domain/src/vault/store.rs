//! A server's parsed policies, and a token's policy list resolved into an ACL (spec §2.4, §8).

use std::collections::BTreeMap;

use super::acl::{Acl, AclContext};
use super::builtin;
use super::parse::{Policy, PolicyError, normalize_name, parse_policy};
use super::template::TemplateError;
use super::{Flavor, PolicySource};

/// Parsed policies by stored (lower-cased) name, plus the ones that failed to parse.
#[derive(Debug, Clone, Default)]
pub struct PolicyStore {
    flavor: Flavor,
    policies: BTreeMap<String, Policy>,
    errors: Vec<PolicyError>,
}

impl PolicyStore {
    /// An empty store for `flavor`.
    #[must_use]
    pub fn new(flavor: Flavor) -> PolicyStore {
        PolicyStore { flavor, policies: BTreeMap::new(), errors: Vec::new() }
    }

    /// Parses every source; a malformed one is recorded and does not affect the others.
    #[must_use]
    pub fn from_sources(sources: &[PolicySource], flavor: Flavor) -> PolicyStore {
        let mut store = PolicyStore::new(flavor);
        for source in sources {
            // The result is recorded in the store either way.
            let _ = store.insert_text(&source.name, &source.text);
        }
        store
    }

    /// Parses and stores one policy (replacing one of the same name).
    pub fn insert_text(&mut self, name: &str, text: &str) -> Result<(), PolicyError> {
        match parse_policy(name, text, self.flavor) {
            Ok(policy) => {
                self.insert(policy);
                Ok(())
            }
            Err(error) => {
                self.errors.push(error.clone());
                Err(error)
            }
        }
    }

    /// Stores a parsed policy.
    pub fn insert(&mut self, policy: Policy) {
        self.errors.retain(|error| error.policy != policy.name);
        self.policies.insert(policy.name.clone(), policy);
    }

    /// The flavor.
    #[must_use]
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// A policy by name (trimmed, case-insensitive).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Policy> {
        self.policies.get(&normalize_name(name))
    }

    /// Mutable access, e.g. to set [`super::PolicyOptions`] read from the policy object.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Policy> {
        self.policies.get_mut(&normalize_name(name))
    }

    /// Every parsed policy.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.policies.values()
    }

    /// The policies that failed to parse.
    #[must_use]
    pub fn errors(&self) -> &[PolicyError] {
        &self.errors
    }

    /// The ACL of a token that carries `names` (spec §8): names are trimmed, lower-cased
    /// and de-duplicated; `root` anywhere makes a root ACL; a missing name adds nothing.
    pub fn acl<S: AsRef<str>>(
        &self,
        names: &[S],
        context: AclContext<'_>,
    ) -> Result<Acl, TemplateError> {
        let names = normalize_names(names);
        if names.iter().any(|name| name == builtin::ROOT) {
            return Ok(Acl::root(self.flavor));
        }
        let policies: Vec<&Policy> =
            names.iter().filter_map(|name| self.policies.get(name)).collect();
        Acl::build(&policies, self.flavor, context)
    }
}

/// A token's policy list as the server stores it (spec §8.1): trimmed, lower-cased,
/// de-duplicated in order, `default` added unless `no_default_policy`, and exactly
/// `["root"]` when `root` is present.
#[must_use]
pub fn token_policies<S: AsRef<str>>(names: &[S], no_default_policy: bool) -> Vec<String> {
    let mut names = normalize_names(names);
    if names.iter().any(|name| name == builtin::ROOT) {
        return vec![builtin::ROOT.to_string()];
    }
    if !no_default_policy && !names.iter().any(|name| name == builtin::DEFAULT) {
        names.push(builtin::DEFAULT.to_string());
    }
    names
}

fn normalize_names<S: AsRef<str>>(names: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let name = normalize_name(name.as_ref());
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}
