//! Every upstream example loads, gets a status, and explains one request per route.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sextant_domain::gateway::explain::Protocol;
use sextant_domain::gateway::{Request, RouteTable};
use sextant_domain::json::Json;
use sextant_domain::object::KubeObject;

fn yaml_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the examples directory is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "yaml") {
            found.push(path);
        }
    }
}

fn load(path: &Path) -> Vec<KubeObject> {
    let text = std::fs::read_to_string(path).expect("the example is readable");
    serde_norway::Deserializer::from_str(&text)
        .filter_map(|document| {
            let value: Value =
                serde::Deserialize::deserialize(document).expect("the example is valid YAML");
            value.is_object().then_some(KubeObject::new(value))
        })
        .collect()
}

/// One request aimed at the first hostname and path of `route` through its first parentRef.
fn request_for(route: &KubeObject, objects: &[KubeObject]) -> Option<Request> {
    let namespace = route.namespace().unwrap_or("default");
    let parent = route.array_at("/spec/parentRefs").first()?;
    let gateway_name = parent.get("name")?.as_str()?;
    let gateway_namespace = parent.get("namespace").and_then(Json::as_str).unwrap_or(namespace);
    let gateway = objects.iter().find(|object| {
        object.kind() == "Gateway"
            && object.name() == gateway_name
            && object.namespace().unwrap_or("default") == gateway_namespace
    })?;
    let section = parent.get("sectionName").and_then(Json::as_str);
    let listener = gateway.array_at("/spec/listeners").iter().find(|listener| {
        section.is_none_or(|section| listener.get("name").and_then(Json::as_str) == Some(section))
    })?;
    let port = u16::try_from(listener.get("port")?.as_u64()?).ok()?;
    let host = route
        .array_at("/spec/hostnames")
        .first()
        .and_then(Json::as_str)
        .or_else(|| listener.get("hostname").and_then(Json::as_str))
        .unwrap_or("example.com")
        .replace('*', "any");
    let first_match = route.at("/spec/rules/0/matches/0");
    let path = first_match
        .and_then(|matched| matched.pointer("/path/value"))
        .and_then(Json::as_str)
        .unwrap_or("/")
        .to_owned();
    let protocol = match route.kind() {
        "GRPCRoute" => Protocol::Grpc,
        "TLSRoute" => Protocol::Tls,
        "TCPRoute" => Protocol::Tcp,
        "UDPRoute" => Protocol::Udp,
        _ if listener.get("protocol").and_then(Json::as_str) == Some("HTTPS") => Protocol::Https,
        _ => Protocol::Http,
    };
    Some(Request {
        protocol,
        gateway: format!("{gateway_namespace}/{gateway_name}"),
        port,
        host: Some(host.clone()),
        sni: matches!(protocol, Protocol::Https | Protocol::Tls).then(|| host.clone()),
        method: first_match
            .and_then(|matched| matched.pointer("/method/method").or_else(|| matched.get("method")))
            .and_then(Json::as_str)
            .map(str::to_owned),
        path: Some(path),
        headers: first_match
            .map(|matched| {
                matched
                    .get("headers")
                    .and_then(Json::as_array)
                    .map(<[Json]>::to_vec)
                    .unwrap_or_default()
            })
            .unwrap_or_default()
            .iter()
            .filter_map(|header| {
                Some((
                    header.get("name")?.as_str()?.to_owned(),
                    header.get("value")?.as_str()?.to_owned(),
                ))
            })
            .collect(),
        authority: (protocol == Protocol::Grpc).then(|| host.clone()),
        service: first_match
            .and_then(|matched| matched.pointer("/method/service"))
            .and_then(Json::as_str)
            .map(str::to_owned),
        metadata: std::collections::BTreeMap::new(),
    })
}

#[test]
fn every_upstream_example_gets_a_status_and_an_explanation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gateway/examples");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    files.sort();
    assert!(files.len() >= 80, "the examples were copied, found {}", files.len());
    // Examples of one folder belong together (gateway.yaml + routes), so each folder is one set;
    // top-level files stand alone.
    let mut sets: std::collections::BTreeMap<PathBuf, Vec<KubeObject>> =
        std::collections::BTreeMap::new();
    for file in &files {
        let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let key = if parent.ends_with("standard") || parent.ends_with("experimental") {
            file.clone()
        } else {
            parent
        };
        sets.entry(key).or_default().extend(load(file));
    }
    let mut explained = 0;
    for (set, objects) in &sets {
        let table = RouteTable::build(objects, &[]);
        let status = serde_json::to_value(table.status()).expect("the status serializes");
        let routes: Vec<&KubeObject> =
            objects.iter().filter(|object| sextant_domain::gateway::is_route(object)).collect();
        let parents: usize =
            routes.iter().map(|route| route.array_at("/spec/parentRefs").len()).sum();
        assert_eq!(
            status["route_parents"].as_array().map_or(0, Vec::len),
            parents,
            "{}: one route_parents entry per parentRef",
            set.display()
        );
        for route in routes {
            let Some(request) = request_for(route, objects) else { continue };
            let answer = table.explain(&request);
            let json = serde_json::to_value(&answer).expect("the answer serializes");
            assert!(!answer.why.is_empty(), "{}: {} gets a why trace", set.display(), route.name());
            assert!(json.get("result").is_some(), "{}: the answer has a result", set.display());
            explained += 1;
        }
    }
    println!("examples: {} sets, {explained} requests explained", sets.len());
    assert!(
        explained >= 30,
        "every example route whose Gateway is in its set gets a request, got {explained}"
    );
}
