//! Property tests: precedence is a strict total order that agrees with spec §4.4 step by step,
//! and answers and status do not depend on the order of the input objects, routes or rules.

use std::cmp::{Ordering, Reverse};

use proptest::prelude::*;
use serde_json::{Value, json};
use sextant_domain::gateway::explain::{Precedence, Protocol};
use sextant_domain::gateway::{Request, RouteTable};
use sextant_domain::object::KubeObject;

fn precedence() -> impl Strategy<Value = Precedence> {
    (
        0_u8..3,
        0_usize..6,
        0_usize..4,
        any::<bool>(),
        0_usize..3,
        0_usize..3,
        0_usize..4,
        0_usize..3,
        0_usize..3,
    )
        .prop_map(
            |(
                path_kind,
                path_len,
                method_len,
                no_method,
                headers,
                query,
                age_rank,
                rule,
                match_index,
            )| Precedence {
                path_kind,
                path_len: Reverse(path_len),
                method_len: Reverse(method_len),
                no_method,
                headers: Reverse(headers),
                query: Reverse(query),
                age_rank,
                rule,
                match_index,
            },
        )
}

/// One generated match of a candidate: (path kind 0 Exact / 1 PathPrefix / 2 RegularExpression,
/// path, has a method, header matches, query matches) and where it sits: (route age rank, rule,
/// match index).
type GeneratedMatch = ((u8, &'static str, bool, usize, usize), (usize, usize, usize));

fn generated_match() -> impl Strategy<Value = GeneratedMatch> {
    (
        (
            0_u8..3,
            prop::sample::select(vec!["/", "/a", "/a/", "/a/b", "/abc", "/a/b/c/"]),
            any::<bool>(),
            0_usize..3,
            0_usize..3,
        ),
        (0_usize..4, 0_usize..3, 0_usize..3),
    )
}

fn key_of(generated: &GeneratedMatch) -> Precedence {
    let ((kind, path, method, headers, query), (age, rule, match_index)) = *generated;
    Precedence::http(kind, path, method, headers, query, age, rule, match_index)
}

/// Spec §4.4's ordered list, written out step by step and independently of `Precedence`'s
/// derived order: `Less` means `a` wins over `b`.
fn spec_order(a: &GeneratedMatch, b: &GeneratedMatch) -> Ordering {
    let ((a_kind, a_path, a_method, a_headers, a_query), a_place) = *a;
    let ((b_kind, b_path, b_method, b_headers, b_query), b_place) = *b;
    // 1. Exact before PathPrefix before RegularExpression.
    if a_kind != b_kind {
        return a_kind.cmp(&b_kind);
    }
    // 2. Among prefixes, the longer one (a trailing `/` does not count).
    if a_kind == 1 {
        let (a_len, b_len) =
            (a_path.trim_end_matches('/').len(), b_path.trim_end_matches('/').len());
        if a_len != b_len {
            return b_len.cmp(&a_len);
        }
    }
    // 3. A method match before none.
    if a_method != b_method {
        return if a_method { Ordering::Less } else { Ordering::Greater };
    }
    // 4. More header matches, 5. more query matches.
    if a_headers != b_headers {
        return b_headers.cmp(&a_headers);
    }
    if a_query != b_query {
        return b_query.cmp(&a_query);
    }
    // 6-7. The older route (then alphabetical) — the age rank; 8. rule order; then match order.
    a_place.cmp(&b_place)
}

/// One generated route match: (exact?, path, method GET?, header x-a?).
type MatchSpec = (bool, &'static str, bool, bool);

fn match_spec() -> impl Strategy<Value = MatchSpec> {
    (
        any::<bool>(),
        prop::sample::select(vec!["/", "/a", "/a/b", "/b"]),
        any::<bool>(),
        any::<bool>(),
    )
}

/// A route: (hostname choice, creation second, rules of matches).
type RouteSpec = (usize, u8, Vec<Vec<MatchSpec>>);

fn route_spec() -> impl Strategy<Value = RouteSpec> {
    (0_usize..3, 0_u8..4, prop::collection::vec(prop::collection::vec(match_spec(), 1..3), 1..4))
        .prop_map(|(host, second, rules)| {
            // Within a route no two matches are identical, so rule order never decides a tie
            // (the spec breaks such ties by rule order, which a permutation changes).
            let mut seen = Vec::new();
            let rules = rules
                .into_iter()
                .map(|matches| {
                    matches
                        .into_iter()
                        .filter(|spec| {
                            let fresh = !seen.contains(spec);
                            seen.push(*spec);
                            fresh
                        })
                        .collect::<Vec<_>>()
                })
                .filter(|matches: &Vec<MatchSpec>| !matches.is_empty())
                .collect();
            (host, second, rules)
        })
}

fn route_object(index: usize, spec: &RouteSpec, rule_order: &[usize]) -> Value {
    let (host, second, rules) = spec;
    let hostnames = match host {
        0 => json!([]),
        1 => json!(["a.example.com"]),
        _ => json!(["*.example.com"]),
    };
    let rules: Vec<Value> = rule_order
        .iter()
        .filter_map(|&rule_index| rules.get(rule_index).map(|matches| (rule_index, matches)))
        .map(|(rule_index, matches)| {
            let matches: Vec<Value> = matches
                .iter()
                .map(|(exact, path, get, header)| {
                    let mut entry = json!({"path": {"type": if *exact { "Exact" } else { "PathPrefix" }, "value": path}});
                    if *get {
                        entry["method"] = json!("GET");
                    }
                    if *header {
                        entry["headers"] = json!([{"name": "x-a", "value": "1"}]);
                    }
                    entry
                })
                .collect();
            json!({"matches": matches, "backendRefs": [{"name": format!("r{index}-rule{rule_index}"), "port": 80}]})
        })
        .collect();
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": format!("r{index}"), "namespace": "app", "creationTimestamp": format!("2024-01-01T00:00:0{second}Z")},
        "spec": {"parentRefs": [{"name": "gw", "namespace": "infra"}], "hostnames": hostnames, "rules": rules}})
}

fn world(routes: &[RouteSpec], route_order: &[usize], reverse_rules: bool) -> Vec<KubeObject> {
    let mut objects = vec![
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "gc"}, "spec": {"controllerName": "example.com/gc"}}),
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": "infra"},
            "spec": {"gatewayClassName": "gc", "listeners": [{"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "All"}}}]}}),
    ];
    for &index in route_order {
        let spec = &routes[index];
        let mut order: Vec<usize> = (0..spec.2.len()).collect();
        if reverse_rules {
            order.reverse();
        }
        objects.push(route_object(index, spec, &order));
        for rule_index in 0..spec.2.len() {
            objects.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": format!("r{index}-rule{rule_index}"), "namespace": "app"},
                "spec": {"ports": [{"port": 80}]}}));
        }
    }
    objects.into_iter().map(KubeObject::new).collect()
}

