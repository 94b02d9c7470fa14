//! `sextant drift diff` as a user runs it: the real binary on cases of the domain's drift corpus
//! (`crates/sextant-domain/tests/drift/cases/`), written out as desired and live files.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn corpus_case(file: &str, name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sextant-domain/tests/drift/cases")
        .join(file);
    let cases: Value = serde_norway::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    cases["cases"].as_array().unwrap().iter().find(|case| case["name"] == name).unwrap().clone()
}

/// Writes a case's desired and live objects as multi-document YAML files.
fn write_case(directory: &Path, case: &Value) -> (PathBuf, PathBuf) {
    let write = |side: &str| {
        let path = directory.join(format!("{side}.yaml"));
        let text: Vec<String> = case[side]
            .as_array()
            .unwrap()
            .iter()
            .map(|object| serde_norway::to_string(object).unwrap())
            .collect();
        std::fs::write(&path, text.join("---\n")).unwrap();
        path
    };
    (write("desired"), write("live"))
}

fn sextant(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sextant")).args(args).output().unwrap()
}

fn diff(desired: &Path, live: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "drift",
        "diff",
        "--desired",
        desired.to_str().unwrap(),
        "--live",
        live.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    sextant(&args)
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!("stdout is not JSON ({error}): {}", String::from_utf8_lossy(&output.stdout))
    })
}

