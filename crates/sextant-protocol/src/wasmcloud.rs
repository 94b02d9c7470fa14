//! The wasmCloud lattice: hosts, components, providers and links.

use serde::{Deserialize, Serialize};

use crate::Command;

/// Asks for the lattice of the active source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetLattice {}

impl Command for GetLattice {
    const NAME: &'static str = "get_lattice";
    type Response = Lattice;
}

/// A lattice as its hosts report it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lattice {
    /// The lattice's name, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lattice: Option<String>,
    /// Hosts.
    pub hosts: Vec<HostRow>,
    /// Components, one row per host they run on.
    pub components: Vec<ComponentRow>,
    /// Providers, one row per host they run on.
    pub providers: Vec<ProviderRow>,
    /// Links.
    pub links: Vec<LinkRow>,
}

/// A host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostRow {
    /// The host's public key.
    pub id: String,
    /// Its friendly name.
    pub name: String,
    /// The host's version.
    pub version: String,
    /// Its labels, sorted by key.
    pub labels: Vec<(String, String)>,
    /// Seconds since it started.
    pub uptime_seconds: u64,
}

/// A component on a host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentRow {
    /// The component's id.
    pub id: String,
    /// Its image reference.
    pub image_ref: String,
    /// The host it runs on.
    pub host_id: String,
    /// Its instance count on that host.
    pub count: u64,
}

/// A provider on a host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderRow {
    /// The provider's id.
    pub id: String,
    /// Its image reference.
    pub image_ref: String,
    /// The host it runs on.
    pub host_id: String,
}

/// A link between a source and a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRow {
    /// The source component or provider.
    pub source_id: String,
    /// The target component or provider.
    pub target: String,
    /// The link's name.
    pub name: String,
    /// `namespace:package`, e.g. `wasi:http`.
    pub wit: String,
    /// The interfaces.
    pub interfaces: Vec<String>,
    /// Why this link cannot work, when it cannot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}
