//! wasmCloud: hosts, components, providers and links, as the v1 control interface reports them.
//!
//! The types mirror the JSON the host sends (`shared/specs/wasmcloud.md`, and the recorded
//! replies in `shared/fixtures/wasmcloud/`), so replies deserialize into them directly.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

/// One host's inventory (`wasmbus.ctl.v1.<lattice>.host.get.<id>`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HostInventory {
    /// The host's public key.
    pub host_id: String,
    /// Its friendly name.
    #[serde(default)]
    pub friendly_name: String,
    /// Its labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Its version.
    #[serde(default)]
    pub version: String,
    /// Seconds since it started.
    #[serde(default)]
    pub uptime_seconds: u64,
    /// The components it runs.
    #[serde(default)]
    pub components: Vec<ComponentDescription>,
    /// The providers it runs.
    #[serde(default)]
    pub providers: Vec<ProviderDescription>,
}

/// A component on a host.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ComponentDescription {
    /// Its id.
    pub id: String,
    /// Its image reference.
    #[serde(default)]
    pub image_ref: String,
    /// Its annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Its instance count.
    #[serde(default)]
    pub max_instances: u64,
}

/// A provider on a host.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProviderDescription {
    /// Its id.
    pub id: String,
    /// Its image reference.
    #[serde(default)]
    pub image_ref: Option<String>,
    /// Its annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// A link (`link.get`), as stored in the lattice.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Link {
    /// The source component or provider.
    pub source_id: String,
    /// The target.
    pub target: String,
    /// The link's name.
    #[serde(default = "default_link_name")]
    pub name: String,
    /// The WIT namespace.
    pub wit_namespace: String,
    /// The WIT package.
    pub wit_package: String,
    /// The interfaces.
    #[serde(default)]
    pub interfaces: Vec<String>,
    /// Named configs for the source.
    #[serde(default)]
    pub source_config: Vec<String>,
    /// Named configs for the target.
    #[serde(default)]
    pub target_config: Vec<String>,
}

fn default_link_name() -> String {
    "default".to_owned()
}

/// A lattice as read: hosts with their inventories, and the links.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatticeSnapshot {
    /// The lattice's name.
    pub lattice: String,
    /// The hosts.
    pub hosts: Vec<HostInventory>,
    /// The links.
    pub links: Vec<Link>,
}

impl LatticeSnapshot {
    /// Why `link` cannot work: a source or target that runs nowhere in the lattice.
    #[must_use]
    pub fn link_problems(&self, link: &Link) -> Vec<String> {
        let running: HashSet<&str> = self
            .hosts
            .iter()
            .flat_map(|host| {
                host.components
                    .iter()
                    .map(|component| component.id.as_str())
                    .chain(host.providers.iter().map(|provider| provider.id.as_str()))
            })
            .collect();
        let mut problems = Vec::new();
        if !running.contains(link.source_id.as_str()) {
            problems.push(format!("source {} is not running on any host", link.source_id));
        }
        if !running.contains(link.target.as_str()) {
            problems.push(format!("target {} is not running on any host", link.target));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_to_nothing_running_has_problems() {
        let host: HostInventory = serde_json::from_str(
            r#"{"host_id": "N1", "components": [{"id": "web", "image_ref": "file:///w.wasm", "max_instances": 2}], "providers": []}"#,
        )
        .unwrap();
        let link: Link = serde_json::from_str(
            r#"{"source_id": "web", "target": "kv", "wit_namespace": "wasi", "wit_package": "keyvalue", "interfaces": ["store"]}"#,
        )
        .unwrap();
        let lattice = LatticeSnapshot {
            lattice: "default".into(),
            hosts: vec![host],
            links: vec![link.clone()],
        };
        assert_eq!(
            lattice.link_problems(&link),
            vec!["target kv is not running on any host".to_owned()]
        );
        assert_eq!(link.name, "default", "a link without a name is the default link");
    }
}
