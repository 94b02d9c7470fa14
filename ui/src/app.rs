//! The shell: navigation, the source and cluster switchers, the filter, the theme, the palette,
//! and keyboard shortcuts.

use leptos::{ev, prelude::*};
use sextant_protocol::{
    ViewId,
    overview::GetOverview,
    session::{GetSession, SelectSource},
};
use wasm_bindgen::JsCast;

use crate::{
    components::{DataStatus, palette::Palette},
    ipc,
    pages::{
        drift::DriftPage, lattice::LatticePage, overview::OverviewPage, policies::PoliciesPage,
        routes::RoutesPage, vault::VaultPage,
    },
    state::{AppState, Theme, parse_hash, use_app_state},
};

const THEME_STORAGE: &str = "sextant-theme";

fn initial_theme() -> Theme {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|window| window.local_storage().ok().flatten())
        .and_then(|storage| storage.get_item(THEME_STORAGE).ok().flatten());
    match stored.as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ => {
            let prefers_dark = window
                .and_then(|window| {
                    window.match_media("(prefers-color-scheme: dark)").ok().flatten()
                })
                .is_some_and(|query| query.matches());
            if prefers_dark { Theme::Dark } else { Theme::Light }
        }
    }
}

/// The whole application.
#[component]
pub(crate) fn App() -> impl IntoView {
    let hash =
        web_sys::window().and_then(|window| window.location().hash().ok()).unwrap_or_default();
    let (view, filter) = parse_hash(&hash);
    let state = AppState::new(view, initial_theme());
    state.filter.set(filter);
    provide_context(state);

    Effect::new(move |_| {
        let dark = state.theme.get() == Theme::Dark;
        if let Some(root) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.document_element())
        {
            let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
        }
        if let Some(storage) =
            web_sys::window().and_then(|window| window.local_storage().ok().flatten())
        {
            let _ = storage.set_item(THEME_STORAGE, if dark { "dark" } else { "light" });
        }
    });

    // Follow the address bar (back/forward, links).
    let _hash_listener = window_event_listener(ev::hashchange, move |_| {
        let hash =
            web_sys::window().and_then(|window| window.location().hash().ok()).unwrap_or_default();
        let (view, filter) = parse_hash(&hash);
        state.view.set(view);
        state.filter.set(filter);
    });

    let _keys = window_event_listener(ev::keydown, move |event: ev::KeyboardEvent| {
        let key = event.key();
        if (event.ctrl_key() || event.meta_key()) && key.eq_ignore_ascii_case("k") {
            event.prevent_default();
            state.palette_open.update(|open| *open = !*open);
        } else if event.alt_key()
            && let Some(digit) = key.chars().next().and_then(|c| c.to_digit(10))
        {
            if let Some(view) = usize::try_from(digit)
                .ok()
                .and_then(|digit| digit.checked_sub(1))
                .and_then(|index| ViewId::ALL.get(index))
            {
                event.prevent_default();
                state.navigate(*view, "");
            }
        } else if key == "/" && !typing_in_a_field(&event) {
            event.prevent_default();
            if let Some(input) = web_sys::window()
                .and_then(|window| window.document())
                .and_then(|document| document.get_element_by_id("view-filter"))
                .and_then(|input| input.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = input.focus();
            }
        }
    });

    ipc::listen(move |event| {
        use sextant_protocol::Event as _;
        if event.name == sextant_protocol::git::GitProgress::NAME {
            if let Ok(progress) = serde_json::from_value(event.payload) {
                state.git_progress.set(Some(progress));
            }
        } else {
            state.reload();
        }
    });

    view! {
        <div class="shell">
            <Sidebar/>
            <div class="main">
                <TopBar/>
                <main class="content" data-testid=move || format!("view-{}", state.view.get().slug())>
                    // The Overview shows every kind's state itself; the other views say what
                    // their data lacks above their content.
                    {move || {
                        let view = state.view.get();
                        (view != ViewId::Overview).then(|| view! { <DataStatus view=view/> })
                    }}
                    {move || match state.view.get() {
                        ViewId::Overview => view! { <OverviewPage/> }.into_any(),
                        ViewId::Drift => view! { <DriftPage/> }.into_any(),
                        ViewId::Policies => view! { <PoliciesPage/> }.into_any(),
                        ViewId::Routes => view! { <RoutesPage/> }.into_any(),
                        ViewId::Vault => view! { <VaultPage/> }.into_any(),
                        ViewId::Lattice => view! { <LatticePage/> }.into_any(),
                    }}
                </main>
            </div>
            <Palette/>
        </div>
    }
}

