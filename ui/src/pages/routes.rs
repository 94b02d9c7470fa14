//! Gateway API traffic: the graph GatewayClass → Gateway → listener → route → rule → Service,
//! every edge coloured by its status, with the request explainer built in (the winning path
//! lights up, the why-trace beside it) and a details panel for the clicked node.
//!
//! The backend holds the whole graph and sends what is drawn: the search, "problems only",
//! the collapsed namespaces and the lit path are part of the request, node details are asked
//! for on click, and the diagnostics come a page at a time. A fleet of tens of thousands of
//! routes then costs the page what it shows.

use std::fmt::Write as _;

use leptos::prelude::*;
use sextant_protocol::CommandError;
use sextant_protocol::gateway::{
    ExplainRoute, ExplainTarget, GetGraphNode, GetTrafficGraph, GraphView, Health,
    ListGatewayDiagnostics, RouteExplanation, TrafficView,
};

use crate::{
    components::{Badge, PagedTable, RowPage, Stat},
    ipc,
    pages::loaded,
    state::use_app_state,
    view_model::{
        Cell, Row, Tone,
        graph::{Drawn, Layout, NODE_HEIGHT, clip, label_limit, label_lines, layout},
    },
};

/// The routes page.
#[component]
pub(crate) fn RoutesPage() -> impl IntoView {
    let state = use_app_state();
    // The explainer's form and answer, and what the drawing is narrowed to, live above the
    // reloading part, so that a reload (another filter, Refresh, a live change) keeps them.
    let explain = ExplainState::new();
    let drawing = DrawingState::new();
    // Another cluster has other namespaces and nodes.
    Effect::watch(
        move || state.cluster.get(),
        move |_, _, _| {
            drawing.collapsed.set(None);
            drawing.selected.set(None);
        },
        false,
    );
    let graph = ipc::resource(state.refresh, move || GetTrafficGraph {
        cluster: state.cluster.get(),
        view: GraphView {
            query: state.filter.get(),
            problems_only: drawing.problems_only.get(),
            collapsed: drawing.collapsed.get(),
            lit: explain.answer.with(|answer| {
                answer
                    .as_ref()
                    .and_then(|answer| answer.as_ref().ok())
                    .map(|answer| answer.lit.clone())
                    .unwrap_or_default()
            }),
        },
    });
    view! {
        {loaded(graph, move |view: TrafficView| view! { <TrafficPanel view=view explain=explain drawing=drawing/> })}
        <DiagnosticsTable/>
    }
}

/// What the drawing is narrowed to, and the node whose details are shown.
#[derive(Clone, Copy)]
struct DrawingState {
    /// The namespaces asked collapsed; `None` until the user opens or collapses one, for the
    /// backend's default.
    collapsed: RwSignal<Option<Vec<String>>>,
    problems_only: RwSignal<bool>,
    selected: RwSignal<Option<String>>,
}

impl DrawingState {
    fn new() -> Self {
        DrawingState {
            collapsed: RwSignal::new(None),
            problems_only: RwSignal::new(false),
            selected: RwSignal::new(None),
        }
    }

    /// Opens (`open`) or collapses a namespace, from the set `view` was drawn with.
    fn toggle(self, drawn: &[String], key: &str, open: bool) {
        let mut collapsed: Vec<String> =
            drawn.iter().filter(|other| *other != key).cloned().collect();
        if !open {
            collapsed.push(key.to_owned());
        }
        self.collapsed.set(Some(collapsed));
    }
}

/// The explainer's form fields and its last answer.
#[derive(Clone, Copy)]
struct ExplainState {
    /// `cluster|namespace/name` of the Gateway.
    target: RwSignal<String>,
    listener: RwSignal<String>,
    port: RwSignal<u16>,
    protocol: RwSignal<String>,
    host: RwSignal<String>,
    method: RwSignal<String>,
    path: RwSignal<String>,
    service: RwSignal<String>,
    headers: RwSignal<String>,
    answer: RwSignal<Option<Result<RouteExplanation, CommandError>>>,
}

