//! GitOps applications and their controllers' verdicts.

use leptos::prelude::*;
use sextant_protocol::drift::{
    DriftDiff, FieldClass, FieldDiff, GetDriftDiff, GitOpsApps, GitOpsTool, ListGitOpsApps,
    ObjectDiff, ObjectState, Verdict,
};

use crate::{
    components::{Badge, DataTable, Stat},
    ipc,
    pages::loaded,
    state::use_app_state,
    view_model::{Cell, Row, Tone, verdict},
};

/// The drift page.
#[component]
pub(crate) fn DriftPage() -> impl IntoView {
    let state = use_app_state();
    let apps =
        ipc::resource(state.refresh, move || ListGitOpsApps { cluster: state.cluster.get() });
    loaded(apps, |apps: GitOpsApps| {
        let count = |wanted: &[Verdict]| {
            apps.apps.iter().filter(|app| wanted.contains(&app.verdict)).count()
        };
        let rows = apps
            .apps
            .iter()
            .map(|app| {
                let (label, tone) = verdict(app.verdict);
                Row {
                    key: format!(
                        "{}/{}/{}",
                        app.object.cluster,
                        app.object.kind,
                        app.object.display_name()
                    ),
                    cells: vec![
                        Cell::Text(app.object.cluster.clone()),
                        Cell::Text(match app.tool {
                            GitOpsTool::Flux => "Flux".into(),
                            GitOpsTool::ArgoCd => "Argo CD".into(),
                        }),
                        Cell::Text(app.object.kind.clone()),
                        Cell::Code(app.object.display_name()),
                        Cell::Badge(label.into(), tone),
                        Cell::Code(app.revision.clone().unwrap_or_default()),
                        Cell::Text(app.source.clone().unwrap_or_default()),
                        Cell::Text(app.message.clone().unwrap_or_default()),
                    ],
                }
            })
            .collect();
        let repositories = apps
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
        view! {
            <div class="page-head"><h1>"GitOps drift"</h1><p class="muted">"Flux and Argo CD applications, with what their controllers say, doubted where the status is stale."</p></div>
            <div class="stats">
                <Stat label="applications" value=apps.apps.len() testid="drift-total"/>
                <Stat label="in sync" value=count(&[Verdict::InSync]) tone=Tone::Good testid="drift-in-sync"/>
                <Stat label="out of sync" value=count(&[Verdict::OutOfSync]) tone=Tone::Bad testid="drift-out-of-sync"/>
                <Stat label="failed" value=count(&[Verdict::Failed]) tone=Tone::Bad testid="drift-failed"/>
                <Stat label="stale" value=count(&[Verdict::Stale]) tone=Tone::Warn testid="drift-stale"/>
                <Stat label="suspended" value=count(&[Verdict::Suspended]) testid="drift-suspended"/>
            </div>
            <DataTable
                title="Applications"
                headers=&["Cluster", "Tool", "Kind", "Name", "Verdict", "Revision", "Source", "Why"]
                rows=rows
                testid="drift-apps"
                empty_hint="No Flux Kustomization, HelmRelease or Argo CD Application was found."
            />
            <DataTable
                title="Git sources"
                headers=&["Repository", "Head", "Files", "Location"]
                rows=repositories
                testid="drift-repositories"
                empty_hint="No Git repository is read yet."
            />
            <ObjectDiffs/>
        }
    })
}

