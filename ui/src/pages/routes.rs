//! Gateway API objects.

use leptos::prelude::*;
use sextant_protocol::gateway::{ListRoutes, RouteInventory};

use crate::{
    components::{DataTable, Stat},
    ipc,
    pages::loaded,
    state::use_app_state,
    view_model::{Cell, Row, Tone},
};

/// The routes page.
#[component]
pub(crate) fn RoutesPage() -> impl IntoView {
    let state = use_app_state();
    let inventory =
        ipc::resource(state.refresh, move || ListRoutes { cluster: state.cluster.get() });
    loaded(inventory, |inventory: RouteInventory| {
        let not_accepted =
            inventory.routes.iter().filter(|route| route.accepted == Some(false)).count();
        let no_status = inventory.routes.iter().filter(|route| route.accepted.is_none()).count();
        let classes = inventory
            .gateway_classes
            .iter()
            .map(|class| Row {
                key: format!("{}/{}", class.object.cluster, class.object.name),
                cells: vec![
                    Cell::Text(class.object.cluster.clone()),
                    Cell::Code(class.object.name.clone()),
                    Cell::Code(class.controller.clone()),
                ],
            })
            .collect();
        let listeners = inventory
            .gateways
            .iter()
            .flat_map(|gateway| {
                gateway.listeners.iter().map(move |listener| Row {
                    key: format!(
                        "{}/{}/{}",
                        gateway.object.cluster,
                        gateway.object.display_name(),
                        listener.name
                    ),
                    cells: vec![
                        Cell::Text(gateway.object.cluster.clone()),
                        Cell::Code(gateway.object.display_name()),
                        Cell::Text(gateway.class.clone()),
                        Cell::Code(listener.name.clone()),
                        Cell::Text(format!("{} {}", listener.protocol, listener.port)),
                        Cell::Code(listener.hostname.clone().unwrap_or_else(|| "*".into())),
                        Cell::Text(
                            listener
                                .attached_routes
                                .map_or_else(|| "–".into(), |count| count.to_string()),
                        ),
                    ],
                })
            })
            .collect();
        let routes = inventory
            .routes
            .iter()
            .map(|route| {
                let status = match route.accepted {
                    Some(true) if route.reason.is_none() => {
                        Cell::Badge("Accepted".into(), Tone::Good)
                    }
                    Some(true) => Cell::Badge(route.reason.clone().unwrap_or_default(), Tone::Warn),
                    Some(false) => Cell::Badge(
                        route.reason.clone().unwrap_or_else(|| "Not accepted".into()),
                        Tone::Bad,
                    ),
                    None => Cell::Badge("No status".into(), Tone::Neutral),
                };
                Row {
                    key: format!(
                        "{}/{}/{}",
                        route.object.cluster,
                        route.object.kind,
                        route.object.display_name()
                    ),
                    cells: vec![
                        Cell::Text(route.object.cluster.clone()),
                        Cell::Text(route.object.kind.clone()),
                        Cell::Code(route.object.display_name()),
                        Cell::Code(route.parents.join(", ")),
                        Cell::Code(route.hostnames.join(", ")),
                        Cell::Text(route.rules.to_string()),
                        status,
                    ],
                }
            })
            .collect();
        view! {
            <div class="page-head"><h1>"Gateway API routes"</h1><p class="muted">"GatewayClasses, Gateways and their listeners, and the routes that attach to them, with the status their controller wrote."</p></div>
            <div class="stats">
                <Stat label="gateway classes" value=inventory.gateway_classes.len() testid="routes-classes"/>
                <Stat label="gateways" value=inventory.gateways.len() testid="routes-gateways"/>
                <Stat label="routes" value=inventory.routes.len() testid="routes-total"/>
                <Stat label="not accepted" value=not_accepted tone=Tone::Bad testid="routes-not-accepted"/>
                <Stat label="no status" value=no_status tone=Tone::Warn testid="routes-no-status"/>
                <Stat label="services" value=inventory.services testid="routes-services"/>
            </div>
            <DataTable title="Routes" headers=&["Cluster", "Kind", "Name", "Parents", "Hostnames", "Rules", "Status"] rows=routes testid="routes-table" empty_hint="No HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute was found."/>
            <DataTable title="Listeners" headers=&["Cluster", "Gateway", "Class", "Listener", "Protocol", "Hostname", "Attached"] rows=listeners testid="listeners-table" empty_hint="No Gateway was found."/>
            <DataTable title="Gateway classes" headers=&["Cluster", "Name", "Controller"] rows=classes testid="classes-table" empty_hint="No GatewayClass was found."/>
        }
    })
}
