//! Gateway API objects: classes, gateways and their listeners, routes.

use serde::{Deserialize, Serialize};

use crate::{Command, ObjectRef};

/// Asks for the Gateway API objects of one cluster, or of every cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListRoutes {
    /// Only this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

impl Command for ListRoutes {
    const NAME: &'static str = "list_routes";
    type Response = RouteInventory;
}

/// Gateway API objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteInventory {
    /// GatewayClasses.
    pub gateway_classes: Vec<GatewayClassRow>,
    /// Gateways with their listeners.
    pub gateways: Vec<GatewayRow>,
    /// Routes of every kind.
    pub routes: Vec<RouteRow>,
    /// Services that routes may point at.
    pub services: usize,
}

/// A GatewayClass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayClassRow {
    /// The class object.
    pub object: ObjectRef,
    /// `spec.controllerName`.
    pub controller: String,
}

/// A Gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayRow {
    /// The Gateway object.
    pub object: ObjectRef,
    /// `spec.gatewayClassName`.
    pub class: String,
    /// The listeners.
    pub listeners: Vec<ListenerRow>,
    /// The `Accepted` condition's status as written, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
}

/// A Gateway listener.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListenerRow {
    /// The listener's name.
    pub name: String,
    /// `HTTP`, `HTTPS`, `TLS`, `TCP` or `UDP`.
    pub protocol: String,
    /// The port.
    pub port: u16,
    /// The hostname, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `status.listeners[].attachedRoutes` as written, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_routes: Option<u64>,
}

/// A route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRow {
    /// The route object; its kind is `HTTPRoute`, `GRPCRoute`, ….
    pub object: ObjectRef,
    /// The parents it names, as `namespace/name[/section]`.
    pub parents: Vec<String>,
    /// `spec.hostnames`.
    pub hostnames: Vec<String>,
    /// The number of rules.
    pub rules: usize,
    /// Whether every parent's `Accepted` condition in the written status is true, when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    /// The reason of the first condition that is not true, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
