//! The built-in demo platform: files under `assets/demo/`, embedded in the binary and read
//! through the same parsers as live data (the Vault role and identity readers of [`crate::vault`],
//! the control-interface reply parser of [`crate::nats`]), so the demo exercises the real paths.
//!
//! A file that does not parse becomes a problem on the platform, naming the file; the rest of
//! the demo still loads.

use include_dir::{Dir, include_dir};
use serde::Deserialize;
use serde_json::Value;
use sextant_domain::{
    object::{Document, KubeObject},
    platform::{ClusterSnapshot, ClusterState, Platform, SourceRepository},
    vault::{Flavor, PolicySource, VaultSnapshot},
    wasmcloud::{HostInventory, LatticeSnapshot, Link},
};

use crate::{nats, vault};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../assets/demo");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlatformFile {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    clusters: Vec<ClusterEntry>,
    #[serde(default)]
    vault: Option<VaultEntry>,
    /// The moment the recorded objects describe (RFC 3339).
    #[serde(default)]
    as_of: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClusterEntry {
    name: String,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    kubernetes_version: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VaultEntry {
    address: String,
    #[serde(default)]
    flavor: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

/// Loads the embedded demo platform.
#[must_use]
pub fn load() -> Platform {
    load_from(&DEMO)
}

/// The demo's drift pairs (`assets/demo/drift/`): desired objects as rendered from Git, and
/// live objects as an API server returns them.
///
/// # Errors
/// When a file is missing or does not parse (a bug in the embedded demo).
pub fn drift_pairs() -> Result<(Vec<Document>, Vec<Document>), String> {
    let read = |name: &str| {
        let text = DEMO
            .get_file(format!("drift/{name}"))
            .and_then(|file| file.contents_utf8())
            .ok_or_else(|| format!("assets/demo/drift/{name} is missing"))?;
        parse_manifests(text)
            .map(|objects| objects.iter().map(KubeObject::to_document).collect())
            .map_err(|error| format!("assets/demo/drift/{name} does not parse: {error}"))
    };
    Ok((read("desired.yaml")?, read("live.yaml")?))
}

/// Loads a demo platform laid out like `assets/demo/` from `root`.
#[must_use]
pub fn load_from(root: &Dir<'_>) -> Platform {
    let mut problems = Vec::new();
    let manifest = root
        .get_file("platform.yaml")
        .and_then(|file| file.contents_utf8())
        .map(serde_norway::from_str::<PlatformFile>);
    let manifest = match manifest {
        Some(Ok(manifest)) => manifest,
        Some(Err(error)) => {
            problems.push(format!("assets/demo/platform.yaml does not parse: {error}"));
            PlatformFile {
                name: "Demo".into(),
                description: None,
                clusters: Vec::new(),
                vault: None,
                as_of: None,
            }
        }
        None => {
            problems.push("assets/demo/platform.yaml is missing".to_owned());
            PlatformFile {
                name: "Demo".into(),
                description: None,
                clusters: Vec::new(),
                vault: None,
                as_of: None,
            }
        }
    };
    let clusters = manifest
        .clusters
        .iter()
        .map(|entry| ClusterSnapshot {
            name: entry.name.clone(),
            environment: entry.environment.clone(),
            kubernetes_version: entry.kubernetes_version.clone(),
            state: ClusterState::Ready,
            message: None,
            objects: root
                .get_dir(format!("clusters/{}", entry.name))
                .map(|dir| read_objects(dir, &mut problems))
                .unwrap_or_default(),
            ..ClusterSnapshot::default()
        })
        .collect();
    let vault = manifest.vault.map(|entry| read_vault(root, &entry, &mut problems));
    let lattice = root.get_dir("lattice").map(|dir| read_lattice(dir, &mut problems));
    let repositories =
        root.get_dir("git").map(|dir| create_repositories(dir, &mut problems)).unwrap_or_default();
    Platform {
        name: manifest.name,
        description: manifest.description,
        clusters,
        vault,
        lattice,
        repositories,
        problems,
        as_of: manifest.as_of.as_deref().and_then(sextant_domain::vault::parse::parse_rfc3339),
    }
}

/// Creates (or finds, when cached) a repository for each folder under `git/`, and reads it back.
fn create_repositories(dir: &Dir<'_>, problems: &mut Vec<String>) -> Vec<SourceRepository> {
    let cache = dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("sextant/demo-git");
    dir.dirs()
        .filter_map(|repository| {
            let name = repository.path().file_name()?.to_string_lossy().into_owned();
            match crate::git::materialize(repository, &name, &cache) {
                Ok(head) => Some(SourceRepository {
                    name,
                    location: head.path.display().to_string(),
                    head: head.head,
                    files: head.files,
                }),
                Err(error) => {
                    problems.push(format!("the demo's {name} repository: {error}; check that the cache directory is writable"));
                    None
                }
            }
        })
        .collect()
}

fn files_recursive<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(files_recursive(sub));
    }
    files.sort_by_key(|file| file.path());
    files
}

fn read_objects(dir: &Dir<'_>, problems: &mut Vec<String>) -> Vec<KubeObject> {
    let mut objects = Vec::new();
    for file in files_recursive(dir) {
        let path = file.path().display();
        let Some(text) = file.contents_utf8() else { continue };
        match parse_manifests(text) {
            Ok(found) => objects.extend(found),
            Err(error) => problems.push(format!("assets/demo/{path}: {error}")),
        }
    }
    objects
}

