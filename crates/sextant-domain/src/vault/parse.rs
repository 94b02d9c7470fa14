//! Policy documents: from text to rules (spec §2, §3 step 5).
//!
//! Parsing one policy never affects another: each call is independent and a failure names
//! the policy, the line and the column.

use std::collections::BTreeMap;

use super::Flavor;
use super::capability::{Capability, CapabilitySet};
use super::syntax::{self, Item, Position, Spanned, Value};

/// Why a policy could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy {policy:?}: line {line}, column {column}: {message}")]
pub struct PolicyError {
    /// The policy's name.
    pub policy: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, lowercase.
    pub message: String,
}

/// The rule's parameter constraints and other request-time options (spec §2.3, §4).
///
/// They do not change `sys/capabilities` answers; they matter for real requests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// `allowed_parameters`, keys lower-cased; an empty list means any value.
    pub allowed_parameters: BTreeMap<String, Vec<serde_json::Value>>,
    /// `denied_parameters`, keys lower-cased; an empty list means any value.
    pub denied_parameters: BTreeMap<String, Vec<serde_json::Value>>,
    /// `required_parameters`.
    pub required_parameters: Vec<String>,
    /// `min_wrapping_ttl` in seconds (0 = unset).
    pub min_wrapping_ttl: u64,
    /// `max_wrapping_ttl` in seconds (0 = unset).
    pub max_wrapping_ttl: u64,
    /// `mfa_methods`.
    pub mfa_methods: Vec<String>,
    /// `control_group`, as written.
    pub control_group: Option<serde_json::Value>,
    /// `pagination_limit` (OpenBao; 0 = unset).
    pub pagination_limit: u64,
    /// `list_scan_response_keys_filter_path` (OpenBao).
    pub list_scan_response_keys_filter_path: Option<String>,
    /// `subscribe_event_types` (Vault).
    pub subscribe_event_types: Vec<String>,
}

/// One `path` block of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The pattern as written (before templating and leading-slash removal).
    pub pattern: String,
    /// The block's index in the document, from 0.
    pub block: usize,
    /// Where the block starts.
    pub position: Position,
    /// The capabilities, already normalized: a block with deny holds exactly `deny`.
    pub capabilities: CapabilitySet,
    /// The constraints.
    pub constraints: Constraints,
    /// `expiration` as Unix seconds (OpenBao), if set.
    pub expiration: Option<i64>,
    /// `comment`, if any.
    pub comment: Option<String>,
}

/// Options stored on the policy object, not in its text (spec §7.3, §11, §12).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyOptions {
    /// `allow_slashes_in_identity_templates` (OpenBao).
    pub allow_slashes_in_identity_templates: bool,
    /// `allow_wildcards_in_identity_templates` (OpenBao).
    pub allow_wildcards_in_identity_templates: bool,
    /// The namespace path the policy lives in (`""` for root, else ending in `/`).
    pub namespace: String,
    /// The whole policy's expiration as Unix seconds (OpenBao), if set.
    pub expiration: Option<i64>,
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The stored name: trimmed and lower-cased (spec §2.4).
    pub name: String,
    /// The rules in document order.
    pub rules: Vec<Rule>,
    /// Whether any pattern holds a `{{ … }}` template (spec §7.1).
    pub templated: bool,
    /// Attributes written twice in one block (OpenBao accepts them; Vault is removing them).
    pub duplicate_attributes: Vec<(String, Position)>,
    /// Options from the policy object.
    pub options: PolicyOptions,
}

