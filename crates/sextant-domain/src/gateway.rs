//! Gateway API: classes, gateways and listeners, routes, and the status written on them.
//!
//! Two analyzers live here, both pure:
//! - [`status`] computes what a conformant controller would write on every route, listener and
//!   Gateway, plus what no controller writes (dangling parents, stale status, unreadable kinds),
//!   as coded [`Diagnostic`]s;
//! - [`explain`] answers "which listener, route, rule and backend serve this request?" with the
//!   precedence of the spec and a human trace;
//! - [`graph`] draws the same analysis as a traffic graph for the view, with the path of an
//!   explained request.
//!
//! Both take untyped [`KubeObject`]s and apply the API server's defaults themselves, because
//! manifests read from files were never defaulted.

use crate::json::Json;

use crate::object::{KubeObject, conditions_of};

pub mod explain;
pub mod graph;
pub mod hostname;
pub mod model;
pub mod status;

pub use explain::{Explanation, Request, RouteTable};
pub use graph::{TrafficGraph, lit_path, traffic_graph};
pub use status::{Diagnostic, Severity, StatusReport};

/// Computes the status report for `objects`. `unreadable` names the kinds the caller could not
/// read (no permission): answers depending on them are reported as unknown, not absent.
#[must_use]
pub fn gateway_status(objects: &[KubeObject], unreadable: &[&str]) -> StatusReport {
    status::analyze(&model::World::build(objects, unreadable)).report
}

/// Explains one request against `objects`. To explain many requests, build a [`RouteTable`]
/// once and call [`RouteTable::explain`].
#[must_use]
pub fn explain_request(
    objects: &[KubeObject],
    unreadable: &[&str],
    request: &Request,
) -> Explanation {
    RouteTable::build(objects, unreadable).explain(request)
}

/// The Gateway API group.
pub const GROUP: &str = "gateway.networking.k8s.io";
/// Every route kind, in the order the views list them.
pub const ROUTE_KINDS: [&str; 5] = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

/// A Gateway listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its protocol.
    pub protocol: &'a str,
    /// Its port.
    pub port: u16,
    /// Its hostname.
    pub hostname: Option<&'a str>,
    /// `attachedRoutes` as written in status.
    pub attached_routes: Option<u64>,
}

/// The listeners of a Gateway, with the `attachedRoutes` written in its status.
#[must_use]
pub fn listeners(gateway: &KubeObject) -> Vec<Listener<'_>> {
    let statuses = gateway.array_at("/status/listeners");
    gateway
        .array_at("/spec/listeners")
        .iter()
        .filter_map(|listener| {
            let name = listener.get("name")?.as_str()?;
            let attached_routes = statuses
                .iter()
                .find(|status| status.get("name").and_then(Json::as_str) == Some(name))
                .and_then(|status| status.get("attachedRoutes")?.as_u64());
            Some(Listener {
                name,
                protocol: listener.get("protocol").and_then(Json::as_str).unwrap_or_default(),
                port: listener
                    .get("port")
                    .and_then(Json::as_u64)
                    .and_then(|port| u16::try_from(port).ok())
                    .unwrap_or_default(),
                hostname: listener.get("hostname").and_then(Json::as_str),
                attached_routes,
            })
        })
        .collect()
}

/// Whether `object` is a Gateway API route.
#[must_use]
pub fn is_route(object: &KubeObject) -> bool {
    object.group() == GROUP && ROUTE_KINDS.contains(&object.kind())
}

/// The parents a route names, as `namespace/name[/section]`, defaulting the namespace to the
/// route's own.
#[must_use]
pub fn route_parents(route: &KubeObject) -> Vec<String> {
    route
        .array_at("/spec/parentRefs")
        .iter()
        .filter_map(|parent| {
            let name = parent.get("name")?.as_str()?;
            let namespace = parent
                .get("namespace")
                .and_then(Json::as_str)
                .or_else(|| route.namespace())
                .unwrap_or_default();
            Some(match parent.get("sectionName").and_then(Json::as_str) {
                Some(section) => format!("{namespace}/{name}/{section}"),
                None => format!("{namespace}/{name}"),
            })
        })
        .collect()
}

/// What the written route status says: whether every parent accepted the route, and the
/// reason of the first condition that is not `True`. `None` when no status was written.
#[must_use]
pub fn written_route_status(route: &KubeObject) -> Option<(bool, Option<String>)> {
    let parents = route.array_at("/status/parents");
    if parents.is_empty() {
        return None;
    }
    let mut first_failure = None;
    let mut all_accepted = true;
    for parent in parents {
        for condition in conditions_of(parent.get("conditions")) {
            if condition.status != "True" && first_failure.is_none() {
                first_failure = Some(format!("{}: {}", condition.type_, condition.reason));
            }
            if condition.type_ == "Accepted" && condition.status != "True" {
                all_accepted = false;
            }
        }
    }
    Some((all_accepted, first_failure))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parents_default_to_the_routes_namespace() {
        let route = KubeObject::new(
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"parentRefs": [{"name": "edge", "namespace": "infra", "sectionName": "https"}, {"name": "local"}]}}),
        );
        assert!(is_route(&route));
        assert_eq!(route_parents(&route), vec!["infra/edge/https", "shop/local"]);
    }

    #[test]
    fn a_rejected_parent_is_reported_with_its_reason() {
        let route = KubeObject::new(
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "web", "namespace": "shop"},
            "status": {"parents": [{"conditions": [
                {"type": "Accepted", "status": "False", "reason": "NotAllowedByListeners"},
                {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs"}]}]}}),
        );
        assert_eq!(
            written_route_status(&route),
            Some((false, Some("Accepted: NotAllowedByListeners".to_owned())))
        );
    }
}
