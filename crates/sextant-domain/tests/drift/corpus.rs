//! Runs every case under `tests/drift/cases/*.yaml`.
//!
//! A file holds `cases`. A case names the false-drift catalogue entry or the real drift it
//! covers (`covers`), gives `desired` and `live` objects, optional `crds` (files under
//! `tests/drift/crds/`) and `ignore` rules, and `expect`: every object the report must hold, by
//! its display id (`Deployment.apps web/api`), with its `state` and the exact list of `fields`
//! (`path`, `class`, and optionally a `reason` substring and the `desired`/`live` values).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sextant_domain::drift::diff::{DiffOptions, FieldClass, ObjectState, diff_objects};
use sextant_domain::drift::ignore::{IgnoreDifferences, IgnoreRules};
use sextant_domain::drift::schema_defaults::SchemaDefaults;
use sextant_domain::object::Document;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/drift")
}

fn load_yaml_documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_norway::Deserializer::from_str(&text)
        .map(|document| {
            <Value as serde::Deserialize>::deserialize(document)
                .unwrap_or_else(|error| panic!("parsing {}: {error}", path.display()))
        })
        .filter(|document| !document.is_null())
        .collect()
}

fn objects(value: Option<&Value>) -> Vec<Document> {
    value.and_then(Value::as_array).into_iter().flatten().cloned().map(Document::new).collect()
}

fn state_name(state: ObjectState) -> &'static str {
    match state {
        ObjectState::InSync => "in_sync",
        ObjectState::Drifted => "drifted",
        ObjectState::MissingLive => "missing_live",
        ObjectState::NotInGit => "not_in_git",
    }
}

fn class_name(class: FieldClass) -> &'static str {
    match class {
        FieldClass::Drift => "drift",
        FieldClass::ExpectedMutation => "expected_mutation",
        FieldClass::Ignored => "ignored",
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    failed: usize,
    false_drift: usize,
    missed_drift: usize,
    expected_drift_fields: usize,
    noise_fields: usize,
}

