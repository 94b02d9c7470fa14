//! Vault and OpenBao: policies, auth roles and identities as read from a server or files.
//!
//! The exact ACL evaluator (`shared/specs/vault-acl.md`) builds on these types.

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
}

/// An identity group or entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its directly attached policies.
    pub policies: Vec<String>,
}

/// How many `path` rules a policy text holds, or why it cannot be read.
///
/// This is a structural count for the inventory; the evaluator parses policies fully.
pub fn count_path_rules(text: &str) -> Result<usize, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
            format!("line {}, column {}: {error}", error.line(), error.column())
        })?;
        return Ok(value
            .get("path")
            .and_then(serde_json::Value::as_object)
            .map_or(0, serde_json::Map::len));
    }
    let mut depth = 0_i32;
    let mut rules = 0;
    for (line_index, line) in text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or_default();
        if depth == 0 && code.trim_start().starts_with("path ") {
            rules += 1;
        }
        for character in code.chars() {
            match character {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return Err(format!("line {}, column 1: unexpected '}}'", line_index + 1));
            }
        }
    }
    if depth != 0 {
        return Err(format!("line {}, column 1: unclosed block", text.lines().count()));
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hcl_and_json_rules() {
        let hcl = "path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n# path \"x\"\npath \"sys/policy\" { capabilities = [\"deny\"] }\n";
        assert_eq!(count_path_rules(hcl), Ok(2));
        let json =
            r#"{"path": {"a/*": {"capabilities": ["read"]}, "b": {"capabilities": ["list"]}}}"#;
        assert_eq!(count_path_rules(json), Ok(2));
        assert!(count_path_rules("path \"a\" {").unwrap_err().contains("unclosed"));
    }
}
