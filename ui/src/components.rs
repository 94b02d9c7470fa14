//! Reusable widgets: tables, badges, stats, loading, empty and error states, the palette.

pub(crate) mod palette;

use leptos::prelude::*;
use sextant_protocol::{CommandError, ErrorCode};

use crate::{
    ipc,
    state::use_app_state,
    view_model::{Cell, Row, Tone, data_status_lines, matching, row_haystack},
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
    // Lower-cased once, so that a keystroke in the filter only compares.
    let haystacks = StoredValue::new(rows.iter().map(row_haystack).collect::<Vec<_>>());
    let rows = StoredValue::new(rows);
    // The indices of the rows the filter leaves.
    let shown = Memo::new(move |_| {
        let filter = state.filter.get();
        haystacks.with_value(|haystacks| matching(haystacks, &filter))
    });
    let scroll_top = RwSignal::new(0_i32);
    let virtual_table = move || shown.with(Vec::len) > VIRTUAL_FROM;
    // The rows to render, and the heights of the spacers above and below them.
    let window = move || {
        shown.with(|shown| {
            let (start, end) = if shown.len() <= VIRTUAL_FROM {
                (0, shown.len())
            } else {
                let first_in_view = usize::try_from(scroll_top.get()).unwrap_or(0) / ROW_HEIGHT;
                let start = first_in_view.saturating_sub(OVERSCAN).min(shown.len());
                (start, (start + WINDOW).min(shown.len()))
            };
            let picked: Vec<Row> = rows.with_value(|rows| {
                shown[start..end].iter().map(|&index| rows[index].clone()).collect()
            });
            if shown.len() <= VIRTUAL_FROM {
                (picked, 0, 0)
            } else {
                (picked, start * ROW_HEIGHT, (shown.len() - end) * ROW_HEIGHT)
            }
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
                    <WindowTable headers=headers window=window/>
                </div>
            </Show>
        </section>
    }
}

/// The rows in view of a virtualized table, between two spacers standing for the rows above
/// and below them: `window` is (rows, pixels above, pixels below).
#[component]
fn WindowTable(
    headers: &'static [&'static str],
    window: Memo<(Vec<Row>, usize, usize)>,
) -> impl IntoView {
    view! {
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
    }
}

/// Rows a paged table asks for at a time: more than a tall window shows, so that scrolling a
/// few screens needs no new request, and every row of a short list.
const PAGE: usize = 200;

/// A page of rows from the backend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowPage {
    /// Rows in all.
    pub(crate) total: usize,
    /// Rows the filter matches.
    pub(crate) matched: usize,
    /// The index of `rows[0]` among the matches.
    pub(crate) offset: usize,
    /// The rows.
    pub(crate) rows: Vec<Row>,
}

