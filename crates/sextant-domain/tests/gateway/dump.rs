//! A differential harness for changes to the explainer that must not change its answers (the
//! fast path of BENCHMARKS.md was checked with it). Off unless asked:
//!
//! ```sh
//! SEXTANT_DUMP_ANSWERS=/tmp/a.tsv SEXTANT_DUMP_RANDOM=/tmp/r.tsv \
//!     cargo test -p sextant-domain --test gateway dump -- --nocapture
//! ```
//!
//! writes the full JSON answer to every request of a battery (each listener × protocol × the
//! hosts, paths and headers the case's objects mention, about 38,000 requests over the corpus
//! cases) and to 16,000 requests over 400 generated worlds full of ties; run it before and
//! after the change (a `git worktree` of the old commit) and compare the files with `cmp`.

use std::fmt::Write as _;

use serde_json::{Value, json};
use sextant_domain::gateway::{Request, RouteTable};
use sextant_domain::object::KubeObject;

use crate::check::load_cases;

fn requests_for(objects: &[Value]) -> Vec<Value> {
    let mut hosts: Vec<String> = vec!["example.com".into(), "Other.Example.com:8080".into()];
    let mut paths: Vec<String> = vec!["/".into(), "/x?y=1".into()];
    let mut headers: Vec<Value> = vec![json!({}), json!({"X-Env": "canary", "x-a": "1"})];
    for object in objects {
        for hostname in
            object.pointer("/spec/hostnames").and_then(Value::as_array).into_iter().flatten()
        {
            if let Some(host) = hostname.as_str() {
                hosts.push(host.replace('*', "www"));
            }
        }
        for listener in
            object.pointer("/spec/listeners").and_then(Value::as_array).into_iter().flatten()
        {
            if let Some(host) = listener.get("hostname").and_then(Value::as_str) {
                hosts.push(host.replace('*', "a.b"));
            }
        }
        for rule in object.pointer("/spec/rules").and_then(Value::as_array).into_iter().flatten() {
            for entry in rule.get("matches").and_then(Value::as_array).into_iter().flatten() {
                if let Some(path) = entry.pointer("/path/value").and_then(Value::as_str) {
                    paths.push(path.to_owned());
                    paths.push(format!("{path}/sub?q=1&v=2"));
                }
                let mut map = serde_json::Map::new();
                for header in entry.get("headers").and_then(Value::as_array).into_iter().flatten() {
                    if let (Some(name), Some(value)) = (
                        header.get("name").and_then(Value::as_str),
                        header.get("value").and_then(Value::as_str),
                    ) {
                        map.insert(name.to_owned(), json!(value));
                    }
                }
                if !map.is_empty() {
                    headers.push(Value::Object(map));
                }
            }
        }
    }
    hosts.sort();
    hosts.dedup();
    paths.sort();
    paths.dedup();
    let mut requests = Vec::new();
    for gateway in objects.iter().filter(|object| object["kind"] == "Gateway") {
        let key = format!(
            "{}/{}",
            gateway.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("default"),
            gateway.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
        );
        for listener in
            gateway.pointer("/spec/listeners").and_then(Value::as_array).into_iter().flatten()
        {
            let port = listener.get("port").cloned().unwrap_or(json!(80));
            for protocol in ["HTTP", "HTTPS", "GRPC", "TLS", "TCP", "UDP"] {
                for host in &hosts {
                    for (index, path) in paths.iter().enumerate() {
                        let header = &headers[index % headers.len()];
                        let method = if index % 3 == 0 { "POST" } else { "GET" };
                        requests.push(
                            json!({"protocol": protocol, "gateway": key, "port": port, "host": host,
                            "sni": if index % 2 == 0 { json!(host) } else { Value::Null },
                            "method": method, "path": path, "headers": header,
                            "authority": host, "service": "com.example.Svc", "metadata": header}),
                        );
                    }
                }
            }
        }
    }
    for request in &mut requests {
        if let Some(map) = request.as_object_mut() {
            map.retain(|_, value| !value.is_null());
        }
    }
    requests
}

