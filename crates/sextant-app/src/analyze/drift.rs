//! `sextant drift diff`: rendered desired objects against live objects, as an API server returns
//! them, without a cluster ("estimated" mode, spec §4.4 and §4.8).

use std::path::{Path, PathBuf};

use serde_json::Value;
use sextant_adapters::manifests;
use sextant_domain::drift::diff::{self, DiffOptions};
use sextant_domain::drift::ignore::{IgnoreDifferences, IgnoreRules};
use sextant_domain::drift::schema_defaults::SchemaDefaults;
use sextant_domain::object::Document;
use sextant_protocol::drift::DriftDiff;

use super::AnalysisError;

/// What `drift diff` takes.
#[derive(Debug, Clone, Default)]
pub struct DiffInput {
    /// Files or directories of rendered desired objects.
    pub desired: Vec<PathBuf>,
    /// Files or directories of live objects (`kubectl get -o yaml` output, with managedFields).
    pub live: Vec<PathBuf>,
    /// Ignore rules in Argo CD's `ignoreDifferences` shape.
    pub ignore: Option<PathBuf>,
    /// CustomResourceDefinitions whose schema defaults apply (CRDs among the desired objects
    /// count too).
    pub crds: Vec<PathBuf>,
    /// The namespace of namespaced desired objects that name none (`default` when absent).
    pub default_namespace: Option<String>,
}

/// Compares the desired objects with the live ones.
///
/// # Errors
/// `no_manifests` when a side is not given, `bad_manifest` naming the file, line and column,
/// `bad_ignore_rules` naming the ignore file and the rule.
pub fn diff(input: &DiffInput) -> Result<DriftDiff, AnalysisError> {
    let desired = load_side(&input.desired, "--desired")?;
    let live = load_side(&input.live, "--live")?;
    let crd_objects = if input.crds.is_empty() {
        Vec::new()
    } else {
        manifests::load(&input.crds)?.into_iter().map(|sourced| sourced.object).collect()
    };
    let schemas = SchemaDefaults::from_crds(crd_objects.iter().chain(&desired));
    let ignore = match &input.ignore {
        Some(file) => IgnoreRules::new(load_ignore_rules(file)?),
        None => IgnoreRules::default(),
    };
    let options = DiffOptions {
        ignore: &ignore,
        schemas: &schemas,
        default_namespace: input.default_namespace.as_deref().unwrap_or("default"),
        controller: None,
    };
    let report = diff::diff_objects(&desired, &live, &options);
    Ok(crate::to_protocol::drift_diff(&report))
}

fn load_side(paths: &[PathBuf], flag: &str) -> Result<Vec<Document>, AnalysisError> {
    if paths.is_empty() {
        return Err(AnalysisError::new(
            "no_manifests",
            format!("no manifests given: pass {flag} PATH (a file or a directory)"),
        ));
    }
    Ok(manifests::load(paths)?.into_iter().map(|sourced| sourced.object).collect())
}

/// Reads ignore rules: a list of rules, `{ignoreDifferences: [...]}`, or an Argo CD Application
/// (its `spec.ignoreDifferences`).
///
/// # Errors
/// `bad_ignore_rules` naming the file and the rule at fault.
pub fn load_ignore_rules(file: &Path) -> Result<Vec<IgnoreDifferences>, AnalysisError> {
    let value = manifests::load_value(file)?;
    let bad = |message: String| {
        AnalysisError::new("bad_ignore_rules", format!("{}: {message}", file.display()))
            .with("file", file.display().to_string())
    };
    let rules = match &value {
        Value::Array(rules) => rules.clone(),
        Value::Object(map) => {
            match map.get("ignoreDifferences").or_else(|| value.pointer("/spec/ignoreDifferences"))
            {
                Some(Value::Array(rules)) => rules.clone(),
                _ => {
                    return Err(bad(
                    "expected a list of ignoreDifferences rules, an object with `ignoreDifferences`, or an Argo CD Application".to_owned(),
                ));
                }
            }
        }
        Value::Null => Vec::new(),
        _ => return Err(bad("expected a list of ignoreDifferences rules".to_owned())),
    };
    rules
        .into_iter()
        .enumerate()
        .map(|(index, rule)| {
            serde_json::from_value(rule).map_err(|error| {
                bad(format!("rule {}: {error}", index + 1)).with("rule", index + 1)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn ignore_rules_come_as_a_list_or_inside_an_application() {
        let directory = tempfile::tempdir().unwrap();
        let list = directory.path().join("rules.yaml");
        std::fs::write(&list, "- kind: Deployment\n  jsonPointers: [/spec/replicas]\n").unwrap();
        assert_eq!(load_ignore_rules(&list).unwrap()[0].json_pointers, ["/spec/replicas"]);
        let application = directory.path().join("app.yaml");
        std::fs::write(
            &application,
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  ignoreDifferences:\n  - group: apps\n    kind: Deployment\n    managedFieldsManagers: [vpa]\n",
        )
        .unwrap();
        assert_eq!(load_ignore_rules(&application).unwrap()[0].managed_fields_managers, ["vpa"]);
    }

    #[test]
    fn a_misspelt_rule_is_named() {
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("rules.yaml");
        std::fs::write(&file, "- kind: Deployment\n- kind: Service\n  jsonPointer: [/spec]\n")
            .unwrap();
        let error = load_ignore_rules(&file).unwrap_err();
        assert_eq!(error.kind, "bad_ignore_rules");
        assert!(
            error.message.contains("rule 2") && error.message.contains("jsonPointer"),
            "{}",
            error.message
        );
    }
}
