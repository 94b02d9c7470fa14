//! GitOps drift: the fleet's application tree (Flux and Argo CD, every cluster), each app's
//! verdict explained with its revisions, conditions, resources and timeline, and its object diff.

mod diff;

use std::collections::HashSet;

use leptos::prelude::*;
use sextant_protocol::{
    ObjectRef,
    drift::{GetDriftDiff, GitOpsApp, GitOpsApps, GitOpsTool, ListGitOpsApps, Verdict},
};

use crate::{
    components::{Badge, DataTable, Empty, Stat},
    ipc,
    pages::loaded,
    state::use_app_state,
    view_model::{
        Cell, Row, Tone,
        drift_tree::{
            TreeFilter, TreeKey, TreeMove, VisibleRow, key_move, revision_gap, short_revision,
            visible_rows,
        },
        verdict,
    },
};

/// The page's own state, kept across reloads (another cluster, Refresh, a live change) and reads that tolerate a page being torn down (`try_get`).
#[derive(Clone, Copy)]
struct DriftUi {
    out_of_sync: RwSignal<bool>,
    stale: RwSignal<bool>,
    suspended: RwSignal<bool>,
    failing: RwSignal<bool>,
    cluster: RwSignal<Option<String>>,
    tool: RwSignal<Option<GitOpsTool>>,
    collapsed: RwSignal<HashSet<usize>>,
    /// The tree row the keyboard is on.
    cursor: RwSignal<Option<usize>>,
    /// The tree row whose application is shown.
    selected: RwSignal<Option<usize>>,
}

impl DriftUi {
    fn new() -> Self {
        DriftUi {
            out_of_sync: RwSignal::new(false),
            stale: RwSignal::new(false),
            suspended: RwSignal::new(false),
            failing: RwSignal::new(false),
            cluster: RwSignal::new(None),
            tool: RwSignal::new(None),
            collapsed: RwSignal::new(HashSet::new()),
            cursor: RwSignal::new(None),
            selected: RwSignal::new(None),
        }
    }

    fn filter(&self, text: String) -> TreeFilter {
        TreeFilter {
            out_of_sync: self.out_of_sync.try_get().unwrap_or_default(),
            stale: self.stale.try_get().unwrap_or_default(),
            suspended: self.suspended.try_get().unwrap_or_default(),
            failing: self.failing.try_get().unwrap_or_default(),
            cluster: self.cluster.try_get().unwrap_or_default(),
            tool: self.tool.try_get().unwrap_or_default(),
            text,
        }
    }
}

/// The drift page.
#[component]
pub(crate) fn DriftPage() -> impl IntoView {
    let state = use_app_state();
    let ui = DriftUi::new();
    let apps =
        ipc::resource(state.refresh, move || ListGitOpsApps { cluster: state.cluster.get() });
    view! {
        {loaded(apps, move |fleet: GitOpsApps| view! { <DriftView fleet=fleet ui=ui/> })}
        <DemoDiffs/>
    }
}

fn tool_name(tool: GitOpsTool) -> &'static str {
    match tool {
        GitOpsTool::Flux => "Flux",
        GitOpsTool::ArgoCd => "Argo CD",
    }
}

fn app_key(app: &GitOpsApp) -> String {
    format!("{}/{}/{}", app.object.cluster, app.object.kind, app.object.display_name())
}

