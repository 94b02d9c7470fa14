//! Ignore rules in Argo CD's `ignoreDifferences` shape, and the ignore annotations objects carry.
//!
//! A rule selects objects by `group`, `kind`, `name` and `namespace` (absent or `*` matches any)
//! and ignores fields by `jsonPointers`, `jqPathExpressions` or `managedFieldsManagers` (fields
//! last written by those managers). Sextant does not embed jq: it understands the path forms
//! that ignore rules use in practice (`.a.b`, `.a["b/c"]`, `.a[]`, `.a[]?`, `.a[0]`, and
//! `.a[] | select(.name == "x")` followed by more path) and reports any other expression as
//! unsupported instead of guessing.

use serde::Deserialize;
use serde_json::Value;

/// One rule, as written in an Application's `spec.ignoreDifferences[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IgnoreDifferences {
    /// The API group; empty for the core group.
    #[serde(default)]
    pub group: Option<String>,
    /// The kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// The object's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The object's namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// JSON Pointers of ignored fields (a pointer ignores its whole subtree).
    #[serde(default)]
    pub json_pointers: Vec<String>,
    /// jq paths of ignored fields.
    #[serde(default)]
    pub jq_path_expressions: Vec<String>,
    /// Managers whose fields are ignored.
    #[serde(default)]
    pub managed_fields_managers: Vec<String>,
}

/// A parsed set of rules, ready to match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IgnoreRules {
    rules: Vec<CompiledRule>,
    /// Expressions that were not understood, with why; their rules ignore nothing through them.
    pub unsupported: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct CompiledRule {
    rule: IgnoreDifferences,
    jq_paths: Vec<(String, Vec<JqStep>)>,
}

/// One step of a supported jq path.
#[derive(Debug, Clone, PartialEq)]
enum JqStep {
    Field(String),
    AnyElement,
    Element(usize),
    /// `select(.key == value)` on the element just reached.
    Select(Vec<String>, Value),
}

/// Why a field is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreReason(pub String);

/// The annotation on an object that lists JSON Pointers to ignore, separated by commas or new
/// lines (Sextant's own, for objects whose tool has no ignore rule of its own).
pub const IGNORE_ANNOTATION: &str = "drift.sextant.dev/ignore-paths";

impl IgnoreRules {
    /// Compiles rules; expressions Sextant cannot evaluate are listed in `unsupported`.
    #[must_use]
    pub fn new(rules: Vec<IgnoreDifferences>) -> IgnoreRules {
        let mut unsupported = Vec::new();
        let compiled = rules
            .into_iter()
            .map(|rule| {
                let jq_paths = rule
                    .jq_path_expressions
                    .iter()
                    .filter_map(|expression| match parse_jq(expression) {
                        Ok(steps) => Some((expression.clone(), steps)),
                        Err(why) => {
                            unsupported.push(format!(
                                "jqPathExpression `{expression}` is not supported ({why}); Sextant understands .a.b, .a[\"key\"], .a[], .a[]?, .a[0] and .a[] | select(.k == \"v\"), so this expression ignores nothing"
                            ));
                            None
                        }
                    })
                    .collect();
                CompiledRule { rule, jq_paths }
            })
            .collect();
        IgnoreRules { rules: compiled, unsupported }
    }

    /// How many rules there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Why the field at `pointer` (segments, unescaped) of the object `(group, kind, namespace,
    /// name)` is ignored, if a rule covers it. `object` is the normalised side the pointer's
    /// indices refer to (for `select`), and `manager` the field's live manager.
    #[must_use]
    pub fn reason(
        &self,
        id: (&str, &str, Option<&str>, &str),
        segments: &[String],
        object: &Value,
        manager: Option<&str>,
    ) -> Option<IgnoreReason> {
        let (group, kind, namespace, name) = id;
        for compiled in &self.rules {
            let rule = &compiled.rule;
            let matches = |wanted: &Option<String>, actual: &str| {
                wanted.as_deref().is_none_or(|wanted| wanted == "*" || wanted == actual)
            };
            if !(matches(&rule.group, group)
                && matches(&rule.kind, kind)
                && matches(&rule.name, name)
                && matches(&rule.namespace, namespace.unwrap_or("")))
            {
                continue;
            }
            for pointer in &rule.json_pointers {
                if pointer_covers(pointer, segments) {
                    return Some(IgnoreReason(format!(
                        "ignored by the rule jsonPointers {pointer}"
                    )));
                }
            }
            for (expression, steps) in &compiled.jq_paths {
                if jq_covers(steps, segments, object) {
                    return Some(IgnoreReason(format!(
                        "ignored by the rule jqPathExpressions {expression}"
                    )));
                }
            }
            if let Some(manager) = manager
                && rule.managed_fields_managers.iter().any(|listed| listed == manager)
            {
                return Some(IgnoreReason(format!(
                    "last written by {manager}, listed in the rule's managedFieldsManagers"
                )));
            }
        }
        None
    }
}

