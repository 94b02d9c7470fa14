//! The fleet overview.

use leptos::prelude::*;
use sextant_protocol::{
    ViewId,
    overview::{ApiRow, ClusterState, ClusterSummary, GetOverview, KindRow, Overview},
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
        let kinds_by_cluster: Vec<(String, Vec<KindRow>)> = overview
            .clusters
            .iter()
            .map(|cluster| (cluster.name.clone(), cluster.kinds.clone()))
            .collect();
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
            <KindsTable clusters=kinds_by_cluster/>
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
        ClusterState::Connecting => ("syncing", Tone::Warn),
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
            {if counts.objects == 0 && !matches!(cluster.state, ClusterState::Ready) {
                view! { <p class="muted small" data-testid=id("no-data")>"No data read from this cluster yet: counts are unknown, not zero."</p> }.into_any()
            } else { view! {
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
            }.into_any() }}
            <SyncDetails apis=cluster.apis kinds=cluster.kinds name=name.clone()/>
        </article>
    }
}

/// Installed APIs and each watched kind's sync state: progress during the initial lists,
/// partial and forbidden kinds named, stale data dated. Shown for live clusters only.
#[component]
fn SyncDetails(apis: Vec<ApiRow>, kinds: Vec<KindRow>, name: String) -> impl IntoView {
    if apis.is_empty() && kinds.is_empty() {
        return ().into_any();
    }
    let (installed, absent): (Vec<ApiRow>, Vec<ApiRow>) =
        apis.into_iter().partition(|api| api.version.is_some());
    let absent: Vec<String> = absent.into_iter().map(|api| api.name).collect();
    let listed = kinds.iter().filter(|kind| kind.phase != "listing").count();
    let total = kinds.len();
    let attention: Vec<&KindRow> = kinds
        .iter()
        .filter(|kind| {
            kind.phase != "ready" || kind.dropped > 0 || !kind.denied_namespaces.is_empty()
        })
        .collect();
    view! {
        <div class="apis" data-testid=format!("apis-{name}")>
            {installed.into_iter().map(|api| {
                let title = format!("{}/{}", api.group, api.version.clone().unwrap_or_default());
                view! { <span class="api-chip installed" title=title>{api.name}</span> }
            }).collect_view()}
        </div>
        {(!absent.is_empty()).then(|| view! {
            <p class="muted small" data-testid=format!("apis-absent-{name}")>"Not installed: "{absent.join(", ")}</p>
        })}
        {(listed < total).then(|| view! {
            <div class="sync-progress" data-testid=format!("sync-progress-{name}")>
                <progress max=total value=listed></progress>
                <span class="muted small">{format!("initial sync: {listed} of {total} kinds listed")}</span>
            </div>
        })}
        <p class="muted small" data-testid=format!("kinds-summary-{name}")>
            {format!("{total} kinds watched")}
            {if attention.is_empty() { " · all live".to_owned() } else { format!(" · {} need attention (see Watched kinds below)", attention.len()) }}
        </p>
    }
    .into_any()
}

/// Every live cluster's watched kinds in one table, the ones needing attention first: progress
/// of the initial lists, partial and forbidden kinds with what to do, and the age of stale data.
#[component]
fn KindsTable(clusters: Vec<(String, Vec<KindRow>)>) -> impl IntoView {
    let mut rows: Vec<(String, KindRow)> = clusters
        .into_iter()
        .flat_map(|(name, kinds)| kinds.into_iter().map(move |kind| (name.clone(), kind)))
        .collect();
    if rows.is_empty() {
        return ().into_any();
    }
    let needs_attention = |kind: &KindRow| {
        kind.phase != "ready" || kind.dropped > 0 || !kind.denied_namespaces.is_empty()
    };
    rows.sort_by_key(|(cluster, kind)| {
        (!needs_attention(kind), cluster.clone(), kind.kind.clone())
    });
    let attention = rows.iter().filter(|(_, kind)| needs_attention(kind)).count();
    let open = attention > 0;
    let now = crate::components::unix_now();
    let body = rows
        .into_iter()
        .map(|(cluster, kind)| {
            let tone = match kind.phase.as_str() {
                "ready" if kind.dropped == 0 && kind.denied_namespaces.is_empty() => Tone::Good,
                "ready" | "listing" | "relisting" => Tone::Warn,
                _ => Tone::Bad,
            };
            let phase = if kind.dropped > 0 {
                format!("partial (+{})", kind.dropped)
            } else {
                kind.phase.clone()
            };
            let age = match (kind.phase.as_str(), kind.synced_at) {
                ("ready", _) => "live".to_owned(),
                (_, Some(at)) => format!(
                    "data from {} ago",
                    crate::view_model::human_age(now.saturating_sub(at))
                ),
                (_, None) => "no data yet".to_owned(),
            };
            let scope = if kind.namespaces.is_empty() {
                "cluster-wide".to_owned()
            } else {
                kind.namespaces.join(", ")
            };
            let testid = format!("kind-{}-{}", cluster, kind.kind);
            view! {
                <tr data-testid=testid>
                    <td>{cluster}</td>
                    <td title=kind.api_version.clone()>{kind.kind.clone()}</td>
                    <td><Badge text=phase tone=tone/></td>
                    <td class="num">{kind.objects}</td>
                    <td class="muted">{scope}</td>
                    <td class="muted">{age}</td>
                    <td>{kind.message.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="kinds" open=open>
            <summary><h2 class="section-title inline">"Watched kinds"</h2>
                <span class="muted">{if attention == 0 { " · all live".to_owned() } else { format!(" · {attention} need attention") }}</span>
            </summary>
            <table class="data kinds-table">
                <thead><tr><th>"Cluster"</th><th>"Kind"</th><th>"State"</th><th class="num">"Objects"</th><th>"Scope"</th><th>"Age"</th><th>"Detail"</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
        </details>
    }
    .into_any()
}
