//! `sextant gateway status` and `sextant gateway explain` through the real binary:
//! - every case of the Gateway API corpus (`crates/sextant-domain/tests/gateway/cases/`), with
//!   the same checker as the domain's corpus test, ambiguous cases listed apart;
//! - every upstream example under `shared/crds/examples/gateway-api` gets a status, and one
//!   request aimed at each route's first hostname and path gets an explanation;
//! - the contract's exit codes and error shape.
//!
//! Each case is one or two process runs (about 20 ms each), so the corpus takes seconds.

#[path = "../../sextant-domain/tests/gateway/check.rs"]
mod check;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use check::{Answers, Case, run_corpus};

fn sextant() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sextant"));
    command.env_remove("RUST_LOG").env("SEXTANT_LOG", "error");
    command
}

/// Runs `sextant` with `args` and returns (exit code, stdout as JSON, stderr).
fn run_json(args: &[&str]) -> (i32, Value, String) {
    let output = sextant().args(args).output().expect("the sextant binary runs");
    parse(&output)
}

fn parse(output: &Output) -> (i32, Value, String) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&output.stderr).into_owned())
}

fn unreadable_args(case: &Case) -> Vec<String> {
    case.unreadable.iter().flat_map(|kind| ["--unreadable".to_owned(), kind.clone()]).collect()
}

fn run_case(dir: &Path, index: usize, case: &Case) -> Result<Answers, String> {
    let manifests = dir.join(format!("case-{index}.json"));
    std::fs::write(&manifests, Value::Array(case.objects.clone()).to_string())
        .map_err(|error| error.to_string())?;
    let manifests = manifests.to_string_lossy().into_owned();
    let extra = unreadable_args(case);
    let mut answers = Answers::default();
    let call = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--manifests", manifests.as_str(), "--output", "json"]);
        all.extend(extra.iter().map(String::as_str));
        let (code, json, stderr) = run_json(&all);
        if code == 0 { Ok(json) } else { Err(format!("exit {code}: {stderr} {json}")) }
    };
    if case.status.is_some() {
        answers.status = Some(call(&["gateway", "status"])?);
    }
    if let Some(request) = &case.request {
        let inline = request.to_string();
        answers.answer = Some(call(&["gateway", "explain", "--request", &inline])?);
    }
    Ok(answers)
}

#[test]
fn every_corpus_case_passes_through_the_cli() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut index = 0;
    run_corpus("the sextant CLI", |case| {
        index += 1;
        run_case(dir.path(), index, case)
    });
}

fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/crds/examples/gateway-api")
}

fn yaml_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the examples directory is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml") {
            found.push(path);
        }
    }
}

fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("the example is readable");
    serde_norway::Deserializer::from_str(&text)
        .filter_map(|document| {
            let value: Value =
                serde::Deserialize::deserialize(document).expect("the example is valid YAML");
            value.is_object().then_some(value)
        })
        .collect()
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// One request aimed at the first hostname and path of `route` through its first parentRef, as
/// the contract's request JSON; `None` when the route's Gateway is not in its example set.
fn request_for(route: &Value, objects: &[Value]) -> Option<Value> {
    let namespace = text(route, "/metadata/namespace").unwrap_or("default");
    let parent = route.pointer("/spec/parentRefs/0")?;
    let gateway_name = text(parent, "/name")?;
    let gateway_namespace = text(parent, "/namespace").unwrap_or(namespace);
    let gateway = objects.iter().find(|object| {
        object["kind"] == "Gateway"
            && text(object, "/metadata/name") == Some(gateway_name)
            && text(object, "/metadata/namespace").unwrap_or("default") == gateway_namespace
    })?;
    let section = text(parent, "/sectionName");
    let port = parent.get("port").and_then(Value::as_u64);
    let listener = gateway.pointer("/spec/listeners")?.as_array()?.iter().find(|listener| {
        section.is_none_or(|section| text(listener, "/name") == Some(section))
            && port.is_none_or(|port| listener["port"].as_u64() == Some(port))
    })?;
    let host = text(route, "/spec/hostnames/0")
        .or_else(|| text(listener, "/hostname"))
        .unwrap_or("example.com")
        .replace('*', "any");
    let first_match = route.pointer("/spec/rules/0/matches/0");
    let path = first_match.and_then(|entry| text(entry, "/path/value")).unwrap_or("/");
    let gateway = format!("{gateway_namespace}/{gateway_name}");
    let port = listener["port"].clone();
    let headers: BTreeMap<&str, &str> = first_match
        .and_then(|entry| entry.get("headers")?.as_array())
        .into_iter()
        .flatten()
        .filter_map(|header| Some((text(header, "/name")?, text(header, "/value")?)))
        .collect();
    Some(match route["kind"].as_str()? {
        "GRPCRoute" => json!({"protocol": "GRPC", "gateway": gateway, "port": port,
            "authority": host, "metadata": headers,
            "service": first_match.and_then(|entry| text(entry, "/method/service")).unwrap_or("svc"),
            "method": first_match.and_then(|entry| text(entry, "/method/method")).unwrap_or("Call")}),
        "TLSRoute" => json!({"protocol": "TLS", "gateway": gateway, "port": port, "sni": host}),
        "TCPRoute" => json!({"protocol": "TCP", "gateway": gateway, "port": port}),
        "UDPRoute" => json!({"protocol": "UDP", "gateway": gateway, "port": port}),
        _ => {
            let https = text(listener, "/protocol") == Some("HTTPS");
            let mut request = json!({"protocol": if https { "HTTPS" } else { "HTTP" },
                "gateway": gateway, "port": port, "host": host, "path": path, "headers": headers});
            if https {
                request["sni"] = json!(host);
            }
            if let Some(method) = first_match.and_then(|entry| text(entry, "/method")) {
                request["method"] = json!(method);
            }
            request
        }
    })
}

