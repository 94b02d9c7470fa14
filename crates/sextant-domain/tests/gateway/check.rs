//! The Gateway API case corpus (`cases/*.yaml`), shared by the domain's corpus test and the
//! CLI's (`crates/sextant-cli/tests/gateway_corpus.rs`, which runs every case through the real
//! `sextant` binary): loading cases, comparing answers, and the summary.
//!
//! A case file holds `fixtures` (named lists of objects) and `cases`. A case names the spec
//! rule it exercises (`rule`), picks fixtures and extra `objects` (minus `drop`ped ones), and
//! gives either a `request` with an `expect`ed answer (a subset of the explainer's JSON), or a
//! `status` expectation, or both. Cases resting on a §7 ambiguity carry `ambiguous` and are
//! reported separately; cases needing Extended features list them under `extended`.
//! `cases/common.yaml` holds fixtures shared by every file.

// Each including test binary uses its own part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The corpus directory, from any crate of the workspace.
pub(crate) fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sextant-domain/tests/gateway/cases")
        .canonicalize()
        .expect("the gateway case corpus exists")
}

pub(crate) fn load_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_norway::from_str(&text)
        .unwrap_or_else(|error| panic!("parsing {}: {error}", path.display()))
}

/// Compares `expected` as a subset of `actual`; returns the first mismatch.
pub(crate) fn subset(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
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
pub(crate) fn check_status(expected: &Value, report: &Value) -> Result<(), String> {
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

/// One case, with its fixtures resolved and its request merged with the file's defaults.
pub(crate) struct Case {
    /// The case file's name.
    pub(crate) file: String,
    pub(crate) name: String,
    /// The spec rule it exercises.
    pub(crate) rule: String,
    /// The §7 ambiguity it rests on.
    pub(crate) ambiguous: Option<String>,
    pub(crate) extended: Vec<String>,
    /// Every object of the case, fixtures first.
    pub(crate) objects: Vec<Value>,
    /// Kinds to treat as unreadable.
    pub(crate) unreadable: Vec<String>,
    /// The expected status (a subset), when the case checks one.
    pub(crate) status: Option<Value>,
    /// The request, when the case explains one.
    pub(crate) request: Option<Value>,
    /// The expected answer (a subset).
    pub(crate) expect: Value,
    /// Set when the case itself is malformed (an unknown fixture).
    pub(crate) broken: Option<String>,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn build_case(
    file: &str,
    fixtures: &BTreeMap<String, Value>,
    defaults: &Value,
    case: &Value,
) -> Case {
    let text = |key: &str| case.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut objects = Vec::new();
    let mut broken = None;
    let fixture_names: Vec<String> = match case.get("fixture") {
        Some(Value::String(name)) => vec![name.clone()],
        other => strings(other),
    };
    for name in fixture_names {
        match fixtures.get(&name).and_then(Value::as_array) {
            Some(list) => objects.extend(list.iter().cloned()),
            None => broken = Some(format!("unknown fixture {name}")),
        }
    }
    objects.extend(case.get("objects").and_then(Value::as_array).into_iter().flatten().cloned());
    let drop = strings(case.get("drop"));
    objects.retain(|object| {
        let key = format!(
            "{}/{}",
            object["kind"].as_str().unwrap_or_default(),
            object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
        );
        !drop.contains(&key)
    });
    let request = case.get("request").map(|request| {
        let mut merged = defaults.clone();
        if let (Some(merged), Some(request)) = (merged.as_object_mut(), request.as_object()) {
            for (key, value) in request {
                merged.insert(key.clone(), value.clone());
            }
        }
        merged
    });
    Case {
        file: file.to_owned(),
        name: text("name").unwrap_or_default(),
        rule: text("rule").unwrap_or_default(),
        ambiguous: text("ambiguous"),
        extended: strings(case.get("extended")),
        objects,
        unreadable: strings(case.get("unreadable")),
        status: case.get("status").cloned(),
        request,
        expect: case.get("expect").cloned().unwrap_or_else(|| json!({})),
        broken,
    }
}

/// Every case of the corpus, in file order; also returns the number of case files.
pub(crate) fn load_cases() -> (Vec<Case>, usize) {
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
    let mut cases = Vec::new();
    for path in &paths {
        let file = load_yaml(path);
        let mut local = fixtures.clone();
        for (name, list) in file["fixtures"].as_object().into_iter().flatten() {
            local.insert(name.clone(), list.clone());
        }
        let defaults = file.get("request_defaults").cloned().unwrap_or_else(|| json!({}));
        let name =
            path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        for case in file["cases"].as_array().into_iter().flatten() {
            cases.push(build_case(&name, &local, &defaults, case));
        }
    }
    (cases, paths.len())
}

/// What a runner computed for one case: the status report and the answer, as JSON.
#[derive(Default)]
pub(crate) struct Answers {
    pub(crate) status: Option<Value>,
    pub(crate) answer: Option<Value>,
}

/// Checks what a runner computed against the case's expectations.
pub(crate) fn check_case(case: &Case, answers: &Answers) -> Result<(), String> {
    if let Some(broken) = &case.broken {
        return Err(broken.clone());
    }
    if let Some(expected) = &case.status {
        let Some(report) = &answers.status else { return Err("no status computed".to_owned()) };
        check_status(expected, report)
            .map_err(|error| format!("status: {error}\n  report: {report}"))?;
    }
    if case.request.is_some() {
        let Some(answer) = &answers.answer else { return Err("no answer computed".to_owned()) };
        subset(&case.expect, answer, "answer")
            .map_err(|error| format!("{error}\n  answer: {answer}"))?;
    }
    Ok(())
}

/// Runs every case through `runner`, prints a summary (ambiguous cases listed on their own),
/// and fails unless every case names its rule and passes, and there are at least 150.
#[allow(clippy::print_stdout, reason = "the summary is the test's report")]
pub(crate) fn run_corpus(through: &str, mut runner: impl FnMut(&Case) -> Result<Answers, String>) {
    let (cases, files) = load_cases();
    let failures: Vec<Option<String>> = cases
        .iter()
        .map(|case| runner(case).and_then(|answers| check_case(case, &answers)).err())
        .collect();
    let mut summary = String::new();
    let total = cases.len();
    let passed = failures.iter().filter(|failure| failure.is_none()).count();
    let _ = writeln!(
        summary,
        "gateway corpus through {through}: {total} cases in {files} files, {passed} passed, {} failed",
        total - passed
    );
    let ambiguous: Vec<usize> =
        (0..total).filter(|&index| cases[index].ambiguous.is_some()).collect();
    let _ = writeln!(
        summary,
        "  resting on a §7 ambiguity (reported apart, expected answers follow the spec's recommendation): {} ({} passed)",
        ambiguous.len(),
        ambiguous.iter().filter(|&&index| failures[index].is_none()).count()
    );
    for &index in &ambiguous {
        let case = &cases[index];
        let _ = writeln!(
            summary,
            "    [{}] {}: {} ({})",
            case.ambiguous.as_deref().unwrap_or(""),
            case.file,
            case.name,
            if failures[index].is_none() { "pass" } else { "FAIL" }
        );
    }
    let extended = cases.iter().filter(|case| !case.extended.is_empty()).count();
    let _ = writeln!(summary, "  needing Extended features: {extended}");
    for (case, failure) in cases.iter().zip(&failures) {
        if let Some(failure) = failure {
            let _ =
                writeln!(summary, "FAIL {}: {} [{}]\n  {failure}", case.file, case.name, case.rule);
        }
    }
    // A rule cites the spec section (`§2.3 ...`) or, for what the spec leaves open, the issue.
    let missing_rule: Vec<&str> = cases
        .iter()
        .filter(|case| !(case.rule.contains('§') || case.rule.starts_with("issue #4")))
        .map(|case| case.name.as_str())
        .collect();
    println!("{summary}");
    assert!(
        missing_rule.is_empty(),
        "every case names the rule it exercises (a spec § or issue #4): {missing_rule:?}"
    );
    assert!(total >= 150, "the corpus has at least 150 cases, has {total}");
    assert_eq!(passed, total, "every case passes:\n{summary}");
}
