//! Admission policies and their report results.

use leptos::prelude::*;
use sextant_protocol::policy::{ListPolicies, PolicyEngine, PolicyInventory};

use crate::{
    components::{DataTable, Stat},
    ipc,
    pages::loaded,
    state::use_app_state,
    view_model::{Cell, Row, Tone, results_tone},
};

/// The policies page.
#[component]
pub(crate) fn PoliciesPage() -> impl IntoView {
    let state = use_app_state();
    let inventory =
        ipc::resource(state.refresh, move || ListPolicies { cluster: state.cluster.get() });
    loaded(inventory, |inventory: PolicyInventory| {
        let rows = inventory
            .policies
            .iter()
            .map(|policy| {
                let counts = policy.counts;
                let tone = results_tone(&counts);
                Row {
                    key: format!(
                        "{}/{}/{}",
                        policy.object.cluster,
                        policy.object.kind,
                        policy.object.display_name()
                    ),
                    cells: vec![
                        Cell::Text(policy.object.cluster.clone()),
                        Cell::Text(match policy.engine {
                            PolicyEngine::Kubewarden => "Kubewarden".into(),
                            PolicyEngine::Kyverno => "Kyverno".into(),
                        }),
                        Cell::Text(policy.object.kind.clone()),
                        Cell::Code(policy.object.display_name()),
                        Cell::Text(policy.mode.clone().unwrap_or_default()),
                        Cell::Badge(
                            format!(
                                "{} fail · {} warn · {} pass",
                                counts.fail, counts.warn, counts.pass
                            ),
                            tone,
                        ),
                        Cell::Text(format!("{} error · {} skip", counts.error, counts.skip)),
                    ],
                }
            })
            .collect();
        let totals = inventory.totals;
        view! {
            <div class="page-head"><h1>"Admission policies"</h1><p class="muted">"Kubewarden and Kyverno policies, with the results their PolicyReports hold."</p></div>
            <div class="stats">
                <Stat label="policies" value=inventory.policies.len() testid="policies-total"/>
                <Stat label="reports" value=inventory.reports testid="policies-reports"/>
                <Stat label="fail" value=totals.fail tone=Tone::Bad testid="policies-fail"/>
                <Stat label="warn" value=totals.warn tone=Tone::Warn testid="policies-warn"/>
                <Stat label="error" value=totals.error tone=Tone::Bad testid="policies-error"/>
                <Stat label="pass" value=totals.pass tone=Tone::Good testid="policies-pass"/>
                <Stat label="skip" value=totals.skip testid="policies-skip"/>
            </div>
            <DataTable
                title="Policies"
                headers=&["Cluster", "Engine", "Kind", "Name", "Mode", "Results", "Other"]
                rows=rows
                testid="policies-table"
                empty_hint="No Kubewarden or Kyverno policy was found."
            />
        }
    })
}
