//! The command palette (Ctrl+K): jump to a view, or to any object by name.

use leptos::{ev, prelude::*};
use sextant_protocol::{ViewId, search::Search};

use crate::{ipc, state::use_app_state};

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    view: ViewId,
    filter: String,
    title: String,
    detail: String,
}

/// The palette overlay; opened by Ctrl+K (or Cmd+K), closed by Escape.
#[component]
pub(crate) fn Palette() -> impl IntoView {
    let state = use_app_state();
    let query = RwSignal::new(String::new());
    let selected = RwSignal::new(0_usize);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let hits = LocalResource::new(move || {
        let query = query.get();
        async move {
            if query.trim().is_empty() {
                return Vec::new();
            }
            ipc::invoke(&Search { query: query.clone(), limit: Some(30) })
                .await
                .map(|results| results.hits)
                .unwrap_or_default()
        }
    });
    let entries = move || {
        let text = query.get().to_lowercase();
        let mut entries: Vec<Entry> = ViewId::ALL
            .into_iter()
            .filter(|view| text.is_empty() || view.title().to_lowercase().contains(text.trim()))
            .map(|view| Entry {
                view,
                filter: String::new(),
                title: format!("Go to {}", view.title()),
                detail: "view".to_owned(),
            })
            .collect();
        entries.extend(hits.get().unwrap_or_default().into_iter().map(|hit| Entry {
            view: hit.view,
            filter: hit.title.rsplit('/').next().unwrap_or(&hit.title).to_owned(),
            title: format!("{} {}", hit.kind, hit.title),
            detail: format!("{} · {}", hit.view.title(), hit.location),
        }));
        entries
    };
    let choose = move |entry: Entry| {
        state.palette_open.set(false);
        query.set(String::new());
        state.navigate(entry.view, &entry.filter);
    };
    Effect::new(move |_| {
        if state.palette_open.get() {
            selected.set(0);
            if let Some(input) = input.get() {
                let _ = input.focus();
            }
        }
    });
    let on_key = move |event: ev::KeyboardEvent| match event.key().as_str() {
        "Escape" => state.palette_open.set(false),
        "ArrowDown" => {
            event.prevent_default();
            let count = entries().len();
            selected.update(|index| *index = (*index + 1).min(count.saturating_sub(1)));
        }
        "ArrowUp" => {
            event.prevent_default();
            selected.update(|index| *index = index.saturating_sub(1));
        }
        "Enter" => {
            if let Some(entry) = entries().get(selected.get_untracked()).cloned() {
                choose(entry);
            }
        }
        _ => {}
    };
    view! {
        <Show when=move || state.palette_open.get()>
            <div class="palette-backdrop" on:click=move |_| state.palette_open.set(false)>
                <div class="palette" role="dialog" aria-label="Command palette" on:click=|event| event.stop_propagation()>
                    <input
                        node_ref=input
                        data-testid="palette-input"
                        placeholder="Jump to a view or an object…"
                        prop:value=move || query.get()
                        on:input=move |event| { query.set(event_target_value(&event)); selected.set(0); }
                        on:keydown=on_key
                    />
                    <ul class="palette-list" data-testid="palette-list">
                        {move || entries().into_iter().enumerate().map(|(index, entry)| {
                            let chosen = entry.clone();
                            view! {
                                <li class:selected=move || selected.get() == index on:click=move |_| choose(chosen.clone())>
                                    <span>{entry.title}</span><span class="muted">{entry.detail}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <footer class="muted">"↑↓ to choose · Enter to open · Esc to close"</footer>
                </div>
            </div>
        </Show>
    }
}