#[test]
fn dump_answers() {
    let Some(path) = std::env::var_os("SEXTANT_DUMP_ANSWERS") else { return };
    let (cases, _) = load_cases();
    let mut out = String::new();
    let mut count = 0;
    for case in &cases {
        let objects: Vec<KubeObject> = case.objects.iter().cloned().map(KubeObject::new).collect();
        let unreadable: Vec<&str> = case.unreadable.iter().map(String::as_str).collect();
        let table = RouteTable::build(&objects, &unreadable);
        let mut requests = requests_for(&case.objects);
        requests.extend(case.request.iter().cloned());
        for request in requests {
            let Ok(parsed) = serde_json::from_value::<Request>(request.clone()) else { continue };
            let answer = serde_json::to_string(&table.explain(&parsed)).unwrap();
            let _ = writeln!(out, "{}\t{request}\t{answer}", case.name);
            count += 1;
        }
    }
    std::fs::write(path, out).unwrap();
    println!("dumped {count} answers");
}

/// A small deterministic generator, so both versions see the same worlds.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below
    }
}

#[test]
fn dump_random_worlds() {
    let Some(path) = std::env::var_os("SEXTANT_DUMP_RANDOM") else { return };
    let paths = ["/", "/a", "/a/", "/a/b", "/ab", "/a/b/c/", "/b", "//a"];
    let hosts = ["a.example.com", "*.example.com", "b.example.com"];
    let mut random = Lcg(7);
    let mut out = String::new();
    let mut count = 0;
    for world in 0..400 {
        let mut objects = vec![
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "gc"}, "spec": {"controllerName": "x/y"}}),
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": "infra"},
                "spec": {"gatewayClassName": "gc", "listeners": [{"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "All"}}}]}}),
        ];
        for route in 0..=random.next(8) {
            let mut rules = Vec::new();
            for rule in 0..=random.next(3) {
                let mut matches = Vec::new();
                for _ in 0..=random.next(3) {
                    let kind =
                        ["Exact", "PathPrefix", "PathPrefix", "RegularExpression"][random.next(4)];
                    let value = if kind == "RegularExpression" {
                        "/a.*".to_owned()
                    } else {
                        paths[random.next(7)].to_owned()
                    };
                    let mut entry = json!({"path": {"type": kind, "value": value}});
                    if random.next(3) == 0 {
                        entry["method"] = json!("GET");
                    }
                    if random.next(3) == 0 {
                        entry["headers"] =
                            json!([{"name": "X-A", "value": (["1", "2"][random.next(2)])}]);
                    }
                    if random.next(4) == 0 {
                        entry["queryParams"] = json!([{"name": "q", "value": "1"}]);
                    }
                    matches.push(entry);
                }
                rules.push(json!({"matches": matches, "backendRefs": [{"name": format!("s{route}-{rule}"), "port": 80}]}));
            }
            let hostnames =
                if random.next(4) == 0 { json!([]) } else { json!([hosts[random.next(3)]]) };
            objects.push(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                "metadata": {"name": format!("r{route}"), "namespace": (["a", "b"][random.next(2)]), "creationTimestamp": format!("2024-01-01T00:00:0{}Z", random.next(3))},
                "spec": {"parentRefs": [{"name": "gw", "namespace": "infra"}], "hostnames": hostnames, "rules": rules}}));
        }
        let objects: Vec<KubeObject> = objects.into_iter().map(KubeObject::new).collect();
        let table = RouteTable::build(&objects, &[]);
        for _ in 0..40 {
            let mut request = json!({"protocol": "HTTP", "gateway": "infra/gw", "port": 80,
                "host": (["a.example.com", "b.example.com", "c.example.com", "x.org"][random.next(4)]),
                "path": format!("{}{}", ["/", "/a", "/a/", "/a/b", "/ab", "/a/b/c", "/a/b/c/", "//a", "/b/x", ""][random.next(10)], ["", "?q=1", "?q=2&q=1"][random.next(3)]),
                "method": (["GET", "POST"][random.next(2)])});
            if random.next(2) == 0 {
                request["headers"] = json!({"x-a": (["1", "2"][random.next(2)])});
            }
            let Ok(parsed) = serde_json::from_value::<Request>(request.clone()) else { continue };
            let answer = serde_json::to_string(&table.explain(&parsed)).unwrap();
            let _ = writeln!(out, "{world}\t{request}\t{answer}");
            count += 1;
        }
    }
    std::fs::write(path, out).unwrap();
    println!("dumped {count} random answers");
}
