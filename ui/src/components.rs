//! Reusable widgets: tables, badges, stats, loading, empty and error states, the palette.

pub(crate) mod palette;

use leptos::prelude::*;
use sextant_protocol::{CommandError, ErrorCode};

use crate::{
    state::use_app_state,
    view_model::{Cell, Row, Tone, filter_rows},
};

/// A coloured label.
#[component]
pub(crate) fn Badge(#[prop(into)] text: String, tone: Tone) -> impl IntoView {
    view! { <span class=format!("badge {}", tone.class())>{text}</span> }
}

/// A big number with a label, coloured by `tone` when it is not zero.
#[component]
pub(crate) fn Stat(
    #[prop(into)] label: String,
    value: usize,
    #[prop(default = Tone::Neutral)] tone: Tone,
    #[prop(into)] testid: String,
) -> impl IntoView {
    view! {
        <div class=format!("stat {}", if value > 0 { tone.class() } else { "tone-neutral" })>
            <span class="stat-value" data-testid=testid>{value}</span>
            <span class="stat-label">{label}</span>
        </div>
    }
}

/// Shown while a view loads.
#[component]
pub(crate) fn Loading() -> impl IntoView {
    view! { <div class="loading" role="status"><span class="spinner"></span>"Loading…"</div> }
}

/// A failed command, with what to do about it.
#[component]
pub(crate) fn ErrorPanel(error: CommandError) -> impl IntoView {
    let hint = match error.code {
        ErrorCode::Unreachable => {
            "Check that the server is running and reachable, then press Refresh."
        }
        ErrorCode::Unauthenticated => "Log in again or renew the credentials, then press Refresh.",
        ErrorCode::Forbidden => "Ask for read access to this data, or switch to another source.",
        ErrorCode::Unavailable => {
            "The server cannot answer now (a sealed Vault?). Try again when it is ready."
        }
        ErrorCode::InvalidInput => "Fix the input named above, then press Refresh.",
        ErrorCode::NotFound | ErrorCode::Conflict | ErrorCode::Internal => {
            "Press Refresh; if it persists, run `sextant doctor`."
        }
    };
    view! {
        <div class="error-panel" role="alert" data-testid="error">
            <strong>"Could not load this view"</strong>
            <p>{error.message}</p>
            <p class="hint">{hint}</p>
        </div>
    }
}

/// Shown when a view has nothing to list.
#[component]
pub(crate) fn Empty(#[prop(into)] title: String, #[prop(into)] hint: String) -> impl IntoView {
    view! { <div class="empty" data-testid="empty"><strong>{title}</strong><p>{hint}</p></div> }
}

/// A table whose rows the view's text filter narrows.
#[component]
pub(crate) fn DataTable(
    #[prop(into)] title: String,
    headers: &'static [&'static str],
    rows: Vec<Row>,
    #[prop(into)] testid: String,
    #[prop(into)] empty_hint: String,
) -> impl IntoView {
    let state = use_app_state();
    let total = rows.len();
    let rows = StoredValue::new(rows);
    let shown = Memo::new(move |_| {
        let filter = state.filter.get();
        rows.with_value(|rows| filter_rows(rows, &filter).into_iter().cloned().collect::<Vec<_>>())
    });
    let count_testid = format!("{testid}-count");
    view! {
        <section class="panel" data-testid=testid>
            <header class="panel-head">
                <h2>{title}</h2>
                <span class="muted" data-testid=count_testid>
                    {move || {
                        let count = shown.with(Vec::len);
                        if count == total { format!("{total}") } else { format!("{count} of {total}") }
                    }}
                </span>
            </header>
            <Show
                when=move || shown.with(|shown| !shown.is_empty())
                fallback=move || {
                    let hint = if total == 0 { empty_hint.clone() } else { "No row matches the filter.".to_owned() };
                    view! { <p class="muted empty-row">{hint}</p> }
                }
            >
                <div class="table-wrap">
                    <table>
                        <thead><tr>{headers.iter().map(|header| view! { <th>{*header}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            <For each=move || shown.get() key=|row| row.key.clone() let:row>
                                <tr>
                                    {row.cells.into_iter().map(|cell| match cell {
                                        Cell::Text(text) => view! { <td>{text}</td> }.into_any(),
                                        Cell::Code(text) => view! { <td><code>{text}</code></td> }.into_any(),
                                        Cell::Badge(text, tone) => view! { <td><Badge text=text tone=tone/></td> }.into_any(),
                                    }).collect_view()}
                                </tr>
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}