impl ExplainState {
    fn new() -> Self {
        ExplainState {
            target: RwSignal::new(String::new()),
            listener: RwSignal::new(String::new()),
            port: RwSignal::new(80),
            protocol: RwSignal::new("HTTP".to_owned()),
            host: RwSignal::new(String::new()),
            method: RwSignal::new("GET".to_owned()),
            path: RwSignal::new("/".to_owned()),
            service: RwSignal::new(String::new()),
            headers: RwSignal::new(String::new()),
            answer: RwSignal::new(None),
        }
    }
}

fn health_class(health: Health) -> &'static str {
    match health {
        Health::Ok => "ok",
        Health::Warning => "warning",
        Health::Error => "error",
        Health::Unknown => "unknown",
    }
}

fn health_tone(health: Health) -> Tone {
    match health {
        Health::Ok => Tone::Good,
        Health::Warning => Tone::Warn,
        Health::Error => Tone::Bad,
        Health::Unknown => Tone::Neutral,
    }
}

fn severity_tone(severity: &str) -> Tone {
    match severity {
        "error" => Tone::Bad,
        "warning" => Tone::Warn,
        _ => Tone::Neutral,
    }
}

fn result_tone(result: &str) -> Tone {
    match result {
        "routed" | "redirect" => Tone::Good,
        "error" | "rejected" | "misdirected" => Tone::Bad,
        _ => Tone::Warn,
    }
}

#[component]
fn TrafficPanel(view: TrafficView, explain: ExplainState, drawing: DrawingState) -> impl IntoView {
    let counts = view.counts;
    let collapsed = StoredValue::new(view.collapsed.clone());
    let all_namespaces: Vec<String> = view.namespaces.iter().map(|(key, _)| key.clone()).collect();
    let namespace_chips = view
        .namespaces
        .iter()
        .map(|(key, count)| {
            let label = key.replace('|', " / ");
            let is_collapsed = view.collapsed.contains(key);
            let key = key.clone();
            view! {
                <button
                    class="chip"
                    class:collapsed=is_collapsed
                    data-testid="namespace-chip"
                    title="Collapse or open this namespace's routes and Services"
                    on:click=move |_| { collapsed.try_with_value(|drawn| drawing.toggle(drawn, &key, is_collapsed)); }
                >
                    {if is_collapsed { "▸ " } else { "▾ " }}{label}" "<span class="muted">{*count}</span>
                </button>
            }
        })
        .collect_view();
    let hidden = view.hidden;
    let held = view.held_collapsed;
    let has_lit = view.nodes.iter().any(|node| node.lit);
    let placed = layout(&Drawn { nodes: &view.nodes, edges: &view.edges });
    let svg = graph_svg(&placed, has_lit, drawing.selected, collapsed, drawing);
    view! {
        <div class="page-head">
            <h1>"Gateway API traffic"</h1>
            <p class="muted">"GatewayClass → Gateway → listener → route → rule → Service, with the status a conformant controller would write on every edge. Explain a request to see which path serves it, and why."</p>
        </div>
        <div class="stats">
            <Stat label="gateway classes" value=counts.classes testid="routes-classes"/>
            <Stat label="gateways" value=counts.gateways testid="routes-gateways"/>
            <Stat label="routes" value=counts.routes testid="routes-total"/>
            <Stat label="rejected routes" value=counts.rejected tone=Tone::Bad testid="routes-rejected"/>
            <Stat label="routes with a caveat" value=counts.caveats tone=Tone::Warn testid="routes-warnings"/>
            <Stat label="services" value=counts.services testid="routes-services"/>
        </div>
        <ExplainForm targets=view.targets explain=explain/>
        <div class="graph-toolbar">
            <label class="field">
                <input type="checkbox" data-testid="problems-only" prop:checked=move || drawing.problems_only.get()
                    on:change=move |event| drawing.problems_only.set(event_target_checked(&event))/>
                "Problems only"
            </label>
            <button data-testid="collapse-all" on:click=move |_| drawing.collapsed.set(Some(all_namespaces.clone()))>"Collapse all namespaces"</button>
            <button data-testid="expand-all" on:click=move |_| drawing.collapsed.set(Some(Vec::new()))>"Open all"</button>
            <span class="muted small" data-testid="graph-hidden">
                {(hidden > 0).then(|| format!("{hidden} node(s) hidden by the filter"))}
                {(held > 0).then(|| format!(" · {held} namespace(s) kept collapsed: opening them would draw more than a screen can hold; filter, or open them one at a time"))}
            </span>
        </div>
        <div class="chips">{namespace_chips}</div>
        <div class="graph-layout">
            <div class="graph-scroll panel">{svg}</div>
            <aside class="graph-side">
                <ExplainResult answer=explain.answer/>
                <NodeDetails selected=drawing.selected/>
            </aside>
        </div>
    }
}