/// Normalizes a policy name as the server stores and looks it up.
#[must_use]
pub fn normalize_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Parses a policy's text (HCL or JSON) with the rules of `flavor`.
pub fn parse_policy(name: &str, text: &str, flavor: Flavor) -> Result<Policy, PolicyError> {
    let name = normalize_name(name);
    let fail = |position: Position, message: String| PolicyError {
        policy: name.clone(),
        line: position.line,
        column: position.column,
        message,
    };
    let json = text.trim_start().starts_with('{');
    let top = if json {
        let value =
            syntax::parse_json(text).map_err(|error| fail(error.position, error.message))?;
        match value.value {
            Value::Object(items) => items,
            other => {
                return Err(fail(
                    value.position,
                    format!("a policy must be an object, not a {}", other.type_name()),
                ));
            }
        }
    } else {
        syntax::parse_hcl(text).map_err(|error| fail(error.position, error.message))?
    };
    let mut reader = Reader { flavor, rules: Vec::new(), duplicates: Vec::new() };
    reader.top_level(&top, json).map_err(|(position, message)| fail(position, message))?;
    if flavor == Flavor::Vault
        && let Some((key, position)) = reader.duplicates.first()
    {
        return Err(fail(
            *position,
            format!("duplicate attribute {key:?} (Vault rejects repeated HCL attributes)"),
        ));
    }
    let templated = reader.rules.iter().any(|rule| rule.pattern.contains("{{"));
    Ok(Policy {
        name,
        rules: reader.rules,
        templated,
        duplicate_attributes: reader.duplicates,
        options: PolicyOptions::default(),
    })
}

type Failure = (Position, String);

struct Reader {
    flavor: Flavor,
    rules: Vec<Rule>,
    duplicates: Vec<(String, Position)>,
}

impl Reader {
    fn top_level(&mut self, items: &[Item], json: bool) -> Result<(), Failure> {
        for item in items {
            let Some(key) = item.keys.first() else { continue };
            match key.as_str() {
                "name" => {
                    if !matches!(item.value.value, Value::Str(_)) || item.keys.len() > 1 {
                        return Err((item.position, "\"name\" must be a string".into()));
                    }
                }
                "path" => {
                    if let Some(pattern) = item.keys.get(1) {
                        // `path "a" "b" { … }`: only the first label counts (spec §2.2).
                        self.rule(pattern, &item.value, item.position)?;
                    } else if json {
                        self.json_paths(&item.value)?;
                    } else {
                        // HCL `path = { … }`: the object is the body of a rule named `path`.
                        self.rule("path", &item.value, item.position)?;
                    }
                }
                other => {
                    return Err((
                        item.position,
                        format!("invalid key {other:?} on line {}", item.position.line),
                    ));
                }
            }
        }
        Ok(())
    }

    fn json_paths(&mut self, value: &Spanned) -> Result<(), Failure> {
        match &value.value {
            Value::Object(items) => {
                for item in items {
                    let pattern = item.keys.first().map_or("", String::as_str);
                    self.rule(pattern, &item.value, item.position)?;
                }
                Ok(())
            }
            Value::List(values) => {
                for value in values {
                    self.json_paths(value)?;
                }
                Ok(())
            }
            other => Err((
                value.position,
                format!("\"path\" must be an object, not a {}", other.type_name()),
            )),
        }
    }

