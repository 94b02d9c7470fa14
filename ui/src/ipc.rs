//! The only file with `wasm_bindgen` externs: the two transports to the backend.
//!
//! In the desktop window, commands go through Tauri IPC (`window.__TAURI__.core.invoke`); in a
//! browser, over HTTP to `sextant serve` with the per-run key, and events arrive on its
//! WebSocket. [`Transport::detect`] picks one once at start-up; every page calls [`invoke`] with a
//! typed [`Command`] and gets its typed response or a [`CommandError`], never a panic.

use std::cell::RefCell;

use leptos::prelude::*;
use sextant_protocol::{Command, CommandError, ErrorCode, EventEnvelope};
use wasm_bindgen::{JsCast, JsValue, prelude::*};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(command: &str, arguments: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(
        event: &str,
        handler: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;
}

/// How this page reaches the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Transport {
    /// Tauri IPC in the desktop window.
    Tauri,
    /// HTTP and WebSocket to `sextant serve`, with its per-run key.
    Http {
        /// The key from the URL the server printed.
        key: String,
    },
}

thread_local! {
    static TRANSPORT: RefCell<Option<Transport>> = const { RefCell::new(None) };
}

const KEY_STORAGE: &str = "sextant-serve-key";

impl Transport {
    /// Tauri when its global is present; otherwise HTTP with the key from `?k=` (moved out of the
    /// address bar into session storage, so it is not left in history or bookmarks).
    pub(crate) fn detect() -> Transport {
        let window = web_sys::window().expect("a browser window");
        let has_tauri = js_sys::Reflect::get(&window, &JsValue::from_str("__TAURI__"))
            .is_ok_and(|value| !value.is_undefined());
        if has_tauri {
            return Transport::Tauri;
        }
        let storage = window.session_storage().ok().flatten();
        let search = window.location().search().unwrap_or_default();
        let from_url =
            web_sys::UrlSearchParams::new_with_str(&search).ok().and_then(|params| params.get("k"));
        let key = match from_url {
            Some(key) => {
                if let Some(storage) = &storage {
                    let _ = storage.set_item(KEY_STORAGE, &key);
                }
                let hash = window.location().hash().unwrap_or_default();
                if let Ok(history) = window.history() {
                    let _ = history.replace_state_with_url(
                        &JsValue::NULL,
                        "",
                        Some(&format!("/{hash}")),
                    );
                }
                key
            }
            None => storage
                .and_then(|storage| storage.get_item(KEY_STORAGE).ok().flatten())
                .unwrap_or_default(),
        };
        Transport::Http { key }
    }

    /// Makes this the transport for every [`invoke`].
    pub(crate) fn install(self) {
        TRANSPORT.with(|transport| *transport.borrow_mut() = Some(self));
    }
}

fn current() -> Transport {
    TRANSPORT.with(|transport| transport.borrow().clone()).unwrap_or_else(Transport::detect)
}

fn internal(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::Internal, message)
}

/// Sends `request` and waits for its response.
pub(crate) async fn invoke<C: Command>(request: &C) -> Result<C::Response, CommandError> {
    match current() {
        Transport::Tauri => invoke_tauri(request).await,
        Transport::Http { key } => invoke_http(request, &key).await,
    }
}

async fn invoke_tauri<C: Command>(request: &C) -> Result<C::Response, CommandError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let arguments = serde_json::json!({ "request": request });
    let arguments = serde::Serialize::serialize(&arguments, &serializer)
        .map_err(|error| internal(error.to_string()))?;
    match tauri_invoke(C::NAME, arguments).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|error| internal(format!("unexpected {} response: {error}", C::NAME))),
        Err(error) => Err(serde_wasm_bindgen::from_value::<CommandError>(error.clone())
            .unwrap_or_else(|_| {
                internal(error.as_string().unwrap_or_else(|| format!("{} failed", C::NAME)))
            })),
    }
}

async fn invoke_http<C: Command>(request: &C, key: &str) -> Result<C::Response, CommandError> {
    let unreachable = |message: String| {
        CommandError::new(
            ErrorCode::Unreachable,
            format!(
                "the sextant server did not answer ({message}); is `sextant serve` still running?"
            ),
        )
    };
    let window = web_sys::window().ok_or_else(|| internal("no window"))?;
    let body = serde_json::to_string(request).map_err(|error| internal(error.to_string()))?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    let headers = web_sys::Headers::new().map_err(|_| internal("cannot build headers"))?;
    let _ = headers.set("content-type", "application/json");
    let _ = headers.set("x-sextant-key", key);
    init.set_headers(&headers);
    let response =
        JsFuture::from(window.fetch_with_str_and_init(&format!("/api/{}", C::NAME), &init))
            .await
            .map_err(|error| unreachable(format!("{error:?}")))?;
    let response: web_sys::Response =
        response.dyn_into().map_err(|_| internal("not a response"))?;
    let text = JsFuture::from(response.text().map_err(|_| internal("unreadable body"))?)
        .await
        .map_err(|error| unreachable(format!("{error:?}")))?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text)
            .map_err(|error| internal(format!("unexpected {} response: {error}", C::NAME)))
    } else {
        Err(serde_json::from_str::<CommandError>(&text).unwrap_or_else(|_| {
            internal(format!("{} answered HTTP {}", C::NAME, response.status()))
        }))
    }
}

/// Calls `handler` with every event the backend pushes, for the life of the page.
pub(crate) fn listen(handler: impl Fn(EventEnvelope) + 'static) {
    match current() {
        Transport::Tauri => {
            let handler = std::rc::Rc::new(handler);
            // Tauri listens per event name: every event of the protocol.
            for name in [
                <sextant_protocol::session::SourceChanged as sextant_protocol::Event>::NAME,
                <sextant_protocol::git::GitProgress as sextant_protocol::Event>::NAME,
            ] {
                let handler = std::rc::Rc::clone(&handler);
                let closure = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                    let name = js_sys::Reflect::get(&event, &"event".into())
                        .ok()
                        .and_then(|value| value.as_string())
                        .unwrap_or_default();
                    let payload = js_sys::Reflect::get(&event, &"payload".into()).ok();
                    let payload = payload
                        .and_then(|payload| serde_wasm_bindgen::from_value(payload).ok())
                        .unwrap_or_default();
                    handler(EventEnvelope { name, payload });
                });
                leptos::task::spawn_local(async move {
                    let _ = tauri_listen(name, &closure).await;
                    // The listener lives as long as the page.
                    closure.forget();
                });
            }
        }
        Transport::Http { key } => {
            let Some(window) = web_sys::window() else { return };
            let host = window.location().host().unwrap_or_default();
            let Ok(socket) = web_sys::WebSocket::new(&format!("ws://{host}/api/events?k={key}"))
            else {
                return;
            };
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |message: web_sys::MessageEvent| {
                    if let Some(text) = message.data().as_string()
                        && let Ok(envelope) = serde_json::from_str::<EventEnvelope>(&text)
                    {
                        handler(envelope);
                    }
                },
            );
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();
            // Keep the socket alive with the page.
            std::mem::forget(socket);
        }
    }
}

/// A resource that reloads when `refresh` changes.
pub(crate) fn resource<C, F>(
    refresh: ReadSignal<u32>,
    make: F,
) -> LocalResource<Result<C::Response, CommandError>>
where
    C: Command,
    C::Response: Clone,
    F: Fn() -> C + 'static,
{
    LocalResource::new(move || {
        refresh.track();
        let request = make();
        async move { invoke(&request).await }
    })
}
