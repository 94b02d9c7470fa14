//! The fleet overview.

use leptos::prelude::*;
use sextant_protocol::{
    ViewId,
    overview::{ClusterState, ClusterSummary, GetOverview, Overview},
};

use crate::{
    components::{Badge, Empty, Stat},
    ipc,
    pages::loaded,
    state::use_app_state,
    view_model::Tone,
};

/// The overview page.
#[component]
pub(crate) fn OverviewPage() -> impl IntoView {
    let state = use_app_state();
    let overview = ipc::resource(state.refresh, || GetOverview {});
    loaded(overview, |overview: Overview| {
        let state = use_app_state();
        let cluster_count = overview.clusters.len();
        view! {
            <div class="page-head">
                <h1 data-testid="platform-name">{overview.platform.clone()}</h1>
                <p class="muted">{overview.description.clone().unwrap_or_default()}</p>
            </div>
            {(!overview.problems.is_empty()).then(|| view! {
                <div class="error-panel" role="alert">
                    <strong>"Some sources could not be read"</strong>
                    <ul>{overview.problems.iter().map(|problem| view! { <li>{problem.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            <h2 class="section-title">"Clusters " <span class="muted" data-testid="cluster-count">{cluster_count}</span></h2>
            {if overview.clusters.is_empty() {
                view! { <Empty title="No clusters" hint="Add a kubeconfig context (KUBECONFIG or ~/.kube/config), or switch to the demo platform."/> }.into_any()
            } else {
                view! { <div class="cards">{overview.clusters.into_iter().map(|cluster| view! { <ClusterCard cluster=cluster/> }).collect_view()}</div> }.into_any()
            }}
            <div class="cards">
                {overview.vault.map(|vault| view! {
                    <article class="card" data-testid="vault-card" on:click=move |_| state.navigate(ViewId::Vault, "")>
                        <header><h3>"Vault"</h3><Badge text=if vault.sealed { "sealed" } else { "unsealed" } tone=if vault.sealed { Tone::Bad } else { Tone::Good }/></header>
                        <p class="muted"><code>{vault.address}</code>" · "{vault.flavor}</p>
                        <div class="stats">
                            <Stat label="policies" value=vault.policies testid="vault-policies"/>
                            <Stat label="auth roles" value=vault.auth_roles testid="vault-roles"/>
                        </div>
                    </article>
                })}
                {overview.lattice.map(|lattice| view! {
                    <article class="card" data-testid="lattice-card" on:click=move |_| state.navigate(ViewId::Lattice, "")>
                        <header><h3>"wasmCloud lattice"</h3><span class="muted">{lattice.lattice}</span></header>
                        <div class="stats">
                            <Stat label="hosts" value=lattice.hosts testid="lattice-hosts"/>
                            <Stat label="components" value=lattice.components testid="lattice-components"/>
                            <Stat label="providers" value=lattice.providers testid="lattice-providers"/>
                            <Stat label="links" value=lattice.links testid="lattice-links"/>
                            <Stat label="link problems" value=lattice.link_problems tone=Tone::Bad testid="lattice-link-problems"/>
                        </div>
                    </article>
                })}
            </div>
        }
    })
}

#[component]
fn ClusterCard(cluster: ClusterSummary) -> impl IntoView {
    let state = use_app_state();
    let (label, tone) = match cluster.state {
        ClusterState::Ready => ("ready", Tone::Good),
        ClusterState::Forbidden => ("forbidden", Tone::Bad),
        ClusterState::Unreachable => ("unreachable", Tone::Bad),
        ClusterState::Unauthenticated => ("credentials expired", Tone::Bad),
        ClusterState::Invalid => ("invalid kubeconfig entry", Tone::Bad),
    };
    let name = cluster.name.clone();
    let counts = cluster.counts;
    let id = |what: &str| format!("{what}-{name}");
    let go = move |view: ViewId| {
        let cluster = cluster.name.clone();
        move |_| {
            state.cluster.set(Some(cluster.clone()));
            state.navigate(view, "");
        }
    };
    view! {
        <article class="card" data-testid=format!("cluster-{name}")>
            <header>
                <h3>{name.clone()}</h3>
                <Badge text=label tone=tone/>
            </header>
            <p class="muted">
                {cluster.environment.unwrap_or_default()}" "
                {cluster.kubernetes_version.unwrap_or_default()}
            </p>
            {cluster.message.map(|message| view! { <p class="card-message">{message}</p> })}
            <div class="stats">
                <button class="stat-button" on:click=go(ViewId::Drift)>
                    <Stat label="GitOps apps" value=counts.gitops_apps testid=id("gitops-apps")/>
                    <Stat label="need attention" value=counts.gitops_attention tone=Tone::Bad testid=id("gitops-attention")/>
                </button>
                <button class="stat-button" on:click=go(ViewId::Policies)>
                    <Stat label="policies" value=counts.policies testid=id("policies")/>
                    <Stat label="failed results" value=counts.policy_failures tone=Tone::Bad testid=id("policy-failures")/>
                </button>
                <button class="stat-button" on:click=go(ViewId::Routes)>
                    <Stat label="gateways" value=counts.gateways testid=id("gateways")/>
                    <Stat label="routes" value=counts.routes testid=id("routes")/>
                    <Stat label="not accepted" value=counts.routes_not_accepted tone=Tone::Bad testid=id("routes-not-accepted")/>
                </button>
            </div>
            <p class="muted small">{counts.objects}" objects read"</p>
        </article>
    }
}
