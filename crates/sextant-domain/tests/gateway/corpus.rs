//! Runs every case under `tests/gateway/cases/*.yaml` and prints a summary.
//!
//! A case file holds `fixtures` (named lists of objects) and `cases`. A case names the spec
//! rule it exercises (`rule`), picks fixtures and extra `objects`, and gives either a `request`
//! with an `expect`ed answer (a subset of the explainer's JSON), or a `status` expectation, or
//! both. Cases resting on a §7 ambiguity carry `ambiguous` and are reported separately; cases
//! needing Extended features list them under `extended`. `cases/common.yaml` holds fixtures
//! shared by every file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};
use sextant_domain::gateway::{Request, RouteTable};
use sextant_domain::object::KubeObject;

fn load_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_norway::from_str(&text)
        .unwrap_or_else(|error| panic!("parsing {}: {error}", path.display()))
}

fn cases_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gateway/cases")
}

/// Compares `expected` as a subset of `actual`; returns the first mismatch.
fn subset(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, value) in expected {
                if value.is_null() {
                    if actual.contains_key(key) {
                        return Err(format!("{at}/{key}: expected absent, got {}", actual[key]));
                    }
                    continue;
                }
                let Some(found) = actual.get(key) else {
                    return Err(format!("{at}/{key}: missing, expected {value}"));
                };
                subset(value, found, &format!("{at}/{key}"))?;
            }
            Ok(())
        }
        (Value::Array(expected), Value::Array(actual)) => {
            if expected.len() != actual.len() {
                return Err(format!(
                    "{at}: expected {} entries {}, got {}",
                    expected.len(),
                    Value::Array(expected.clone()),
                    Value::Array(actual.clone())
                ));
            }
            for (index, (expected, actual)) in expected.iter().zip(actual).enumerate() {
                subset(expected, actual, &format!("{at}/{index}"))?;
            }
            Ok(())
        }
        (Value::Number(expected), Value::Number(actual)) => {
            let (expected, actual) =
                (expected.as_f64().unwrap_or(f64::NAN), actual.as_f64().unwrap_or(f64::NAN));
            if (expected - actual).abs() < 1e-9 {
                Ok(())
            } else {
                Err(format!("{at}: expected {expected}, got {actual}"))
            }
        }
        (Value::String(expected), Value::Object(actual))
            if actual.contains_key("namespace") && actual.contains_key("name") =>
        {
            // `route: ns/name` shorthand.
            let got = format!(
                "{}/{}",
                actual["namespace"].as_str().unwrap_or(""),
                actual["name"].as_str().unwrap_or("")
            );
            if *expected == got {
                Ok(())
            } else {
                Err(format!("{at}: expected {expected}, got {got}"))
            }
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{at}: expected {expected}, got {actual}")),
    }
}

fn condition_text(conditions: &Value, kind: &str) -> String {
    match conditions.get(kind) {
        Some(condition) => format!(
            "{}/{}",
            condition["status"].as_str().unwrap_or(""),
            condition["reason"].as_str().unwrap_or("")
        ),
        None => "absent".to_owned(),
    }
}