    #[allow(clippy::too_many_lines)] // One arm per rule key reads best as a single table.
    fn rule(&mut self, pattern: &str, body: &Spanned, position: Position) -> Result<(), Failure> {
        let Value::Object(items) = &body.value else {
            return Err((body.position, format!("path {pattern:?}: the body must be an object")));
        };
        if pattern.contains("+*") {
            return Err((
                position,
                format!("path {pattern:?}: \"+*\" is not allowed in a pattern"),
            ));
        }
        let mut capabilities = CapabilitySet::EMPTY;
        let mut legacy: Option<(CapabilitySet, Position)> = None;
        let mut constraints = Constraints::default();
        let mut expiration = None;
        let mut comment = None;
        let mut seen: Vec<&str> = Vec::new();
        let mut min_ttl = None;
        let mut max_ttl = None;
        for item in items {
            let (key, value) = normalize_item(item);
            if seen.contains(&key) {
                self.duplicates.push((key.to_string(), item.position));
            } else {
                seen.push(key);
            }
            let at = item.position;
            let openbao = self.flavor == Flavor::OpenBao;
            match key {
                "capabilities" => {
                    for name in string_list(&value, "capabilities")? {
                        let capability = Capability::from_name(&name.0)
                            .filter(|capability| flavor_has(self.flavor, *capability))
                            .ok_or_else(|| {
                                (
                                    name.1,
                                    format!("path {pattern:?}: invalid capability {:?}", name.0),
                                )
                            })?;
                        capabilities.insert(capability);
                    }
                }
                "policy" => {
                    let Value::Str(text) = &value.value else {
                        return Err((value.position, "\"policy\" must be a string".into()));
                    };
                    let expanded = legacy_policy(text).ok_or_else(|| {
                        (value.position, format!("path {pattern:?}: invalid policy {text:?}"))
                    })?;
                    legacy = Some((expanded, value.position));
                }
                "comment" => {
                    let Value::Str(text) = &value.value else {
                        return Err((value.position, "\"comment\" must be a string".into()));
                    };
                    comment = Some(text.clone());
                }
                "allowed_parameters" => {
                    merge_parameters(&mut constraints.allowed_parameters, parameter_map(&value)?);
                }
                "denied_parameters" => {
                    merge_parameters(&mut constraints.denied_parameters, parameter_map(&value)?);
                }
                "required_parameters" => {
                    constraints.required_parameters.extend(
                        string_list(&value, "required_parameters")?
                            .into_iter()
                            .map(|(text, _)| text),
                    );
                }
                "mfa_methods" => {
                    constraints.mfa_methods.extend(
                        string_list(&value, "mfa_methods")?.into_iter().map(|(text, _)| text),
                    );
                }
                "subscribe_event_types" if !openbao => {
                    constraints.subscribe_event_types.extend(
                        string_list(&value, "subscribe_event_types")?
                            .into_iter()
                            .map(|(text, _)| text),
                    );
                }
                "min_wrapping_ttl" => min_ttl = Some((duration_seconds(&value)?, value.position)),
                "max_wrapping_ttl" => max_ttl = Some((duration_seconds(&value)?, value.position)),
                "control_group" => constraints.control_group = Some(to_json(&value.value)),
                "expiration" if openbao => {
                    let Value::Str(text) = &value.value else {
                        return Err((
                            value.position,
                            "\"expiration\" must be an RFC 3339 time".into(),
                        ));
                    };
                    expiration =
                        Some(parse_rfc3339(text).ok_or_else(|| {
                            (value.position, format!("invalid expiration {text:?}"))
                        })?);
                }
                "pagination_limit" if openbao => {
                    let Value::Number(text) = &value.value else {
                        return Err((
                            value.position,
                            "\"pagination_limit\" must be an integer".into(),
                        ));
                    };
                    constraints.pagination_limit = text.parse().map_err(|_| {
                        (value.position, format!("invalid pagination_limit {text}"))
                    })?;
                }
                "list_scan_response_keys_filter_path" if openbao => {
                    let Value::Str(text) = &value.value else {
                        return Err((
                            value.position,
                            "\"list_scan_response_keys_filter_path\" must be a string".into(),
                        ));
                    };
                    constraints.list_scan_response_keys_filter_path = Some(text.clone());
                }
                other => return Err((at, format!("path {pattern:?}: invalid key {other:?}"))),
            }
        }
        if let Some((expanded, _)) = legacy {
            capabilities = capabilities.union(expanded);
        }
        if capabilities.is_deny() {
            capabilities = CapabilitySet::DENY;
        }
        if let Some((seconds, _)) = min_ttl {
            constraints.min_wrapping_ttl = seconds;
        }
        if let Some((seconds, at)) = max_ttl {
            constraints.max_wrapping_ttl = seconds;
            if min_ttl.is_some() && seconds < constraints.min_wrapping_ttl {
                return Err((
                    at,
                    format!(
                        "path {pattern:?}: max_wrapping_ttl cannot be less than min_wrapping_ttl"
                    ),
                ));
            }
        }
        if let Some(filter) = &constraints.list_scan_response_keys_filter_path {
            if !capabilities.contains(Capability::List) {
                return Err((
                    position,
                    format!(
                        "path {pattern:?}: list_scan_response_keys_filter_path needs the list capability"
                    ),
                ));
            }
            if !(filter.contains("{{") && filter.contains("key")) {
                return Err((
                    position,
                    format!(
                        "path {pattern:?}: list_scan_response_keys_filter_path must use the key"
                    ),
                ));
            }
        }
        self.rules.push(Rule {
            pattern: pattern.to_string(),
            block: self.rules.len(),
            position,
            capabilities,
            constraints,
            expiration,
            comment,
        });
        Ok(())
    }
}