#[test]
fn an_additive_edit_is_drift_in_the_contracts_shape_and_fails_with_fail_on() {
    let directory = tempfile::tempdir().unwrap();
    let case = corpus_case(
        "d-real-drift.yaml",
        "kubectl edit adds an env var (the additive edit Argo CD misses)",
    );
    let (desired, live) = write_case(directory.path(), &case);

    let output = diff(&desired, &live, &["--output", "json", "--fail-on", "drift"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report = json_of(&output);
    assert_eq!(report["mode"], "estimated");
    assert_eq!(
        report["summary"],
        json!({"in_sync": 0, "drifted": 1, "missing_live": 0, "not_in_git": 0})
    );
    let object = &report["objects"][0];
    assert_eq!(
        object["id"],
        json!({"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "web", "name": "api"})
    );
    assert_eq!(object["state"], "drifted");
    let field = &object["fields"][0];
    assert_eq!(field["path"], "/spec/template/spec/containers/0/env/0");
    assert_eq!(field["class"], "drift");
    assert_eq!(field["live"], json!({"name": "DEBUG", "value": "true"}));
    assert!(field.get("desired").is_none(), "absent values are left out: {field}");
    assert_eq!(field["manager"], "kubectl-edit");
    assert!(field["reason"].as_str().unwrap().contains("kubectl-edit at 2026-11-24T14:02:11Z"));

    let without_fail_on = diff(&desired, &live, &["--output", "json"]);
    assert_eq!(without_fail_on.status.code(), Some(0));

    let human = diff(&desired, &live, &[]);
    assert_eq!(human.status.code(), Some(0));
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("Deployment.apps web/api: DRIFTED"), "{text}");
    assert!(text.contains("/spec/template/spec/containers/0/env/0"), "{text}");
    assert!(text.contains("0 in sync, 1 drifted, 0 missing live, 0 not in Git"), "{text}");
}

#[test]
fn false_drift_sources_leave_objects_in_sync_and_exit_0() {
    let directory = tempfile::tempdir().unwrap();
    let case = corpus_case(
        "a-canonical-values.yaml",
        "CPU and memory quantities in their canonical forms",
    );
    let (desired, live) = write_case(directory.path(), &case);
    let output = diff(&desired, &live, &["--output", "json", "--fail-on", "drift"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let report = json_of(&output);
    assert_eq!(
        report["summary"],
        json!({"in_sync": 1, "drifted": 0, "missing_live": 0, "not_in_git": 0})
    );
    assert_eq!(report["objects"][0]["fields"], json!([]));
}

#[test]
fn missing_and_extra_objects_are_reported() {
    let directory = tempfile::tempdir().unwrap();
    let case = corpus_case(
        "d-real-drift.yaml",
        "an object in Git that is not live, and a live object that is not in Git",
    );
    let (desired, live) = write_case(directory.path(), &case);
    let report = json_of(&diff(&desired, &live, &["--output", "json"]));
    assert_eq!(
        report["summary"],
        json!({"in_sync": 1, "drifted": 0, "missing_live": 1, "not_in_git": 1})
    );
    let states: Vec<(&str, &str)> = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|object| (object["id"]["name"].as_str().unwrap(), object["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [("flags", "in_sync"), ("deny-all", "missing_live"), ("hotfix-overrides", "not_in_git")]
    );
}

#[test]
fn secret_values_are_never_printed() {
    let directory = tempfile::tempdir().unwrap();
    let case = corpus_case(
        "a-canonical-values.yaml",
        "a Secret value changed by hand is drift, and its value is never shown",
    );
    let (desired, live) = write_case(directory.path(), &case);
    for format in ["json", "human"] {
        let output = diff(&desired, &live, &["--output", format]);
        let stdout = String::from_utf8(output.stdout).unwrap();
        for secret in ["from-git", "ZWRpdGVkLWJ5LWhhbmQ=", "edited-by-hand", "dHJ1ZQ=="] {
            assert!(!stdout.contains(secret), "{format} output leaks {secret}: {stdout}");
        }
        assert!(stdout.contains("/data/token"), "{stdout}");
    }
}

#[test]
fn an_ignore_file_turns_drift_into_ignored() {
    let directory = tempfile::tempdir().unwrap();
    let case = corpus_case("d-real-drift.yaml", "kubectl set image changes a field that is in Git");
    let (desired, live) = write_case(directory.path(), &case);
    let rules = directory.path().join("ignore.yaml");
    std::fs::write(
        &rules,
        "- group: apps\n  kind: Deployment\n  jqPathExpressions: ['.spec.template.spec.containers[].image']\n",
    )
    .unwrap();
    let output = diff(
        &desired,
        &live,
        &["--ignore", rules.to_str().unwrap(), "--output", "json", "--fail-on", "drift"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let field = &json_of(&output)["objects"][0]["fields"][0];
    assert_eq!(field["class"], "ignored");
    assert_eq!(
        field["reason"],
        "ignored by the rule jqPathExpressions .spec.template.spec.containers[].image"
    );
}

#[test]
fn bad_yaml_exits_2_naming_the_file_and_line() {
    let directory = tempfile::tempdir().unwrap();
    let desired = directory.path().join("desired.yaml");
    std::fs::write(&desired, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n")
        .unwrap();
    let live = directory.path().join("live.yaml");
    std::fs::write(&live, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n").unwrap();

    let output = diff(&desired, &live, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(&format!("{}:5", desired.display())), "{stderr}");

    let output = diff(&desired, &live, &["--output", "json"]);
    assert_eq!(output.status.code(), Some(2));
    let error = &json_of(&output)["error"];
    assert_eq!(error["kind"], "bad_manifest");
    assert_eq!(error["file"], desired.display().to_string());
    assert_eq!(error["line"], 5);

    let missing = diff(&directory.path().join("nope.yaml"), &live, &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8(missing.stderr).unwrap().contains("no such file or directory"));

    let rules = directory.path().join("rules.yaml");
    std::fs::write(&rules, "- kind: Deployment\n  jsonPointer: [/spec]\n").unwrap();
    let bad_rules = diff(&live, &live, &["--ignore", rules.to_str().unwrap()]);
    assert_eq!(bad_rules.status.code(), Some(2));
    let stderr = String::from_utf8(bad_rules.stderr).unwrap();
    assert!(stderr.contains("rule 1") && stderr.contains("jsonPointer"), "{stderr}");
}

#[test]
fn the_demo_drift_pairs_diff_as_their_corpus_cases_say() {
    // assets/demo/drift/ gathers 28 corpus cases; their hand-written expectations add up to
    // 30 objects in sync, 8 drifted, 1 missing live and 1 not in Git.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo/drift");
    let output = diff(
        &demo.join("desired.yaml"),
        &demo.join("live.yaml"),
        &["--output", "json", "--fail-on", "drift"],
    );
    assert_eq!(output.status.code(), Some(1));
    let report = json_of(&output);
    assert_eq!(
        report["summary"],
        json!({"in_sync": 30, "drifted": 8, "missing_live": 1, "not_in_git": 1})
    );
    assert_eq!(report["skipped_owned"], 1);
}