/// Splits a JSON Pointer into unescaped segments (`~1` is `/`, `~0` is `~`).
#[must_use]
pub fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Whether `pointer` is `segments` or one of its ancestors.
#[must_use]
pub fn pointer_covers(pointer: &str, segments: &[String]) -> bool {
    let rule = pointer_segments(pointer.trim_end_matches('/'));
    rule.len() <= segments.len() && rule.iter().zip(segments).all(|(rule, field)| rule == field)
}

fn jq_covers(steps: &[JqStep], segments: &[String], object: &Value) -> bool {
    let mut node = object;
    let mut position = 0;
    for step in steps {
        match step {
            JqStep::Select(keys, wanted) => {
                let mut found = node;
                for key in keys {
                    match found.get(key) {
                        Some(child) => found = child,
                        None => return false,
                    }
                }
                if found != wanted {
                    return false;
                }
            }
            JqStep::Field(name) => {
                let Some(segment) = segments.get(position) else { return true };
                if segment != name {
                    return false;
                }
                node = node.get(name.as_str()).unwrap_or(&Value::Null);
                position += 1;
            }
            JqStep::AnyElement | JqStep::Element(_) => {
                let Some(segment) = segments.get(position) else { return true };
                let Ok(index) = segment.parse::<usize>() else { return false };
                if let JqStep::Element(wanted) = step
                    && *wanted != index
                {
                    return false;
                }
                node = node.get(index).unwrap_or(&Value::Null);
                position += 1;
            }
        }
    }
    true
}