/// A request for a route whose Gateway is not in its set: aimed at the Gateway its first
/// parentRef names (or at `default/unnamed` when it has none), port 80.
fn unattached_request(route: &Value) -> Value {
    let namespace = text(route, "/metadata/namespace").unwrap_or("default");
    let gateway = route.pointer("/spec/parentRefs/0").map_or_else(
        || "default/unnamed".to_owned(),
        |parent| {
            format!(
                "{}/{}",
                text(parent, "/namespace").unwrap_or(namespace),
                text(parent, "/name").unwrap_or("unnamed")
            )
        },
    );
    let host = text(route, "/spec/hostnames/0").unwrap_or("example.com").replace('*', "any");
    let path = text(route, "/spec/rules/0/matches/0/path/value").unwrap_or("/");
    json!({"protocol": "HTTP", "gateway": gateway, "port": 80, "host": host, "path": path})
}

fn is_route(object: &Value) -> bool {
    object["apiVersion"].as_str().is_some_and(|api| api.starts_with("gateway.networking.k8s.io/"))
        && object["kind"].as_str().is_some_and(|kind| kind.ends_with("Route"))
}

/// What the examples take for granted in their cluster: a GatewayClass per class name, a
/// Service per backendRef (with its port), a Secret per listener certificateRef.
fn assumed_cluster(objects: &[Value]) -> Vec<Value> {
    let mut assumed: BTreeMap<String, Value> = BTreeMap::new();
    for object in objects {
        let namespace = text(object, "/metadata/namespace").unwrap_or("default");
        if object["kind"] == "Gateway" {
            if let Some(class) = text(object, "/spec/gatewayClassName") {
                assumed.insert(format!("class {class}"), json!({"apiVersion": "gateway.networking.k8s.io/v1",
                    "kind": "GatewayClass", "metadata": {"name": class}, "spec": {"controllerName": "example.com/gateway"}}));
            }
            let listeners = object.pointer("/spec/listeners").and_then(Value::as_array);
            for reference in listeners
                .into_iter()
                .flatten()
                .filter_map(|listener| listener.pointer("/tls/certificateRefs")?.as_array())
                .flatten()
            {
                let name = text(reference, "/name").unwrap_or_default();
                let secret_namespace = text(reference, "/namespace").unwrap_or(namespace);
                assumed.insert(format!("secret {secret_namespace}/{name}"), json!({"apiVersion": "v1", "kind": "Secret",
                    "type": "kubernetes.io/tls", "metadata": {"name": name, "namespace": secret_namespace}}));
            }
        }
        if is_route(object) {
            let rules = object.pointer("/spec/rules").and_then(Value::as_array);
            for reference in rules
                .into_iter()
                .flatten()
                .filter_map(|rule| rule.get("backendRefs")?.as_array())
                .flatten()
                .filter(|reference| reference.get("kind").is_none_or(|kind| kind == "Service"))
            {
                let name = text(reference, "/name").unwrap_or_default();
                let service_namespace = text(reference, "/namespace").unwrap_or(namespace);
                let key = format!("service {service_namespace}/{name}");
                let entry = assumed.entry(key).or_insert_with(|| json!({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": name, "namespace": service_namespace}, "spec": {"ports": []}}));
                if let (Some(port), Some(ports)) = (
                    reference.get("port"),
                    entry.pointer_mut("/spec/ports").and_then(Value::as_array_mut),
                ) {
                    ports.push(json!({"port": port}));
                }
            }
        }
    }
    assumed.into_values().collect()
}

#[test]
fn every_upstream_example_gets_a_status_and_an_explanation() {
    let root = examples_root();
    assert!(root.is_dir(), "shared/ sits beside the project: {}", root.display());
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    files.sort();
    // Examples of one folder belong together (gateway.yaml + routes); top-level files stand
    // alone.
    let mut sets: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for file in &files {
        let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let key = if parent.ends_with("standard") || parent.ends_with("experimental") {
            file.clone()
        } else {
            parent
        };
        sets.entry(key).or_default().push(file.clone());
    }
    // The examples assume a cluster: their GatewayClass installed, the Services their routes
    // point at and the Secrets their listeners name. Those are supplied (a Service per backendRef
    // with its port, a Secret per certificateRef) so that the requests reach the routing
    // decisions instead of stopping at what the examples leave out.
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let mut results: BTreeMap<String, usize> = BTreeMap::new();
    let (mut statuses, mut explained, mut unattached) = (0, 0, 0);
    for (set, set_files) in &sets {
        let objects: Vec<Value> = set_files.iter().flat_map(|file| documents(file)).collect();
        let paths: Vec<String> =
            set_files.iter().map(|file| file.to_string_lossy().into_owned()).collect();
        let mut args = vec!["gateway", "status", "--output", "json", "--manifests"];
        args.extend(paths.iter().map(String::as_str));
        let (code, status, stderr) = run_json(&args);
        assert_eq!(code, 0, "{}: status runs: {stderr}", set.display());
        let parents: usize = objects
            .iter()
            .filter(|object| is_route(object))
            .map(|route| {
                route.pointer("/spec/parentRefs").and_then(Value::as_array).map_or(0, Vec::len)
            })
            .sum();
        assert_eq!(
            status["route_parents"].as_array().map_or(0, Vec::len),
            parents,
            "{}: one route_parents entry per parentRef",
            set.display()
        );
        assert!(
            status["gateways"].is_array() && status["diagnostics"].is_array(),
            "{}",
            set.display()
        );
        statuses += 1;
        let assumed = assumed_cluster(&objects);
        let assumed_file = scratch.path().join(format!("assumed-{statuses}.json"));
        std::fs::write(&assumed_file, Value::Array(assumed).to_string()).expect("writable");
        let assumed_file = assumed_file.to_string_lossy().into_owned();
        for route in objects
            .iter()
            .filter(|object| object["kind"].as_str().is_some_and(|kind| kind.ends_with("Route")))
        {
            let name = text(route, "/metadata/name").unwrap_or_default();
            // A route whose Gateway is not in its example set is still explained: the request
            // goes to the Gateway its first parentRef names, and the answer says it is missing.
            let (request, gateway_in_set) = match request_for(route, &objects) {
                Some(request) => (request, true),
                None => (unattached_request(route), false),
            };
            let inline = request.to_string();
            let mut args = vec!["gateway", "explain", "--output", "json", "--request", &inline];
            args.push("--manifests");
            args.extend(paths.iter().map(String::as_str));
            args.push(&assumed_file);
            let (code, answer, stderr) = run_json(&args);
            assert_eq!(code, 0, "{} {name}: explain runs: {stderr}", set.display());
            assert!(
                answer["why"].as_array().is_some_and(|why| !why.is_empty()),
                "{} {name}: the answer has a why trace: {answer}",
                set.display()
            );
            let result = answer["result"].as_str().unwrap_or("?").to_owned();
            if gateway_in_set {
                // With the cluster it assumes, every example serves its own first host and path
                // (a redirect, or an error for a backend kind no implementation is assumed to
                // support, are answers too).
                assert!(
                    matches!(result.as_str(), "routed" | "redirect" | "error"),
                    "{} {name}: the example's own request is served: {answer}",
                    set.display()
                );
                explained += 1;
            } else {
                unattached += 1;
            }
            *results.entry(result).or_default() += 1;
            if std::env::var_os("SEXTANT_SHOW_EXAMPLES").is_some() {
                println!("{} {name}: {} {}", set.display(), answer["result"], answer["why"]);
            }
        }
    }
    println!(
        "upstream examples: {} files in {} sets got a status; {} requests explained ({explained} through a Gateway of their set, {unattached} whose Gateway is elsewhere): {results:?}",
        files.len(),
        sets.len(),
        explained + unattached
    );
    assert!(files.len() >= 80, "the examples are all there, found {}", files.len());
    assert!(explained >= 30, "every route whose Gateway is in its set gets a request: {explained}");
}

#[test]
fn exit_codes_and_errors_follow_the_contract() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "kind: Gateway\nmetadata: {name: [\n").expect("writable");
    let bad = bad.to_string_lossy().into_owned();
    let (code, json, stderr) =
        run_json(&["gateway", "status", "--manifests", &bad, "--output", "json"]);
    assert_eq!(code, 2, "a bad manifest is bad input");
    assert_eq!(json["error"]["kind"], "bad_manifest");
    assert_eq!(json["error"]["file"], bad.as_str(), "the error names the file");
    assert!(json["error"]["line"].is_u64(), "and the line: {json}");
    assert!(stderr.contains(&format!("{bad}:3:")), "stderr names file:line: {stderr}");

    let good = dir.path().join("good.yaml");
    std::fs::write(
        &good,
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec: {parentRefs: [{name: missing}]}\n",
    )
    .expect("writable");
    let good = good.to_string_lossy().into_owned();
    let (code, json, _) =
        run_json(&["gateway", "status", "--manifests", &good, "--output", "json"]);
    assert_eq!(code, 0, "findings do not change the exit code without --fail-on");
    assert_eq!(json["route_parents"][0]["status_present"], false, "{json}");
    assert_eq!(
        json["route_parents"][0]["parentRef"],
        json!({"name": "missing"}),
        "echoed as written"
    );
    let (code, _, _) = run_json(&["gateway", "status", "--manifests", &good, "--fail-on", "error"]);
    assert_eq!(code, 1, "--fail-on error with an error diagnostic");

    let (code, json, stderr) = run_json(&[
        "gateway",
        "explain",
        "--manifests",
        &good,
        "--output",
        "json",
        "--request",
        "{\"protocol\": \"HTTP\",\n \"gateway\": \"app/gw\", \"port\": \"80\"}",
    ]);
    assert_eq!(code, 2, "a bad request is bad input");
    assert_eq!(json["error"]["kind"], "bad_request");
    assert_eq!(json["error"]["line"], 2, "the request error is located: {json}");
    assert!(stderr.contains("--request:2:"), "{stderr}");

    let request = dir.path().join("request.json");
    std::fs::write(
        &request,
        r#"{"protocol": "HTTP", "gateway": "app/gw", "port": 80, "host": "a"}"#,
    )
    .expect("writable");
    let (code, json, _) = run_json(&[
        "gateway",
        "explain",
        "--manifests",
        &good,
        "--output",
        "json",
        "--request",
        &request.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "a request file");
    assert_eq!(json["result"], "rejected", "the Gateway is not among the objects: {json}");
    assert!(json.get("http_status").is_none(), "absent values are left out, not null: {json}");

    let mut child = sextant()
        .args(["gateway", "explain", "--manifests", &good, "--output", "json", "--request", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sextant binary runs");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin
            .write_all(br#"{"protocol": "TCP", "gateway": "app/gw", "port": 9000}"#)
            .expect("the request is written");
    }
    let (code, json, _) = parse(&child.wait_with_output().expect("sextant exits"));
    assert_eq!((code, json["result"].as_str()), (0, Some("rejected")), "a request on stdin");

    let output = sextant()
        .args(["gateway", "explain", "--manifests", &good, "--request", &request.to_string_lossy()])
        .output()
        .expect("the sextant binary runs");
    let human = String::from_utf8_lossy(&output.stdout);
    assert!(
        human.starts_with("rejected") && human.contains("\nWhy\n  1. "),
        "human output: {human}"
    );
}