/// The diagnostics, a page at a time from the backend.
#[component]
fn DiagnosticsTable() -> impl IntoView {
    let state = use_app_state();
    let fetch = move |query: String, offset: usize, limit: usize| {
        let request =
            ListGatewayDiagnostics { cluster: state.cluster.get_untracked(), query, offset, limit };
        async move {
            let page = ipc::invoke(&request).await?;
            Ok(RowPage {
                total: page.total,
                matched: page.matched,
                offset: page.offset,
                rows: page
                    .rows
                    .into_iter()
                    .enumerate()
                    .map(|(index, diagnostic)| Row {
                        key: format!("{}", page.offset + index),
                        cells: vec![
                            Cell::Badge(
                                diagnostic.severity.clone(),
                                severity_tone(&diagnostic.severity),
                            ),
                            Cell::Text(diagnostic.cluster),
                            Cell::Code(diagnostic.code),
                            Cell::Code(diagnostic.object),
                            Cell::Text(diagnostic.message),
                            Cell::Text(diagnostic.fix),
                        ],
                    })
                    .collect(),
            })
        }
    };
    view! {
        <PagedTable
            title="Diagnostics"
            headers=&["Severity", "Cluster", "Code", "Object", "Why", "Fix"]
            testid="gateway-diagnostics"
            empty_hint="Nothing to report: every route is attached and every reference resolves."
            reload=Signal::derive(move || state.cluster.get())
            fetch=fetch
        />
    }
}

