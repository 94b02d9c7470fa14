//! A small in-process Kubernetes API server for the faults no real server (and not the kmock
//! emulator) produces on demand: a 410 Gone on a watch, a 403 on one kind or one namespace, a
//! server that disappears mid-watch and comes back, an expired token, a slow server.
//!
//! It serves legacy discovery, `SelfSubjectAccessReview`, lists and watches for a few kinds
//! (Namespaces, Services, Gateways, HTTPRoutes), and nothing else. It is a fake for fault tests
//! only; the real emulator (kmock) covers the ordinary paths.
//!
//! Stopping it closes every connection and the listening socket, so clients see real connection
//! errors; [`FakeApiServer::restart`] binds the same port again.

use std::{
    collections::{HashMap, HashSet},
    convert::Infallible,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use bytes::Bytes;
use futures::StreamExt as _;
use http_body_util::{BodyExt as _, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::{Request, Response, StatusCode, body::Frame};
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::broadcast, task::JoinSet};

/// The faults to inject; change them at any time through [`FakeApiServer::faults`].
#[derive(Debug, Default)]
pub struct Faults {
    /// Plurals (e.g. `gateways`) whose list and watch answer 403 everywhere.
    pub forbidden: HashSet<String>,
    /// Plural → namespaces where it is forbidden (and cluster-wide lists too).
    pub forbidden_in: HashMap<String, HashSet<String>>,
    /// Plural → the next this many watches of it answer with a 410 Gone error event.
    pub gone_watches: HashMap<String, usize>,
    /// Every request answers 401: the token has expired.
    pub unauthorized: bool,
    /// Every request waits this long first.
    pub delay: Duration,
    /// When set, only this bearer token is accepted; any other gets a 401.
    pub accepted_token: Option<String>,
    /// Plurals whose lists (not watches) keep the connection open and send nothing, for as
    /// long as they are in the set.
    pub stalled_lists: HashSet<String>,
    /// The answer to every PATCH of one object (e.g. 422 and an admission message); when
    /// unset, PATCH is not served. Nothing is ever stored.
    pub patch_rejection: Option<(u16, String)>,
}

struct State {
    objects: Mutex<Vec<Value>>,
    faults: Mutex<Faults>,
    events: broadcast::Sender<(String, Value)>,
    resource_version: Mutex<u64>,
    /// Every request's method and path, for assertions.
    requests: Mutex<Vec<String>>,
}

/// The running fake.
pub struct FakeApiServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    state: Arc<State>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl FakeApiServer {
    /// Starts on a free port with `objects` (each with `apiVersion`, `kind`, `metadata`).
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start(objects: Vec<Value>) -> FakeApiServer {
        let (events, _) = broadcast::channel(1024);
        let state = Arc::new(State {
            objects: Mutex::new(objects),
            faults: Mutex::new(Faults::default()),
            events,
            resource_version: Mutex::new(100),
            requests: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        let mut server = FakeApiServer { port, state, server: None };
        server.serve(listener);
        server
    }

    fn serve(&mut self, listener: TcpListener) {
        let state = Arc::clone(&self.state);
        self.server = Some(tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let state = Arc::clone(&state);
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(handle(&state, request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
            // Dropping the JoinSet (when this task is aborted) aborts every connection.
        }));
    }

    /// Closes the listening socket and every open connection, as a server that dies does.
    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }

    /// Binds the same port again and serves the same objects.
    ///
    /// # Panics
    /// When the port cannot be bound again within two seconds.
    pub async fn restart(&mut self) {
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        for _ in 0..40 {
            if let Ok(listener) = TcpListener::bind(address).await {
                self.serve(listener);
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("cannot bind port {} again", self.port);
    }

    /// The faults, to change.
    pub fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.state.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds an object and tells every open watch of its kind.
    pub fn add(&self, mut object: Value) {
        let version = next_version(&self.state);
        object["metadata"]["resourceVersion"] = json!(version.to_string());
        lock(&self.state.objects).push(object.clone());
        let _ = self.state.events.send(("ADDED".to_owned(), object));
    }

    /// The requests served so far, as `METHOD /path?query`.
    #[must_use]
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.requests).clone()
    }

    /// A kubeconfig for this server with one context, `fake`, whose user entry is `user_yaml`
    /// (indented for the `user:` mapping), e.g. `{token: abc}`.
    ///
    /// # Panics
    /// When the file cannot be written.
    #[must_use]
    pub fn kubeconfig(&self, dir: &Path, user_yaml: &str) -> PathBuf {
        let path = dir.join("fake.kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster: {{server: 'http://127.0.0.1:{}'}}\n\
                 contexts:\n- name: fake\n  context: {{cluster: fake, user: dev, namespace: team-a}}\nusers:\n- name: dev\n  user: {user_yaml}\n",
                self.port
            ),
        )
        .expect("write the kubeconfig");
        path
    }
}

impl Drop for FakeApiServer {
    fn drop(&mut self) {
        self.stop();
    }
}

type Body = UnsyncBoxBody<Bytes, Infallible>;

const RESOURCES: &[(&str, &str, &str, &str, bool)] = &[
    // (group, version, plural, kind, namespaced)
    ("", "v1", "namespaces", "Namespace", false),
    ("", "v1", "services", "Service", true),
    ("", "v1", "pods", "Pod", true),
    ("apps", "v1", "deployments", "Deployment", true),
    ("wgpolicyk8s.io", "v1alpha2", "policyreports", "PolicyReport", true),
    ("gateway.networking.k8s.io", "v1", "gateways", "Gateway", true),
    ("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", true),
];

async fn handle(state: &Arc<State>, request: Request<hyper::body::Incoming>) -> Response<Body> {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    lock(&state.requests).push(format!("{} {path}?{query}", request.method()));
    let (delay, unauthorized) = {
        let faults = lock(&state.faults);
        (faults.delay, faults.unauthorized)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let is_watch = query.split('&').any(|pair| pair == "watch=true" || pair == "watch=1");
    let plural = path.rsplit('/').next().unwrap_or_default().to_owned();
    while !is_watch && lock(&state.faults).stalled_lists.contains(&plural) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let token_rejected = lock(&state.faults).accepted_token.as_ref().is_some_and(|accepted| {
        request.headers().get("authorization").and_then(|value| value.to_str().ok())
            != Some(format!("Bearer {accepted}").as_str())
    });
    if unauthorized || token_rejected {
        return status(401, "Unauthorized", "Unauthorized");
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["version"] => json_response(
            200,
            &json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0-fake", "platform": "linux/amd64"}),
        ),
        ["api"] => json_response(200, &json!({"kind": "APIVersions", "versions": ["v1"]})),
        ["apis"] => json_response(200, &group_list()),
        ["api", "v1"] => json_response(200, &resource_list("", "v1")),
        ["apis", group, version] => json_response(200, &resource_list(group, version)),
        ["apis", "authorization.k8s.io", "v1", "selfsubjectaccessreviews"] => {
            let body = request
                .into_body()
                .collect()
                .await
                .map(http_body_util::Collected::to_bytes)
                .unwrap_or_default();
            access_review(state, &body)
        }
        ["api", "v1", plural] => collection(state, "", plural, None, &query),
        ["api", "v1", "namespaces", namespace, plural] => {
            collection(state, "", plural, Some(namespace), &query)
        }
        ["apis", group, _, plural] => collection(state, group, plural, None, &query),
        ["apis", group, _, "namespaces", namespace, plural] => {
            collection(state, group, plural, Some(namespace), &query)
        }
        [.., "namespaces", _, _, _] if request.method() == hyper::Method::PATCH => {
            match lock(&state.faults).patch_rejection.clone() {
                Some((code, message)) => status(code, "Invalid", &message),
                None => status(405, "MethodNotAllowed", "PATCH is not served"),
            }
        }
        ["api", "v1", "namespaces", namespace, plural, name] => {
            single(state, "", plural, Some(namespace), name)
        }
        ["apis", group, _, "namespaces", namespace, plural, name] => {
            single(state, group, plural, Some(namespace), name)
        }
        _ => status(404, "NotFound", "the server could not find the requested resource"),
    }
}

fn group_list() -> Value {
    let group = |name: &str, version: &str| {
        json!({"name": name, "versions": [{"groupVersion": format!("{name}/{version}"), "version": version}],
               "preferredVersion": {"groupVersion": format!("{name}/{version}"), "version": version}})
    };
    let mut groups: Vec<(&str, &str)> = RESOURCES
        .iter()
        .filter(|(group, ..)| !group.is_empty())
        .map(|(group, version, ..)| (*group, *version))
        .collect();
    groups.dedup();
    groups.push(("authorization.k8s.io", "v1"));
    let groups: Vec<Value> =
        groups.into_iter().map(|(name, version)| group(name, version)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn resource_list(group: &str, version: &str) -> Value {
    let group_version = api_version_of(group, version);
    let mut resources: Vec<Value> = RESOURCES
        .iter()
        .filter(|(g, v, ..)| *g == group && *v == version)
        .map(|(_, _, plural, kind, namespaced)| {
            json!({"name": plural, "singularName": "", "namespaced": namespaced, "kind": kind,
                   "verbs": ["get", "list", "watch"]})
        })
        .collect();
    if group == "authorization.k8s.io" {
        resources.push(
            json!({"name": "selfsubjectaccessreviews", "singularName": "", "namespaced": false,
                              "kind": "SelfSubjectAccessReview", "verbs": ["create"]}),
        );
    }
    json!({"kind": "APIResourceList", "groupVersion": group_version, "resources": resources})
}

fn access_review(state: &State, body: &[u8]) -> Response<Body> {
    let mut review: Value = serde_json::from_slice(body).unwrap_or_default();
    let attributes = &review["spec"]["resourceAttributes"];
    let plural = attributes["resource"].as_str().unwrap_or_default();
    let namespace = attributes["namespace"].as_str();
    let allowed = !forbidden(&lock(&state.faults), plural, namespace);
    review["status"] = json!({"allowed": allowed});
    json_response(201, &review)
}

/// A GET of one object: 403 where forbidden, else the object or 404. Writes are not served.
fn single(
    state: &Arc<State>,
    group: &str,
    plural: &str,
    namespace: Option<&str>,
    name: &str,
) -> Response<Body> {
    let Some(&(_, _, _, kind, _)) =
        RESOURCES.iter().find(|(g, _, p, ..)| *g == group && *p == plural)
    else {
        return status(404, "NotFound", "the server could not find the requested resource");
    };
    if forbidden(&lock(&state.faults), plural, namespace) {
        return status(
            403,
            "Forbidden",
            &format!(
                "{plural} \"{name}\" is forbidden: User \"dev\" cannot get resource \"{plural}\""
            ),
        );
    }
    let found = lock(&state.objects)
        .iter()
        .find(|object| {
            object["kind"] == kind
                && object["metadata"]["name"] == name
                && object["metadata"]["namespace"].as_str() == namespace
        })
        .cloned();
    match found {
        Some(object) => json_response(200, &object),
        None => status(404, "NotFound", &format!("{plural} \"{name}\" not found")),
    }
}

fn forbidden(faults: &Faults, plural: &str, namespace: Option<&str>) -> bool {
    faults.forbidden.contains(plural)
        || faults.forbidden_in.get(plural).is_some_and(|namespaces| {
            namespace.is_none_or(|namespace| namespaces.contains(namespace))
        })
}

fn collection(
    state: &Arc<State>,
    group: &str,
    plural: &str,
    namespace: Option<&str>,
    query: &str,
) -> Response<Body> {
    let Some(&(_, version, _, kind, _)) =
        RESOURCES.iter().find(|(g, _, p, ..)| *g == group && *p == plural)
    else {
        return status(404, "NotFound", "the server could not find the requested resource");
    };
    let watch = query.split('&').any(|pair| pair == "watch=true" || pair == "watch=1");
    let gone = {
        let mut faults = lock(&state.faults);
        if forbidden(&faults, plural, namespace) {
            let scope = namespace.map_or_else(
                || "at the cluster scope".to_owned(),
                |ns| format!("in the namespace \"{ns}\""),
            );
            return status(
                403,
                "Forbidden",
                &format!(
                    "{plural}.{group} is forbidden: User \"dev\" cannot list resource \"{plural}\" in API group \"{group}\" {scope}"
                ),
            );
        }
        match faults.gone_watches.get_mut(plural) {
            Some(remaining) if watch && *remaining > 0 => {
                *remaining -= 1;
                true
            }
            _ => false,
        }
    };
    let api_version = api_version_of(group, version);
    let matches = move |object: &Value| {
        object["kind"] == kind
            && object["apiVersion"] == api_version.as_str()
            && namespace.is_none_or(|ns| object["metadata"]["namespace"] == ns)
    };
    if !watch {
        // Pages as a real server serves them: in key order (namespace, name), `limit` at a
        // time, each ending with an opaque `continue` token (here the hex of the last key) from
        // which the next page starts.
        let parameter = |name: &str| {
            query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        };
        let limit = parameter("limit")
            .and_then(|limit| limit.parse::<usize>().ok())
            .filter(|limit| *limit > 0);
        let after = parameter("continue").map(unhex);
        let key = |object: &Value| {
            format!(
                "{}/{}",
                object["metadata"]["namespace"].as_str().unwrap_or_default(),
                object["metadata"]["name"].as_str().unwrap_or_default()
            )
        };
        let version = lock(&state.resource_version).to_string();
        let mut keyed: Vec<(String, &Value)> = Vec::new();
        let objects = lock(&state.objects);
        for object in objects.iter().filter(|object| matches(object)) {
            let key = key(object);
            if after.as_ref().is_none_or(|after| key > *after) {
                keyed.push((key, object));
            }
        }
        keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut metadata = json!({"resourceVersion": version});
        if let Some(limit) = limit.filter(|limit| keyed.len() > *limit) {
            metadata["continue"] = json!(hex(&keyed[limit - 1].0));
            metadata["remainingItemCount"] = json!(keyed.len() - limit);
            keyed.truncate(limit);
        }
        let items: Vec<Value> = keyed.into_iter().map(|(_, object)| object.clone()).collect();
        drop(objects);
        return json_response(
            200,
            &json!({"kind": format!("{kind}List"), "apiVersion": "v1", "metadata": metadata, "items": items}),
        );
    }
    if gone {
        let line = json!({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                          "message": "too old resource version", "reason": "Expired", "code": 410}});
        return stream_response(futures::stream::iter([line]).boxed());
    }
    // As a real server does, a watch from `resourceVersion` first replays what was added after
    // it, so an object added between a list and the next watch is not lost.
    let version_of = |object: &Value| {
        object["metadata"]["resourceVersion"].as_str().and_then(|rv| rv.parse::<u64>().ok())
    };
    let since = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("resourceVersion="))
        .and_then(|rv| rv.parse::<u64>().ok());
    let receiver = state.events.subscribe();
    let replay: Vec<Value> = since.map_or_else(Vec::new, |since| {
        lock(&state.objects)
            .iter()
            .filter(|object| matches(object) && version_of(object).is_some_and(|rv| rv > since))
            .cloned()
            .collect()
    });
    let replayed_up_to = replay.iter().filter_map(version_of).max().unwrap_or(0);
    let replay = futures::stream::iter(
        replay.into_iter().map(|object| json!({"type": "ADDED", "object": object})),
    );
    let namespace = namespace.map(str::to_owned);
    let (kind, api) = (kind.to_owned(), api_version_of(group, version));
    let live = tokio_stream_from(receiver).filter_map(move |(event, object)| {
        let keep = object["kind"] == kind.as_str()
            && object["apiVersion"] == api.as_str()
            && namespace.as_deref().is_none_or(|ns| object["metadata"]["namespace"] == ns)
            && version_of(&object).is_none_or(|rv| rv > replayed_up_to);
        async move { keep.then(|| json!({"type": event, "object": object})) }
    });
    let events = replay.chain(live);
    // A real server ends a watch after `timeoutSeconds`; clients then watch again.
    let timeout = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("timeoutSeconds="))
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or(300);
    let events = events.take_until(tokio::time::sleep(Duration::from_secs(timeout)));
    stream_response(events.boxed())
}

fn api_version_of(group: &str, version: &str) -> String {
    if group.is_empty() { version.to_owned() } else { format!("{group}/{version}") }
}

fn tokio_stream_from(
    receiver: broadcast::Receiver<(String, Value)>,
) -> impl futures::Stream<Item = (String, Value)> {
    futures::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(item) => return Some((item, receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

fn stream_response(lines: futures::stream::BoxStream<'static, Value>) -> Response<Body> {
    let frames = lines.map(|line| {
        let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
        bytes.push(b'\n');
        Ok::<_, Infallible>(Frame::data(Bytes::from(bytes)))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(http_body_util::BodyExt::boxed_unsync(StreamBody::new(frames)))
        .unwrap_or_default()
}

fn json_response(code: u16, body: &Value) -> Response<Body> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())).boxed_unsync())
        .unwrap_or_default()
}

fn status(code: u16, reason: &str, message: &str) -> Response<Body> {
    json_response(
        code,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": reason, "code": code}),
    )
}

fn next_version(state: &State) -> u64 {
    let mut version = lock(&state.resource_version);
    *version += 1;
    *version
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `text` as lower-case hex (a continue token needs no URL escaping then).
fn hex(text: &str) -> String {
    use std::fmt::Write as _;
    text.bytes().fold(String::with_capacity(2 * text.len()), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// The text of a [`hex`] token; anything else reads as empty (the first page).
fn unhex(token: &str) -> String {
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|at| token.get(at..at + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect();
    bytes.and_then(|bytes| String::from_utf8(bytes).ok()).unwrap_or_default()
}
