//! GitOps applications and their controllers' verdicts.

use leptos::prelude::*;
use sextant_protocol::drift::{GitOpsApps, GitOpsTool, ListGitOpsApps, Verdict};

use crate::{
    components::{DataTable, Stat},
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
        }
    })
}
