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

/// Rows above which a table renders only the rows in view (plus a margin), so a list of
/// 50,000 objects paints as fast as one of 50.
const VIRTUAL_FROM: usize = 200;
/// The fixed height of a row of a virtualized table, in CSS pixels (see `.virtual` in the CSS).
const ROW_HEIGHT: usize = 33;
/// Rows rendered beyond each edge of the view.
const OVERSCAN: usize = 20;
/// Rows rendered: enough for a tall window, plus the margins.
const WINDOW: usize = 40 + 2 * OVERSCAN;

/// A table whose rows the view's text filter narrows. Long tables are virtualized: they scroll
/// inside a fixed height and render only the rows in view.
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
    let scroll_top = RwSignal::new(0_i32);
    let virtual_table = move || shown.with(Vec::len) > VIRTUAL_FROM;
    // The rows to render, and the heights of the spacers above and below them.
    let window = move || {
        shown.with(|shown| {
            if shown.len() <= VIRTUAL_FROM {
                return (shown.clone(), 0, 0);
            }
            let first_in_view = usize::try_from(scroll_top.get()).unwrap_or(0) / ROW_HEIGHT;
            let start = first_in_view.saturating_sub(OVERSCAN).min(shown.len());
            let end = (start + WINDOW).min(shown.len());
            (shown[start..end].to_vec(), start * ROW_HEIGHT, (shown.len() - end) * ROW_HEIGHT)
        })
    };
    let window = Memo::new(move |_| window());
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
                <div
                    class="table-wrap"
                    class:virtual=virtual_table
                    on:scroll=move |event| {
                        if virtual_table() {
                            scroll_top.set(event_target::<web_sys::Element>(&event).scroll_top());
                        }
                    }
                >
                    <table>
                        <thead><tr>{headers.iter().map(|header| view! { <th>{*header}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            <tr class="spacer"><td colspan=headers.len() style:height=move || format!("{}px", window.with(|window| window.1))></td></tr>
                            <For each=move || window.with(|window| window.0.clone()) key=|row| row.key.clone() let:row>
                                <tr>
                                    {row.cells.into_iter().map(|cell| match cell {
                                        Cell::Text(text) => view! { <td>{text}</td> }.into_any(),
                                        Cell::Code(text) => view! { <td><code>{text}</code></td> }.into_any(),
                                        Cell::Badge(text, tone) => view! { <td><Badge text=text tone=tone/></td> }.into_any(),
                                    }).collect_view()}
                                </tr>
                            </For>
                            <tr class="spacer"><td colspan=headers.len() style:height=move || format!("{}px", window.with(|window| window.2))></td></tr>
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}
