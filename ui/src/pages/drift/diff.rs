//! The object diff: desired (Git-rendered), last applied and live, side by side, one table per
//! object; differences that are not drift (expected mutations, ignored fields) folded away.

use leptos::prelude::*;
use sextant_protocol::drift::{
    DiffMode, DriftDiff, FieldClass, FieldDiff, ObjectDiff, ObjectState,
};

use crate::{
    components::{Badge, Stat},
    view_model::Tone,
};

/// How the live side was predicted, in words.
pub(super) fn mode_label(mode: DiffMode) -> &'static str {
    match mode {
        DiffMode::Estimated => {
            "estimated locally from Git and live objects (no dry-run), classed by field manager"
        }
        DiffMode::ServerDryRun => "server-side-apply dry-run under the controller's field manager",
    }
}

/// A whole diff: counts, then the objects that differ (drift first).
pub(super) fn diff_view(
    diff: DriftDiff,
    testid: &'static str,
    title: &'static str,
) -> impl IntoView {
    let summary = diff.summary;
    let mode = diff.mode;
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
    let quiet = summary.in_sync.saturating_sub(
        objects.iter().filter(|object| object.state == ObjectState::InSync).count(),
    );
    let problems = diff.problems;
    let objects: Vec<_> = objects.into_iter().map(object_view).collect();
    view! {
        <section class="panel" data-testid=testid>
            <header class="panel-head">
                <h2>{title}</h2>
                <Badge
                    text=if mode == DiffMode::Estimated { "estimated" } else { "server dry-run" }
                    tone=if mode == DiffMode::Estimated { Tone::Warn } else { Tone::Good }
                />
                <span class="muted" data-testid="diff-mode">{mode_label(mode)}</span>
            </header>
            <div class="stats">
                <Stat label="in sync" value=summary.in_sync tone=Tone::Good testid="diff-in-sync"/>
                <Stat label="drifted" value=summary.drifted tone=Tone::Bad testid="diff-drifted"/>
                <Stat label="missing live" value=summary.missing_live tone=Tone::Warn testid="diff-missing-live"/>
                <Stat label="not in Git" value=summary.not_in_git tone=Tone::Warn testid="diff-not-in-git"/>
            </div>
            {(!problems.is_empty()).then(|| view! {
                <ul class="diagnostics diff-problems">{problems.into_iter().map(|problem| view! { <li>{problem}</li> }).collect_view()}</ul>
            })}
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
                <summary>{format!("{noise_count} expected or ignored difference(s), not drift")}</summary>
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

fn shown(field: &FieldDiff, value: Option<&serde_json::Value>) -> String {
    match (field.redacted, value) {
        (true, Some(_)) => "(secret, not shown)".to_owned(),
        (_, None) => "—".to_owned(),
        (false, Some(serde_json::Value::String(text))) => text.clone(),
        (false, Some(other)) => {
            serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string())
        }
    }
}

fn field_table(fields: Vec<FieldDiff>) -> impl IntoView {
    let rows: Vec<_> = fields
        .into_iter()
        .map(|field| {
            let (class, tone) = match field.class {
                FieldClass::Drift => ("drift", Tone::Bad),
                FieldClass::ExpectedMutation => ("expected mutation", Tone::Neutral),
                FieldClass::Ignored => ("ignored", Tone::Neutral),
            };
            let desired = shown(&field, field.desired.as_ref());
            let last_applied = shown(&field, field.last_applied.as_ref());
            let live = shown(&field, field.live.as_ref());
            let state = match (&field.desired, &field.live) {
                (Some(_), Some(_)) => "diff-changed",
                (Some(_), None) => "diff-removed",
                (None, Some(_)) => "diff-added",
                (None, None) => "diff-same",
            };
            let noisy = if field.class == FieldClass::Drift { "" } else { " diff-quiet" };
            let applied_differs = field.last_applied.is_some() && field.last_applied != field.live;
            let who = match (&field.manager, &field.time) {
                (Some(manager), Some(time)) if !field.reason.contains(manager.as_str()) => {
                    Some(format!("{manager} at {time}"))
                }
                (Some(manager), None) if !field.reason.contains(manager.as_str()) => Some(manager.clone()),
                _ => None,
            };
            view! {
                <tr class=format!("{state}{noisy}")>
                    <td><code>{field.path}</code></td>
                    <td class="diff-git"><code>{desired}</code></td>
                    <td class=if applied_differs { "diff-applied diff-applied-differs" } else { "diff-applied" }><code>{last_applied}</code></td>
                    <td class="diff-live"><code>{live}</code></td>
                    <td><Badge text=class.to_owned() tone=tone/></td>
                    <td>{field.reason}{who.map(|who| view! { <span class="muted small">" · "{who}</span> })}</td>
                </tr>
            }
        })
        .collect();
    view! {
        <div class="table-wrap">
            <table class="diff-table">
                <thead><tr><th>"Field"</th><th>"Git (rendered)"</th><th>"Last applied"</th><th>"Live"</th><th>"Class"</th><th>"Why"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