/// Field-level diffs of desired (Git) against live objects, side by side; differences that are
/// not drift (expected mutations, ignored fields) are folded away.
#[component]
fn ObjectDiffs() -> impl IntoView {
    let state = use_app_state();
    let diff = ipc::resource(state.refresh, || GetDriftDiff::default());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match diff.await {
                    Ok(diff) => diff_view(diff).into_any(),
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

fn diff_view(diff: DriftDiff) -> impl IntoView {
    let summary = diff.summary;
    let mut objects: Vec<ObjectDiff> = diff
        .objects
        .into_iter()
        .filter(|object| object.state != ObjectState::InSync || !object.fields.is_empty())
        .collect();
    // Drift first, then objects missing or extra, then objects in sync with folded noise.
    objects.sort_by_key(|object| match object.state {
        ObjectState::Drifted => 0,
        ObjectState::MissingLive | ObjectState::NotInGit | ObjectState::Unknown => 1,
        ObjectState::InSync => 2,
    });
    let quiet = summary.in_sync
        - objects.iter().filter(|object| object.state == ObjectState::InSync).count();
    let objects: Vec<_> = objects.into_iter().map(object_view).collect();
    view! {
        <section class="panel" data-testid="drift-diff">
            <header class="panel-head">
                <h2>"Object diffs"</h2>
                <span class="muted">"estimated locally from Git and live objects, classed by field manager"</span>
            </header>
            <div class="stats">
                <Stat label="in sync" value=summary.in_sync tone=Tone::Good testid="diff-in-sync"/>
                <Stat label="drifted" value=summary.drifted tone=Tone::Bad testid="diff-drifted"/>
                <Stat label="missing live" value=summary.missing_live tone=Tone::Warn testid="diff-missing-live"/>
                <Stat label="not in Git" value=summary.not_in_git tone=Tone::Warn testid="diff-not-in-git"/>
            </div>
            {objects}
            <p class="muted">{format!("{quiet} more objects match Git exactly once defaults, canonical values and server metadata are set aside.")}</p>
        </section>
    }
}

fn object_view(object: ObjectDiff) -> impl IntoView {
    let id = &object.id;
    let kind =
        if id.group.is_empty() { id.kind.clone() } else { format!("{}.{}", id.kind, id.group) };
    let name = match &id.namespace {
        Some(namespace) => format!("{namespace}/{}", id.name),
        None => id.name.clone(),
    };
    let (label, tone) = match object.state {
        ObjectState::InSync => ("in sync", Tone::Good),
        ObjectState::Drifted => ("drifted", Tone::Bad),
        ObjectState::MissingLive => ("missing live", Tone::Warn),
        ObjectState::NotInGit => ("not in Git", Tone::Warn),
        ObjectState::Unknown => ("unknown", Tone::Warn),
    };
    let (drift, noise): (Vec<FieldDiff>, Vec<FieldDiff>) =
        object.fields.into_iter().partition(|field| field.class == FieldClass::Drift);
    let noise_count = noise.len();
    let drift_table = (!drift.is_empty()).then(|| field_table(drift));
    let noise_table = (noise_count > 0).then(|| {
        view! {
            <details class="diff-noise" data-testid="diff-noise">
                <summary>{format!("{noise_count} expected or ignored difference(s)")}</summary>
                {field_table(noise)}
            </details>
        }
    });
    view! {
        <article class="diff-object" data-testid="diff-object">
            <h3><code>{kind}" "{name}</code>" "<Badge text=label.to_owned() tone=tone/></h3>
            {drift_table}
            {noise_table}
        </article>
    }
}

fn field_table(fields: Vec<FieldDiff>) -> impl IntoView {
    let value = |field: &FieldDiff, value: &Option<serde_json::Value>| match (field.redacted, value)
    {
        (true, _) => "(secret, not shown)".to_owned(),
        (false, None) => "—".to_owned(),
        (false, Some(serde_json::Value::String(text))) => text.clone(),
        (false, Some(other)) => other.to_string(),
    };
    let rows: Vec<_> = fields
        .into_iter()
        .map(|field| {
            let (class, tone) = match field.class {
                FieldClass::Drift => ("drift", Tone::Bad),
                FieldClass::ExpectedMutation => ("expected mutation", Tone::Neutral),
                FieldClass::Ignored => ("ignored", Tone::Neutral),
            };
            let desired = value(&field, &field.desired);
            let live = value(&field, &field.live);
            let differs = if field.desired.is_some() && field.live.is_some() {
                "diff-changed"
            } else {
                "diff-one-side"
            };
            view! {
                <tr>
                    <td><code>{field.path}</code></td>
                    <td class=format!("diff-git {differs}")><code>{desired}</code></td>
                    <td class=format!("diff-live {differs}")><code>{live}</code></td>
                    <td><Badge text=class.to_owned() tone=tone/></td>
                    <td>{field.reason}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table class="diff-table">
                <thead><tr><th>"Field"</th><th>"Git"</th><th>"Live"</th><th>"Class"</th><th>"Why"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
