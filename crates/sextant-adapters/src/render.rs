//! Rendering desired state from a Git checkout (spec §3): plain YAML, Kustomize through
//! `kubectl kustomize`, Helm through `helm template`, and a Flux Kustomization built as
//! kustomize-controller builds it (generated `kustomization.yaml`, `targetNamespace`,
//! `namePrefix`/`nameSuffix`, `images`, `patches`, then `postBuild` substitution with
//! `substitute` and `substituteFrom` ConfigMaps and Secrets).
//!
//! There is no Kustomize or Helm implementation in Rust, so both are run as the tools
//! themselves (spec §3.2, §3.3), with the flags Flux uses (`--load-restrictor
//! LoadRestrictionsNone`). A failure carries the tool's stderr and the file or directory it was
//! run on. Values taken from Secrets for substitution are returned separately, so that callers
//! can mask them wherever the rendered objects are shown: they never reach the UI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value, json};
use sextant_domain::drift::normalize::decode_secret_value;
use sextant_domain::{
    json::Json,
    object::{Document, KubeObject},
};

use crate::manifests;

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The tool could not be started.
    #[error(
        "cannot run {tool} ({path}): {source}; install it (scripts/setup.sh installs helm) or set SEXTANT_KUBECTL / SEXTANT_HELM"
    )]
    ToolMissing {
        /// The tool's name.
        tool: &'static str,
        /// Where it was looked for.
        path: String,
        /// The failure to start it.
        #[source]
        source: std::io::Error,
    },
    /// The tool ran and failed.
    #[error("{tool} failed on {}: {stderr}", target.display())]
    ToolFailed {
        /// The command, e.g. `kubectl kustomize`.
        tool: &'static str,
        /// The directory or chart it was run on.
        target: PathBuf,
        /// Its standard error, trimmed.
        stderr: String,
    },
    /// The tool's output was not YAML objects.
    #[error("{tool} printed output that is not Kubernetes objects for {}: {message}", target.display())]
    BadOutput {
        /// The command.
        tool: &'static str,
        /// The directory or chart.
        target: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// A manifest could not be read.
    #[error(transparent)]
    Manifest(#[from] manifests::ManifestError),
    /// The Flux object does not say what to build.
    #[error("{object}: {message}")]
    BadSpec {
        /// `Kind namespace/name`.
        object: String,
        /// What is missing or wrong.
        message: String,
    },
    /// A `substituteFrom` source is missing and not optional.
    #[error(
        "{object}: postBuild.substituteFrom names {kind} {namespace}/{name}, which does not exist; create it or mark it optional"
    )]
    MissingSubstituteSource {
        /// The Kustomization.
        object: String,
        /// `ConfigMap` or `Secret`.
        kind: String,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// Writing the generated overlay failed.
    #[error("cannot write a temporary overlay: {0}")]
    Io(#[from] std::io::Error),
}

/// Where the tools are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tools {
    /// `kubectl` (its `kustomize` subcommand is Kustomize).
    pub kubectl: PathBuf,
    /// `helm`.
    pub helm: PathBuf,
}

impl Tools {
    /// `SEXTANT_KUBECTL` and `SEXTANT_HELM` when set, else `kubectl` and `helm` from `PATH`.
    #[must_use]
    pub fn from_env() -> Tools {
        let from = |variable: &str, default: &str| {
            std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from)
        };
        Tools { kubectl: from("SEXTANT_KUBECTL", "kubectl"), helm: from("SEXTANT_HELM", "helm") }
    }
}

/// Objects rendered, and the values that came from Secrets (to be masked wherever shown).
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The objects, in the tool's order.
    pub objects: Vec<Document>,
    /// Values substituted from Secrets. Never log or print them; mask them.
    pub secret_values: Vec<String>,
}

/// Plain YAML: every manifest under `path`.
///
/// # Errors
/// The first file that does not parse, named with its line.
pub fn plain(path: &Path) -> Result<Vec<Document>, RenderError> {
    Ok(manifests::load(&[path.to_owned()])?.into_iter().map(|sourced| sourced.object).collect())
}

/// `kubectl kustomize --load-restrictor LoadRestrictionsNone DIR`, as Flux runs Kustomize.
///
/// # Errors
/// The tool missing or failing (with its stderr), or output that is not objects.
pub fn kustomize(tools: &Tools, directory: &Path) -> Result<Vec<Document>, RenderError> {
    let output = kustomize_output(tools, directory)?;
    parse_output("kubectl kustomize", directory, &output)
}