fn typing_in_a_field(event: &ev::KeyboardEvent) -> bool {
    event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok()).is_some_and(
        |element| matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"),
    )
}

#[component]
fn Sidebar() -> impl IntoView {
    let state = use_app_state();
    view! {
        <nav class="sidebar" aria-label="Views">
            <div class="brand"><span class="brand-mark">"◈"</span>" Sextant"</div>
            <ul>
                {ViewId::ALL.into_iter().enumerate().map(|(index, view)| view! {
                    <li>
                        <a
                            href=format!("#/{}", view.slug())
                            class:active=move || state.view.get() == view
                            data-testid=format!("nav-{}", view.slug())
                            title=format!("{} (Alt+{})", view.title(), index + 1)
                            on:click=move |event| { event.prevent_default(); state.navigate(view, ""); }
                        >{view.title()}</a>
                    </li>
                }).collect_view()}
            </ul>
            <p class="sidebar-hint muted">"Ctrl+K: jump anywhere"<br/>"/: filter · Alt+1–6: views"</p>
        </nav>
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let state = use_app_state();
    let session = ipc::resource(state.refresh, || GetSession {});
    let overview = ipc::resource(state.refresh, || GetOverview {});
    let switch_source = Action::new_local(move |source: &String| {
        let source = source.clone();
        async move {
            let outcome = ipc::invoke(&SelectSource { source }).await;
            state.cluster.set(None);
            state.reload();
            outcome
        }
    });
    view! {
        <header class="topbar">
            <label class="field">
                <span class="muted">"Source"</span>
                <select
                    data-testid="source-switcher"
                    on:change=move |event| { switch_source.dispatch(event_target_value(&event)); }
                >
                    {move || session.get().and_then(Result::ok).map(|session| session.sources.iter().map(|source| view! {
                        <option value=source.id.clone() selected=source.id == session.active title=source.detail.clone().unwrap_or_default()>{source.label.clone()}</option>
                    }).collect_view())}
                </select>
            </label>
            <label class="field">
                <span class="muted">"Cluster"</span>
                <select
                    data-testid="cluster-switcher"
                    prop:value=move || state.cluster.get().unwrap_or_default()
                    on:change=move |event| {
                        let value = event_target_value(&event);
                        state.cluster.set((!value.is_empty()).then_some(value));
                    }
                >
                    <option value="">"All clusters"</option>
                    {move || overview.get().and_then(Result::ok).map(|overview| overview.clusters.iter().map(|cluster| view! {
                        <option value=cluster.name.clone()>{cluster.name.clone()}</option>
                    }).collect_view())}
                </select>
            </label>
            <input
                id="view-filter"
                class="filter"
                type="search"
                data-testid="view-filter"
                placeholder="Filter this view (/)"
                prop:value=move || state.filter.get()
                on:input=move |event| state.filter.set(event_target_value(&event))
            />
            <span class="spacer"></span>
            <button class="ghost" title="Reload every view" data-testid="refresh" on:click=move |_| state.reload()>"Refresh"</button>
            <button class="ghost" title="Command palette (Ctrl+K)" on:click=move |_| state.palette_open.set(true)>"⌘K"</button>
            <button
                class="ghost"
                data-testid="theme-toggle"
                title="Switch between light and dark"
                on:click=move |_| state.theme.update(|theme| *theme = if *theme == Theme::Dark { Theme::Light } else { Theme::Dark })
            >
                {move || if state.theme.get() == Theme::Dark { "Light" } else { "Dark" }}
            </button>
        </header>
    }
}