fn request(path: &str, post: bool, header: bool, wildcard_host: bool) -> Request {
    Request {
        protocol: Protocol::Http,
        gateway: "infra/gw".to_owned(),
        port: 80,
        host: Some(if wildcard_host { "b.example.com" } else { "a.example.com" }.to_owned()),
        sni: None,
        method: Some(if post { "POST" } else { "GET" }.to_owned()),
        path: Some(path.to_owned()),
        headers: if header {
            [("X-A".to_owned(), "1".to_owned())].into()
        } else {
            std::collections::BTreeMap::default()
        },
        authority: None,
        service: None,
        metadata: std::collections::BTreeMap::default(),
    }
}

/// The parts of an answer that must not depend on input order.
fn verdict(table: &RouteTable<'_>, request: &Request) -> (String, Option<String>, Vec<String>) {
    let answer = table.explain(request);
    (
        format!("{:?}", answer.result),
        answer.route.map(|route| route.key()),
        answer.backends.iter().map(|backend| backend.name.clone()).collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn precedence_is_a_total_order(a in precedence(), b in precedence(), c in precedence()) {
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse(), "antisymmetric");
        prop_assert_eq!(a.cmp(&a), Ordering::Equal, "reflexive");
        if a <= b && b <= c {
            prop_assert!(a <= c, "transitive");
        }
        prop_assert!(matches!(a.cmp(&b), Ordering::Less | Ordering::Equal | Ordering::Greater), "total");
    }

    #[test]
    fn precedence_of_generated_matches_is_the_spec_order_and_strict(
        a in generated_match(), b in generated_match(), c in generated_match(),
    ) {
        let (key_a, key_b, key_c) = (key_of(&a), key_of(&b), key_of(&c));
        prop_assert_eq!(key_a.cmp(&key_b), spec_order(&a, &b), "the key orders as spec §4.4 lists");
        prop_assert_eq!(key_a.cmp(&key_b), key_b.cmp(&key_a).reverse(), "antisymmetric");
        if key_a <= key_b && key_b <= key_c {
            prop_assert!(key_a <= key_c, "transitive");
        }
        // Total and strict: two different candidates (route, rule, match) never tie, so the
        // winner never depends on the order candidates were listed in.
        if a.1 != b.1 {
            prop_assert_ne!(key_a.cmp(&key_b), Ordering::Equal, "distinct candidates never tie");
        }
    }

    #[test]
    fn sorting_candidates_does_not_depend_on_their_order(mut keys in prop::collection::vec(precedence(), 0..20), seed in any::<u64>()) {
        let mut shuffled = keys.clone();
        let length = shuffled.len();
        if length > 1 {
            shuffled.rotate_left(usize::try_from(seed % length as u64).unwrap_or(0));
        }
        keys.sort();
        shuffled.sort();
        prop_assert_eq!(keys, shuffled);
    }

    #[test]
    fn answers_do_not_depend_on_route_or_rule_order(
        routes in prop::collection::vec(route_spec(), 1..6),
        path in prop::sample::select(vec!["/", "/a", "/a/b", "/a/b/c", "/b", "/c"]),
        post in any::<bool>(),
        header in any::<bool>(),
        wildcard_host in any::<bool>(),
    ) {
        let forward: Vec<usize> = (0..routes.len()).collect();
        let backward: Vec<usize> = forward.iter().rev().copied().collect();
        let request = request(path, post, header, wildcard_host);
        let objects = world(&routes, &forward, false);
        let baseline = verdict(&RouteTable::build(&objects, &[]), &request);
        let reversed_routes = world(&routes, &backward, false);
        prop_assert_eq!(&baseline, &verdict(&RouteTable::build(&reversed_routes, &[]), &request), "route order");
        let reversed_rules = world(&routes, &backward, true);
        prop_assert_eq!(&baseline, &verdict(&RouteTable::build(&reversed_rules, &[]), &request), "rule order");
    }
}