#[component]
fn DriftView(fleet: GitOpsApps, ui: DriftUi) -> impl IntoView {
    let state = use_app_state();
    let count = |wanted: Verdict| fleet.apps.iter().filter(|app| app.verdict == wanted).count();
    let stale_any = fleet
        .apps
        .iter()
        .filter(|app| app.verdict == Verdict::Stale || !app.stale_reasons.is_empty())
        .count();
    let missing = fleet.tree.iter().filter(|row| row.missing.is_some()).count();
    let mut clusters: Vec<String> =
        fleet.apps.iter().map(|app| app.object.cluster.clone()).collect();
    clusters.dedup();
    let as_of = fleet.as_of;
    let repositories = fleet
        .repositories
        .iter()
        .map(|repository| Row {
            key: repository.name.clone(),
            cells: vec![
                Cell::Code(repository.name.clone()),
                Cell::Code(repository.head.chars().take(12).collect()),
                Cell::Text(repository.files.to_string()),
                Cell::Code(repository.location.clone()),
            ],
        })
        .collect();
    let projects = fleet
        .projects
        .iter()
        .map(|project| Row {
            key: format!("{}/{}", project.object.cluster, project.object.display_name()),
            cells: vec![
                Cell::Text(project.object.cluster.clone()),
                Cell::Code(project.object.display_name()),
                Cell::Text(project.used_by.join(", ")),
            ],
        })
        .collect();
    let total = fleet.apps.len();
    let counts = [
        count(Verdict::InSync),
        count(Verdict::OutOfSync),
        count(Verdict::Failed),
        count(Verdict::Stale),
        count(Verdict::Suspended),
        count(Verdict::Progressing),
        count(Verdict::Unknown),
    ];
    let fleet = StoredValue::new(fleet);
    let rows = Memo::new(move |_| {
        let filter = ui.filter(state.filter.get());
        let collapsed = ui.collapsed.try_get().unwrap_or_default();
        fleet.try_with_value(|fleet| visible_rows(fleet, &filter, &collapsed)).unwrap_or_default()
    });
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        let key = match event.key().as_str() {
            "ArrowUp" => TreeKey::Up,
            "ArrowDown" => TreeKey::Down,
            "ArrowLeft" => TreeKey::Left,
            "ArrowRight" => TreeKey::Right,
            "Enter" | " " => {
                event.prevent_default();
                if let Some(cursor) = ui.cursor.get_untracked() {
                    ui.selected.set(Some(cursor));
                }
                return;
            }
            _ => return,
        };
        event.prevent_default();
        let moved = fleet.with_value(|fleet| {
            rows.with_untracked(|rows| key_move(fleet, rows, ui.cursor.get_untracked(), key))
        });
        match moved {
            TreeMove::Cursor(row) => ui.cursor.set(Some(row)),
            TreeMove::Collapse(row) => ui.collapsed.update(|collapsed| {
                collapsed.insert(row);
            }),
            TreeMove::Expand(row) => ui.collapsed.update(|collapsed| {
                collapsed.remove(&row);
            }),
            TreeMove::Stay => {}
        }
    };
    let toggle = move |signal: RwSignal<bool>, label: &'static str, testid: &'static str| {
        view! {
            <button
                class=move || if signal.get() { "chip-toggle on" } else { "chip-toggle" }
                aria-pressed=move || signal.get().to_string()
                data-testid=testid
                on:click=move |_| signal.update(|on| *on = !*on)
            >{label}</button>
        }
    };
    view! {
        <div class="page-head">
            <h1>"GitOps drift"</h1>
            <p class="muted">
                "Flux and Argo CD applications on every cluster, as one tree: what each controller says, explained, and doubted where its status is stale (older than the spec, behind its source, or not reconciled for 3 intervals)"
                {as_of.map(|seconds| format!(" · judged as of {}", unix_to_rfc3339(seconds)))}
                "."
            </p>
        </div>
        <div class="stats">
            <Stat label="applications" value=total testid="drift-total"/>
            <Stat label="in sync" value=counts[0] tone=Tone::Good testid="drift-in-sync"/>
            <Stat label="out of sync" value=counts[1] tone=Tone::Bad testid="drift-out-of-sync"/>
            <Stat label="failed" value=counts[2] tone=Tone::Bad testid="drift-failed"/>
            <Stat label="stale" value=counts[3] tone=Tone::Warn testid="drift-stale"/>
            <Stat label="suspended" value=counts[4] testid="drift-suspended"/>
            <Stat label="progressing" value=counts[5] testid="drift-progressing"/>
            <Stat label="unknown" value=counts[6] testid="drift-unknown"/>
            <Stat label="missing children" value=missing tone=Tone::Bad testid="drift-missing"/>
        </div>
        <div class="drift-toolbar">
            {toggle(ui.out_of_sync, "Out of sync", "drift-filter-out-of-sync")}
            {toggle(ui.stale, "Stale", "drift-filter-stale")}
            {toggle(ui.suspended, "Suspended", "drift-filter-suspended")}
            {toggle(ui.failing, "Failing", "drift-filter-failing")}
            <label class="field">"Cluster"
                <select data-testid="drift-filter-cluster" prop:value=move || ui.cluster.try_get().unwrap_or_default().unwrap_or_default() on:change=move |event| {
                    let value = event_target_value(&event);
                    ui.cluster.set((!value.is_empty()).then_some(value));
                }>
                    <option value="">"All"</option>
                    {clusters.into_iter().map(|cluster| view! { <option value=cluster.clone()>{cluster.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">"Tool"
                <select data-testid="drift-filter-tool" prop:value=move || match ui.tool.try_get().unwrap_or_default() { Some(GitOpsTool::Flux) => "flux", Some(GitOpsTool::ArgoCd) => "argo", None => "" } on:change=move |event| {
                    ui.tool.set(match event_target_value(&event).as_str() {
                        "flux" => Some(GitOpsTool::Flux),
                        "argo" => Some(GitOpsTool::ArgoCd),
                        _ => None,
                    });
                }>
                    <option value="">"All"</option>
                    <option value="flux">"Flux"</option>
                    <option value="argo">"Argo CD"</option>
                </select>
            </label>
            <span class="muted small">{format!("{stale_any} with stale reasons · the text filter above matches name, namespace, kind, cluster and source path")}</span>
            {move || ui.filter(state.filter.get()).active().then(|| view! {
                <button class="ghost" data-testid="drift-clear-filters" on:click=move |_| {
                    ui.out_of_sync.set(false);
                    ui.stale.set(false);
                    ui.suspended.set(false);
                    ui.failing.set(false);
                    ui.cluster.set(None);
                    ui.tool.set(None);
                    state.filter.set(String::new());
                }>"Clear filters"</button>
            })}
            <span class="spacer"></span>
            <button class="ghost" data-testid="drift-expand-all" on:click=move |_| ui.collapsed.set(HashSet::new())>"Expand all"</button>
            <button class="ghost" data-testid="drift-collapse-all" on:click=move |_| {
                let parents: HashSet<usize> = fleet.with_value(|fleet| {
                    fleet.tree.iter().enumerate().filter(|(_, row)| row.child_rows > 0).map(|(index, _)| index).collect()
                });
                ui.collapsed.set(parents);
            }>"Collapse all"</button>
        </div>
        <div class="drift-layout">
            <section class="panel drift-tree-panel">
                <header class="panel-head">
                    <h2>"Applications"</h2>
                    <span class="muted" data-testid="drift-tree-count">{move || {
                        let shown = rows.with(|rows| rows.iter().filter(|row| row.matched).count());
                        let all = fleet.try_with_value(|fleet| fleet.tree.len()).unwrap_or_default();
                        if shown == all { format!("{shown}") } else { format!("{shown} of {all}") }
                    }}</span>
                    <span class="muted small">"↑↓ move · ← → fold · Enter opens"</span>
                </header>
                <div class="drift-tree" role="tree" tabindex="0" data-testid="drift-tree" on:keydown=on_key>
                    {move || {
                        let shown = rows.get();
                        if total == 0 {
                            return view! { <Empty title="No GitOps application" hint="No Flux Kustomization or HelmRelease and no Argo CD Application or ApplicationSet was found in the clusters read."/> }.into_any();
                        }
                        if shown.is_empty() {
                            return view! { <p class="muted empty-row" data-testid="drift-tree-empty">"No application matches the filters."</p> }.into_any();
                        }
                        shown.into_iter().map(|row| tree_row(fleet, ui, row)).collect_view().into_any()
                    }}
                </div>
            </section>
            <aside class="drift-detail" data-testid="drift-detail">
                {move || {
                    let selected = ui.selected.try_get().unwrap_or_default();
                    let app = selected.and_then(|row| fleet.try_with_value(|fleet| {
                        fleet.tree.get(row).and_then(|row| row.app).map(|app| fleet.apps[app].clone())
                    }).flatten());
                    match app {
                        Some(app) => view! { <AppDetail app=app/> }.into_any(),
                        None => view! {
                            <div class="side-panel"><Empty title="Select an application" hint="Click one in the tree, or move with the arrow keys and press Enter, to see its verdict explained, its revisions, conditions, resources, timeline and object diff."/></div>
                        }.into_any(),
                    }
                }}
            </aside>
        </div>
        <DataTable
            title="Git sources"
            headers=&["Repository", "Head", "Files", "Location"]
            rows=repositories
            testid="drift-repositories"
            empty_hint="No Git repository is read yet."
        />
        <DataTable
            title="Argo CD projects"
            headers=&["Cluster", "AppProject", "Used by"]
            rows=projects
            testid="drift-projects"
            empty_hint="No Argo CD AppProject was found."
        />
    }
}

fn tree_row(fleet: StoredValue<GitOpsApps>, ui: DriftUi, row: VisibleRow) -> impl IntoView {
    let index = row.row;
    let (tree_row, app) = fleet.with_value(|fleet| {
        let tree_row = fleet.tree[index].clone();
        let app = tree_row.app.map(|app| fleet.apps[app].clone());
        (tree_row, app)
    });
    let cluster_header = row.cluster_start.map(|cluster| {
        view! { <div class="tree-cluster" data-testid="drift-tree-cluster">{cluster}</div> }
    });
    let caret = row.has_children.then(|| {
        let collapsed = row.collapsed;
        view! {
            <button class="tree-caret ghost" aria-label=if collapsed { "Expand" } else { "Collapse" } tabindex="-1"
                on:click=move |event| {
                    event.stop_propagation();
                    ui.collapsed.update(|set| if collapsed { set.remove(&index); } else { set.insert(index); });
                }
            >{if collapsed { "▸" } else { "▾" }}</button>
        }
    });
    let classes = move || {
        let mut classes = format!("tree-row depth-{}", row.depth.min(8));
        if ui.selected.try_get().unwrap_or_default() == Some(index) {
            classes.push_str(" selected");
        }
        if ui.cursor.try_get().unwrap_or_default() == Some(index) {
            classes.push_str(" cursor");
        }
        if !row.matched {
            classes.push_str(" context");
        }
        classes
    };
    let body = if let Some(app) = app {
        let (label, tone) = verdict(app.verdict);
        let key = app_key(&app);
        let mark = if tree_row.cycle {
            Some("cycle: already above")
        } else if tree_row.repeated {
            Some("also shown above")
        } else {
            None
        };
        let stale_note = (!app.stale_reasons.is_empty() && app.verdict != Verdict::Stale)
            .then(|| view! { <Badge text="stale" tone=Tone::Warn/> });
        let revision =
            app.revisions.applied.as_deref().or(app.revision.as_deref()).map(short_revision);
        view! {
            <span class="tree-kind">{short_kind(&app.object.kind)}</span>
            <span class="tree-name" data-testid="drift-tree-name">{app.object.display_name()}</span>
            <Badge text=label tone=tone/>
            {stale_note}
            {mark.map(|mark| view! { <span class="muted small">{mark}</span> })}
            <span class="tree-revision muted">{revision}</span>
            <span class="sr-only">{key}</span>
        }
        .into_any()
    } else {
        let missing = tree_row.missing.unwrap_or_else(|| ObjectRef {
            cluster: String::new(),
            kind: String::new(),
            namespace: None,
            name: String::new(),
        });
        view! {
            <span class="tree-kind">{short_kind(&missing.kind)}</span>
            <span class="tree-name">{missing.display_name()}</span>
            <Badge text="missing" tone=Tone::Bad/>
            <span class="muted small">"named by its parent's inventory, not in the cluster"</span>
        }
        .into_any()
    };
    view! {
        {cluster_header}
        <div
            class=classes
            role="treeitem"
            aria-expanded=row.has_children.then(|| (!row.collapsed).to_string())
            data-testid="drift-tree-row"
            on:click=move |_| {
                ui.cursor.set(Some(index));
                ui.selected.set(Some(index));
            }
        >
            <span class="tree-caret-slot">{caret}</span>
            {body}
        </div>
    }
}

fn short_kind(kind: &str) -> &'static str {
    match kind {
        "Kustomization" => "KS",
        "HelmRelease" => "HR",
        "Application" => "APP",
        "ApplicationSet" => "SET",
        _ => "?",
    }
}

/// `2026-11-26T09:30:00Z` from Unix seconds.
fn unix_to_rfc3339(seconds: i64) -> String {
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn interval_text(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m", seconds / 60),
        _ if seconds.is_multiple_of(3600) => format!("{}h", seconds / 3600),
        _ => format!("{}h{}m", seconds / 3600, seconds % 3600 / 60),
    }
}

/// One application, explained.
#[component]
fn AppDetail(app: GitOpsApp) -> impl IntoView {
    let (label, tone) = verdict(app.verdict);
    let gap = revision_gap(&app);
    let revision = |value: &Option<String>| value.clone().unwrap_or_else(|| "—".to_owned());
    let facts = {
        let mut facts: Vec<(&'static str, String)> =
            vec![("Cluster", app.object.cluster.clone()), ("Tool", tool_name(app.tool).to_owned())];
        if let Some(source) = &app.source {
            facts.push(("Source", source.clone()));
        }
        if let Some(project) = &app.project {
            facts.push(("Project", project.clone()));
        }
        if let Some(interval) = app.interval_seconds {
            facts.push((
                "Interval",
                if app.tool == GitOpsTool::ArgoCd {
                    format!(
                        "{} (Argo CD's default timeout.reconciliation)",
                        interval_text(interval)
                    )
                } else {
                    interval_text(interval)
                },
            ));
        }
        if let Some(last) = &app.last_reconcile {
            facts.push(("Last reconcile", last.clone()));
        }
        if let Some(parent) = &app.parent {
            facts.push(("Parent", format!("{} {}", parent.kind, parent.display_name())));
        }
        if let Some(count) = app.inventory_count {
            facts.push(("Inventory", format!("{count} object(s)")));
        }
        if let Some(counts) = app.sync_counts {
            facts.push((
                "Resources",
                format!(
                    "{} synced, {} out of sync, {} other",
                    counts.synced, counts.out_of_sync, counts.other
                ),
            ));
        }
        if let Some(operation) = &app.operation {
            facts.push((
                "Last sync",
                format!(
                    "{}{}",
                    operation.phase,
                    operation
                        .finished_at
                        .as_ref()
                        .or(operation.started_at.as_ref())
                        .map(|time| format!(" at {time}"))
                        .unwrap_or_default()
                ),
            ));
        }
        facts
    };
    let conditions: Vec<_> = app
        .conditions
        .iter()
        .map(|condition| {
            let tone = match (condition.type_.as_str(), condition.status.as_str()) {
                ("Stalled", "True") => Tone::Bad,
                (kind, _) if kind.ends_with("Error") => Tone::Bad,
                (_, "True") => Tone::Good,
                (_, "False") => Tone::Bad,
                _ => Tone::Neutral,
            };
            view! {
                <tr>
                    <td><code>{condition.type_.clone()}</code></td>
                    <td><Badge text=condition.status.clone() tone=tone/></td>
                    <td>{condition.reason.clone()}</td>
                    <td>{condition.message.clone()}</td>
                    <td class="muted">{condition.last_transition.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect();
    let children: Vec<_> = app
        .children
        .iter()
        .map(|child| {
            view! {
                <li>
                    <code>{format!("{} {}", child.object.kind, child.object.display_name())}</code>
                    {child.missing.then(|| view! { " " <Badge text="missing" tone=Tone::Bad/> })}
                </li>
            }
        })
        .collect();
    let resources: Vec<_> = app
        .resources
        .iter()
        .map(|resource| {
            let status = resource.status.clone().map(|status| {
                let tone = match status.as_str() {
                    "Synced" => Tone::Good,
                    "OutOfSync" => Tone::Bad,
                    _ => Tone::Neutral,
                };
                view! { <Badge text=status tone=tone/> }
            });
            let name = match &resource.namespace {
                Some(namespace) => format!("{namespace}/{}", resource.name),
                None => resource.name.clone(),
            };
            view! {
                <tr>
                    <td>{resource.kind.clone()}</td>
                    <td><code>{name}</code></td>
                    <td>{status}</td>
                    <td class="muted">{resource.health.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect();
    let has_resources = !resources.is_empty();
    let resources_title = if app.tool == GitOpsTool::Flux { "Inventory" } else { "Resources" };
    let timeline: Vec<_> = app
        .timeline
        .iter()
        .map(|event| {
            view! {
                <li class=if event.failed { "timeline-event failed" } else { "timeline-event" }>
                    <span class="timeline-time"><code>{event.time.clone()}</code></span>
                    <span class="timeline-kind muted">{event.kind.clone()}</span>
                    <span class="timeline-title">{event.title.clone()}</span>
                    {event.detail.clone().map(|detail| view! { <span class="timeline-detail muted">{detail}</span> })}
                </li>
            }
        })
        .collect();
    let has_timeline = !timeline.is_empty();
    let stale_reasons = app.stale_reasons.clone();
    let reference = app.object.clone();
    view! {
        <div class="side-panel" data-testid="drift-app">
            <h2>
                <code data-testid="drift-app-name">{format!("{} {}", app.object.kind, app.object.display_name())}</code>
                <Badge text=label tone=tone/>
                {app.suspended.then(|| view! { <Badge text="suspended" tone=Tone::Neutral/> })}
            </h2>
            <p class="explanation" data-testid="drift-explanation">{app.explanation.clone()}</p>
            {(!stale_reasons.is_empty()).then(|| view! {
                <div class="stale-box" data-testid="drift-stale-reasons">
                    <strong>"Why Sextant doubts this status"</strong>
                    <ul>{stale_reasons.into_iter().map(|reason| view! { <li>{reason}</li> }).collect_view()}</ul>
                    <p class="muted small">"Rule: stale when the controller has not observed the latest generation, when the source offers a newer revision than the last attempt, when Argo CD compared another source than the spec, or when the last reconcile is more than 3 intervals old."</p>
                </div>
            })}
            <p class="side-title">"Revisions"</p>
            <dl class="facts" data-testid="drift-revisions">
                <dt>{if app.tool == GitOpsTool::Flux { "Source offers" } else { "Compared" }}</dt><dd><code>{revision(&app.revisions.source)}</code></dd>
                <dt>{if app.tool == GitOpsTool::Flux { "Last attempted" } else { "Last sync at" }}</dt><dd><code>{revision(&app.revisions.attempted)}</code></dd>
                <dt>{if app.tool == GitOpsTool::Flux { "Last applied" } else { "Last deployed" }}</dt><dd><code>{revision(&app.revisions.applied)}</code></dd>
            </dl>
            {gap.map(|gap| view! { <p class="revision-gap" data-testid="drift-revision-gap">{gap}</p> })}
            <p class="side-title">"Facts"</p>
            <dl class="facts">
                {facts.into_iter().map(|(term, value)| view! { <dt>{term}</dt><dd>{value}</dd> }).collect_view()}
            </dl>
            {(!children.is_empty()).then(|| view! {
                <p class="side-title">"Applies or generates"</p>
                <ul class="edge-list" data-testid="drift-children">{children}</ul>
            })}
            <p class="side-title">"Conditions"</p>
            {if conditions.is_empty() {
                view! { <p class="muted small">"No condition written."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="compact" data-testid="drift-conditions">
                        <thead><tr><th>"Type"</th><th>"Status"</th><th>"Reason"</th><th>"Message"</th><th>"Since"</th></tr></thead>
                        <tbody>{conditions}</tbody>
                    </table></div>
                }.into_any()
            }}
            {has_resources.then(|| view! {
                <details class="resources" open=app.tool == GitOpsTool::ArgoCd>
                    <summary class="side-title">{format!("{resources_title} ({})", app.resources.len())}</summary>
                    <div class="table-wrap"><table class="compact" data-testid="drift-resources">
                        <thead><tr><th>"Kind"</th><th>"Name"</th><th>"Sync"</th><th>"Health"</th></tr></thead>
                        <tbody>{resources}</tbody>
                    </table></div>
                </details>
            })}
            <p class="side-title">"Timeline (newest first)"</p>
            {if has_timeline {
                view! { <ol class="timeline" data-testid="drift-timeline">{timeline}</ol> }.into_any()
            } else {
                view! { <p class="muted small">"The status records no history, condition time or sync yet."</p> }.into_any()
            }}
        </div>
        <AppDiff app=reference/>
    }
}

/// The selected application's object diff (`get_drift_diff` naming it).
#[component]
fn AppDiff(app: ObjectRef) -> impl IntoView {
    let state = use_app_state();
    let request = GetDriftDiff { app: Some(app) };
    let diff = LocalResource::new(move || {
        state.refresh.track();
        let request = request.clone();
        async move { ipc::invoke(&request).await }
    });
    view! {
        <Transition fallback=|| view! { <DiffLoading/> }>
            {move || Suspend::new(async move {
                match diff.await {
                    Ok(diff) => diff::diff_view(diff, "drift-app-diff", "Object diff").into_any(),
                    Err(error) => view! {
                        <section class="panel" data-testid="drift-app-diff-error">
                            <header class="panel-head"><h2>"Object diff"</h2></header>
                            <p class="error-inline">{error.message}</p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

/// Shown while an application's diff is computed: with the clone or fetch of its repository,
/// as the backend reports it, when there is one.
#[component]
fn DiffLoading() -> impl IntoView {
    let state = use_app_state();
    let progress = move || {
        state.git_progress.get().filter(|progress| !progress.finished).map(|progress| {
            let count = match progress.total {
                Some(total) => format!("{} / {}", progress.done, total),
                None if progress.done > 0 => format!("{}", progress.done),
                None => String::new(),
            };
            let bar = match progress.total {
                Some(total) if total > 0 => view! {
                    <progress max=total.to_string() value=progress.done.min(total).to_string()></progress>
                }
                .into_any(),
                _ => view! { <progress></progress> }.into_any(),
            };
            view! {
                <div class="git-progress" data-testid="git-progress">
                    <span class="small"><code>{progress.repository}</code>" · "{progress.stage}" "{count}</span>
                    {bar}
                </div>
            }
        })
    };
    view! {
        <div class="side-panel muted" data-testid="drift-app-diff-loading">
            <p>"Computing the object diff: Git at the applied revision, rendered, against the live objects…"</p>
            {progress}
        </div>
    }
}

/// The demo platform's drift pairs (`get_drift_diff` without an application).
#[component]
fn DemoDiffs() -> impl IntoView {
    let state = use_app_state();
    let diff = ipc::resource(state.refresh, GetDriftDiff::default);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match diff.await {
                    Ok(diff) => diff::diff_view(diff, "drift-diff", "Object diffs").into_any(),
                    Err(error) => view! {
                        <section class="panel" data-testid="drift-diff-unavailable">
                            <header class="panel-head"><h2>"Object diffs"</h2></header>
                            <p class="muted empty-row">{error.message}</p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}