/// The SVG drawing of a laid-out graph.
fn graph_svg(
    drawing: &Layout,
    has_lit: bool,
    selected: RwSignal<Option<String>>,
    collapsed: StoredValue<Vec<String>>,
    state: DrawingState,
) -> impl IntoView + use<> {
    if drawing.nodes.is_empty() {
        return view! { <p class="muted empty-row" data-testid="graph-empty">"No Gateway API object matches."</p> }
            .into_any();
    }
    let width = format!("{:.0}", drawing.width + 8.0);
    let height = format!("{:.0}", drawing.height);
    let titles = drawing
        .columns
        .iter()
        .map(|(x, title)| view! { <text class="column-title" x=format!("{:.0}", x + 2.0) y="16">{*title}</text> })
        .collect_view();
    let edges = drawing
        .edges
        .iter()
        .map(|placed| {
            let edge = &placed.edge;
            let class = format!(
                "edge {}{}{}",
                health_class(edge.health),
                if edge.lit { " lit" } else { "" },
                if edge.mirror { " mirror" } else { "" }
            );
            let label = edge.label.as_deref().map(|label| {
                let lines = label_lines(label);
                let (x, y) = placed.label_at;
                // Centred on the edge's middle, one line above it for a single line.
                let top = y - 3.0 - 10.5 * (lines.len() as f64 - 1.0) / 2.0;
                view! {
                    <text class=format!("edge-label {}", health_class(edge.health)) text-anchor="middle">
                        {lines.into_iter().enumerate().map(|(index, line)| view! {
                            <tspan x=format!("{x:.1}") y=format!("{:.1}", top + 10.5 * index as f64)>{line}</tspan>
                        }).collect_view()}
                    </text>
                }
            });
            view! {
                <path class=class d=placed.path.clone() data-from=edge.from.clone() data-to=edge.to.clone()/>
                {label}
            }
        })
        .collect_view();
    let nodes = drawing
        .nodes
        .iter()
        .map(|placed| {
            let node = &placed.node;
            let group = node.group.clone();
            let base = format!(
                "node {}{}{}{}",
                health_class(node.health),
                if node.lit { " lit" } else { "" },
                if node.missing { " missing" } else { "" },
                if node.group.is_some() { " group" } else { "" },
            );
            let select_id = node.id.clone();
            let is_selected = {
                let id = node.id.clone();
                move || selected.with(|selected| selected.as_deref() == Some(id.as_str()))
            };
            let limit = label_limit(node.kind);
            let width = format!("{:.0}", placed.width);
            view! {
                <g class=base class:selected=is_selected
                    transform=format!("translate({:.1},{:.1})", placed.x, placed.y)
                    data-testid="graph-node" data-node-id=node.id.clone()
                    on:click=move |_| {
                        if let Some(key) = &group {
                            collapsed.try_with_value(|drawn| state.toggle(drawn, key, true));
                        } else {
                            selected.set(Some(select_id.clone()));
                        }
                    }>
                    <rect class="node-box" width=width.clone() height=format!("{NODE_HEIGHT:.0}") rx="6"/>
                    <rect class="node-bar" width="4" height=format!("{NODE_HEIGHT:.0}") rx="2"/>
                    <text class="node-label" x="11" y="16">{clip(&node.label, limit)}</text>
                    <text class="node-detail" x="11" y="31">{clip(&node.detail, limit + 3)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class=if has_lit { "traffic-graph has-lit" } else { "traffic-graph" } data-testid="traffic-graph"
            width=width.clone() height=height.clone() viewBox=format!("0 0 {width} {height}")
            xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Gateway API traffic graph">
            <g class="columns">{titles}</g>
            <g class="edges">{edges}</g>
            <g class="nodes">{nodes}</g>
        </svg>
    }
    .into_any()
}

/// Splits `name: value` pairs, one per line or separated by `;`.
fn parse_headers(text: &str) -> Vec<(String, String)> {
    text.split(['\n', ';'])
        .filter_map(|pair| {
            let (name, value) = pair.split_once(':').or_else(|| pair.split_once('='))?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// A host a listener takes: its hostname, with a wildcard's `*` replaced.
fn listener_host(hostname: Option<&str>) -> String {
    hostname.map_or_else(|| "example.com".to_owned(), |hostname| hostname.replacen('*', "www", 1))
}

#[component]
fn ExplainForm(targets: Vec<ExplainTarget>, explain: ExplainState) -> impl IntoView {
    let ExplainState {
        target,
        listener,
        port,
        protocol,
        host,
        method,
        path,
        service,
        headers,
        answer,
    } = explain;
    let targets = StoredValue::new(targets);
    // Keep the fields across reloads while their Gateway is still there; otherwise start from
    // the first Gateway with an HTTP(S) listener, on its HTTPS listener if it has one.
    let known = targets.with_value(|targets| {
        let key = target.get_untracked();
        targets
            .iter()
            .any(|candidate| format!("{}|{}", candidate.cluster, candidate.gateway) == key)
    });
    if !known {
        let first = targets.with_value(|targets| {
            targets
                .iter()
                .find(|target| {
                    target.listeners.iter().any(|listener| listener.protocol.starts_with("HTTP"))
                })
                .or_else(|| targets.first())
                .cloned()
        });
        let initial = first.as_ref().and_then(|target| {
            target
                .listeners
                .iter()
                .find(|listener| listener.protocol == "HTTPS")
                .or_else(|| target.listeners.first())
                .cloned()
        });
        target.set(
            first
                .as_ref()
                .map(|target| format!("{}|{}", target.cluster, target.gateway))
                .unwrap_or_default(),
        );
        listener.set(initial.as_ref().map(|listener| listener.name.clone()).unwrap_or_default());
        port.set(initial.as_ref().map_or(80, |listener| listener.port));
        protocol.set(
            initial
                .as_ref()
                .map_or_else(|| "HTTP".to_owned(), |listener| listener.protocol.clone()),
        );
        host.set(listener_host(initial.as_ref().and_then(|listener| listener.hostname.as_deref())));
    }
    // `target` outlives this form (a reload draws a new one), so this may run once more after
    // the form's own values are gone: it then finds nothing.
    let current_target = move || {
        let key = target.get();
        targets
            .try_with_value(|targets| {
                targets
                    .iter()
                    .find(|candidate| format!("{}|{}", candidate.cluster, candidate.gateway) == key)
                    .cloned()
            })
            .flatten()
    };
    let choose_listener = move |name: String| {
        if let Some(chosen) = current_target()
            .and_then(|target| target.listeners.into_iter().find(|listener| listener.name == name))
        {
            port.set(chosen.port);
            protocol.set(chosen.protocol.clone());
            host.set(listener_host(chosen.hostname.as_deref()));
        }
        listener.set(name);
    };
    let explain = Action::new_local(move |request: &ExplainRoute| {
        let request = request.clone();
        async move {
            let outcome = ipc::invoke(&request).await;
            answer.set(Some(outcome));
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let key = target.get();
        let (cluster, gateway) = key.split_once('|').unwrap_or(("", key.as_str()));
        explain.dispatch(ExplainRoute {
            cluster: cluster.to_owned(),
            protocol: protocol.get(),
            gateway: gateway.to_owned(),
            port: port.get(),
            host: Some(host.get()),
            sni: None,
            method: Some(method.get()),
            path: Some(path.get()),
            service: Some(service.get()),
            headers: parse_headers(&headers.get()),
        });
    };
    view! {
        <form class="explain-form panel" data-testid="explain-form" on:submit=submit>
            <strong class="explain-title">"Explain a request"</strong>
            <label class="field"><span class="muted">"Gateway"</span>
                <select data-testid="explain-gateway" prop:value=move || target.get()
                    on:change=move |event| {
                        target.set(event_target_value(&event));
                        let first = current_target().and_then(|target| target.listeners.first().map(|listener| listener.name.clone()));
                        if let Some(name) = first { choose_listener(name); }
                    }>
                    {targets.with_value(|targets| targets.iter().map(|candidate| {
                        let value = format!("{}|{}", candidate.cluster, candidate.gateway);
                        view! { <option value=value.clone()>{format!("{} · {}", candidate.cluster, candidate.gateway)}</option> }
                    }).collect_view())}
                </select>
            </label>
            <label class="field"><span class="muted">"Listener"</span>
                <select data-testid="explain-listener" prop:value=move || listener.get()
                    on:change=move |event| choose_listener(event_target_value(&event))>
                    {move || current_target().map(|target| target.listeners.into_iter().map(|candidate| {
                        let text = format!("{} :{} {}{}", candidate.name, candidate.port, candidate.protocol,
                            candidate.hostname.as_deref().map(|hostname| format!(" {hostname}")).unwrap_or_default());
                        view! { <option value=candidate.name.clone()>{text}</option> }
                    }).collect_view())}
                </select>
            </label>
            <label class="field"><span class="muted">"Port"</span>
                <input class="narrow" type="number" data-testid="explain-port" prop:value=move || port.get().to_string()
                    on:input=move |event| if let Ok(value) = event_target_value(&event).parse() { port.set(value) }/>
            </label>
            <label class="field"><span class="muted">"Protocol"</span>
                <select data-testid="explain-protocol" prop:value=move || protocol.get()
                    on:change=move |event| protocol.set(event_target_value(&event))>
                    {["HTTP", "HTTPS", "GRPC", "TLS", "TCP", "UDP"].map(|value| view! { <option value=value>{value}</option> }).collect_view()}
                </select>
            </label>
            <label class="field"><span class="muted">"Host"</span>
                <input type="text" data-testid="explain-host" prop:value=move || host.get()
                    on:input=move |event| host.set(event_target_value(&event))/>
            </label>
            <label class="field"><span class="muted">"Method"</span>
                <input class="narrow" type="text" data-testid="explain-method" prop:value=move || method.get()
                    on:input=move |event| method.set(event_target_value(&event))/>
            </label>
            <Show when=move || protocol.get() == "GRPC"
                fallback=move || view! {
                    <label class="field"><span class="muted">"Path"</span>
                        <input type="text" data-testid="explain-path" prop:value=move || path.get()
                            on:input=move |event| path.set(event_target_value(&event))/>
                    </label>
                }>
                <label class="field"><span class="muted">"Service"</span>
                    <input type="text" data-testid="explain-service" placeholder="com.example.Svc" prop:value=move || service.get()
                        on:input=move |event| service.set(event_target_value(&event))/>
                </label>
            </Show>
            <label class="field"><span class="muted">"Headers"</span>
                <input type="text" data-testid="explain-headers" placeholder="x-env: canary; accept: */*" prop:value=move || headers.get()
                    on:input=move |event| headers.set(event_target_value(&event))/>
            </label>
            <button type="submit" class="primary" data-testid="explain-submit">"Explain"</button>
            <button type="button" class="ghost" data-testid="explain-clear" on:click=move |_| answer.set(None)>"Clear"</button>
        </form>
    }
}

#[component]
fn ExplainResult(
    answer: RwSignal<Option<Result<RouteExplanation, CommandError>>>,
) -> impl IntoView {
    move || {
        match answer.get() {
        None => view! {
            <section class="side-panel muted" data-testid="explain-result">
                <h2>"Why this path?"</h2>
                <p class="small">"Explain a request above: the path that serves it lights up in the graph, and every decision is listed here."</p>
            </section>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <section class="side-panel" data-testid="explain-result">
                <h2>"Why this path?"</h2>
                <p class="card-message" data-testid="explain-verdict">{error.message}</p>
            </section>
        }
        .into_any(),
        Some(Ok(answer)) => {
            let mut verdict = answer.result.clone();
            if let Some(status) = answer.http_status {
                let _ = write!(verdict, " · HTTP {status}");
            }
            if let Some(status) = &answer.grpc_status {
                let _ = write!(verdict, " · gRPC {status}");
            }
            let target = answer.route.clone().map(|route| match answer.rule_index {
                Some(rule) => format!("{route} · rule {rule}"),
                None => route,
            });
            view! {
                <section class="side-panel" data-testid="explain-result">
                    <h2>"Why this path?"</h2>
                    <p class="verdict">
                        <span class=format!("badge {}", result_tone(&answer.result).class()) data-testid="explain-verdict">{verdict}</span>
                    </p>
                    {target.map(|target| view! { <p class="small"><code data-testid="explain-route">{target}</code></p> })}
                    {answer.listener.clone().map(|listener| view! { <p class="small muted">"listener "<code>{listener}</code></p> })}
                    {(!answer.backends.is_empty()).then(|| view! {
                        <table class="compact">
                            <thead><tr><th>"Backend"</th><th>"Weight"</th><th>"Share"</th></tr></thead>
                            <tbody>{answer.backends.iter().map(|backend| view! {
                                <tr class:invalid=!backend.valid><td><code>{backend.target.clone()}</code></td><td>{backend.weight}</td>
                                    <td>{format!("{:.0}%", backend.share * 100.0)}{(!backend.valid).then_some(" invalid")}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    })}
                    {answer.error_share.map(|share| view! { <p class="small card-message">{format!("{:.0}% of requests get an error", share * 100.0)}</p> })}
                    {answer.redirect.clone().map(|(status, location)| view! { <p class="small">"redirect "{status}" → "<code>{location}</code></p> })}
                    {answer.upstream.clone().map(|upstream| view! {
                        <p class="small">"upstream "<code>{upstream.host}{upstream.path}</code>
                            {upstream.headers.into_iter().map(|(name, value)| view! { <br/><code>{format!("{name}: {value}")}</code> }).collect_view()}
                        </p>
                    })}
                    {(!answer.mirrors.is_empty()).then(|| view! { <p class="small">"mirrored to "{answer.mirrors.join(", ")}</p> })}
                    <ol class="why" data-testid="explain-why">
                        {answer.why.iter().map(|step| view! { <li>{step.clone()}</li> }).collect_view()}
                    </ol>
                    {(!answer.ambiguous.is_empty()).then(|| view! {
                        <p class="small muted">"Ambiguous in the spec: "{answer.ambiguous.join("; ")}</p>
                    })}
                </section>
            }
            .into_any()
        }
    }
    }
}

#[component]
fn NodeDetails(selected: RwSignal<Option<String>>) -> impl IntoView {
    let state = use_app_state();
    let details = LocalResource::new(move || {
        state.refresh.track();
        let id = selected.get();
        let cluster = state.cluster.get_untracked();
        async move {
            match id {
                Some(id) => Some(ipc::invoke(&GetGraphNode { cluster, id }).await),
                None => None,
            }
        }
    });
    move || {
        let Some(found) = details.get() else {
            return view! { <section class="side-panel muted" data-testid="node-details"><p class="small">"Loading…"</p></section> }.into_any();
        };
        let Some(found) = found else {
            return view! {
                <section class="side-panel muted" data-testid="node-details">
                    <h2>"Details"</h2>
                    <p class="small">"Click a node for its conditions per parent, hostnames, matches, filters and weights."</p>
                </section>
            }
            .into_any();
        };
        let details = match found {
            Ok(details) => details,
            Err(error) => return view! { <section class="side-panel muted" data-testid="node-details"><p class="small">{error.message}</p></section> }.into_any(),
        };
        let node = details.node;
        let edges = details.edges;
        view! {
            <section class="side-panel" data-testid="node-details">
                <h2>{node.kind.title()}" "<Badge text=health_class(node.health) tone=health_tone(node.health)/></h2>
                <p><code data-testid="node-details-name">{node.label.clone()}</code><span class="muted small">" · "{node.cluster.clone()}</span></p>
                {node.sections.into_iter().map(|section| view! {
                    <h3 class="side-title">{section.title}</h3>
                    <dl class="facts">{section.rows.into_iter().map(|(key, value)| view! { <dt>{key}</dt><dd>{value}</dd> }).collect_view()}</dl>
                }).collect_view()}
                {node.conditions.into_iter().map(|table| view! {
                    <h3 class="side-title">{table.title}</h3>
                    <table class="compact" data-testid="condition-table">
                        <thead><tr><th>"Condition"</th><th>"Status"</th><th>"Reason"</th></tr></thead>
                        <tbody>{table.rows.into_iter().map(|row| {
                            let tone = match (row.condition.as_str(), row.status.as_str()) {
                                ("Conflicted", "False") | (_, "True") => Tone::Good,
                                (_, "False" | "refused") => Tone::Bad,
                                _ => Tone::Neutral,
                            };
                            view! {
                                <tr><td>{row.condition}</td><td><Badge text=row.status tone=tone/></td>
                                    <td>{row.reason}{row.message.map(|message| view! { <br/><span class="muted small">{message}</span> })}</td></tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }).collect_view()}
                {(!edges.is_empty()).then(|| view! {
                    <h3 class="side-title">"Edges"</h3>
                    <ul class="edge-list">{edges.into_iter().map(|edge| view! {
                        <li><Badge text=health_class(edge.health) tone=health_tone(edge.health)/>" "{edge.direction}" "<code>{edge.other}</code>
                            {edge.label.map(|label| view! { <span class="muted">" · "{label}</span> })}</li>
                    }).collect_view()}</ul>
                })}
                {(!node.diagnostics.is_empty()).then(|| view! {
                    <h3 class="side-title">"Diagnostics"</h3>
                    <ul class="diagnostics">{node.diagnostics.into_iter().map(|diagnostic| view! {
                        <li><Badge text=diagnostic.severity.clone() tone=severity_tone(&diagnostic.severity)/>" "<code>{diagnostic.code}</code>
                            <p class="small">{diagnostic.message}</p><p class="small muted">"fix: "{diagnostic.fix}</p></li>
                    }).collect_view()}</ul>
                })}
            </section>
        }
        .into_any()
    }
}
