//! The request explainer (spec §4): which listener, route, rule and backend serve one request,
//! what the filters do to it, and a human trace of every decision.
//!
//! The route table is built once per object set: per listener, candidates are grouped by the
//! intersected hostname they serve and pre-sorted by the rest of the precedence list, so that
//! explaining a request is a hash lookup plus a short scan, not a sort.

// Nested `if let`s read as the spec's decision steps; collapsing them hides the steps.
#![allow(clippy::collapsible_if)]

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::gateway::hostname;
use crate::gateway::model::{
    BackendRef, Filter, ObjectRef, PathKind, PathModifier, Route, RouteKind, RouteMatch, Rule,
    World,
};
use crate::gateway::status::{
    Analysis, BackendVerdict, ListenerState, age_order, analyze, backend_verdict,
};
use crate::object::KubeObject;

/// The protocol of a request to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
    /// gRPC (over HTTP or HTTPS listeners).
    Grpc,
    /// TLS (SNI routed).
    Tls,
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// One request, as the CLI contract gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The protocol.
    pub protocol: Protocol,
    /// `namespace/name` of the Gateway.
    pub gateway: String,
    /// The destination port.
    pub port: u16,
    /// HTTP `Host`, may carry `:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// TLS SNI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// HTTP method, or gRPC method name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// HTTP path, may carry `?query`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// HTTP headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// gRPC `:authority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// gRPC service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// gRPC metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// What happened to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Forwarded to a backend (perhaps with a share answered by errors).
    Routed,
    /// Nothing matched: 404, gRPC Unimplemented.
    NoMatch,
    /// Answered with a redirect.
    Redirect,
    /// Matched, but answered with an error (invalid backends).
    Error,
    /// HTTPS request whose Host belongs to another listener than its SNI: 421.
    Misdirected,
    /// The connection is refused.
    Rejected,
}

impl Outcome {
    /// The JSON spelling: `routed`, `no_match`, `redirect`, `error`, `misdirected`, `rejected`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Routed => "routed",
            Outcome::NoMatch => "no_match",
            Outcome::Redirect => "redirect",
            Outcome::Error => "error",
            Outcome::Misdirected => "misdirected",
            Outcome::Rejected => "rejected",
        }
    }
}

/// A backend of the winning rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackendShare {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Weight as written (default 1).
    pub weight: u32,
    /// Weight over the sum of all weights.
    pub share: f64,
    /// Whether the reference resolves.
    pub valid: bool,
}

/// The request as the backend sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpstreamRequest {
    /// Host (or `:authority`).
    pub host: String,
    /// Path with query.
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: BTreeMap<String, String>,
}

/// A mirror that receives a copy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mirror {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Percentage of requests mirrored.
    pub percent: f64,
}

/// A redirect answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// The `Location` header.
    pub location: String,
    /// The status code.
    pub status_code: u16,
}

/// The answer (`sextant gateway explain --output json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// What happened.
    pub result: Outcome,
    /// The HTTP status, when the gateway answers itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The gRPC status, when the gateway answers itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_status: Option<&'static str>,
    /// `namespace/gateway/listener`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// The winning route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<ObjectRef>,
    /// The winning rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// The winning match within the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_index: Option<usize>,
    /// Every backendRef of the winning rule, in spec order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backends: Vec<BackendShare>,
    /// The share of requests answered with an error because their backend is invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_share: Option<f64>,
    /// The request after filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_request: Option<UpstreamRequest>,
    /// Mirrors receiving a copy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<Mirror>,
    /// The redirect, for a redirect answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
    /// Section 7 ambiguities the answer rests on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ambiguous: Vec<String>,
    /// Extended features the answer assumes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extended_features: Vec<&'static str>,
    /// The decisions, in order.
    pub why: Vec<String>,
}

impl Explanation {
    fn new(result: Outcome, why: Vec<String>) -> Self {
        Explanation {
            result,
            http_status: None,
            grpc_status: None,
            listener: None,
            route: None,
            rule_index: None,
            match_index: None,
            backends: Vec::new(),
            error_share: None,
            upstream_request: None,
            mirrors: Vec::new(),
            redirect: None,
            ambiguous: Vec::new(),
            extended_features: Vec::new(),
            why,
        }
    }
}

/// The precedence of one (route, rule, match) candidate after the hostname keys (spec §4.4,
/// §4.6): smaller sorts first and wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Precedence {
    /// 0 for `Exact`, 1 for `PathPrefix`, 2 for `RegularExpression` (gRPC: always 0).
    pub path_kind: u8,
    /// `PathPrefix` characters (trailing `/` ignored), or for gRPC the service characters.
    pub path_len: Reverse<usize>,
    /// gRPC method characters (HTTP: 0).
    pub method_len: Reverse<usize>,
    /// Whether a method is matched (HTTP): `false` sorts first, meaning "has a method".
    pub no_method: bool,
    /// Header matches.
    pub headers: Reverse<usize>,
    /// Query parameter matches.
    pub query: Reverse<usize>,
    /// The route's age rank (oldest first, then `namespace/name`).
    pub age_rank: usize,
    /// Rule index.
    pub rule: usize,
    /// Match index.
    pub match_index: usize,
}