fn parse_jq(expression: &str) -> Result<Vec<JqStep>, String> {
    let mut steps = Vec::new();
    for (part_index, part) in expression.split('|').enumerate() {
        let part = part.trim();
        if part_index > 0 && part.starts_with("select(") {
            let inner = part
                .strip_prefix("select(")
                .and_then(|rest| rest.strip_suffix(')'))
                .ok_or("unbalanced select(...)")?;
            let (left, right) = inner.split_once("==").ok_or("select needs `==`")?;
            let keys = parse_path(left.trim())?
                .into_iter()
                .map(|step| match step {
                    JqStep::Field(name) => Ok(name),
                    _ => Err("select compares a field path only".to_owned()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let value: Value = serde_json::from_str(right.trim())
                .map_err(|_| "select compares with a JSON literal only".to_owned())?;
            steps.push(JqStep::Select(keys, value));
        } else {
            steps.extend(parse_path(part)?);
        }
    }
    if steps.is_empty() {
        return Err("empty path".to_owned());
    }
    Ok(steps)
}

fn parse_path(text: &str) -> Result<Vec<JqStep>, String> {
    let mut steps = Vec::new();
    let bytes = text.as_bytes();
    let mut index = 0;
    if text == "." {
        return Ok(steps);
    }
    while index < bytes.len() {
        match bytes[index] {
            b'.' => {
                index += 1;
                if bytes.get(index) == Some(&b'"') {
                    let (name, next) = quoted(text, index)?;
                    steps.push(JqStep::Field(name));
                    index = next;
                } else if bytes.get(index) == Some(&b'[') {
                    // `.[]` after `.`: handled by the bracket arm.
                } else {
                    let start = index;
                    while index < bytes.len()
                        && (bytes[index].is_ascii_alphanumeric() || bytes[index] == b'_')
                    {
                        index += 1;
                    }
                    if start == index {
                        return Err(format!("unexpected `{}`", &text[start..]));
                    }
                    steps.push(JqStep::Field(text[start..index].to_owned()));
                }
            }
            b'[' => {
                index += 1;
                if bytes.get(index) == Some(&b']') {
                    steps.push(JqStep::AnyElement);
                    index += 1;
                } else if bytes.get(index) == Some(&b'"') {
                    let (name, next) = quoted(text, index)?;
                    if bytes.get(next) != Some(&b']') {
                        return Err("expected `]`".to_owned());
                    }
                    steps.push(JqStep::Field(name));
                    index = next + 1;
                } else {
                    let start = index;
                    while index < bytes.len() && bytes[index].is_ascii_digit() {
                        index += 1;
                    }
                    if start == index || bytes.get(index) != Some(&b']') {
                        return Err(format!("unexpected `{}`", &text[start..]));
                    }
                    let number = text[start..index].parse().map_err(|_| "bad index".to_owned())?;
                    steps.push(JqStep::Element(number));
                    index += 1;
                }
                if bytes.get(index) == Some(&b'?') {
                    index += 1;
                }
            }
            b' ' => index += 1,
            _ => return Err(format!("unexpected `{}`", &text[index..])),
        }
    }
    Ok(steps)
}

fn quoted(text: &str, start: usize) -> Result<(String, usize), String> {
    let rest = &text[start + 1..];
    let end = rest.find('"').ok_or("unterminated string")?;
    Ok((rest[..end].to_owned(), start + 1 + end + 1))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn segments(pointer: &str) -> Vec<String> {
        pointer_segments(pointer)
    }

    fn rules(rule: IgnoreDifferences) -> IgnoreRules {
        IgnoreRules::new(vec![rule])
    }

    const ID: (&str, &str, Option<&str>, &str) = ("apps", "Deployment", Some("web"), "api");

    #[test]
    fn json_pointers_cover_their_subtree() {
        let rules = rules(IgnoreDifferences {
            kind: Some("Deployment".into()),
            json_pointers: vec!["/spec/replicas".into(), "/metadata/annotations/a~1b".into()],
            ..IgnoreDifferences::default()
        });
        assert!(rules.reason(ID, &segments("/spec/replicas"), &json!({}), None).is_some());
        assert!(
            rules.reason(ID, &segments("/metadata/annotations/a~1b"), &json!({}), None).is_some()
        );
        assert!(rules.reason(ID, &segments("/spec/template"), &json!({}), None).is_none());
        assert!(
            rules
                .reason(("", "Service", None, "x"), &segments("/spec/replicas"), &json!({}), None)
                .is_none()
        );
    }

    #[test]
    fn jq_paths_with_select() {
        let rules = rules(IgnoreDifferences {
            jq_path_expressions: vec![
                ".spec.template.spec.containers[] | select(.name == \"sidecar\") | .image".into(),
                ".metadata.labels[\"team/owner\"]".into(),
            ],
            ..IgnoreDifferences::default()
        });
        assert!(rules.unsupported.is_empty(), "{:?}", rules.unsupported);
        let object = json!({"spec": {"template": {"spec": {"containers": [{"name": "web"}, {"name": "sidecar"}]}}}});
        let path =
            |index: usize| segments(&format!("/spec/template/spec/containers/{index}/image"));
        assert!(rules.reason(ID, &path(1), &object, None).is_some());
        assert!(rules.reason(ID, &path(0), &object, None).is_none());
        assert!(
            rules.reason(ID, &segments("/metadata/labels/team~1owner"), &object, None).is_some()
        );
    }

    #[test]
    fn unsupported_jq_is_reported_not_guessed() {
        let rules = rules(IgnoreDifferences {
            jq_path_expressions: vec![".spec | to_entries".into(), ".a..b".into()],
            ..IgnoreDifferences::default()
        });
        assert_eq!(rules.unsupported.len(), 2, "{:?}", rules.unsupported);
    }

    #[test]
    fn managers_listed_are_ignored() {
        let rules = rules(IgnoreDifferences {
            managed_fields_managers: vec!["kube-controller-manager".into()],
            ..IgnoreDifferences::default()
        });
        assert!(
            rules
                .reason(
                    ID,
                    &segments("/spec/replicas"),
                    &json!({}),
                    Some("kube-controller-manager")
                )
                .is_some()
        );
        assert!(
            rules
                .reason(ID, &segments("/spec/replicas"), &json!({}), Some("kubectl-edit"))
                .is_none()
        );
    }
}