/// Runs one case; returns the mismatches.
fn run_case(case: &Value, tally: &mut Tally) -> Vec<String> {
    let mut problems = Vec::new();
    let crds: Vec<Document> = case["crds"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|file| {
            load_yaml_documents(&corpus_dir().join("crds").join(file.as_str().unwrap()))
        })
        .map(Document::new)
        .collect();
    let schemas = SchemaDefaults::from_crds(&crds);
    let rules: Vec<IgnoreDifferences> = case
        .get("ignore")
        .map(|rules| serde_json::from_value(rules.clone()).unwrap())
        .unwrap_or_default();
    let ignore = IgnoreRules::new(rules);
    let options = DiffOptions {
        ignore: &ignore,
        schemas: &schemas,
        default_namespace: "default",
        controller: None,
    };
    let desired = objects(case.get("desired"));
    let live = objects(case.get("live"));
    let report = diff_objects(&desired, &live, &options);
    let expected = case["expect"].as_array().unwrap();
    for object in &report.objects {
        let id = object.id.to_string();
        let Some(expectation) =
            expected.iter().find(|expectation| expectation["id"] == id.as_str())
        else {
            problems.push(format!("unexpected object {id} ({})", state_name(object.state)));
            if object.state != ObjectState::InSync {
                tally.false_drift += 1;
            }
            continue;
        };
        let want_state = expectation["state"].as_str().unwrap();
        if state_name(object.state) != want_state {
            problems
                .push(format!("{id}: state {}, expected {want_state}", state_name(object.state)));
            if want_state == "in_sync" {
                tally.false_drift += 1;
            } else if object.state == ObjectState::InSync {
                tally.missed_drift += 1;
            }
        }
        let want_fields = expectation["fields"].as_array().cloned().unwrap_or_default();
        for field in &object.fields {
            if object.id.kind == "Secret" && field.path.starts_with("/data") {
                assert!(
                    field.desired.is_none() && field.live.is_none() && field.redacted,
                    "{id}: a secret value was reported at {}",
                    field.path
                );
            }
            let Some(want) = want_fields.iter().find(|want| want["path"] == field.path.as_str())
            else {
                problems.push(format!(
                    "{id}: unexpected field {} {} ({})",
                    field.path,
                    class_name(field.class),
                    field.reason
                ));
                if field.class == FieldClass::Drift {
                    tally.false_drift += 1;
                }
                continue;
            };
            let want_class = want["class"].as_str().unwrap();
            if class_name(field.class) != want_class {
                problems.push(format!(
                    "{id}: {} is {} ({}), expected {want_class}",
                    field.path,
                    class_name(field.class),
                    field.reason
                ));
                if field.class == FieldClass::Drift {
                    tally.false_drift += 1;
                } else if want_class == "drift" {
                    tally.missed_drift += 1;
                }
            }
            if let Some(reason) = want["reason"].as_str()
                && !field.reason.contains(reason)
            {
                problems.push(format!(
                    "{id}: {} reason {:?} lacks {reason:?}",
                    field.path, field.reason
                ));
            }
            for (key, got) in [("desired", &field.desired), ("live", &field.live)] {
                if let Some(value) = want.get(key)
                    && Some(value) != got.as_ref()
                {
                    problems
                        .push(format!("{id}: {} {key} is {got:?}, expected {value}", field.path));
                }
            }
        }
        for want in &want_fields {
            let path = want["path"].as_str().unwrap();
            if want["class"] == "drift" {
                tally.expected_drift_fields += 1;
            } else {
                tally.noise_fields += 1;
            }
            if !object.fields.iter().any(|field| field.path == path) {
                problems.push(format!("{id}: missing field {path} ({})", want["class"]));
                if want["class"] == "drift" {
                    tally.missed_drift += 1;
                }
            }
        }
    }
    for expectation in expected {
        let id = expectation["id"].as_str().unwrap();
        if !report.objects.iter().any(|object| object.id.to_string() == id) {
            problems.push(format!("missing object {id}"));
            if expectation["state"] != "in_sync" {
                tally.missed_drift += 1;
            }
        }
    }
    if let Some(want) = case.get("problems").and_then(Value::as_u64) {
        let want = usize::try_from(want).unwrap();
        if report.problems.len() != want {
            problems.push(format!(
                "{} problems reported, expected {want}: {:?}",
                report.problems.len(),
                report.problems
            ));
        }
    }
    problems
}

#[test]
fn the_corpus_has_no_false_and_no_missed_drift() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir().join("cases"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .collect();
    files.sort();
    let mut tally = Tally::default();
    let mut failures = String::new();
    for file in &files {
        let documents = load_yaml_documents(file);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for case in documents[0]["cases"].as_array().unwrap() {
            tally.cases += 1;
            let title = format!(
                "{name}: {} [{}]",
                case["name"].as_str().unwrap(),
                case["covers"].as_str().unwrap()
            );
            let problems = run_case(case, &mut tally);
            if problems.is_empty() {
                println!("ok    {title}");
            } else {
                tally.failed += 1;
                println!("FAIL  {title}");
                for problem in &problems {
                    println!("        {problem}");
                    let _ = writeln!(failures, "{title}: {problem}");
                }
            }
        }
    }
    println!(
        "drift corpus: {} cases, {} failed; {} expected drift fields, {} noise fields asserted; false drift {}, missed drift {}",
        tally.cases,
        tally.failed,
        tally.expected_drift_fields,
        tally.noise_fields,
        tally.false_drift,
        tally.missed_drift
    );
    assert!(tally.cases >= 20, "the corpus lost cases");
    assert!(failures.is_empty(), "corpus failures:\n{failures}");
    assert_eq!((tally.false_drift, tally.missed_drift), (0, 0));
}