#[allow(clippy::too_many_lines)]
fn check_status(expected: &Value, report: &Value) -> Result<(), String> {
    for want in expected.get("route_parents").and_then(Value::as_array).into_iter().flatten() {
        let route = want["route"].as_str().unwrap_or_default();
        let parent = want["parent"].as_str().unwrap_or_default();
        let found = report["route_parents"].as_array().into_iter().flatten().find(|entry| {
            let key = format!(
                "{}/{}",
                entry["route"]["namespace"].as_str().unwrap_or(""),
                entry["route"]["name"].as_str().unwrap_or("")
            );
            let reference = &entry["parentRef"];
            let mut name = reference["name"].as_str().unwrap_or("").to_owned();
            if let Some(section) = reference["sectionName"].as_str() {
                name = format!("{name}/{section}");
            }
            if let Some(port) = reference["port"].as_u64() {
                name = format!("{name}:{port}");
            }
            key == route && name == parent
        });
        let Some(found) = found else {
            return Err(format!("no route_parents entry for {route} -> {parent}"));
        };
        let context = format!("route {route} parent {parent}");
        for (key, field) in [
            ("accepted", "Accepted"),
            ("resolved", "ResolvedRefs"),
            ("partially_invalid", "PartiallyInvalid"),
        ] {
            if let Some(value) = want.get(key).and_then(Value::as_str) {
                let got = condition_text(&found["conditions"], field);
                if got != value {
                    return Err(format!("{context}: {field} expected {value}, got {got}"));
                }
            }
        }
        if let Some(present) = want.get("status_present") {
            subset(present, &found["status_present"], &format!("{context} status_present"))?;
        }
        if let Some(attached) = want.get("attached") {
            subset(
                attached,
                &found["attached_listeners"],
                &format!("{context} attached_listeners"),
            )?;
        }
        if let Some(unknown) = want.get("unknown").and_then(Value::as_bool)
            && unknown != found.get("unknown").is_some()
        {
            return Err(format!(
                "{context}: unknown expected {unknown}, got {:?}",
                found.get("unknown")
            ));
        }
    }
    for (name, want) in expected.get("listeners").and_then(Value::as_object).into_iter().flatten() {
        let found = report["listeners"].as_array().into_iter().flatten().find(|entry| {
            format!(
                "{}/{}",
                entry["gateway"].as_str().unwrap_or(""),
                entry["name"].as_str().unwrap_or("")
            ) == *name
        });
        let Some(found) = found else { return Err(format!("no listener {name}")) };
        for (key, field) in [
            ("accepted", "Accepted"),
            ("resolved", "ResolvedRefs"),
            ("conflicted", "Conflicted"),
            ("programmed", "Programmed"),
        ] {
            if let Some(value) = want.get(key).and_then(Value::as_str) {
                let got = condition_text(&found["conditions"], field);
                if got != value {
                    return Err(format!("listener {name}: {field} expected {value}, got {got}"));
                }
            }
        }
        for key in ["attachedRoutes", "supportedKinds"] {
            if let Some(value) = want.get(key) {
                subset(value, &found[key], &format!("listener {name} {key}"))?;
            }
        }
    }
    for (name, want) in expected.get("gateways").and_then(Value::as_object).into_iter().flatten() {
        let found = report["gateways"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|entry| entry["gateway"] == *name);
        let Some(found) = found else { return Err(format!("no gateway {name}")) };
        if let Some(value) = want.get("accepted").and_then(Value::as_str) {
            let got = condition_text(&found["conditions"], "Accepted");
            if got != value {
                return Err(format!("gateway {name}: Accepted expected {value}, got {got}"));
            }
        }
        if let Some(present) = want.get("status_present") {
            subset(present, &found["status_present"], &format!("gateway {name} status_present"))?;
        }
    }
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for code in expected
        .get("diagnostics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !codes.contains(&code) {
            return Err(format!("diagnostic {code} expected, got {codes:?}"));
        }
    }
    for code in expected
        .get("no_diagnostics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if codes.contains(&code) {
            return Err(format!("diagnostic {code} not expected, got {codes:?}"));
        }
    }
    Ok(())
}

struct Outcome {
    file: String,
    name: String,
    rule: String,
    ambiguous: Option<String>,
    extended: Vec<String>,
    failure: Option<String>,
}