/// A world (routes and the request's variations) and a shuffle of its objects.
fn shuffled_world() -> impl Strategy<Value = (Vec<KubeObject>, Vec<KubeObject>)> {
    prop::collection::vec(route_spec(), 1..6).prop_flat_map(|routes| {
        let order: Vec<usize> = (0..routes.len()).collect();
        let objects = world(&routes, &order, false);
        (Just(objects.clone()), Just(objects).prop_shuffle())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The whole answer (verdict, rule, backends, upstream request and the why trace) and the
    /// status report are the same for any order of the input objects.
    #[test]
    fn answers_and_status_do_not_depend_on_object_order(
        (objects, shuffled) in shuffled_world(),
        path in prop::sample::select(vec!["/", "/a", "/a/b", "/a/b/c", "/b", "/c"]),
        post in any::<bool>(),
        header in any::<bool>(),
        wildcard_host in any::<bool>(),
    ) {
        let request = request(path, post, header, wildcard_host);
        let table = RouteTable::build(&objects, &[]);
        let shuffled_table = RouteTable::build(&shuffled, &[]);
        let answer = serde_json::to_value(table.explain(&request)).unwrap();
        prop_assert_eq!(&answer, &serde_json::to_value(shuffled_table.explain(&request)).unwrap());
        let sorted = |table: &RouteTable<'_>| {
            let mut report = serde_json::to_value(table.status()).unwrap();
            // The report lists entries in input order; compare them as sets.
            for key in ["route_parents", "listeners", "gateways", "diagnostics"] {
                if let Some(entries) = report[key].as_array_mut() {
                    entries.sort_by_key(ToString::to_string);
                }
            }
            report
        };
        prop_assert_eq!(sorted(&table), sorted(&shuffled_table));
    }
}