/// A table whose rows stay on the backend: `fetch(query, offset, limit)` answers a page of the
/// rows the view's text filter matches. The table asks for the page around what is in view, so
/// a list of 100,000 rows paints and filters as fast as one of 100; scrolling past the page
/// fetches the next one.
#[component]
pub(crate) fn PagedTable<F, Fut>(
    #[prop(into)] title: String,
    headers: &'static [&'static str],
    #[prop(into)] testid: String,
    #[prop(into)] empty_hint: String,
    /// Changes when the rows must be asked for again (another cluster).
    #[prop(into)]
    reload: Signal<Option<String>>,
    fetch: F,
) -> impl IntoView
where
    F: Fn(String, usize, usize) -> Fut + Copy + 'static,
    Fut: std::future::Future<Output = Result<RowPage, CommandError>> + 'static,
{
    let state = use_app_state();
    let page = RwSignal::new(None::<Result<RowPage, CommandError>>);
    let scroll_top = RwSignal::new(0_i32);
    let generation = StoredValue::new(0_u64);
    let wrap = NodeRef::<leptos::html::Div>::new();
    let load = move |query: String, offset: usize| {
        let ticket = generation.get_value() + 1;
        generation.set_value(ticket);
        leptos::task::spawn_local(async move {
            let answer = fetch(query, offset, PAGE).await;
            // A slower answer to an older request never replaces a newer one, and an answer
            // arriving after the table is gone (another view) is dropped.
            if generation.try_get_value() == Some(ticket) {
                page.try_set(Some(answer));
            }
        });
    };
    // A new filter, a refresh or another cluster: back to the top.
    Effect::new(move |_| {
        let query = state.filter.get();
        state.refresh.track();
        reload.track();
        scroll_top.set(0);
        if let Some(wrap) = wrap.get_untracked() {
            wrap.set_scroll_top(0);
        }
        load(query, 0);
    });
    // The first row in view, less the margin.
    let window_start = Memo::new(move |_| {
        (usize::try_from(scroll_top.get()).unwrap_or(0) / ROW_HEIGHT).saturating_sub(OVERSCAN)
    });
    // Scrolled beyond the rows at hand: fetch the page around the view.
    Effect::new(move |_| {
        let start = window_start.get();
        let covered = page.with_untracked(|page| match page {
            Some(Ok(page)) => {
                let end = (start + WINDOW).min(page.matched);
                page.offset <= start && end <= page.offset + page.rows.len()
            }
            _ => true,
        });
        if !covered {
            load(state.filter.get_untracked(), start.saturating_sub(PAGE / 4));
        }
    });
    let matched = move || {
        page.with(|page| {
            page.as_ref().and_then(|page| page.as_ref().ok()).map_or(0, |page| page.matched)
        })
    };
    let virtual_table = move || matched() > VIRTUAL_FROM;
    // The rows to render, and the heights of the spacers above and below them.
    let window = Memo::new(move |_| {
        page.with(|page| {
            let Some(Ok(page)) = page else { return (Vec::new(), 0, 0) };
            if page.matched <= VIRTUAL_FROM {
                return (page.rows.clone(), 0, 0);
            }
            let start = window_start.get().max(page.offset).min(page.offset + page.rows.len());
            let end = (window_start.get() + WINDOW).min(page.offset + page.rows.len()).max(start);
            let rows = page.rows[start - page.offset..end - page.offset].to_vec();
            (rows, start * ROW_HEIGHT, (page.matched - end) * ROW_HEIGHT)
        })
    });
    let count_testid = format!("{testid}-count");
    let count = move || {
        page.with(|page| match page {
            Some(Ok(page)) if page.matched == page.total => format!("{}", page.total),
            Some(Ok(page)) => format!("{} of {}", page.matched, page.total),
            Some(Err(_)) => "unavailable".to_owned(),
            None => "…".to_owned(),
        })
    };
    let body = move || {
        page.with(|page| match page {
            None => view! { <Loading/> }.into_any(),
            Some(Err(error)) => view! { <ErrorPanel error=error.clone()/> }.into_any(),
            Some(Ok(page)) if page.matched == 0 => {
                let hint = if page.total == 0 {
                    empty_hint.clone()
                } else {
                    "No row matches the filter.".to_owned()
                };
                view! { <p class="muted empty-row">{hint}</p> }.into_any()
            }
            Some(Ok(_)) => ().into_any(),
        })
    };
    let has_rows = move || matched() > 0;
    view! {
        <section class="panel" data-testid=testid>
            <header class="panel-head">
                <h2>{title}</h2>
                <span class="muted" data-testid=count_testid>{count}</span>
            </header>
            {body}
            <div
                class="table-wrap"
                class:virtual=virtual_table
                style:display=move || if has_rows() { "" } else { "none" }
                node_ref=wrap
                on:scroll=move |event| {
                    if virtual_table() {
                        scroll_top.set(event_target::<web_sys::Element>(&event).scroll_top());
                    }
                }
            >
                <WindowTable headers=headers window=window/>
            </div>
        </section>
    }
}

/// Seconds since the Unix epoch, from the browser's clock.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "Date.now() is a positive millisecond count far below 2^53"
)]
pub(crate) fn unix_now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// What the view's live data lacks, above its content: a cluster that cannot be read, kinds
/// still listing or showing older data (with its age), partial kinds, and the permissions the
/// user lacks ("you may not list httproutes in team-b"), so that missing data is never read as
/// "none". One quiet line when nothing is missing; nothing for the demo.
#[component]
pub(crate) fn DataStatus(view: sextant_protocol::ViewId) -> impl IntoView {
    let state = use_app_state();
    let status =
        ipc::resource(state.refresh, move || sextant_protocol::overview::GetViewStatus { view });
    move || {
        let status = status.get().and_then(Result::ok).filter(|status| status.live)?;
        let (lines, summary) = data_status_lines(&status, unix_now());
        Some(if lines.is_empty() {
            view! { <p class="muted small data-status" data-testid="data-status">{summary}</p> }
                .into_any()
        } else {
            let count = lines.len();
            view! {
                <details class="data-status warn" data-testid="data-status" open=count <= 4>
                    <summary>{format!("This view's data is incomplete or not current: {count} note(s)")}</summary>
                    <ul>{lines.into_iter().map(|(tone, text)| view! { <li class=tone.class()>{text}</li> }).collect_view()}</ul>
                </details>
            }
            .into_any()
        })
    }
}