impl Precedence {
    /// The precedence of an `HTTPRoute` match.
    #[must_use]
    // One argument per precedence key keeps the call sites readable as the spec's list.
    #[allow(clippy::too_many_arguments)]
    pub fn http(
        path_kind_exact_prefix_regex: u8,
        prefix: &str,
        has_method: bool,
        headers: usize,
        query: usize,
        age_rank: usize,
        rule: usize,
        match_index: usize,
    ) -> Self {
        Precedence {
            path_kind: path_kind_exact_prefix_regex,
            path_len: Reverse(if path_kind_exact_prefix_regex == 1 {
                prefix.trim_end_matches('/').len()
            } else {
                0
            }),
            method_len: Reverse(0),
            no_method: !has_method,
            headers: Reverse(headers),
            query: Reverse(query),
            age_rank,
            rule,
            match_index,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    route: usize,
    rule: usize,
    match_index: usize,
    /// The route's kind, kept here so that scanning candidates does not touch the routes.
    kind: RouteKind,
    key: Precedence,
}

/// FNV-1a: the index maps hash short strings (paths, hostnames) on every request, where
/// SipHash's set-up dominates; no map key comes from an attacker who could force collisions
/// (keys come from the manifests, lookups only read).
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Candidates of one intersected hostname on one listener, sorted by precedence, with an index
/// by path so that a request checks only the candidates whose path can match it.
#[derive(Debug, Default)]
struct Group {
    candidates: Vec<Candidate>,
    /// Per candidate, the end of its tier: the candidates after it that tie with it on every
    /// key before the route's age (the spec's "as specific" set).
    tier_end: Vec<usize>,
    /// Per candidate, the start of its tier.
    tier_start: Vec<usize>,
    /// Positions of HTTPRoute `Exact` candidates, by path.
    exact: FnvMap<String, Vec<usize>>,
    /// Positions of HTTPRoute `PathPrefix` candidates, by prefix without its trailing `/`.
    prefixes: FnvMap<String, Vec<usize>>,
    /// Positions of every other candidate (regular expressions, gRPC, TLS), always checked.
    others: Vec<usize>,
    /// Per candidate, its match, copied here so that checking candidates reads one array
    /// instead of following route → rule → match.
    entries: Vec<RouteMatch>,
}

impl Group {
    /// Builds the index once the candidates are sorted.
    fn index(&mut self, routes: &[Route<'_>]) {
        let ties = |a: &Precedence, b: &Precedence| {
            (a.path_kind, a.path_len, a.method_len, a.no_method, a.headers, a.query)
                == (b.path_kind, b.path_len, b.method_len, b.no_method, b.headers, b.query)
        };
        let count = self.candidates.len();
        self.tier_start = vec![0; count];
        self.tier_end = vec![count; count];
        let mut start = 0;
        for position in 1..=count {
            if position == count
                || !ties(&self.candidates[position].key, &self.candidates[start].key)
            {
                for member in start..position {
                    self.tier_start[member] = start;
                    self.tier_end[member] = position;
                }
                start = position;
            }
        }
        self.entries = self
            .candidates
            .iter()
            .map(|candidate| {
                routes[candidate.route].rules[candidate.rule].matches[candidate.match_index].clone()
            })
            .collect();
        for (position, candidate) in self.candidates.iter().enumerate() {
            let route = &routes[candidate.route];
            let entry = &self.entries[position];
            match (route.kind, entry.path_kind) {
                (RouteKind::Http, PathKind::Exact) => {
                    self.exact.entry(entry.path.clone()).or_default().push(position);
                }
                (RouteKind::Http, PathKind::Prefix) => self
                    .prefixes
                    .entry(entry.path.trim_end_matches('/').to_owned())
                    .or_default()
                    .push(position),
                _ => self.others.push(position),
            }
        }
    }

    /// The positions, ascending, of the candidates whose path can match `path`: the `Exact`
    /// ones for it, the `PathPrefix` ones for each of its segment prefixes, and the others.
    /// Calls `visit(position, path_matched)` until it returns `true`, and returns that position;
    /// `path_matched` says the index already checked the candidate's path.
    fn find<'s>(&'s self, path: &str, mut visit: impl FnMut(usize, bool) -> bool) -> Option<usize> {
        // Sorted lists to merge, kept on the stack; a path with more segments than fit falls
        // back to checking every candidate.
        const MAX: usize = 20;
        let mut lists: [&[usize]; MAX] = [&[]; MAX];
        let mut used = 0;
        let mut complete = true;
        let mut add = |list: &'s [usize]| {
            if list.is_empty() {
                return;
            }
            if used == MAX {
                complete = false;
            } else {
                lists[used] = list;
                used += 1;
            }
        };
        if let Some(list) = self.exact.get(path) {
            add(list);
        }
        if let Some(list) = self.prefixes.get("") {
            add(list);
        }
        for (at, byte) in path.bytes().enumerate().skip(1) {
            if byte == b'/' {
                if let Some(list) = self.prefixes.get(&path[..at]) {
                    add(list);
                }
            }
        }
        if path.len() > 1 && !path.ends_with('/') {
            if let Some(list) = self.prefixes.get(path) {
                add(list);
            }
        }
        add(&self.others);
        if !complete {
            return (0..self.candidates.len()).find(|&position| visit(position, false));
        }
        // The others were added last; every list before them comes from the path index.
        let others = (!self.others.is_empty()).then(|| used - 1);
        let lists = &mut lists[..used];
        loop {
            let mut best: Option<usize> = None;
            for (index, list) in lists.iter().enumerate() {
                if let Some(&head) = list.first() {
                    if best.is_none_or(|best| head < lists[best][0]) {
                        best = Some(index);
                    }
                }
            }
            let index = best?;
            let position = lists[index][0];
            lists[index] = &lists[index][1..];
            if visit(position, others != Some(index)) {
                return Some(position);
            }
        }
    }
}

#[derive(Debug, Default)]
struct ListenerTable {
    precise: FnvMap<String, Group>,
    /// Wildcard groups, most specific (longest) first: (suffix like `.example.com`, pattern, group).
    wildcards: Vec<(String, String, Group)>,
    any: Group,
}

/// A route table over one set of objects, ready to explain many requests.
pub struct RouteTable<'a> {
    world: World<'a>,
    analysis: Analysis,
    gateways: FnvMap<String, usize>,
    tables: Vec<Vec<ListenerTable>>,
    regexes: HashMap<String, Option<Regex>>,
    listener_names: Vec<Vec<String>>,
    /// Per Gateway and listener, the start of the trace line naming it (the request's host or
    /// SNI completes it).
    listener_lines: Vec<Vec<String>>,
    /// Per route, `Kind namespace/name`.
    route_labels: Vec<String>,
    /// Per route, rule and match, the trace line describing the match.
    match_lines: Vec<Vec<Vec<String>>>,
    /// Per route and rule, what answering with it takes (see [`RulePlan`]).
    plans: Vec<Vec<RulePlan>>,
}

