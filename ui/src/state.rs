//! The UI's shared state: a `Copy` struct of signal handles, provided once.

use leptos::prelude::*;
use sextant_protocol::ViewId;

/// Light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Theme {
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// Signals every page may read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AppState {
    /// The view shown.
    pub(crate) view: RwSignal<ViewId>,
    /// The cluster every view is limited to, or all.
    pub(crate) cluster: RwSignal<Option<String>>,
    /// The current view's text filter.
    pub(crate) filter: RwSignal<String>,
    /// Bumped to reload every view (source switched, refresh pressed).
    pub(crate) refresh: ReadSignal<u32>,
    /// Writes [`AppState::refresh`].
    pub(crate) set_refresh: WriteSignal<u32>,
    /// The colour theme.
    pub(crate) theme: RwSignal<Theme>,
    /// Whether the command palette is open.
    pub(crate) palette_open: RwSignal<bool>,
    /// The latest clone or fetch the backend reported.
    pub(crate) git_progress: RwSignal<Option<sextant_protocol::git::GitProgress>>,
}

impl AppState {
    /// Fresh state on `view`.
    pub(crate) fn new(view: ViewId, theme: Theme) -> AppState {
        let (refresh, set_refresh) = signal(0);
        AppState {
            view: RwSignal::new(view),
            cluster: RwSignal::new(None),
            filter: RwSignal::new(String::new()),
            refresh,
            set_refresh,
            theme: RwSignal::new(theme),
            palette_open: RwSignal::new(false),
            git_progress: RwSignal::new(None),
        }
    }

    /// Shows `view` with `filter`, and records it in the address (`#/drift?q=…`).
    pub(crate) fn navigate(&self, view: ViewId, filter: &str) {
        self.view.set(view);
        self.filter.set(filter.to_owned());
        if let Some(window) = web_sys::window() {
            let hash = if filter.is_empty() {
                format!("#/{}", view.slug())
            } else {
                format!("#/{}?q={}", view.slug(), js_sys::encode_uri_component(filter))
            };
            let _ = window.location().set_hash(&hash);
        }
    }

    /// Reloads every view.
    pub(crate) fn reload(&self) {
        self.set_refresh.update(|count| *count += 1);
    }
}

/// The view and filter named by a hash like `#/drift?q=shop`.
pub(crate) fn parse_hash(hash: &str) -> (ViewId, String) {
    let path = hash.trim_start_matches('#').trim_start_matches('/');
    let (slug, query) = path.split_once('?').unwrap_or((path, ""));
    let view = ViewId::from_slug(slug).unwrap_or(ViewId::Overview);
    let filter = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("q="))
        .map(|value| {
            js_sys::decode_uri_component(value)
                .ok()
                .and_then(|decoded| decoded.as_string())
                .unwrap_or_else(|| value.to_owned())
        })
        .unwrap_or_default();
    (view, filter)
}

/// Provides `state` to every component below.
pub(crate) fn use_app_state() -> AppState {
    expect_context::<AppState>()
}
