//! Identity templates in path patterns (spec §7).

use std::collections::BTreeMap;

/// The identity a token's templated policies are rendered against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateIdentity {
    /// The entity, if the token has one.
    pub entity: Option<TemplateEntity>,
    /// Every group the entity belongs to, directly or through nesting.
    pub groups: Vec<TemplateGroup>,
}

/// An entity as seen by templates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateEntity {
    /// `identity.entity.id`.
    pub id: String,
    /// `identity.entity.name`.
    pub name: String,
    /// `identity.entity.metadata.<k>`.
    pub metadata: BTreeMap<String, String>,
    /// `identity.entity.aliases.<mount_accessor>.…`.
    pub aliases: Vec<TemplateAlias>,
}

/// An entity alias as seen by templates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateAlias {
    /// The auth mount's accessor.
    pub mount_accessor: String,
    /// The alias id.
    pub id: String,
    /// The alias name.
    pub name: String,
    /// `metadata.<k>`.
    pub metadata: BTreeMap<String, String>,
    /// `custom_metadata.<k>`.
    pub custom_metadata: BTreeMap<String, String>,
}

/// A group as seen by templates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateGroup {
    /// The group id.
    pub id: String,
    /// The group name.
    pub name: String,
    /// `metadata.<k>`.
    pub metadata: BTreeMap<String, String>,
}

/// Why a whole ACL cannot be built: a rendered value holds a forbidden character (spec §7.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "template substitution contains forbidden value: policy {policy:?}, pattern {pattern:?}, value {value:?}"
)]
pub struct TemplateError {
    /// The policy.
    pub policy: String,
    /// The pattern as written.
    pub pattern: String,
    /// The offending value.
    pub value: String,
}

/// The outcome of rendering one pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    /// The rendered pattern.
    Pattern(String),
    /// A value is unavailable: only this rule is dropped.
    Unavailable(String),
    /// A value holds `/`, `+` or `*` that the policy does not allow.
    Forbidden(String),
}

/// Renders the `{{ … }}` directives of a pattern.
#[must_use]
pub fn render(
    pattern: &str,
    identity: Option<&TemplateIdentity>,
    allow_slashes: bool,
    allow_wildcards: bool,
) -> Rendered {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Rendered::Unavailable(format!("unterminated template in {pattern:?}"));
        };
        let variable = after[..end].trim();
        let Some(value) = identity.and_then(|identity| lookup(identity, variable)) else {
            return Rendered::Unavailable(format!("{variable} is unavailable"));
        };
        let forbidden = (!allow_slashes && value.contains('/'))
            || (!allow_wildcards && (value.contains('+') || value.contains('*')));
        if forbidden {
            return Rendered::Forbidden(value);
        }
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Rendered::Pattern(out)
}

fn lookup(identity: &TemplateIdentity, variable: &str) -> Option<String> {
    if let Some(rest) = variable.strip_prefix("identity.entity.") {
        let entity = identity.entity.as_ref()?;
        return match rest {
            "id" => Some(entity.id.clone()),
            "name" => Some(entity.name.clone()),
            _ => {
                if let Some(key) = rest.strip_prefix("metadata.") {
                    return entity.metadata.get(key).cloned();
                }
                let rest = rest.strip_prefix("aliases.")?;
                // The accessor never holds a dot; the remainder names the field.
                let (accessor, field) = rest.split_once('.')?;
                let alias = entity.aliases.iter().find(|alias| alias.mount_accessor == accessor)?;
                match field {
                    "id" => Some(alias.id.clone()),
                    "name" => Some(alias.name.clone()),
                    _ => {
                        if let Some(key) = field.strip_prefix("metadata.") {
                            alias.metadata.get(key).cloned()
                        } else {
                            alias
                                .custom_metadata
                                .get(field.strip_prefix("custom_metadata.")?)
                                .cloned()
                        }
                    }
                }
            }
        };
    }
    identity.entity.as_ref()?;
    if let Some(rest) = variable.strip_prefix("identity.groups.ids.") {
        let (group_id, field) = rest.split_once('.')?;
        let group = identity.groups.iter().find(|group| group.id == group_id)?;
        return match field {
            "name" => Some(group.name.clone()),
            _ => group.metadata.get(field.strip_prefix("metadata.")?).cloned(),
        };
    }
    if let Some(rest) = variable.strip_prefix("identity.groups.names.") {
        let (group_name, field) = rest.split_once('.')?;
        let group = identity.groups.iter().find(|group| group.name == group_name)?;
        return match field {
            "id" => Some(group.id.clone()),
            _ => group.metadata.get(field.strip_prefix("metadata.")?).cloned(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> TemplateIdentity {
        TemplateIdentity {
            entity: Some(TemplateEntity {
                id: "e1".into(),
                name: "alice".into(),
                metadata: BTreeMap::from([
                    ("team".into(), "blue".into()),
                    ("bad".into(), "a/b".into()),
                    ("glob".into(), "pre*".into()),
                ]),
                aliases: vec![TemplateAlias {
                    mount_accessor: "auth_userpass_1".into(),
                    name: "al".into(),
                    id: "a1".into(),
                    ..TemplateAlias::default()
                }],
            }),
            groups: vec![TemplateGroup {
                id: "g1".into(),
                name: "ops".into(),
                metadata: BTreeMap::new(),
            }],
        }
    }

    #[test]
    fn renders_spec_7_2_variables() {
        let who = identity();
        assert_eq!(
            render("secret/{{identity.entity.id}}/sample", Some(&who), false, false),
            Rendered::Pattern("secret/e1/sample".into())
        );
        assert_eq!(
            render(
                "k/{{ identity.entity.name}}/{{identity.entity.metadata.team}}",
                Some(&who),
                false,
                false
            ),
            Rendered::Pattern("k/alice/blue".into())
        );
        assert_eq!(
            render("k/{{identity.entity.aliases.auth_userpass_1.name}}", Some(&who), false, false),
            Rendered::Pattern("k/al".into())
        );
        assert_eq!(
            render(
                "k/{{identity.groups.ids.g1.name}}/{{identity.groups.names.ops.id}}",
                Some(&who),
                false,
                false
            ),
            Rendered::Pattern("k/ops/g1".into())
        );
    }

    #[test]
    fn spec_7_3_failures() {
        let who = identity();
        assert!(matches!(
            render("k/{{identity.entity.id}}", None, false, false),
            Rendered::Unavailable(_)
        ));
        assert!(matches!(
            render("k/{{identity.entity.metadata.nope}}", Some(&who), false, false),
            Rendered::Unavailable(_)
        ));
        assert!(matches!(
            render("k/{{identity.groups.names.dev.id}}", Some(&who), false, false),
            Rendered::Unavailable(_)
        ));
        assert_eq!(
            render("k/{{identity.entity.metadata.bad}}", Some(&who), false, false),
            Rendered::Forbidden("a/b".into())
        );
        assert_eq!(
            render("k/{{identity.entity.metadata.bad}}", Some(&who), true, false),
            Rendered::Pattern("k/a/b".into())
        );
        assert_eq!(
            render("k/{{identity.entity.metadata.glob}}", Some(&who), false, true),
            Rendered::Pattern("k/pre*".into())
        );
    }
}