fn kustomize_output(tools: &Tools, directory: &Path) -> Result<Vec<u8>, RenderError> {
    run(
        "kubectl kustomize",
        Command::new(&tools.kubectl)
            .arg("kustomize")
            .arg("--load-restrictor")
            .arg("LoadRestrictionsNone")
            .arg(directory),
        &tools.kubectl,
        directory,
    )
}

/// `helm template RELEASE CHART --namespace NS --values FILE`, with `values` written to a
/// temporary values file.
///
/// # Errors
/// The tool missing or failing (with its stderr), or output that is not objects.
pub fn helm_template(
    tools: &Tools,
    chart: &Path,
    release: &str,
    namespace: &str,
    values: &Value,
) -> Result<Vec<Document>, RenderError> {
    let directory = tempfile::tempdir()?;
    let values_file = directory.path().join("values.yaml");
    std::fs::write(&values_file, serde_json::to_string(values).unwrap_or_default())?;
    let output = run(
        "helm template",
        Command::new(&tools.helm)
            .arg("template")
            .arg(release)
            .arg(chart)
            .arg("--namespace")
            .arg(namespace)
            .arg("--values")
            .arg(&values_file),
        &tools.helm,
        chart,
    )?;
    parse_output("helm template", chart, &output)
}

/// Renders a Flux HelmRelease whose chart is a directory of the checkout (`chart_directory`),
/// with its inline `spec.values` (`valuesFrom` is not read).
///
/// # Errors
/// As [`helm_template`].
pub fn flux_helm_release(
    tools: &Tools,
    release: &KubeObject,
    chart_directory: &Path,
) -> Result<Vec<Document>, RenderError> {
    let name = release.str_at("/spec/releaseName").unwrap_or_else(|| release.name());
    let namespace = release
        .str_at("/spec/targetNamespace")
        .or_else(|| release.namespace())
        .unwrap_or("default");
    let values = release.at("/spec/values").map_or_else(|| json!({}), Json::to_value);
    helm_template(tools, chart_directory, name, namespace, &values)
}