fn run_case(
    fixtures: &BTreeMap<String, Value>,
    defaults: &Value,
    case: &Value,
) -> Result<(), String> {
    let mut objects = Vec::new();
    let fixture_names: Vec<&str> = match case.get("fixture") {
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for name in fixture_names {
        let Some(list) = fixtures.get(name).and_then(Value::as_array) else {
            return Err(format!("unknown fixture {name}"));
        };
        objects.extend(list.iter().cloned().map(KubeObject));
    }
    objects.extend(
        case.get("objects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .cloned()
            .map(KubeObject),
    );
    let drop: Vec<&str> = case
        .get("drop")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    objects
        .retain(|object| !drop.contains(&format!("{}/{}", object.kind(), object.name()).as_str()));
    let unreadable: Vec<&str> = case
        .get("unreadable")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let table = RouteTable::build(&objects, &unreadable);
    if let Some(expected) = case.get("status") {
        let report = serde_json::to_value(table.status()).map_err(|error| error.to_string())?;
        check_status(expected, &report)
            .map_err(|error| format!("status: {error}\n  report: {report}"))?;
    }
    if let Some(request) = case.get("request") {
        let mut merged = defaults.clone();
        if let (Some(merged), Some(request)) = (merged.as_object_mut(), request.as_object()) {
            for (key, value) in request {
                merged.insert(key.clone(), value.clone());
            }
        }
        let request: Request =
            serde_json::from_value(merged).map_err(|error| format!("bad request: {error}"))?;
        let answer =
            serde_json::to_value(table.explain(&request)).map_err(|error| error.to_string())?;
        let expected = case.get("expect").cloned().unwrap_or(json!({}));
        subset(&expected, &answer, "answer")
            .map_err(|error| format!("{error}\n  answer: {answer}"))?;
    }
    Ok(())
}

#[test]
fn the_case_corpus_passes() {
    let dir = cases_dir();
    let mut fixtures: BTreeMap<String, Value> = BTreeMap::new();
    let common = load_yaml(&dir.join("common.yaml"));
    for (name, list) in common["fixtures"].as_object().into_iter().flatten() {
        fixtures.insert(name.clone(), list.clone());
    }
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the cases directory exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "yaml") && !path.ends_with("common.yaml")
        })
        .collect();
    paths.sort();
    let mut outcomes = Vec::new();
    for path in &paths {
        let file = load_yaml(path);
        let mut local = fixtures.clone();
        for (name, list) in file["fixtures"].as_object().into_iter().flatten() {
            local.insert(name.clone(), list.clone());
        }
        let defaults = file.get("request_defaults").cloned().unwrap_or_else(|| json!({}));
        for case in file["cases"].as_array().into_iter().flatten() {
            let text = |key: &str| case.get(key).and_then(Value::as_str).map(str::to_owned);
            outcomes.push(Outcome {
                file: path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                name: text("name").unwrap_or_default(),
                rule: text("rule").unwrap_or_default(),
                ambiguous: text("ambiguous"),
                extended: case
                    .get("extended")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                failure: run_case(&local, &defaults, case).err(),
            });
        }
    }
    let mut summary = String::new();
    let total = outcomes.len();
    let passed = outcomes.iter().filter(|outcome| outcome.failure.is_none()).count();
    let ambiguous: Vec<&Outcome> =
        outcomes.iter().filter(|outcome| outcome.ambiguous.is_some()).collect();
    let extended = outcomes.iter().filter(|outcome| !outcome.extended.is_empty()).count();
    let _ = writeln!(
        summary,
        "gateway corpus: {total} cases in {} files, {passed} passed, {} failed",
        paths.len(),
        total - passed
    );
    let _ = writeln!(
        summary,
        "  resting on a §7 ambiguity: {} ({} passed)",
        ambiguous.len(),
        ambiguous.iter().filter(|o| o.failure.is_none()).count()
    );
    for outcome in &ambiguous {
        let _ = writeln!(
            summary,
            "    [{}] {}: {} ({})",
            outcome.ambiguous.as_deref().unwrap_or(""),
            outcome.file,
            outcome.name,
            if outcome.failure.is_none() { "pass" } else { "FAIL" }
        );
    }
    let _ = writeln!(summary, "  needing Extended features: {extended}");
    for outcome in outcomes.iter().filter(|outcome| outcome.failure.is_some()) {
        let _ = writeln!(
            summary,
            "FAIL {}: {} [{}]\n  {}",
            outcome.file,
            outcome.name,
            outcome.rule,
            outcome.failure.as_deref().unwrap_or("")
        );
    }
    let missing_rule: Vec<&str> = outcomes
        .iter()
        .filter(|outcome| outcome.rule.is_empty())
        .map(|outcome| outcome.name.as_str())
        .collect();
    println!("{summary}");
    assert!(missing_rule.is_empty(), "every case names the rule it exercises: {missing_rule:?}");
    assert!(total >= 150, "the corpus has at least 150 cases, has {total}");
    assert_eq!(passed, total, "every case passes:\n{summary}");
}