fn match_key(
    route_kind: RouteKind,
    entry: &RouteMatch,
    age_rank: usize,
    rule: usize,
    match_index: usize,
) -> Precedence {
    match route_kind {
        RouteKind::Grpc => Precedence {
            path_kind: 0,
            path_len: Reverse(entry.grpc_service.as_ref().map_or(0, String::len)),
            method_len: Reverse(entry.grpc_method.as_ref().map_or(0, String::len)),
            no_method: true,
            headers: Reverse(entry.headers.len()),
            query: Reverse(0),
            age_rank,
            rule,
            match_index,
        },
        _ => Precedence::http(
            match entry.path_kind {
                PathKind::Exact => 0,
                PathKind::Prefix => 1,
                PathKind::Regex => 2,
            },
            &entry.path,
            entry.method.is_some(),
            entry.headers.len(),
            entry.query.len(),
            age_rank,
            rule,
            match_index,
        ),
    }
}

impl<'a> RouteTable<'a> {
    /// Builds the table; `unreadable` names kinds that could not be read.
    #[must_use]
    #[allow(clippy::too_many_lines)]
    pub fn build(objects: &'a [KubeObject], unreadable: &[&str]) -> Self {
        let world = World::build(objects, unreadable);
        let analysis = analyze(&world);
        let mut order: Vec<usize> = (0..world.routes.len()).collect();
        order.sort_by(|a, b| age_order(&world.routes[*a], &world.routes[*b]));
        let mut age_rank = vec![0; world.routes.len()];
        for (rank, route) in order.into_iter().enumerate() {
            age_rank[route] = rank;
        }
        let verdicts: Vec<Vec<Vec<BackendVerdict>>> = world
            .routes
            .iter()
            .map(|route| {
                route
                    .rules
                    .iter()
                    .map(|rule| {
                        rule.backends
                            .iter()
                            .map(|backend| backend_verdict(&world, route, backend))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut regexes = HashMap::new();
        for route in &world.routes {
            for rule in &route.rules {
                for entry in &rule.matches {
                    let mut add = |pattern: &str| {
                        regexes
                            .entry(pattern.to_owned())
                            .or_insert_with(|| Regex::new(&format!("^(?:{pattern})$")).ok());
                    };
                    if entry.path_kind == PathKind::Regex {
                        add(&entry.path);
                    }
                    for value in
                        entry.headers.iter().chain(&entry.query).filter(|value| value.regex)
                    {
                        add(&value.value);
                    }
                    if entry.grpc_regex {
                        for part in entry.grpc_service.iter().chain(&entry.grpc_method) {
                            add(part);
                        }
                    }
                }
            }
        }
        let mut tables: Vec<Vec<ListenerTable>> = world
            .gateways
            .iter()
            .map(|gateway| gateway.listeners.iter().map(|_| ListenerTable::default()).collect())
            .collect();
        for attachment in &analysis.attachments {
            let route = &world.routes[attachment.route];
            let table = &mut tables[attachment.gateway][attachment.listener];
            for name in &attachment.hostnames {
                let group = match name {
                    None => &mut table.any,
                    Some(name) if hostname::is_wildcard(name) => {
                        let suffix = name[1..].to_owned();
                        if let Some(position) =
                            table.wildcards.iter().position(|(_, pattern, _)| pattern == name)
                        {
                            &mut table.wildcards[position].2
                        } else {
                            table.wildcards.push((suffix, name.clone(), Group::default()));
                            let last = table.wildcards.len() - 1;
                            &mut table.wildcards[last].2
                        }
                    }
                    Some(name) => table.precise.entry(name.clone()).or_default(),
                };
                for (rule_index, rule) in route.rules.iter().enumerate() {
                    if rule.unsupported.is_some() {
                        continue;
                    }
                    for (match_index, entry) in rule.matches.iter().enumerate() {
                        group.candidates.push(Candidate {
                            route: attachment.route,
                            rule: rule_index,
                            match_index,
                            kind: route.kind,
                            key: match_key(
                                route.kind,
                                entry,
                                age_rank[attachment.route],
                                rule_index,
                                match_index,
                            ),
                        });
                    }
                }
            }
        }
        for table in tables.iter_mut().flatten() {
            table.wildcards.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.1.cmp(&b.1)));
            let groups = table
                .precise
                .values_mut()
                .chain(table.wildcards.iter_mut().map(|entry| &mut entry.2))
                .chain([&mut table.any]);
            for group in groups {
                group.candidates.sort_by_key(|candidate| candidate.key);
                group.index(&world.routes);
            }
        }
        let gateways = world
            .gateways
            .iter()
            .enumerate()
            .map(|(index, gateway)| (gateway.id.key(), index))
            .collect();
        let listener_names: Vec<Vec<String>> = world
            .gateways
            .iter()
            .map(|gateway| {
                gateway
                    .listeners
                    .iter()
                    .map(|listener| format!("{}/{}", gateway.id.key(), listener.name))
                    .collect()
            })
            .collect();
        let listener_lines = world
            .gateways
            .iter()
            .zip(&listener_names)
            .map(|(gateway, names): (&crate::gateway::model::Gateway<'_>, &Vec<String>)| {
                gateway
                    .listeners
                    .iter()
                    .zip(names)
                    .map(|(listener, name)| {
                        format!(
                            "listener {name} (hostname {}) is the most specific on port {} for ",
                            listener.hostname.as_deref().unwrap_or("any"),
                            listener.port
                        )
                    })
                    .collect()
            })
            .collect();
        let route_labels = world
            .routes
            .iter()
            .map(|route| format!("{} {}", route.kind.as_str(), route.id.key()))
            .collect();
        let match_lines = world
            .routes
            .iter()
            .map(|route| {
                route
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(rule_index, rule)| {
                        rule.matches
                            .iter()
                            .enumerate()
                            .map(|(match_index, entry)| {
                                let candidate = Candidate {
                                    route: 0,
                                    rule: rule_index,
                                    match_index,
                                    kind: route.kind,
                                    key: match_key(route.kind, entry, 0, rule_index, match_index),
                                };
                                describe_match(route.kind, &candidate, entry)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let plans = world
            .routes
            .iter()
            .zip(&verdicts)
            .map(|(route, route_verdicts): (&Route<'_>, &Vec<Vec<BackendVerdict>>)| {
                route
                    .rules
                    .iter()
                    .zip(route_verdicts)
                    .map(|(rule, rule_verdicts)| plan_rule(&world, route, rule, rule_verdicts))
                    .collect()
            })
            .collect();
        RouteTable {
            world,
            analysis,
            gateways,
            tables,
            regexes,
            listener_names,
            listener_lines,
            route_labels,
            match_lines,
            plans,
        }
    }

    /// The status report of the same objects.
    #[must_use]
    pub fn status(&self) -> &crate::gateway::status::StatusReport {
        &self.analysis.report
    }

    fn regex_matches(&self, pattern: &str, value: &str) -> bool {
        self.regexes
            .get(pattern)
            .and_then(Option::as_ref)
            .is_some_and(|regex| regex.is_match(value))
    }

    /// Explains one request.
    #[must_use]
    pub fn explain(&self, request: &Request) -> Explanation {
        let mut why = Vec::with_capacity(6);
        let Some(&gateway_index) = self.gateways.get(&request.gateway) else {
            why.push(format!("Gateway {} is not among the objects", request.gateway));
            return Explanation::new(Outcome::Rejected, why);
        };
        let gateway = &self.world.gateways[gateway_index];
        let states = &self.analysis.listener_states[gateway_index];
        if states.is_empty() {
            why.push(format!(
                "Gateway {} is not reconciled (invalid manifest or missing GatewayClass)",
                request.gateway
            ));
            return Explanation::new(Outcome::Rejected, why);
        }
        let wanted: &[&str] = match request.protocol {
            Protocol::Http => &["HTTP"],
            Protocol::Https => &["HTTPS"],
            Protocol::Grpc => &["HTTP", "HTTPS"],
            Protocol::Tls => &["TLS"],
            Protocol::Tcp => &["TCP"],
            Protocol::Udp => &["UDP"],
        };
        // A Gateway has at most 64 listeners (the API's limit); more are checked past the array.
        let mut on_port_buffer = [0_usize; 64];
        let mut on_port_count = 0;
        let mut overflow: Vec<usize> = Vec::new();
        for (index, listener) in gateway.listeners.iter().enumerate() {
            if listener.port == request.port && wanted.contains(&listener.protocol.as_str()) {
                if on_port_count < on_port_buffer.len() {
                    on_port_buffer[on_port_count] = index;
                    on_port_count += 1;
                } else {
                    overflow.push(index);
                }
            }
        }
        let on_port: std::borrow::Cow<'_, [usize]> = if overflow.is_empty() {
            std::borrow::Cow::Borrowed(&on_port_buffer[..on_port_count])
        } else {
            let mut all = on_port_buffer[..on_port_count].to_vec();
            all.extend(overflow);
            std::borrow::Cow::Owned(all)
        };
        if on_port.is_empty() {
            why.push(format!(
                "no {} listener on port {} of Gateway {}: connection refused",
                wanted.join("/"),
                request.port,
                request.gateway
            ));
            return Explanation::new(Outcome::Rejected, why);
        }
        match request.protocol {
            Protocol::Tcp | Protocol::Udp => {
                self.explain_l4(request, gateway_index, on_port[0], why)
            }
            _ => self.explain_named(request, gateway_index, &on_port, why),
        }
    }

    fn listener_name(&self, gateway_index: usize, listener_index: usize) -> String {
        self.listener_names[gateway_index][listener_index].clone()
    }

    /// The most specific listener among `candidates` whose hostname covers `host`.
    fn pick_listener(
        &self,
        gateway_index: usize,
        candidates: &[usize],
        host: &str,
    ) -> Option<usize> {
        let gateway = &self.world.gateways[gateway_index];
        candidates
            .iter()
            .copied()
            .filter(|&index| {
                gateway.listeners[index]
                    .hostname
                    .as_deref()
                    .is_none_or(|pattern| hostname::matches(pattern, host))
            })
            .max_by_key(|&index| {
                let name = gateway.listeners[index].hostname.as_deref();
                // Precise first, then wildcards by labels right of `*`, then no hostname.
                let labels = name.map_or(0, |name| name.matches('.').count());
                (
                    name.is_some(),
                    name.is_some_and(|name| !hostname::is_wildcard(name)),
                    labels,
                    Reverse(index),
                )
            })
    }

    fn refused(state: &ListenerState, listener: String, mut why: Vec<String>) -> Explanation {
        why.push(format!(
            "listener {listener} is not programmed: {}; its traffic is refused",
            state.why_not.as_deref().unwrap_or("invalid")
        ));
        let mut answer = Explanation::new(Outcome::Rejected, why);
        answer.listener = Some(listener);
        answer
    }

    fn explain_l4(
        &self,
        request: &Request,
        gateway_index: usize,
        listener_index: usize,
        mut why: Vec<String>,
    ) -> Explanation {
        let listener = self.listener_name(gateway_index, listener_index);
        let state = &self.analysis.listener_states[gateway_index][listener_index];
        if !state.serving {
            return Self::refused(state, listener, why);
        }
        why.push(format!(
            "listener {listener} takes {:?} on port {}",
            request.protocol, request.port
        ));
        let table = &self.tables[gateway_index][listener_index];
        let Some(winner) = table.any.candidates.first() else {
            why.push("no route is attached to the listener: connection refused".to_owned());
            let mut answer = Explanation::new(Outcome::Rejected, why);
            answer.listener = Some(listener);
            return answer;
        };
        let attached = table.any.candidates.len();
        let route = &self.world.routes[winner.route];
        if attached > 1 {
            why.push(format!("{attached} routes attached; the oldest (then alphabetical) {} carries all traffic, the others are shadowed", route.id.key()));
        } else {
            why.push(format!(
                "{} {} is the only route attached",
                route.kind.as_str(),
                route.id.key()
            ));
        }
        self.answer_backends(request, gateway_index, listener_index, winner, why)
    }

    #[allow(clippy::too_many_lines)]
    fn explain_named(
        &self,
        request: &Request,
        gateway_index: usize,
        on_port: &[usize],
        mut why: Vec<String>,
    ) -> Explanation {
        // The fast path decides listener, route, rule and match on borrowed, lower-cased views
        // of the request, and builds strings only for the answer's own fields.
        let gateway = &self.world.gateways[gateway_index];
        let grpc = request.protocol == Protocol::Grpc;
        let host_raw = if grpc {
            request.authority.as_deref().or(request.host.as_deref())
        } else {
            request.host.as_deref()
        };
        let host: Option<Cow<'_, str>> =
            host_raw.map(|host| ascii_lowercase(hostname::strip_port(host)));
        let sni: Option<Cow<'_, str>> = request.sni.as_deref().map(ascii_lowercase);
        let selector: &str = match request.protocol {
            Protocol::Https | Protocol::Tls => sni.as_deref().or(host.as_deref()),
            _ => host.as_deref(),
        }
        .unwrap_or_default();
        let no_listener = |mut why: Vec<String>| {
            why.push(format!("no listener on port {} matches {selector:?}", request.port));
            match request.protocol {
                Protocol::Tls => Explanation::new(Outcome::Rejected, why),
                Protocol::Grpc => {
                    let mut answer = Explanation::new(Outcome::NoMatch, why);
                    answer.grpc_status = Some("Unimplemented");
                    answer
                }
                _ => {
                    let mut answer = Explanation::new(Outcome::NoMatch, why);
                    answer.http_status = Some(404);
                    answer
                }
            }
        };
        let Some(listener_index) = self.pick_listener(gateway_index, on_port, selector) else {
            return no_listener(why);
        };
        let listener = &self.listener_names[gateway_index][listener_index];
        let state = &self.analysis.listener_states[gateway_index][listener_index];
        if !state.serving {
            return Self::refused(state, listener.clone(), why);
        }
        let by = if matches!(request.protocol, Protocol::Https | Protocol::Tls) && sni.is_some() {
            "SNI"
        } else {
            "host"
        };
        let prefix = &self.listener_lines[gateway_index][listener_index];
        let mut line = String::with_capacity(prefix.len() + by.len() + 1 + selector.len());
        line.push_str(prefix);
        line.push_str(by);
        line.push(' ');
        line.push_str(selector);
        why.push(line);
        let mut extended: Vec<&'static str> = Vec::new();
        if on_port.len() > 1 && request.protocol != Protocol::Tls {
            extended.push("GatewayHTTPListenerIsolation");
        }
        if request.protocol == Protocol::Https {
            if let (Some(host), Some(_)) = (host.as_deref(), &sni) {
                let by_host = self.pick_listener(gateway_index, on_port, host);
                match by_host {
                    None => {
                        why.push(format!("Host {host} matches no listener on the port"));
                        let mut answer = Explanation::new(Outcome::NoMatch, why);
                        answer.http_status = Some(404);
                        answer.listener = Some(listener.clone());
                        return answer;
                    }
                    Some(other) if other != listener_index => {
                        why.push(format!(
                            "Host {host} belongs to listener {} rather than the SNI-chosen one: 421 Misdirected Request",
                            gateway.listeners[other].name
                        ));
                        let mut answer = Explanation::new(Outcome::Misdirected, why);
                        answer.http_status = Some(421);
                        answer.listener = Some(listener.clone());
                        answer
                            .extended_features
                            .push("GatewayHTTPSListenerDetectMisdirectedRequests");
                        return answer;
                    }
                    Some(_) => {}
                }
            }
        }
        let request_host: &str = if request.protocol == Protocol::Tls {
            selector
        } else {
            host.as_deref().unwrap_or_default()
        };
        let table = &self.tables[gateway_index][listener_index];
        // The hostname groups in precedence order: precise, wildcards longest first, then any.
        let precise = table.precise.get(request_host).map(|group| (request_host, group));
        let wildcards = table
            .wildcards
            .iter()
            .filter(|(suffix, _, _)| {
                request_host.len() > suffix.len() && request_host.ends_with(suffix.as_str())
            })
            .map(|(_, pattern, group)| (pattern.as_str(), group));
        let any = (!table.any.candidates.is_empty()).then_some(("any", &table.any));
        let source = if grpc { &request.metadata } else { &request.headers };
        let full_path = request.path.as_deref().unwrap_or("/");
        let (path, query) = full_path.split_once('?').unwrap_or((full_path, ""));
        let method = request.method.as_deref().unwrap_or(if grpc { "" } else { "GET" });
        let service = request.service.as_deref();
        let candidate_matches = |group: &Group, position: usize, path_matched: bool| {
            let entry = &group.entries[position];
            match group.candidates[position].kind {
                RouteKind::Http => {
                    !grpc && self.http_match(entry, path_matched, path, query, method, source)
                }
                RouteKind::Grpc => grpc && self.grpc_match(entry, service, method, source),
                RouteKind::Tls => request.protocol == Protocol::Tls,
                RouteKind::Tcp | RouteKind::Udp => false,
            }
        };
        let mut skipped_groups: Vec<&str> = Vec::new();
        let mut any_group = false;
        for (name, group) in precise.into_iter().chain(wildcards).chain(any) {
            any_group = true;
            let Some(position) = group.find(path, |position, path_matched| {
                candidate_matches(group, position, path_matched)
            }) else {
                skipped_groups.push(name);
                continue;
            };
            let winner = &group.candidates[position];
            let route = &self.world.routes[winner.route];
            let mut answer_why = why;
            let mut ambiguous = Vec::new();
            if !skipped_groups.is_empty() {
                answer_why.push(format!(
                    "routes for the more specific hostname(s) {} have no matching rule; falling through to {name} (§7.4: per-virtual-host data planes answer 404 here)",
                    skipped_groups.join(", ")
                ));
                ambiguous.push("§7.4 hostname fall-through".to_owned());
            }
            let label = &self.route_labels[winner.route];
            let mut line = String::with_capacity(40 + name.len() + label.len());
            line.push_str("best matching hostname ");
            line.push_str(name);
            line.push_str(": ");
            line.push_str(label);
            line.push_str(" is a candidate");
            answer_why.push(line);
            let entry = &route.rules[winner.rule].matches[winner.match_index];
            answer_why
                .push(self.match_lines[winner.route][winner.rule][winner.match_index].clone());
            if entry.path_kind == PathKind::Regex
                || entry.grpc_regex
                || entry.headers.iter().chain(&entry.query).any(|value| value.regex)
            {
                ambiguous.push(
                    "§7.10 RegularExpression dialect and precedence are implementation-specific"
                        .to_owned(),
                );
            }
            // Another route's candidate in the winner's tier (as specific on every key before
            // age): those before the winner did not match, so only non-HTTP/gRPC ones count
            // there; after it, the ones whose path can match are checked in full.
            let other_route = |candidate: &Candidate| candidate.route != winner.route;
            let not_l7 = |candidate: &Candidate| {
                !matches!(candidate.kind, RouteKind::Http | RouteKind::Grpc)
            };
            let tier_end = group.tier_end[position];
            let tied_before = group.candidates[group.tier_start[position]..position]
                .iter()
                .any(|candidate| other_route(candidate) && not_l7(candidate));
            let tied = tied_before
                || group
                    .find(path, |other, path_matched| {
                        // Ascending: the first position past the tier ends the search.
                        if other >= tier_end {
                            return true;
                        }
                        let candidate = &group.candidates[other];
                        other > position
                            && other_route(candidate)
                            && (not_l7(candidate) || candidate_matches(group, other, path_matched))
                    })
                    .is_some_and(|found| found < tier_end);
            if tied {
                answer_why.push("another route matches as specifically; the older route (then alphabetical namespace/name) wins".to_owned());
            }
            let mut answer =
                self.answer_backends(request, gateway_index, listener_index, winner, answer_why);
            answer.ambiguous.extend(ambiguous);
            answer.extended_features.append(&mut extended);
            return answer;
        }
        let listener = listener.clone();
        why.push(if any_group {
            format!("no rule of the routes for host {request_host} on listener {listener} matches (listener isolation: other listeners are not consulted)")
        } else {
            format!("no route attached to listener {listener} serves host {request_host}")
        });
        let mut answer = match request.protocol {
            Protocol::Tls => Explanation::new(Outcome::Rejected, why),
            Protocol::Grpc => {
                let mut answer = Explanation::new(Outcome::NoMatch, why);
                answer.grpc_status = Some("Unimplemented");
                answer
            }
            _ => {
                let mut answer = Explanation::new(Outcome::NoMatch, why);
                answer.http_status = Some(404);
                answer
            }
        };
        answer.listener = Some(listener);
        answer
    }

    fn value_matches(
        &self,
        entry_value: &crate::gateway::model::ValueMatch,
        actual: Option<&str>,
    ) -> bool {
        actual.is_some_and(|actual| {
            if entry_value.regex {
                self.regex_matches(&entry_value.value, actual)
            } else {
                entry_value.value == actual
            }
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn http_match(
        &self,
        entry: &RouteMatch,
        path_matched: bool,
        path: &str,
        query: &str,
        method: &str,
        headers: &BTreeMap<String, String>,
    ) -> bool {
        let path_ok = path_matched
            || match entry.path_kind {
                PathKind::Exact => path == entry.path,
                PathKind::Prefix => prefix_matches(&entry.path, path),
                PathKind::Regex => self.regex_matches(&entry.path, path),
            };
        path_ok
            && entry.method.as_deref().is_none_or(|wanted| wanted == method)
            && entry
                .headers
                .iter()
                .all(|wanted| self.value_matches(wanted, header_value(headers, &wanted.name)))
            && entry.query.iter().all(|wanted| {
                let actual = query.split('&').find_map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    (name == wanted.name).then_some(value)
                });
                self.value_matches(wanted, actual)
            })
    }

    fn grpc_match(
        &self,
        entry: &RouteMatch,
        service: Option<&str>,
        method: &str,
        headers: &BTreeMap<String, String>,
    ) -> bool {
        let part = |wanted: Option<&String>, actual: &str| {
            wanted.is_none_or(|wanted| {
                if entry.grpc_regex { self.regex_matches(wanted, actual) } else { wanted == actual }
            })
        };
        part(entry.grpc_service.as_ref(), service.unwrap_or_default())
            && part(entry.grpc_method.as_ref(), method)
            && entry
                .headers
                .iter()
                .all(|wanted| self.value_matches(wanted, header_value(headers, &wanted.name)))
    }

    #[allow(clippy::too_many_lines)]
    fn answer_backends(
        &self,
        request: &Request,
        gateway_index: usize,
        listener_index: usize,
        winner: &Candidate,
        mut why: Vec<String>,
    ) -> Explanation {
        let route = &self.world.routes[winner.route];
        let rule = &route.rules[winner.rule];
        let plan = &self.plans[winner.route][winner.rule];
        let listener_spec = &self.world.gateways[gateway_index].listeners[listener_index];
        let grpc = request.protocol == Protocol::Grpc;
        let l7 = matches!(route.kind, RouteKind::Http | RouteKind::Grpc);
        let mut answer = Explanation::new(Outcome::Routed, Vec::new());
        answer.listener = Some(self.listener_names[gateway_index][listener_index].clone());
        answer.route = Some(route.id.clone());
        answer.rule_index = Some(winner.rule);
        if l7 {
            answer.match_index = Some(winner.match_index);
        }
        // Filters, in listed order.
        let mut upstream = if l7 {
            let host = if grpc {
                request.authority.clone().or_else(|| request.host.clone())
            } else {
                request.host.clone()
            };
            let path = if grpc {
                format!(
                    "/{}/{}",
                    request.service.as_deref().unwrap_or_default(),
                    request.method.as_deref().unwrap_or_default()
                )
            } else {
                request.path.clone().unwrap_or_else(|| "/".to_owned())
            };
            let source = if grpc { &request.metadata } else { &request.headers };
            // Inserted one by one (the last of names equal but for case wins, as `collect`
            // would keep it), without `collect`'s sorting buffer.
            let mut headers = BTreeMap::new();
            for (name, value) in source {
                headers.insert(name.to_ascii_lowercase(), value.clone());
            }
            Some(UpstreamRequest { host: host.unwrap_or_default(), path, headers })
        } else {
            None
        };
        let entry = &rule.matches[winner.match_index];
        let mut redirect = None;
        for (filter, planned) in rule.filters.iter().zip(&plan.filters) {
            match filter {
                Filter::RequestHeaderModifier(modifier) => {
                    if let Some(upstream) = upstream.as_mut() {
                        apply_headers(modifier, &mut upstream.headers);
                        why.extend(planned.line.iter().cloned());
                    }
                }
                Filter::ResponseHeaderModifier | Filter::ShortCircuit(_) => {
                    why.extend(planned.line.iter().cloned());
                }
                Filter::UrlRewrite { hostname, path } => {
                    if let Some(upstream) = upstream.as_mut() {
                        if let Some(hostname) = hostname {
                            upstream.host.clone_from(hostname);
                        }
                        if let Some(modifier) = path {
                            upstream.path = rewrite_path(&upstream.path, &entry.path, modifier);
                        }
                        why.push(format!(
                            "URLRewrite: upstream host {} path {}",
                            upstream.host, upstream.path
                        ));
                        answer.extended_features.push("HTTPRouteURLRewrite");
                    }
                }
                Filter::RequestRedirect {
                    scheme,
                    hostname: redirect_host,
                    path,
                    port,
                    status_code,
                } => {
                    let request_scheme =
                        if request.protocol == Protocol::Https { "https" } else { "http" };
                    let chosen_scheme = scheme.as_deref().unwrap_or(request_scheme);
                    let host = redirect_host.clone().unwrap_or_else(|| {
                        hostname::strip_port(request.host.as_deref().unwrap_or_default()).to_owned()
                    });
                    let original = request.path.as_deref().unwrap_or("/");
                    let new_path = path.as_ref().map_or_else(
                        || original.to_owned(),
                        |modifier| rewrite_path(original, &entry.path, modifier),
                    );
                    let chosen_port = port.unwrap_or_else(|| match scheme.as_deref() {
                        Some("https") => 443,
                        Some(_) => 80,
                        None => listener_spec.port,
                    });
                    let default_port = (chosen_scheme == "http" && chosen_port == 80)
                        || (chosen_scheme == "https" && chosen_port == 443);
                    let location = if default_port {
                        format!("{chosen_scheme}://{host}{new_path}")
                    } else {
                        format!("{chosen_scheme}://{host}:{chosen_port}{new_path}")
                    };
                    why.push(format!("RequestRedirect: {status_code} to {location}"));
                    redirect = Some(Redirect { location, status_code: *status_code });
                }
                Filter::RequestMirror { .. } => {
                    why.extend(planned.line.iter().cloned());
                    answer.mirrors.extend(planned.mirror.iter().cloned());
                }
            }
        }
        if let Some(redirect) = redirect {
            answer.result = Outcome::Redirect;
            answer.http_status = Some(redirect.status_code);
            answer.redirect = Some(redirect);
            answer.why = why;
            return answer;
        }
        answer.upstream_request = upstream;
        answer.backends.clone_from(&plan.backends);
        why.extend(plan.lines.iter().cloned());
        let failure = |answer: &mut Explanation| {
            if grpc {
                answer.grpc_status = Some("Unavailable");
            } else if l7 {
                answer.http_status = Some(500);
            }
        };
        if rule.backends.is_empty() || plan.total == 0 || plan.error_weight == plan.total {
            if !rule.backends.is_empty() && plan.total == 0 {
                answer.ambiguous.push("§7.6 all weights zero".to_owned());
            }
            answer.result = if l7 { Outcome::Error } else { Outcome::Rejected };
            answer.error_share = Some(1.0);
            failure(&mut answer);
        } else if plan.error_weight > 0 {
            answer.error_share = Some(plan.error_weight as f64 / plan.total as f64);
        }
        answer.why = why;
        answer
    }
}

/// What answering with one rule takes that does not depend on the request, computed once per
/// table: the backends with their shares, the trace lines about them, and the filters' lines.
struct RulePlan {
    /// One per filter, in order.
    filters: Vec<FilterPlan>,
    /// Every backendRef, in spec order.
    backends: Vec<BackendShare>,
    /// The trace lines after the filters: invalid or unknown backends, the verdict, and the
    /// note on per-backend filters.
    lines: Vec<String>,
    /// The sum of the weights.
    total: u64,
    /// The weight of invalid backends.
    error_weight: u64,
}

/// A filter's contribution that does not depend on the request.
#[derive(Default)]
struct FilterPlan {
    /// Its trace line, for filters whose line is fixed.
    line: Option<String>,
    /// The mirror it adds, for a RequestMirror to a valid backend.
    mirror: Option<Mirror>,
}

fn plan_rule(
    world: &World<'_>,
    route: &Route<'_>,
    rule: &Rule,
    verdicts: &[BackendVerdict],
) -> RulePlan {
    let l7 = matches!(route.kind, RouteKind::Http | RouteKind::Grpc);
    let filters = rule
        .filters
        .iter()
        .map(|filter| match filter {
            Filter::RequestHeaderModifier(modifier) => FilterPlan {
                line: Some(format!(
                    "RequestHeaderModifier: set {}, add {}, remove {}",
                    list_pairs(&modifier.set),
                    list_pairs(&modifier.add),
                    if modifier.remove.is_empty() {
                        "-".to_owned()
                    } else {
                        modifier.remove.join(",")
                    }
                )),
                mirror: None,
            },
            Filter::ResponseHeaderModifier => FilterPlan {
                line: Some("ResponseHeaderModifier changes the response headers".to_owned()),
                mirror: None,
            },
            Filter::ShortCircuit(kind) => FilterPlan {
                line: Some(format!("filter {kind} may answer before the backend")),
                mirror: None,
            },
            Filter::RequestMirror { backend, percent } => {
                if let BackendVerdict::Invalid { message, .. } =
                    backend_verdict(world, route, backend)
                {
                    FilterPlan {
                        line: Some(format!(
                            "RequestMirror to {}/{} dropped: {message}",
                            backend.namespace, backend.name
                        )),
                        mirror: None,
                    }
                } else {
                    FilterPlan {
                        line: Some(format!(
                            "RequestMirror: {percent}% copied to {}/{} (responses ignored)",
                            backend.namespace, backend.name
                        )),
                        mirror: Some(Mirror {
                            namespace: backend.namespace.clone(),
                            name: backend.name.clone(),
                            port: backend.port,
                            percent: *percent,
                        }),
                    }
                }
            }
            Filter::UrlRewrite { .. } | Filter::RequestRedirect { .. } => FilterPlan::default(),
        })
        .collect();
    let total: u64 = rule.backends.iter().map(|backend| u64::from(backend.weight)).sum();
    let mut error_weight = 0_u64;
    let mut lines = Vec::new();
    let mut backends = Vec::with_capacity(rule.backends.len());
    for (backend, verdict) in rule.backends.iter().zip(verdicts) {
        let valid = !matches!(verdict, BackendVerdict::Invalid { .. });
        let share = if total == 0 { 0.0 } else { f64::from(backend.weight) / total as f64 };
        match verdict {
            BackendVerdict::Invalid { message, .. } => {
                error_weight += u64::from(backend.weight);
                lines.push(format!(
                    "backend {}/{} is invalid ({message}): its share {:.0}% gets an error",
                    backend.namespace,
                    backend.name,
                    share * 100.0
                ));
            }
            BackendVerdict::Unknown(message) => lines.push(format!(
                "backend {}/{}: unknown, {message}",
                backend.namespace, backend.name
            )),
            BackendVerdict::Valid => {}
        }
        backends.push(backend_share(backend, share, valid));
    }
    if rule.backends.is_empty() {
        lines.push("the rule has no backendRefs: every matching request gets an error".to_owned());
    } else if total == 0 {
        lines.push("matched, no backend selected (all weights 0); implementations answer 500 or 503 (§7.6)".to_owned());
    } else if error_weight == total {
        lines.push(if l7 {
            "every backend is invalid: the request gets an error".to_owned()
        } else {
            "every backend is invalid: the connection is refused".to_owned()
        });
    } else {
        let mut forwarded = String::from("forwarded to ");
        for (position, backend) in
            backends.iter().filter(|backend| backend.valid && backend.weight > 0).enumerate()
        {
            if position > 0 {
                forwarded.push_str(", ");
            }
            let _ = write!(
                forwarded,
                "{}/{} {:.0}%",
                backend.namespace,
                backend.name,
                backend.share * 100.0
            );
        }
        lines.push(forwarded);
    }
    if rule.backends.iter().any(|backend| !backend.filters.is_empty()) {
        lines.push(
            "some backendRefs carry their own filters; they run only when that backend is picked"
                .to_owned(),
        );
    }
    RulePlan { filters, backends, lines, total, error_weight }
}

/// `text` lower-cased, borrowed when it already is.
fn ascii_lowercase(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// The value of the first header (in the map's order) whose name is `wanted`, ignoring case;
/// `wanted` is lower-case.
fn header_value<'r>(headers: &'r BTreeMap<String, String>, wanted: &str) -> Option<&'r str> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
        .map(|(_, value)| value.as_str())
}

fn backend_share(backend: &BackendRef, share: f64, valid: bool) -> BackendShare {
    BackendShare {
        namespace: backend.namespace.clone(),
        name: backend.name.clone(),
        port: backend.port,
        weight: backend.weight,
        share,
        valid,
    }
}

fn list_pairs(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "-".to_owned();
    }
    pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join(",")
}

fn describe_match(kind: RouteKind, candidate: &Candidate, entry: &RouteMatch) -> String {
    let mut text = String::with_capacity(96);
    let _ = write!(text, "rule {} match {}: ", candidate.rule, candidate.match_index);
    match kind {
        RouteKind::Http => {
            let path_kind = match entry.path_kind {
                PathKind::Exact => "Exact",
                PathKind::Prefix => "PathPrefix",
                PathKind::Regex => "RegularExpression",
            };
            let _ = write!(text, "{path_kind} {}", entry.path);
            if let Some(method) = &entry.method {
                let _ = write!(text, ", method {method}");
            }
        }
        RouteKind::Grpc => {
            let _ = write!(
                text,
                "service {} method {}",
                entry.grpc_service.as_deref().unwrap_or("*"),
                entry.grpc_method.as_deref().unwrap_or("*")
            );
        }
        RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp => {
            return format!("rule {} (single rule)", candidate.rule);
        }
    }
    if !entry.headers.is_empty() {
        let _ = write!(text, ", {} header(s)", entry.headers.len());
    }
    if !entry.query.is_empty() {
        let _ = write!(text, ", {} query param(s)", entry.query.len());
    }
    text.push_str(" (most specific matching match)");
    text
}

/// Whether the `PathPrefix` `prefix` matches `path` segment-wise (spec §4.3).
#[must_use]
pub fn prefix_matches(prefix: &str, path: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return true;
    }
    path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Applies a path modifier to `full_path` (which may carry a query), given the matched prefix.
fn rewrite_path(full_path: &str, matched_prefix: &str, modifier: &PathModifier) -> String {
    let (path, query) = match full_path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (full_path, None),
    };
    let mut result = match modifier {
        PathModifier::Full(replacement) => replacement.clone(),
        PathModifier::Prefix(replacement) => {
            let prefix = matched_prefix.trim_end_matches('/');
            let rest = path.strip_prefix(prefix).unwrap_or(path);
            let joined = format!("{}{rest}", replacement.trim_end_matches('/'));
            if joined.is_empty() { "/".to_owned() } else { joined }
        }
    };
    if let Some(query) = query {
        result.push('?');
        result.push_str(query);
    }
    result
}

fn apply_headers(
    modifier: &crate::gateway::model::HeaderModifier,
    headers: &mut BTreeMap<String, String>,
) {
    for (name, value) in &modifier.set {
        headers.insert(name.clone(), value.clone());
    }
    for (name, value) in &modifier.add {
        headers
            .entry(name.clone())
            .and_modify(|existing| {
                existing.push(',');
                existing.push_str(value);
            })
            .or_insert_with(|| value.clone());
    }
    for name in &modifier.remove {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_segments() {
        assert!(prefix_matches("/abc", "/abc/def"), "a following segment");
        assert!(prefix_matches("/abc/", "/abc"), "a trailing slash on the prefix is ignored");
        assert!(!prefix_matches("/abc", "/abcd"), "partial segments never match");
        assert!(prefix_matches("/", "/anything"), "root matches everything");
    }

    #[test]
    fn prefix_replacement_follows_the_spec_table() {
        let prefix = |path: &str, replacement: &str| {
            rewrite_path(path, "/foo", &PathModifier::Prefix(replacement.to_owned()))
        };
        assert_eq!(prefix("/foo/bar", "/xyz"), "/xyz/bar");
        assert_eq!(prefix("/foo/bar", "/xyz/"), "/xyz/bar");
        assert_eq!(prefix("/foo", "/xyz"), "/xyz");
        assert_eq!(prefix("/foo/", "/xyz"), "/xyz/");
        assert_eq!(prefix("/foo/bar", "/"), "/bar");
        assert_eq!(prefix("/foo", "/"), "/");
        assert_eq!(prefix("/foo/", ""), "/");
    }
}