/// Builds a Flux Kustomization from a checkout of its source at `source_root`, as
/// kustomize-controller does, then runs its `postBuild` substitution. `cluster_objects` supplies
/// the ConfigMaps and Secrets `substituteFrom` names (read from the cluster).
///
/// # Errors
/// A bad spec, a missing non-optional substitution source, or Kustomize failing.
pub fn flux_kustomization(
    tools: &Tools,
    kustomization: &KubeObject,
    source_root: &Path,
    cluster_objects: &[KubeObject],
) -> Result<Rendered, RenderError> {
    let label = format!(
        "Kustomization {}/{}",
        kustomization.namespace().unwrap_or("default"),
        kustomization.name()
    );
    let path = kustomization.str_at("/spec/path").unwrap_or("./");
    let directory = source_root.join(path.trim_start_matches("./"));
    if !directory.is_dir() {
        return Err(RenderError::BadSpec {
            object: label,
            message: format!("spec.path {path} is not a directory of {}", source_root.display()),
        });
    }
    let overlay = tempfile::tempdir()?;
    let resources = if directory.join("kustomization.yaml").exists()
        || directory.join("kustomization.yml").exists()
        || directory.join("Kustomization").exists()
    {
        // Kustomize takes another kustomization root only by a relative path.
        vec![relative_path(overlay.path(), &directory)?.display().to_string()]
    } else {
        // Flux generates a kustomization.yaml listing every manifest under the path; a
        // subdirectory with its own kustomization.yaml is listed as a directory instead.
        generated_resources(overlay.path(), &directory)?
    };
    let mut overlay_spec = Map::new();
    overlay_spec.insert("apiVersion".to_owned(), json!("kustomize.config.k8s.io/v1beta1"));
    overlay_spec.insert("kind".to_owned(), json!("Kustomization"));
    overlay_spec.insert("resources".to_owned(), json!(resources));
    let copy = |from: &str, to: &str, overlay_spec: &mut Map<String, Value>| {
        if let Some(value) = kustomization.at(from) {
            overlay_spec.insert(to.to_owned(), value.to_value());
        }
    };
    copy("/spec/targetNamespace", "namespace", &mut overlay_spec);
    copy("/spec/namePrefix", "namePrefix", &mut overlay_spec);
    copy("/spec/nameSuffix", "nameSuffix", &mut overlay_spec);
    copy("/spec/images", "images", &mut overlay_spec);
    copy("/spec/patches", "patches", &mut overlay_spec);
    if let Some(components) = kustomization.at("/spec/components").and_then(Json::as_array) {
        let components: Vec<String> = components
            .iter()
            .filter_map(Json::as_str)
            .map(|component| directory.join(component).display().to_string())
            .collect();
        overlay_spec.insert("components".to_owned(), json!(components));
    }
    std::fs::write(
        overlay.path().join("kustomization.yaml"),
        serde_json::to_string(&Value::Object(overlay_spec)).unwrap_or_default(),
    )?;
    let built = kustomize_output(tools, overlay.path()).map_err(|error| match error {
        RenderError::ToolFailed { tool, stderr, .. } => {
            RenderError::ToolFailed { tool, target: directory.clone(), stderr }
        }
        other => other,
    })?;
    let (variables, secret_values) =
        substitution_variables(kustomization, &label, cluster_objects)?;
    let text = String::from_utf8_lossy(&built);
    let mut objects = Vec::new();
    // Substitution works on Kustomize's YAML text, document by document, as Flux's does: a
    // quoted "${var}" stays a string, an unquoted ${var} may become a number.
    for document in split_documents(&text) {
        let parsed = parse_output("kubectl kustomize", &directory, document.as_bytes())?;
        let substitute = kustomization.at("/spec/postBuild").is_some()
            && !parsed.iter().any(|object| {
                object.str_at("/metadata/annotations/kustomize.toolkit.fluxcd.io~1substitute")
                    == Some("disabled")
            });
        if !substitute {
            objects.extend(parsed);
            continue;
        }
        let substituted = substitute_text(document, &variables)
            .map_err(|message| RenderError::BadSpec { object: label.clone(), message })?;
        objects.extend(manifests::parse_text(&substituted).map_err(|error| {
            RenderError::BadSpec {
                object: label.clone(),
                message: format!(
                    "the build is not valid YAML after substitution: {}",
                    error.message
                ),
            }
        })?);
    }
    Ok(Rendered { objects, secret_values })
}

/// The variables of `postBuild`: `substituteFrom` sources in order (a later one overrides an
/// earlier one), then the inline `substitute`, which wins.
fn substitution_variables(
    kustomization: &KubeObject,
    label: &str,
    cluster_objects: &[KubeObject],
) -> Result<(BTreeMap<String, String>, Vec<String>), RenderError> {
    let mut variables = BTreeMap::new();
    let mut secret_values = Vec::new();
    let namespace = kustomization.namespace().unwrap_or("default");
    for source in kustomization.array_at("/spec/postBuild/substituteFrom") {
        let text = |key: &str| source.get(key).and_then(Json::as_str).unwrap_or_default();
        let (kind, name) = (text("kind"), text("name"));
        let optional = source.get("optional").and_then(Json::as_bool) == Some(true);
        let found = cluster_objects.iter().find(|object| {
            object.group().is_empty()
                && object.kind() == kind
                && object.name() == name
                && object.namespace() == Some(namespace)
        });
        let Some(found) = found else {
            if optional {
                continue;
            }
            return Err(RenderError::MissingSubstituteSource {
                object: label.to_owned(),
                kind: kind.to_owned(),
                namespace: namespace.to_owned(),
                name: name.to_owned(),
            });
        };
        let data = found.at("/data").and_then(Json::as_object).into_iter().flatten();
        for (key, value) in data {
            let value = if kind == "Secret" {
                let bytes = decode_secret_value(&value.to_value()).unwrap_or_default();
                let value = String::from_utf8_lossy(&bytes).into_owned();
                if !value.is_empty() {
                    secret_values.push(value.clone());
                }
                value
            } else {
                value.as_str().unwrap_or_default().to_owned()
            };
            variables.insert(key.to_string(), value);
        }
    }
    if let Some(inline) = kustomization.at("/spec/postBuild/substitute").and_then(Json::as_object) {
        for (key, value) in inline {
            variables.insert(
                key.to_string(),
                value.as_str().map_or_else(|| value.to_string(), str::to_owned),
            );
        }
    }
    Ok((variables, secret_values))
}

