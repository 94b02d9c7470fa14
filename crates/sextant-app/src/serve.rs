//! `sextant serve`: the UI and the command API over HTTP and WebSocket, for a browser.
//!
//! It binds to 127.0.0.1 only. Every API request must carry the per-run key printed in the URL
//! (header `x-sextant-key`, or `?k=` on the WebSocket), come from the server's own origin, and
//! name the server's own host (so DNS rebinding cannot reach it). Static assets need no key:
//! they hold no data. The same strict CSP as the desktop window applies.

use std::net::{Ipv4Addr, SocketAddr};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State, WebSocketUpgrade, ws::Message},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use include_dir::{Dir, include_dir};
use sextant_protocol::{Command, CommandError, ErrorCode};

use crate::{Cockpit, Handle};

static UI: Dir<'static> = include_dir!("$SEXTANT_UI_DIST");

/// The server's configuration.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// The port; 0 or `None` lets the system choose a free one.
    pub port: Option<u16>,
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    /// Where it listens.
    pub address: SocketAddr,
    /// The per-run key.
    key: String,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// The URL to open, with the key.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}/?k={}", self.address, self.key)
    }

    /// Runs until the server stops.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.unwrap_or_else(|error| Err(std::io::Error::other(error)))
    }
}

#[derive(Clone)]
struct AppState {
    cockpit: Cockpit,
    key: String,
    origins: [String; 2],
    hosts: [String; 2],
}

/// Binds and starts serving in the background.
pub async fn start(cockpit: Cockpit, options: &ServeOptions) -> std::io::Result<Server> {
    let listener =
        tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port.unwrap_or(0))).await?;
    let address = listener.local_addr()?;
    let key = new_key()?;
    let port = address.port();
    let state = AppState {
        cockpit,
        key: key.clone(),
        origins: [format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")],
        hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
    };
    let router = Router::new()
        .route("/api/events", get(events))
        .route("/api/{name}", post(call))
        .fallback(get(asset))
        .with_state(state);
    let task = tokio::spawn(async move { axum::serve(listener, router).await });
    tracing::info!(%address, "serving the UI");
    Ok(Server { address, key, task })
}

fn new_key() -> std::io::Result<String> {
    let mut bytes = [0_u8; 24];
    getrandom::fill(&mut bytes).map_err(|error| std::io::Error::other(error.to_string()))?;
    Ok(hex::encode(bytes))
}

/// Why a request was refused; it becomes a `{code, message}` response.
#[derive(Debug, Clone, Copy)]
struct Refusal {
    status: StatusCode,
    message: &'static str,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let code = if self.status == StatusCode::UNAUTHORIZED {
            ErrorCode::Unauthenticated
        } else {
            ErrorCode::Forbidden
        };
        (self.status, Json(CommandError::new(code, self.message))).into_response()
    }
}

/// Whether the request is ours: the right host, our origin (when a browser sent one), the key.
fn admit(
    state: &AppState,
    headers: &HeaderMap,
    presented_key: Option<&str>,
) -> Result<(), Refusal> {
    let header_text =
        |name: header::HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    if !header_text(header::HOST)
        .is_some_and(|host| state.hosts.iter().any(|allowed| allowed == host))
    {
        return Err(Refusal {
            status: StatusCode::FORBIDDEN,
            message: "the Host header does not name this server",
        });
    }
    if let Some(origin) = header_text(header::ORIGIN)
        && !state.origins.iter().any(|allowed| allowed == origin)
    {
        return Err(Refusal {
            status: StatusCode::FORBIDDEN,
            message: "requests from other origins are refused",
        });
    }
    match presented_key {
        Some(key) if constant_time_eq(key.as_bytes(), state.key.as_bytes()) => Ok(()),
        _ => Err(Refusal {
            status: StatusCode::UNAUTHORIZED,
            message: "missing or wrong key: open the URL that `sextant serve` printed",
        }),
    }
}

fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && left.iter().zip(right).fold(0_u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

async fn call(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = headers.get("x-sextant-key").and_then(|value| value.to_str().ok());
    if let Err(refusal) = admit(&state, &headers, key) {
        return refusal.into_response();
    }
    let outcome = dispatch(&state.cockpit, &name, &body).await;
    let mut response = match outcome {
        Ok(value) => (StatusCode::OK, Json(value)).into_response(),
        Err(error) => (status_of(error.code), Json(error)).into_response(),
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::Unreachable => StatusCode::BAD_GATEWAY,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn answer<C>(cockpit: &Cockpit, body: &[u8]) -> Result<serde_json::Value, CommandError>
where
    C: Command,
    Cockpit: Handle<C>,
{
    let request: C = serde_json::from_slice(body).map_err(|error| {
        CommandError::new(
            ErrorCode::InvalidInput,
            format!("malformed {} request: {error}", C::NAME),
        )
    })?;
    let response = cockpit.handle(request).await?;
    serde_json::to_value(response)
        .map_err(|error| CommandError::new(ErrorCode::Internal, error.to_string()))
}

macro_rules! dispatch_by_name {
    ($($command:ty),* $(,)?) => {
        /// Answers the command named `name` with the JSON request `body`.
        pub async fn dispatch(cockpit: &Cockpit, name: &str, body: &[u8]) -> Result<serde_json::Value, CommandError> {
            $(if name == <$command as Command>::NAME {
                return answer::<$command>(cockpit, body).await;
            })*
            Err(CommandError::new(ErrorCode::NotFound, format!("no command named {name:?}")))
        }
    };
}
sextant_protocol::for_each_command!(dispatch_by_name);

#[derive(serde::Deserialize)]
struct EventQuery {
    k: Option<String>,
}

async fn events(
    State(state): State<AppState>,
    Query(query): Query<EventQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Err(refusal) = admit(&state, &headers, query.k.as_deref()) {
        return refusal.into_response();
    }
    let mut receiver = state.cockpit.subscribe();
    upgrade.on_upgrade(move |mut socket| async move {
        loop {
            tokio::select! {
                event = receiver.recv() => match event {
                    Ok(envelope) => {
                        let Ok(text) = serde_json::to_string(&envelope) else { continue };
                        if socket.send(Message::Text(text.into())).await.is_err() { break; }
                    }
                    // A slow client missed some events; the next one still arrives.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    })
}

/// The CSP shared by `serve` and the desktop window (`src-tauri/tauri.conf.json`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    frame-ancestors 'none'; form-action 'none'";

async fn asset(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let Some(file) = UI.get_file(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let content_type = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    let mut response = file.contents().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}