fn flavor_has(flavor: Flavor, capability: Capability) -> bool {
    match capability {
        Capability::Scan => flavor == Flavor::OpenBao,
        Capability::Subscribe | Capability::Recover => flavor == Flavor::Vault,
        _ => true,
    }
}

/// The legacy `policy = "…"` values (spec §2.3).
fn legacy_policy(text: &str) -> Option<CapabilitySet> {
    use Capability::{Create, Delete, Deny, List, Read, Sudo, Update};
    Some(match text {
        "read" => CapabilitySet::of(&[Read, List]),
        "write" => CapabilitySet::of(&[Create, Read, Update, Delete, List]),
        "sudo" => CapabilitySet::of(&[Create, Read, Update, Delete, List, Sudo]),
        "deny" => CapabilitySet::of(&[Deny]),
        _ => return None,
    })
}

/// A body item with labels folded into nested objects: `a "b" { … }` is `a = { b = { … } }`.
fn normalize_item(item: &Item) -> (&str, Spanned) {
    let key = item.keys.first().map_or("", String::as_str);
    let mut value = item.value.clone();
    for label in item.keys.iter().skip(1).rev() {
        value = Spanned {
            position: item.position,
            value: Value::Object(vec![Item {
                keys: vec![label.clone()],
                value,
                position: item.position,
            }]),
        };
    }
    (key, value)
}

fn string_list(value: &Spanned, key: &str) -> Result<Vec<(String, Position)>, Failure> {
    let Value::List(values) = &value.value else {
        return Err((
            value.position,
            format!("{key:?} must be a list, not a {}", value.value.type_name()),
        ));
    };
    values
        .iter()
        .map(|element| match &element.value {
            Value::Str(text) => Ok((text.clone(), element.position)),
            other => Err((
                element.position,
                format!("{key:?} must hold strings, not a {}", other.type_name()),
            )),
        })
        .collect()
}

fn parameter_map(value: &Spanned) -> Result<BTreeMap<String, Vec<serde_json::Value>>, Failure> {
    let Value::Object(items) = &value.value else {
        return Err((value.position, "parameters must be an object".into()));
    };
    let mut map: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for item in items {
        let (key, value) = normalize_item(item);
        let values = match &value.value {
            Value::List(values) => values.iter().map(|element| to_json(&element.value)).collect(),
            other => vec![to_json(other)],
        };
        merge_parameters(&mut map, BTreeMap::from([(key.to_lowercase(), values)]));
    }
    Ok(map)
}

/// Merges parameter maps as the server does (spec §4): keys lower-cased, lists concatenated
/// with the new values first, and an empty list ("any value") always wins.
pub(crate) fn merge_parameters(
    existing: &mut BTreeMap<String, Vec<serde_json::Value>>,
    incoming: BTreeMap<String, Vec<serde_json::Value>>,
) {
    for (key, values) in incoming {
        let key = key.to_lowercase();
        match existing.get_mut(&key) {
            None => {
                existing.insert(key, values);
            }
            Some(current) => {
                if current.is_empty() {
                    continue;
                }
                if values.is_empty() {
                    current.clear();
                } else {
                    let mut merged = values;
                    merged.append(current);
                    *current = merged;
                }
            }
        }
    }
}

fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Str(text) => serde_json::Value::String(text.clone()),
        Value::Number(text) => text
            .parse::<i64>()
            .map(serde_json::Value::from)
            .or_else(|_| text.parse::<f64>().map(serde_json::Value::from))
            .unwrap_or(serde_json::Value::Null),
        Value::Bool(flag) => serde_json::Value::Bool(*flag),
        Value::Null => serde_json::Value::Null,
        Value::List(values) => {
            serde_json::Value::Array(values.iter().map(|element| to_json(&element.value)).collect())
        }
        Value::Object(items) => {
            let mut map = serde_json::Map::new();
            for item in items {
                let (key, value) = normalize_item(item);
                map.insert(key.to_string(), to_json(&value.value));
            }
            serde_json::Value::Object(map)
        }
    }
}

/// An integer number of seconds or a Go-style duration string (`90`, `"90"`, `"1h30m"`, `"2d"`).
fn duration_seconds(value: &Spanned) -> Result<u64, Failure> {
    let invalid = || (value.position, "invalid duration".to_string());
    match &value.value {
        Value::Number(text) => text.parse::<u64>().map_err(|_| invalid()),
        Value::Str(text) => parse_duration(text).ok_or_else(invalid),
        _ => Err(invalid()),
    }
}

fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(seconds);
    }
    let mut total_nanos: f64 = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end =
            rest.find(|character: char| !(character.is_ascii_digit() || character == '.'))?;
        if number_end == 0 {
            return None;
        }
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|character: char| character.is_ascii_digit() || character == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "d" => 86400e9,
            _ => return None,
        };
        total_nanos += number * unit;
        rest = &rest[unit_end..];
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    // Non-negative and far below u64::MAX.
    Some((total_nanos / 1e9) as u64)
}