/// Every object in a YAML stream (documents separated by `---`), with `List` kinds flattened.
pub fn parse_manifests(text: &str) -> Result<Vec<KubeObject>, serde_norway::Error> {
    let mut objects = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let value = Value::deserialize(document)?;
        match value {
            Value::Null => {}
            Value::Object(ref map) if map.get("kind").and_then(Value::as_str) == Some("List") => {
                if let Some(items) = map.get("items").and_then(Value::as_array) {
                    objects.extend(items.iter().cloned().map(KubeObject::new));
                }
            }
            other => objects.push(KubeObject::new(other)),
        }
    }
    Ok(objects)
}

fn read_vault(root: &Dir<'_>, entry: &VaultEntry, problems: &mut Vec<String>) -> VaultSnapshot {
    let mut snapshot = VaultSnapshot {
        address: entry.address.clone(),
        flavor: if entry.flavor.as_deref() == Some("vault") {
            Flavor::Vault
        } else {
            Flavor::OpenBao
        },
        version: entry.version.clone(),
        ..VaultSnapshot::default()
    };
    if let Some(policies) = root.get_dir("vault/policies") {
        for file in files_recursive(policies) {
            let path = file.path();
            let Some(name) = path.file_stem().and_then(|stem| stem.to_str()) else { continue };
            match file.contents_utf8() {
                Some(text) => snapshot
                    .policies
                    .push(PolicySource { name: name.to_owned(), text: text.to_owned() }),
                None => problems.push(format!("assets/demo/{} is not UTF-8", path.display())),
            }
        }
    }
    if let Some(auth) = root.get_dir("vault/auth") {
        for file in files_recursive(auth) {
            match file.contents_utf8().map(serde_json::from_str::<Value>) {
                Some(Ok(mount)) => {
                    snapshot.auth_roles.extend(vault::auth_roles_from_mount_file(&mount));
                }
                Some(Err(error)) => {
                    problems.push(format!("assets/demo/{}: {error}", file.path().display()));
                }
                None => {}
            }
        }
    }
    for (file, target) in [
        ("vault/identity/groups.json", &mut snapshot.groups),
        ("vault/identity/entities.json", &mut snapshot.entities),
    ] {
        if let Some(text) = root.get_file(file).and_then(|file| file.contents_utf8()) {
            match serde_json::from_str::<Vec<Value>>(text) {
                Ok(items) => target.extend(items.iter().filter_map(vault::identity_from_data)),
                Err(error) => problems.push(format!("assets/demo/{file}: {error}")),
            }
        }
    }
    snapshot
}

/// Rebuilds a lattice from recorded control-interface exchanges (`shared/fixtures/wasmcloud`
/// format): every `host.get` reply is a host inventory and every `link.get` reply a link list.
fn read_lattice(dir: &Dir<'_>, problems: &mut Vec<String>) -> LatticeSnapshot {
    let mut lattice =
        LatticeSnapshot { lattice: "default".to_owned(), ..LatticeSnapshot::default() };
    for file in files_recursive(dir) {
        let Some(Ok(recording)) = file.contents_utf8().map(serde_json::from_str::<Value>) else {
            problems.push(format!("assets/demo/{} is not a JSON recording", file.path().display()));
            continue;
        };
        let Some(exchanges) = recording.get("exchanges").and_then(Value::as_object) else {
            continue;
        };
        for exchange in exchanges.values() {
            let subject = exchange.get("subject").and_then(Value::as_str).unwrap_or_default();
            let Some(reply) = exchange.get("reply") else { continue };
            let Some((name, operation)) = nats::split_ctl_subject(subject) else { continue };
            name.clone_into(&mut lattice.lattice);
            let outcome = match operation {
                operation if operation.starts_with("host.get.") => {
                    nats::parse_ctl_reply::<HostInventory>(reply).map(|host| {
                        lattice.hosts.retain(|known| known.host_id != host.host_id);
                        lattice.hosts.push(host);
                    })
                }
                "link.get" => {
                    nats::parse_ctl_reply::<Vec<Link>>(reply).map(|links| lattice.links = links)
                }
                _ => Ok(()),
            };
            if let Err(error) = outcome {
                problems.push(format!("assets/demo/{}: {subject}: {error}", file.path().display()));
            }
        }
    }
    lattice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_split_documents_and_flatten_lists() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n";
        let names: Vec<_> =
            parse_manifests(text).unwrap().iter().map(|object| object.name().to_owned()).collect();
        assert_eq!(names, vec!["a", "b"]);
    }

    #[test]
    fn the_embedded_demo_loads_without_problems() {
        let platform = load();
        assert!(platform.problems.is_empty(), "demo problems: {:?}", platform.problems);
        // assets/demo/git holds two repositories; each is created as a real one with one commit.
        let mut repositories: Vec<_> = platform
            .repositories
            .iter()
            .map(|repository| (repository.name.as_str(), repository.head.len()))
            .collect();
        repositories.sort_unstable();
        assert_eq!(repositories, vec![("northwind-argo", 40), ("northwind-fleet", 40)]);
        let lattice = platform.lattice.expect("the demo has a lattice");
        // Values from shared/fixtures/wasmcloud/v1-with-wadm-app.json, read by hand.
        assert_eq!(lattice.hosts.len(), 1);
        assert_eq!(
            lattice.hosts[0].host_id,
            "ND36624V6P3DMD4YJWZIUMU62IA76VDRRETPKXWVVA2C3O6JJIYZ556X"
        );
        assert!(
            lattice
                .links
                .iter()
                .any(|link| link.source_id == "cockpit_demo-empty" && link.wit_package == "http")
        );
    }
}
