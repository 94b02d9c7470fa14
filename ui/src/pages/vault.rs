//! Vault or OpenBao: policies, auth roles and identities.

use leptos::prelude::*;
use sextant_protocol::vault::{GetVaultInventory, VaultInventory};

use crate::{
    components::{Badge, DataTable, Empty, Stat},
    ipc,
    pages::loaded,
    state::use_app_state,
    view_model::{Cell, Row, Tone},
};

/// The Vault page.
#[component]
pub(crate) fn VaultPage() -> impl IntoView {
    let state = use_app_state();
    let inventory = ipc::resource(state.refresh, || GetVaultInventory {});
    loaded(inventory, |inventory: VaultInventory| {
        let Some(server) = inventory.server.clone() else {
            return view! {
                <div class="page-head"><h1>"Vault permissions"</h1></div>
                <Empty title="No Vault or OpenBao server" hint="Set VAULT_ADDR and VAULT_TOKEN (or BAO_ADDR and BAO_TOKEN), then switch to Live; or switch to the demo platform."/>
            }
            .into_any();
        };
        let policies = inventory
            .policies
            .iter()
            .map(|policy| Row {
                key: policy.name.clone(),
                cells: vec![
                    Cell::Code(policy.name.clone()),
                    Cell::Text(policy.paths.to_string()),
                    match &policy.error {
                        Some(error) => Cell::Badge(error.clone(), Tone::Bad),
                        None => Cell::Badge("parsed".into(), Tone::Good),
                    },
                ],
            })
            .collect();
        let roles = inventory
            .auth_roles
            .iter()
            .map(|role| Row {
                key: format!("{}{}", role.mount, role.name),
                cells: vec![
                    Cell::Code(format!("auth/{}", role.mount)),
                    Cell::Text(role.method.clone()),
                    Cell::Code(role.name.clone()),
                    Cell::Code(role.policies.join(", ")),
                    Cell::Text(role.bound.join("; ")),
                ],
            })
            .collect();
        let identities = inventory
            .groups
            .iter()
            .map(|group| ("group", group))
            .chain(inventory.entities.iter().map(|entity| ("entity", entity)))
            .map(|(kind, identity)| Row {
                key: format!("{kind}/{}", identity.name),
                cells: vec![
                    Cell::Text(kind.into()),
                    Cell::Code(identity.name.clone()),
                    Cell::Code(identity.policies.join(", ")),
                ],
            })
            .collect();
        view! {
            <div class="page-head">
                <h1>"Vault permissions"</h1>
                <p class="muted"><code>{server.address}</code>" · "{server.flavor}" "{server.version.unwrap_or_default()}" "
                    <Badge text=if server.sealed { "sealed" } else { "unsealed" } tone=if server.sealed { Tone::Bad } else { Tone::Good }/>
                </p>
            </div>
            {(!inventory.problems.is_empty()).then(|| view! {
                <div class="error-panel" role="alert"><strong>"Partly read"</strong>
                    <ul>{inventory.problems.iter().map(|problem| view! { <li>{problem.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            <div class="stats">
                <Stat label="policies" value=inventory.policies.len() testid="vault-policies-total"/>
                <Stat label="auth roles" value=inventory.auth_roles.len() testid="vault-roles-total"/>
                <Stat label="groups" value=inventory.groups.len() testid="vault-groups-total"/>
                <Stat label="entities" value=inventory.entities.len() testid="vault-entities-total"/>
            </div>
            <DataTable title="ACL policies" headers=&["Policy", "Path rules", "Parse"] rows=policies testid="vault-policies" empty_hint="No ACL policy could be read."/>
            <DataTable title="Auth roles" headers=&["Mount", "Method", "Role", "Policies", "Bound to"] rows=roles testid="vault-roles" empty_hint="No auth role could be read."/>
            <DataTable title="Identities" headers=&["Kind", "Name", "Policies"] rows=identities testid="vault-identities" empty_hint="No identity group or entity could be read."/>
        }
        .into_any()
    })
}