/// Parses an RFC 3339 time into Unix seconds.
#[must_use]
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if part.bytes().all(|byte| byte.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut index = 19;
    if bytes.get(index) == Some(&b'.') {
        index += 1;
        while bytes.get(index).is_some_and(u8::is_ascii_digit) {
            index += 1;
        }
    }
    let offset = match bytes.get(index)? {
        b'Z' | b'z' if index + 1 == bytes.len() => 0,
        sign @ (b'+' | b'-') if index + 6 == bytes.len() && bytes[index + 3] == b':' => {
            let minutes = number(index + 1..index + 3)? * 60 + number(index + 4..index + 6)?;
            if *sign == b'+' { minutes * 60 } else { -minutes * 60 }
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86400 + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(text: &str) -> Vec<Vec<&'static str>> {
        parse_policy("p", text, Flavor::OpenBao)
            .unwrap()
            .rules
            .iter()
            .map(|rule| rule.capabilities.names())
            .collect()
    }

    fn error(text: &str) -> PolicyError {
        parse_policy("P", text, Flavor::OpenBao).unwrap_err()
    }

    #[test]
    fn spec_2_3_legacy_and_duplicates() {
        // §2.3: legacy values, combined with capabilities; deny makes the block deny-only.
        assert_eq!(caps("path \"a\" { policy = \"read\" }"), vec![vec!["list", "read"]]);
        assert_eq!(
            caps("path \"a\" { policy = \"read\"\n capabilities = [\"update\", \"sudo\"] }"),
            vec![vec!["list", "read", "sudo", "update"]]
        );
        assert_eq!(
            caps("path \"a\" { capabilities = [\"read\",\"deny\",\"update\"] }"),
            vec![vec!["deny"]]
        );
        assert_eq!(
            caps("path \"a\" { policy = \"deny\"\n capabilities = [\"read\"] }"),
            vec![vec!["deny"]]
        );
        // H051: lists concatenate, scalars keep the last.
        assert_eq!(
            caps(
                "path \"a\" { capabilities = [\"read\"]\n capabilities = [\"update\",\"delete\"] }"
            ),
            vec![vec!["delete", "read", "update"]]
        );
        assert_eq!(
            caps("path \"a\" { policy = \"read\"\n policy = \"write\" }"),
            vec![vec!["create", "delete", "list", "read", "update"]]
        );
        // H053/H054: empty list and empty block are valid zero-capability rules.
        assert_eq!(
            caps("path \"a\" { capabilities = [] }\npath \"b\" {}"),
            vec![Vec::<&str>::new(), vec![]]
        );
        // H083: two labels, only the first counts.
        let policy =
            parse_policy("p", "path \"a\" \"b\" { capabilities = [\"read\"] }", Flavor::OpenBao)
                .unwrap();
        assert_eq!(policy.rules[0].pattern, "a");
        // Vault rejects repeated attributes.
        assert!(
            parse_policy(
                "p",
                "path \"a\" { policy = \"read\"\n policy = \"write\" }",
                Flavor::Vault
            )
            .is_err()
        );
    }

    #[test]
    fn spec_17_12_parse_errors() {
        assert!(error("bad = 1").message.contains("invalid key"));
        assert!(error("path \"a\" { capabilites = [\"read\"] }").message.contains("capabilites"));
        assert!(error("path \"a\" { policy = \"banana\" }").message.contains("banana"));
        assert!(
            error("path \"a\" { capabilities = [\"read\",\"banana\"] }").message.contains("banana")
        );
        assert!(error("path \"a\" { capabilities = [\"READ\"] }").message.contains("READ"));
        assert!(error("path \"a\" { capabilities = \"read\" }").message.contains("list"));
        let ttl = error(
            "path \"a\" {\n capabilities = [\"read\"]\n min_wrapping_ttl = 400\n max_wrapping_ttl = 200\n}",
        );
        assert_eq!((ttl.line, ttl.policy.as_str()), (4, "p"));
        assert!(error("path \"foo/+*\" { capabilities = [\"read\"] }").message.contains("+*"));
        assert!(parse_policy("p", "name{}", Flavor::OpenBao).is_err());
        assert!(
            error("path = { \"x\" = { capabilities = [\"read\"] } }").message.contains("\"x\"")
        );
        assert!(parse_policy("p", "[]", Flavor::OpenBao).is_err());
        assert!(error("{\"path\": \"x\"}").message.contains("object"));
        assert!(
            error("path \"a\" { capabilities = [\"subscribe\"] }").message.contains("subscribe")
        );
        assert!(
            parse_policy("p", "path \"a\" { capabilities = [\"subscribe\"] }", Flavor::Vault)
                .is_ok()
        );
        assert!(error("path \"a\" { capabilities = [\"read\"]\n list_scan_response_keys_filter_path = \"{{ .key }}\" }").message.contains("list"));
    }

    #[test]
    fn mixed_ttls_json_and_constraints() {
        let policy = parse_policy(
            " MixedCase ",
            "path \"/a\" { capabilities = [\"read\"]\n min_wrapping_ttl = 300\n max_wrapping_ttl = \"1h\"\n allowed_parameters = { \"Foo\" = [] }\n}",
            Flavor::OpenBao,
        )
        .unwrap();
        assert_eq!(policy.name, "mixedcase");
        assert_eq!(
            (
                policy.rules[0].constraints.min_wrapping_ttl,
                policy.rules[0].constraints.max_wrapping_ttl
            ),
            (300, 3600)
        );
        assert!(policy.rules[0].constraints.allowed_parameters.contains_key("foo"));
        let json = parse_policy(
            "j",
            r#"{"path": [{"a": {"capabilities": ["read"]}}, {"a": {"policy": "deny"}}]}"#,
            Flavor::OpenBao,
        )
        .unwrap();
        assert_eq!(json.rules.len(), 2);
        let dup = parse_policy(
            "j",
            r#"{"path": {"x": {"capabilities": ["read"]}, "x": {"capabilities": ["list"]}}}"#,
            Flavor::OpenBao,
        )
        .unwrap();
        assert_eq!(dup.rules.len(), 2);
        assert_eq!(parse_rfc3339("1970-01-02T00:00:00Z"), Some(86400));
        assert_eq!(parse_rfc3339("2000-03-01T01:00:00+01:00"), Some(951_868_800));
    }
}