/// Bash-style substitution: `${name}` and `${name:=default}`; `$$` escapes a `$`; an unset
/// variable without a default becomes empty (Flux's default, non-strict mode).
pub fn substitute_text(text: &str, variables: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
            continue;
        }
        let Some(body) = after.strip_prefix('{') else {
            out.push('$');
            rest = after;
            continue;
        };
        let end = body.find('}').ok_or_else(|| {
            format!(
                "unterminated variable reference `${{{}`",
                body.lines().next().unwrap_or_default()
            )
        })?;
        let expression = &body[..end];
        let (name, default) = match expression.split_once(":=") {
            Some((name, default)) => (name, Some(default)),
            None => (expression, None),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`${{{expression}}}` is not a variable reference Flux accepts"));
        }
        match variables.get(name) {
            Some(value) => out.push_str(value),
            None => out.push_str(default.unwrap_or_default()),
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The documents of a YAML stream, split at `---` lines.
fn split_documents(text: &str) -> Vec<&str> {
    let mut documents = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            documents.push(&text[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    documents.push(&text[start..]);
    documents.into_iter().filter(|document| !document.trim().is_empty()).collect()
}

/// `to` relative to the directory `from` (both made absolute first).
/// The resources of the kustomization.yaml Flux generates for `directory` (relative to the
/// overlay in `overlay`): every manifest file, except that a subdirectory holding a
/// kustomization file is one resource and is not descended into, as kustomize-controller's
/// generator does.
fn generated_resources(overlay: &Path, directory: &Path) -> Result<Vec<String>, RenderError> {
    let mut resources = Vec::new();
    let mut pending = vec![directory.to_owned()];
    while let Some(current) = pending.pop() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(&current)?.filter_map(Result::ok).map(|entry| entry.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if KUSTOMIZATION_FILES.iter().any(|name| path.join(name).exists()) {
                    resources.push(relative_path(overlay, &path)?.display().to_string());
                } else {
                    pending.push(path);
                }
            } else if path
                .extension()
                .and_then(|extension| extension.to_str())
                .is_some_and(|extension| matches!(extension, "yaml" | "yml" | "json"))
            {
                resources.push(relative_path(overlay, &path)?.display().to_string());
            }
        }
    }
    resources.sort();
    Ok(resources)
}

const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn relative_path(from: &Path, to: &Path) -> std::io::Result<PathBuf> {
    let from = from.canonicalize()?;
    let to = to.canonicalize()?;
    let from_parts: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_parts.iter().zip(&to_parts).take_while(|(left, right)| left == right).count();
    let mut relative = PathBuf::new();
    for _ in common..from_parts.len() {
        relative.push("..");
    }
    for part in &to_parts[common..] {
        relative.push(part);
    }
    Ok(relative)
}

fn run(
    tool: &'static str,
    command: &mut Command,
    program: &Path,
    target: &Path,
) -> Result<Vec<u8>, RenderError> {
    let output = command.output().map_err(|source| RenderError::ToolMissing {
        tool,
        path: program.display().to_string(),
        source,
    })?;
    if !output.status.success() {
        return Err(RenderError::ToolFailed {
            tool,
            target: target.to_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(output.stdout)
}

fn parse_output(
    tool: &'static str,
    target: &Path,
    output: &[u8],
) -> Result<Vec<Document>, RenderError> {
    let text = String::from_utf8_lossy(output);
    manifests::parse_text(&text).map_err(|error| RenderError::BadOutput {
        tool,
        target: target.to_owned(),
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_follows_flux() {
        let variables: BTreeMap<String, String> =
            [("registry".to_owned(), "registry.example".to_owned())].into();
        assert_eq!(
            substitute_text(
                "image: ${registry}/app and ${tier:=web} $${literal} $HOME",
                &variables
            )
            .unwrap(),
            "image: registry.example/app and web ${literal} $HOME"
        );
        assert_eq!(substitute_text("x: ${missing}", &variables).unwrap(), "x: ");
        assert!(substitute_text("x: ${bad-name}", &variables).is_err());
        assert!(substitute_text("x: ${open", &variables).is_err());
    }
}
