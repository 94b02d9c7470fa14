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
    BackendRef, Filter, ObjectRef, PathKind, PathModifier, RouteKind, RouteMatch, World,
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
    key: Precedence,
}

/// Candidates of one intersected hostname on one listener.
#[derive(Debug, Default)]
struct Group {
    candidates: Vec<Candidate>,
}

#[derive(Debug, Default)]
struct ListenerTable {
    precise: HashMap<String, Group>,
    /// Wildcard groups, most specific (longest) first: (suffix like `.example.com`, pattern, group).
    wildcards: Vec<(String, String, Group)>,
    any: Group,
}

/// A route table over one set of objects, ready to explain many requests.
pub struct RouteTable<'a> {
    world: World<'a>,
    analysis: Analysis,
    gateways: HashMap<String, usize>,
    tables: Vec<Vec<ListenerTable>>,
    verdicts: Vec<Vec<Vec<BackendVerdict>>>,
    regexes: HashMap<String, Option<Regex>>,
    listener_names: Vec<Vec<String>>,
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
        let verdicts = world
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
            }
        }
        let gateways = world
            .gateways
            .iter()
            .enumerate()
            .map(|(index, gateway)| (gateway.id.key(), index))
            .collect();
        let listener_names = world
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
        RouteTable { world, analysis, gateways, tables, verdicts, regexes, listener_names }
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
        let on_port: Vec<usize> = gateway
            .listeners
            .iter()
            .enumerate()
            .filter(|(_, listener)| {
                listener.port == request.port && wanted.contains(&listener.protocol.as_str())
            })
            .map(|(index, _)| index)
            .collect();
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
        let gateway = &self.world.gateways[gateway_index];
        let grpc = request.protocol == Protocol::Grpc;
        let host_raw = if grpc {
            request.authority.as_deref().or(request.host.as_deref())
        } else {
            request.host.as_deref()
        };
        let host = host_raw.map(|host| hostname::strip_port(host).to_ascii_lowercase());
        let sni = request.sni.as_ref().map(|sni| sni.to_ascii_lowercase());
        let selector = match request.protocol {
            Protocol::Https | Protocol::Tls => sni.clone().or_else(|| host.clone()),
            _ => host.clone(),
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
        let Some(listener_index) = self.pick_listener(gateway_index, on_port, &selector) else {
            return no_listener(why);
        };
        let listener_spec = &gateway.listeners[listener_index];
        let listener = self.listener_name(gateway_index, listener_index);
        let state = &self.analysis.listener_states[gateway_index][listener_index];
        if !state.serving {
            return Self::refused(state, listener, why);
        }
        let by = if matches!(request.protocol, Protocol::Https | Protocol::Tls) && sni.is_some() {
            "SNI"
        } else {
            "host"
        };
        why.push(format!(
            "listener {listener} (hostname {}) is the most specific on port {} for {by} {selector}",
            listener_spec.hostname.as_deref().unwrap_or("any"),
            request.port
        ));
        let mut extended: Vec<&'static str> = Vec::new();
        if on_port.len() > 1 && request.protocol != Protocol::Tls {
            extended.push("GatewayHTTPListenerIsolation");
        }
        if request.protocol == Protocol::Https {
            if let (Some(host), Some(_)) = (&host, &sni) {
                let by_host = self.pick_listener(gateway_index, on_port, host);
                match by_host {
                    None => {
                        why.push(format!("Host {host} matches no listener on the port"));
                        let mut answer = Explanation::new(Outcome::NoMatch, why);
                        answer.http_status = Some(404);
                        answer.listener = Some(listener);
                        return answer;
                    }
                    Some(other) if other != listener_index => {
                        why.push(format!(
                            "Host {host} belongs to listener {} rather than the SNI-chosen one: 421 Misdirected Request",
                            gateway.listeners[other].name
                        ));
                        let mut answer = Explanation::new(Outcome::Misdirected, why);
                        answer.http_status = Some(421);
                        answer.listener = Some(listener);
                        answer
                            .extended_features
                            .push("GatewayHTTPSListenerDetectMisdirectedRequests");
                        return answer;
                    }
                    Some(_) => {}
                }
            }
        }
        let request_host = if request.protocol == Protocol::Tls {
            selector.clone()
        } else {
            host.clone().unwrap_or_default()
        };
        let table = &self.tables[gateway_index][listener_index];
        let mut groups: Vec<(&str, &Group)> = Vec::with_capacity(4);
        if let Some(group) = table.precise.get(&request_host) {
            groups.push((request_host.as_str(), group));
        }
        for (suffix, pattern, group) in &table.wildcards {
            if request_host.len() > suffix.len() && request_host.ends_with(suffix.as_str()) {
                groups.push((pattern.as_str(), group));
            }
        }
        if !table.any.candidates.is_empty() {
            groups.push(("any", &table.any));
        }
        // Headers and query of the request, normalised once.
        let source = if grpc { &request.metadata } else { &request.headers };
        let headers: Vec<(Cow<'_, str>, &str)> = source
            .iter()
            .map(|(name, value)| {
                let name = if name.bytes().any(|byte| byte.is_ascii_uppercase()) {
                    Cow::Owned(name.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(name.as_str())
                };
                (name, value.as_str())
            })
            .collect();
        let full_path = request.path.as_deref().unwrap_or("/");
        let (path, query) = full_path.split_once('?').unwrap_or((full_path, ""));
        let method = request.method.as_deref().unwrap_or(if grpc { "" } else { "GET" });
        let mut skipped_groups: Vec<&str> = Vec::new();
        for (name, group) in &groups {
            let found = group.candidates.iter().find(|candidate| {
                let route = &self.world.routes[candidate.route];
                let entry = &route.rules[candidate.rule].matches[candidate.match_index];
                match route.kind {
                    RouteKind::Http => {
                        !grpc && self.http_match(entry, path, query, method, &headers)
                    }
                    RouteKind::Grpc => {
                        grpc && self.grpc_match(entry, request.service.as_deref(), method, &headers)
                    }
                    RouteKind::Tls => request.protocol == Protocol::Tls,
                    RouteKind::Tcp | RouteKind::Udp => false,
                }
            });
            let Some(winner) = found else {
                skipped_groups.push(name);
                continue;
            };
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
            answer_why.push(format!(
                "best matching hostname {name}: {} {} is a candidate",
                route.kind.as_str(),
                route.id.key()
            ));
            let entry = &route.rules[winner.rule].matches[winner.match_index];
            answer_why.push(describe_match(route.kind, winner, entry));
            if entry.path_kind == PathKind::Regex
                || entry.grpc_regex
                || entry.headers.iter().chain(&entry.query).any(|value| value.regex)
            {
                ambiguous.push(
                    "§7.10 RegularExpression dialect and precedence are implementation-specific"
                        .to_owned(),
                );
            }
            if group.candidates.iter().filter(|candidate| candidate.route != winner.route).any(
                |candidate| {
                    candidate.key.path_kind == winner.key.path_kind
                        && candidate.key.path_len == winner.key.path_len
                        && candidate.key.no_method == winner.key.no_method
                        && candidate.key.method_len == winner.key.method_len
                        && candidate.key.headers == winner.key.headers
                        && candidate.key.query == winner.key.query
                        && {
                            let other = &self.world.routes[candidate.route];
                            let other_entry =
                                &other.rules[candidate.rule].matches[candidate.match_index];
                            match other.kind {
                                RouteKind::Http => {
                                    !grpc
                                        && self.http_match(
                                            other_entry,
                                            path,
                                            query,
                                            method,
                                            &headers,
                                        )
                                }
                                RouteKind::Grpc => {
                                    grpc && self.grpc_match(
                                        other_entry,
                                        request.service.as_deref(),
                                        method,
                                        &headers,
                                    )
                                }
                                _ => true,
                            }
                        }
                },
            ) {
                answer_why.push("another route matches as specifically; the older route (then alphabetical namespace/name) wins".to_owned());
            }
            let mut answer =
                self.answer_backends(request, gateway_index, listener_index, winner, answer_why);
            answer.ambiguous.extend(ambiguous);
            answer.extended_features.append(&mut extended);
            return answer;
        }
        why.push(if groups.is_empty() {
            format!("no route attached to listener {listener} serves host {request_host}")
        } else {
            format!("no rule of the routes for host {request_host} on listener {listener} matches (listener isolation: other listeners are not consulted)")
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

    fn http_match(
        &self,
        entry: &RouteMatch,
        path: &str,
        query: &str,
        method: &str,
        headers: &[(Cow<'_, str>, &str)],
    ) -> bool {
        let path_ok = match entry.path_kind {
            PathKind::Exact => path == entry.path,
            PathKind::Prefix => prefix_matches(&entry.path, path),
            PathKind::Regex => self.regex_matches(&entry.path, path),
        };
        path_ok
            && entry.method.as_deref().is_none_or(|wanted| wanted == method)
            && entry.headers.iter().all(|wanted| {
                self.value_matches(
                    wanted,
                    headers.iter().find(|(name, _)| *name == wanted.name).map(|(_, value)| *value),
                )
            })
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
        headers: &[(Cow<'_, str>, &str)],
    ) -> bool {
        let part = |wanted: Option<&String>, actual: &str| {
            wanted.is_none_or(|wanted| {
                if entry.grpc_regex { self.regex_matches(wanted, actual) } else { wanted == actual }
            })
        };
        part(entry.grpc_service.as_ref(), service.unwrap_or_default())
            && part(entry.grpc_method.as_ref(), method)
            && entry.headers.iter().all(|wanted| {
                self.value_matches(
                    wanted,
                    headers.iter().find(|(name, _)| *name == wanted.name).map(|(_, value)| *value),
                )
            })
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
        let listener_spec = &self.world.gateways[gateway_index].listeners[listener_index];
        let grpc = request.protocol == Protocol::Grpc;
        let l7 = matches!(route.kind, RouteKind::Http | RouteKind::Grpc);
        let mut answer = Explanation::new(Outcome::Routed, Vec::new());
        answer.listener = Some(self.listener_name(gateway_index, listener_index));
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
            Some(UpstreamRequest {
                host: host.unwrap_or_default(),
                path,
                headers: source
                    .iter()
                    .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
                    .collect(),
            })
        } else {
            None
        };
        let entry = &rule.matches[winner.match_index];
        let mut redirect = None;
        for filter in &rule.filters {
            match filter {
                Filter::RequestHeaderModifier(modifier) => {
                    if let Some(upstream) = upstream.as_mut() {
                        apply_headers(modifier, &mut upstream.headers);
                        why.push(format!(
                            "RequestHeaderModifier: set {}, add {}, remove {}",
                            list_pairs(&modifier.set),
                            list_pairs(&modifier.add),
                            if modifier.remove.is_empty() {
                                "-".to_owned()
                            } else {
                                modifier.remove.join(",")
                            }
                        ));
                    }
                }
                Filter::ResponseHeaderModifier => {
                    why.push("ResponseHeaderModifier changes the response headers".to_owned());
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
                Filter::RequestMirror { backend, percent } => {
                    let verdict = backend_verdict(&self.world, route, backend);
                    if let BackendVerdict::Invalid { message, .. } = verdict {
                        why.push(format!(
                            "RequestMirror to {}/{} dropped: {message}",
                            backend.namespace, backend.name
                        ));
                    } else {
                        why.push(format!(
                            "RequestMirror: {percent}% copied to {}/{} (responses ignored)",
                            backend.namespace, backend.name
                        ));
                        answer.mirrors.push(Mirror {
                            namespace: backend.namespace.clone(),
                            name: backend.name.clone(),
                            port: backend.port,
                            percent: *percent,
                        });
                    }
                }
                Filter::ShortCircuit(kind) => {
                    why.push(format!("filter {kind} may answer before the backend"));
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
        let verdicts = &self.verdicts[winner.route][winner.rule];
        let total: u64 = rule.backends.iter().map(|backend| u64::from(backend.weight)).sum();
        let mut error_weight = 0_u64;
        for (backend, verdict) in rule.backends.iter().zip(verdicts) {
            let valid = !matches!(verdict, BackendVerdict::Invalid { .. });
            let share = if total == 0 { 0.0 } else { f64::from(backend.weight) / total as f64 };
            match verdict {
                BackendVerdict::Invalid { message, .. } => {
                    error_weight += u64::from(backend.weight);
                    why.push(format!(
                        "backend {}/{} is invalid ({message}): its share {:.0}% gets an error",
                        backend.namespace,
                        backend.name,
                        share * 100.0
                    ));
                }
                BackendVerdict::Unknown(message) => why.push(format!(
                    "backend {}/{}: unknown, {message}",
                    backend.namespace, backend.name
                )),
                BackendVerdict::Valid => {}
            }
            answer.backends.push(backend_share(backend, share, valid));
        }
        let failure = |answer: &mut Explanation| {
            if grpc {
                answer.grpc_status = Some("Unavailable");
            } else if l7 {
                answer.http_status = Some(500);
            }
        };
        if rule.backends.is_empty() {
            why.push(
                "the rule has no backendRefs: every matching request gets an error".to_owned(),
            );
            answer.result = if l7 { Outcome::Error } else { Outcome::Rejected };
            answer.error_share = Some(1.0);
            failure(&mut answer);
        } else if total == 0 {
            why.push("matched, no backend selected (all weights 0); implementations answer 500 or 503 (§7.6)".to_owned());
            answer.ambiguous.push("§7.6 all weights zero".to_owned());
            answer.result = if l7 { Outcome::Error } else { Outcome::Rejected };
            answer.error_share = Some(1.0);
            failure(&mut answer);
        } else if error_weight == total {
            why.push(if l7 {
                "every backend is invalid: the request gets an error".to_owned()
            } else {
                "every backend is invalid: the connection is refused".to_owned()
            });
            answer.result = if l7 { Outcome::Error } else { Outcome::Rejected };
            answer.error_share = Some(1.0);
            failure(&mut answer);
        } else {
            if error_weight > 0 {
                answer.error_share = Some(error_weight as f64 / total as f64);
            }
            let mut forwarded = String::from("forwarded to ");
            for (position, backend) in answer
                .backends
                .iter()
                .filter(|backend| backend.valid && backend.weight > 0)
                .enumerate()
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
            why.push(forwarded);
        }
        if rule.backends.iter().any(|backend| !backend.filters.is_empty()) {
            why.push("some backendRefs carry their own filters; they run only when that backend is picked".to_owned());
        }
        answer.why = why;
        answer
    }
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
