//! The wasmCloud lattice.

use leptos::prelude::*;
use sextant_protocol::wasmcloud::{GetLattice, Lattice};

use crate::{
    components::{DataTable, Empty, Stat},
    ipc,
    pages::loaded,
    state::use_app_state,
    view_model::{Cell, Row, Tone},
};

/// The lattice page.
#[component]
pub(crate) fn LatticePage() -> impl IntoView {
    let state = use_app_state();
    let lattice = ipc::resource(state.refresh, || GetLattice {});
    loaded(lattice, |lattice: Lattice| {
        let Some(name) = lattice.lattice.clone() else {
            return view! {
                <div class="page-head"><h1>"wasmCloud lattice"</h1></div>
                <Empty title="No lattice" hint="Set NATS_URL (and SEXTANT_LATTICE) to a NATS server with wasmCloud hosts, then switch to Live; or switch to the demo platform."/>
            }
            .into_any();
        };
        let short =
            |id: &str| if id.len() > 12 { format!("{}…", &id[..12]) } else { id.to_owned() };
        let hosts = lattice
            .hosts
            .iter()
            .map(|host| Row {
                key: host.id.clone(),
                cells: vec![
                    Cell::Code(host.name.clone()),
                    Cell::Code(short(&host.id)),
                    Cell::Text(host.version.clone()),
                    Cell::Text(
                        host.labels
                            .iter()
                            .map(|(key, value)| format!("{key}={value}"))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    Cell::Text(format!("{} s", host.uptime_seconds)),
                ],
            })
            .collect();
        let workloads = lattice
            .components
            .iter()
            .map(|component| Row {
                key: format!("c/{}/{}", component.host_id, component.id),
                cells: vec![
                    Cell::Text("component".into()),
                    Cell::Code(component.id.clone()),
                    Cell::Code(component.image_ref.clone()),
                    Cell::Code(short(&component.host_id)),
                    Cell::Text(component.count.to_string()),
                ],
            })
            .chain(lattice.providers.iter().map(|provider| Row {
                key: format!("p/{}/{}", provider.host_id, provider.id),
                cells: vec![
                    Cell::Text("provider".into()),
                    Cell::Code(provider.id.clone()),
                    Cell::Code(provider.image_ref.clone()),
                    Cell::Code(short(&provider.host_id)),
                    Cell::Text("–".into()),
                ],
            }))
            .collect();
        let links = lattice
            .links
            .iter()
            .map(|link| Row {
                key: format!("{}/{}/{}/{}", link.source_id, link.target, link.name, link.wit),
                cells: vec![
                    Cell::Code(link.source_id.clone()),
                    Cell::Code(link.target.clone()),
                    Cell::Code(format!("{}/{}", link.wit, link.interfaces.join(","))),
                    Cell::Text(link.name.clone()),
                    if link.problems.is_empty() {
                        Cell::Badge("ok".into(), Tone::Good)
                    } else {
                        Cell::Badge(link.problems.join("; "), Tone::Bad)
                    },
                ],
            })
            .collect();
        let problems = lattice.links.iter().filter(|link| !link.problems.is_empty()).count();
        view! {
            <div class="page-head"><h1>"wasmCloud lattice"</h1><p class="muted">"Lattice "<code>{name}</code>": hosts, what runs on them, and the links between components and providers."</p></div>
            <div class="stats">
                <Stat label="hosts" value=lattice.hosts.len() testid="lattice-hosts-total"/>
                <Stat label="components" value=lattice.components.len() testid="lattice-components-total"/>
                <Stat label="providers" value=lattice.providers.len() testid="lattice-providers-total"/>
                <Stat label="links" value=lattice.links.len() testid="lattice-links-total"/>
                <Stat label="link problems" value=problems tone=Tone::Bad testid="lattice-problems-total"/>
            </div>
            <DataTable title="Links" headers=&["Source", "Target", "Interface", "Name", "Problems"] rows=links testid="lattice-links" empty_hint="No link is defined."/>
            <DataTable title="Components and providers" headers=&["Type", "Id", "Image", "Host", "Count"] rows=workloads testid="lattice-workloads" empty_hint="Nothing runs on any host."/>
            <DataTable title="Hosts" headers=&["Name", "Id", "Version", "Labels", "Uptime"] rows=hosts testid="lattice-hosts" empty_hint="No host answered."/>
        }
        .into_any()
    })
}
