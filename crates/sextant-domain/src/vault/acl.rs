//! The ACL: policies merged into three tables, and the lookup `sys/capabilities` runs
//! (spec §3–§5).
//!
//! Building precompiles everything a check needs into one byte trie over the patterns'
//! literal text. A node holds the exact rule whose text ends there, the glob rule whose
//! prefix ends there, and the segment (`+`) rules whose literal directory prefix (the text
//! up to the last `/` before the first `+`) ends there. A check walks the path once, so it
//! costs one pass over the path's bytes plus the segment rules that share its prefix, and
//! allocates nothing.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::Flavor;
use super::capability::CapabilitySet;
use super::parse::{Constraints, Policy, merge_parameters};
use super::template::{Rendered, TemplateError, TemplateIdentity, render};

/// Which table a pattern landed in (spec §1, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternKind {
    /// Matches only the identical path.
    Exact,
    /// Ends in `*`, no `+` segment: a raw string prefix.
    Prefix,
    /// Has a `+` segment.
    Segment,
    /// The built-in root policy.
    Root,
}

impl PatternKind {
    /// `exact`, `prefix`, `segment` or `root`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PatternKind::Exact => "exact",
            PatternKind::Prefix => "prefix",
            PatternKind::Segment => "segment",
            PatternKind::Root => "root",
        }
    }
}

/// One (policy, block) pair merged into a table entry (spec §4, attribution).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSource {
    /// The policy's name.
    pub policy: String,
    /// The block's index in the policy, from 0.
    pub block: usize,
    /// The pattern as written in the policy (before templating).
    pub written: String,
    /// What this block alone carries.
    pub capabilities: CapabilitySet,
}

/// What a token carries besides its policies, for building its ACL.
#[derive(Debug, Clone, Copy, Default)]
pub struct AclContext<'a> {
    /// The identity templates render against; `None` drops every templated rule.
    pub identity: Option<&'a TemplateIdentity>,
    /// The current time in Unix seconds, for `expiration`; `None` keeps every rule.
    pub now_unix: Option<i64>,
}

/// A merged table entry.
#[derive(Debug, Clone)]
struct Entry {
    /// The stored pattern: for a glob, with its `*`.
    pattern: String,
    kind: PatternKind,
    capabilities: CapabilitySet,
    constraints: Constraints,
    sources: Vec<RuleSource>,
    /// Priority rule 1: the glob's prefix length or the first `+` index.
    first_wildcard: usize,
    /// Priority rule 2.
    is_glob: bool,
    /// Priority rule 3: the number of parts that are exactly `+`.
    plus_segments: usize,
    /// Segment rules: the pattern without a final `*`, split on `/`.
    parts: Vec<Box<str>>,
}

impl Entry {
    /// The pattern without a final `*` (priority rules 4 and 5).
    fn text(&self) -> &str {
        if self.is_glob { &self.pattern[..self.pattern.len() - 1] } else { &self.pattern }
    }
}

#[derive(Debug, Clone, Default)]
struct TrieNode {
    children: Vec<(u8, u32)>,
    exact: Option<u32>,
    glob: Option<u32>,
    segments: Vec<u32>,
}

/// A node of the segment rules' part trie: one level per `/`-separated part.
#[derive(Debug, Clone, Default)]
struct PartNode {
    /// Literal parts, sorted, for binary search.
    literal: Vec<(Box<str>, u32)>,
    /// The `+` child.
    plus: Option<u32>,
    /// Non-glob rules whose last part ends at this node.
    terminal: Vec<u32>,
    /// Glob rules whose parts before the last end at this node.
    globs: Vec<u32>,
}

/// A token's merged policies, ready for checks.
#[derive(Debug, Clone)]
pub struct Acl {
    flavor: Flavor,
    root: bool,
    entries: Vec<Entry>,
    nodes: Vec<TrieNode>,
    parts: Vec<PartNode>,
}

/// The answer `sys/capabilities` gives (spec §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// `["root"]`.
    Root,
    /// The sorted capabilities; `deny` alone when nothing matched or deny applies.
    Capabilities(CapabilitySet),
}

impl Answer {
    /// The names the server returns, sorted.
    #[must_use]
    pub fn names(self) -> Vec<&'static str> {
        match self {
            Answer::Root => vec!["root"],
            Answer::Capabilities(set) => set.as_answer().names(),
        }
    }

    /// Whether the answer grants every capability in `wanted` (root grants everything).
    #[must_use]
    pub fn grants(self, wanted: CapabilitySet) -> bool {
        match self {
            Answer::Root => true,
            Answer::Capabilities(set) => {
                !set.is_deny() && !set.is_empty() && set.contains_all(wanted)
            }
        }
    }
}

/// Which lookup of spec §5.1 found a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookupStep {
    /// Step 2: exact lookup of the path.
    Exact,
    /// Step 3: exact lookup without the final `/` (LIST view only).
    ExactWithoutTrailingSlash,
    /// Step 4: glob and segment lookup of the path.
    NonExact,
    /// Step 5: glob and segment lookup without the final `/` (LIST view only).
    NonExactWithoutTrailingSlash,
}

/// A rule that matched a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The stored pattern (namespace-prefixed, leading `/` removed, globs with their `*`).
    pub pattern: String,
    /// Its table.
    pub kind: PatternKind,
    /// Its merged capabilities (before turning into an answer).
    pub capabilities: CapabilitySet,
    /// Every (policy, block) merged into it, in merge order.
    pub sources: Vec<RuleSource>,
    /// Which lookup found it.
    pub step: LookupStep,
}

/// Why the winning candidate won (spec §4 priority rules, §5.1 lookup order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TieBreak {
    /// The token holds the root policy.
    RootPolicy,
    /// No rule matched.
    NothingMatched,
    /// An exact rule beats every wildcard rule.
    ExactMatch,
    /// The path ends in `/` and an exact rule matches it without that slash (LIST view).
    ExactWithoutTrailingSlash,
    /// It was the only wildcard candidate.
    OnlyCandidate,
    /// Rule 1: its first wildcard is further right.
    LaterWildcard,
    /// Rule 2: it does not end in `*`.
    NotGlob,
    /// Rule 3: it has fewer `+` segments.
    FewerPlusSegments,
    /// Rule 4: it is longer.
    LongerPattern,
    /// Rule 5: it is lexicographically larger.
    LexicographicallyLarger,
    /// It was found by an earlier lookup (OpenBao: path as given first; Vault: without the
    /// trailing slash first).
    LookupOrder,
}

impl TieBreak {
    /// A stable snake_case code for the rule, e.g. `later_wildcard`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            TieBreak::RootPolicy => "root_policy",
            TieBreak::NothingMatched => "nothing_matched",
            TieBreak::ExactMatch => "exact_match",
            TieBreak::ExactWithoutTrailingSlash => "exact_without_trailing_slash",
            TieBreak::OnlyCandidate => "only_candidate",
            TieBreak::LaterWildcard => "later_wildcard",
            TieBreak::NotGlob => "not_glob",
            TieBreak::FewerPlusSegments => "fewer_plus_segments",
            TieBreak::LongerPattern => "longer_pattern",
            TieBreak::LexicographicallyLarger => "lexicographically_larger",
            TieBreak::LookupOrder => "lookup_order",
        }
    }

    /// The rule in plain words.
    #[must_use]
    pub fn describe(self, flavor: Flavor) -> &'static str {
        match self {
            TieBreak::RootPolicy => "the token holds the root policy, which allows everything",
            TieBreak::NothingMatched => "no rule matches this path, so it is denied",
            TieBreak::ExactMatch => "an exact rule always beats wildcard rules",
            TieBreak::ExactWithoutTrailingSlash => {
                "the path ends in '/', and for a list the exact rule for the path without that slash applies"
            }
            TieBreak::OnlyCandidate => "it is the only wildcard rule that matches",
            TieBreak::LaterWildcard => {
                "priority rule 1: its first wildcard ('*' or '+') is further to the right"
            }
            TieBreak::NotGlob => "priority rule 2: it does not end in '*', and the other does",
            TieBreak::FewerPlusSegments => "priority rule 3: it has fewer '+' segments",
            TieBreak::LongerPattern => "priority rule 4: it is longer",
            TieBreak::LexicographicallyLarger => "priority rule 5: it sorts later byte by byte",
            TieBreak::LookupOrder => match flavor {
                Flavor::OpenBao => {
                    "OpenBao matches the path as given before trying it without its trailing slash"
                }
                Flavor::Vault => {
                    "Vault matches the path without its trailing slash before trying it as given"
                }
            },
        }
    }
}

/// An attributed answer for one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The path as asked.
    pub path: String,
    /// The answer.
    pub answer: Answer,
    /// The deciding rule; `None` for root or when nothing matched.
    pub winner: Option<Candidate>,
    /// Why it won.
    pub reason: TieBreak,
    /// Every other matching rule, most specific first.
    pub shadowed: Vec<Candidate>,
}

impl Decision {
    /// The deciding pattern's kind (`Root` for root, `None` when nothing matched).
    #[must_use]
    pub fn kind(&self) -> Option<PatternKind> {
        match (&self.winner, self.answer) {
            (_, Answer::Root) => Some(PatternKind::Root),
            (Some(winner), _) => Some(winner.kind),
            (None, _) => None,
        }
    }

    /// Shadowed rules that carry deny: the "shadowed deny" of vault#8813.
    pub fn shadowed_denies(&self) -> impl Iterator<Item = &Candidate> {
        self.shadowed.iter().filter(|candidate| candidate.capabilities.is_deny())
    }
}

/// Whether a pattern goes to the segment table (spec §3 step 6, a textual test).
#[must_use]
pub fn is_segment_pattern(pattern: &str) -> bool {
    pattern == "+" || pattern.starts_with("+/") || pattern.contains("/+")
}

/// The table a stored pattern (leading slash already removed) lands in.
#[must_use]
pub fn classify(pattern: &str) -> PatternKind {
    if is_segment_pattern(pattern) {
        PatternKind::Segment
    } else if pattern.ends_with('*') {
        PatternKind::Prefix
    } else {
        PatternKind::Exact
    }
}

impl Acl {
    /// The ACL of a root token.
    #[must_use]
    pub fn root(flavor: Flavor) -> Acl {
        Acl {
            flavor,
            root: true,
            entries: Vec::new(),
            nodes: vec![TrieNode::default()],
            parts: vec![PartNode::default()],
        }
    }

    /// Merges policies in the given order (spec §3, §4).
    ///
    /// A templated rule whose value is unavailable is dropped; a forbidden value fails the
    /// whole ACL, as on OpenBao 2.7.2 (spec §7.3).
    pub fn build(
        policies: &[&Policy],
        flavor: Flavor,
        context: AclContext<'_>,
    ) -> Result<Acl, TemplateError> {
        let mut acl = Acl {
            flavor,
            root: false,
            entries: Vec::new(),
            nodes: vec![TrieNode::default()],
            parts: vec![PartNode::default()],
        };
        let mut index: HashMap<(PatternKind, String), usize> = HashMap::new();
        for policy in policies {
            if let (Some(expiration), Some(now)) = (policy.options.expiration, context.now_unix)
                && expiration <= now
            {
                continue;
            }
            for rule in &policy.rules {
                if let (Some(expiration), Some(now)) = (rule.expiration, context.now_unix)
                    && expiration <= now
                {
                    continue;
                }
                let rendered = if policy.templated {
                    match render(
                        &rule.pattern,
                        context.identity,
                        policy.options.allow_slashes_in_identity_templates,
                        policy.options.allow_wildcards_in_identity_templates,
                    ) {
                        Rendered::Pattern(pattern) => pattern,
                        Rendered::Unavailable(_) => continue,
                        Rendered::Forbidden(value) => {
                            return Err(TemplateError {
                                policy: policy.name.clone(),
                                pattern: rule.pattern.clone(),
                                value,
                            });
                        }
                    }
                } else {
                    rule.pattern.clone()
                };
                let stripped = rendered.strip_prefix('/').unwrap_or(&rendered);
                let pattern = format!("{}{stripped}", policy.options.namespace);
                let source = RuleSource {
                    policy: policy.name.clone(),
                    block: rule.block,
                    written: rule.pattern.clone(),
                    capabilities: rule.capabilities,
                };
                let kind = classify(&pattern);
                if let Some(&existing) = index.get(&(kind, pattern.clone())) {
                    merge_into(
                        &mut acl.entries[existing],
                        rule.capabilities,
                        &rule.constraints,
                        source,
                    );
                } else {
                    index.insert((kind, pattern.clone()), acl.entries.len());
                    acl.entries.push(new_entry(
                        pattern,
                        kind,
                        rule.capabilities,
                        rule.constraints.clone(),
                        source,
                    ));
                }
            }
        }
        for position in 0..acl.entries.len() {
            acl.index_entry(position);
        }
        Ok(acl)
    }

    fn index_entry(&mut self, position: usize) {
        let entry = &self.entries[position];
        let key: &str = match entry.kind {
            PatternKind::Exact => &entry.pattern,
            PatternKind::Prefix => entry.text(),
            PatternKind::Segment => {
                let before_plus = &entry.pattern[..entry.first_wildcard];
                before_plus.rfind('/').map_or("", |slash| &entry.pattern[..=slash])
            }
            PatternKind::Root => return,
        };
        let key = key.as_bytes().to_vec();
        let kind = entry.kind;
        let mut node = 0_usize;
        for byte in key {
            node = match self.nodes[node]
                .children
                .binary_search_by_key(&byte, |(child_byte, _)| *child_byte)
            {
                Ok(found) => self.nodes[node].children[found].1 as usize,
                Err(insert_at) => {
                    let next = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    #[allow(clippy::cast_possible_truncation)]
                    // Fewer than 2^32 nodes by construction.
                    self.nodes[node].children.insert(insert_at, (byte, next as u32));
                    next
                }
            };
        }
        #[allow(clippy::cast_possible_truncation)]
        let id = position as u32;
        match kind {
            PatternKind::Exact => self.nodes[node].exact = Some(id),
            PatternKind::Prefix => self.nodes[node].glob = Some(id),
            PatternKind::Segment => {
                self.nodes[node].segments.push(id);
                self.index_parts(position);
            }
            PatternKind::Root => {}
        }
    }

    fn index_parts(&mut self, position: usize) {
        let entry = &self.entries[position];
        let walked = if entry.is_glob { entry.parts.len() - 1 } else { entry.parts.len() };
        let parts: Vec<Box<str>> = entry.parts[..walked].to_vec();
        let is_glob = entry.is_glob;
        let mut node = 0_usize;
        for part in parts {
            let next = if &*part == "+" {
                self.parts[node].plus
            } else {
                self.parts[node]
                    .literal
                    .binary_search_by(|(key, _)| (**key).cmp(&*part))
                    .ok()
                    .map(|found| self.parts[node].literal[found].1)
            };
            node = if let Some(next) = next {
                next as usize
            } else {
                let created = self.parts.len();
                self.parts.push(PartNode::default());
                #[allow(clippy::cast_possible_truncation)] // Fewer than 2^32 nodes by construction.
                let created_id = created as u32;
                if &*part == "+" {
                    self.parts[node].plus = Some(created_id);
                } else {
                    let literal = &mut self.parts[node].literal;
                    let insert_at = literal
                        .binary_search_by(|(key, _)| (**key).cmp(&*part))
                        .unwrap_or_else(|at| at);
                    literal.insert(insert_at, (part, created_id));
                }
                created
            };
        }
        #[allow(clippy::cast_possible_truncation)]
        let id = position as u32;
        if is_glob {
            self.parts[node].globs.push(id);
        } else {
            self.parts[node].terminal.push(id);
        }
    }

    /// The best segment rule matching `parts` (spec §5.2), by a walk of the part trie.
    fn best_segment(&self, parts: &[&str], node: usize, index: usize, best: &mut Option<u32>) {
        let current = &self.parts[node];
        let Some(part) = parts.get(index) else {
            for &terminal in &current.terminal {
                if best.is_none_or(|incumbent| self.beats(terminal, incumbent)) {
                    *best = Some(terminal);
                }
            }
            return;
        };
        for &glob in &current.globs {
            let last = self.entries[glob as usize].parts.last().map_or("", |last| &**last);
            if part.starts_with(last) && best.is_none_or(|incumbent| self.beats(glob, incumbent)) {
                *best = Some(glob);
            }
        }
        if let Ok(found) = current.literal.binary_search_by(|(key, _)| (**key).cmp(part)) {
            self.best_segment(parts, current.literal[found].1 as usize, index + 1, best);
        }
        if let Some(plus) = current.plus {
            self.best_segment(parts, plus as usize, index + 1, best);
        }
    }

    /// The flavor this ACL follows.
    #[must_use]
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Whether this is a root token's ACL.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.root
    }

    /// The number of merged table entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no rule survived.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every merged entry: pattern, kind, capabilities and sources.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = (&str, PatternKind, CapabilitySet, &[RuleSource])> {
        self.entries.iter().map(|entry| {
            (entry.pattern.as_str(), entry.kind, entry.capabilities, entry.sources.as_slice())
        })
    }

    /// The merged constraints of a stored pattern, if present.
    #[must_use]
    pub fn constraints(&self, pattern: &str) -> Option<&Constraints> {
        self.entries.iter().find(|entry| entry.pattern == pattern).map(|entry| &entry.constraints)
    }

    /// What `sys/capabilities` answers for `path` (the LIST view, spec §5.1). Allocation-free.
    #[must_use]
    pub fn answer(&self, path: &str) -> Answer {
        if self.root {
            return Answer::Root;
        }
        match self.winner(path) {
            Some(position) => {
                Answer::Capabilities(self.entries[position as usize].capabilities.as_answer())
            }
            None => Answer::Capabilities(CapabilitySet::DENY),
        }
    }

    /// The index of the deciding entry for `path`, if any.
    fn winner(&self, path: &str) -> Option<u32> {
        let path = path.trim_start_matches('/');
        let bytes = path.as_bytes();
        let trailing = bytes.last() == Some(&b'/');
        let full_parts = count_slashes(bytes) + 1;
        let mut best_full: Option<u32> = None;
        let mut best_trimmed: Option<u32> = None;
        let mut exact_trimmed: Option<u32> = None;
        let mut node = 0_usize;
        let mut depth = 0_usize;
        loop {
            let current = &self.nodes[node];
            let within_trimmed = trailing && depth < bytes.len();
            if let Some(glob) = current.glob {
                if best_full.is_none_or(|best| self.beats(glob, best)) {
                    best_full = Some(glob);
                }
                if within_trimmed && best_trimmed.is_none_or(|best| self.beats(glob, best)) {
                    best_trimmed = Some(glob);
                }
            }
            if depth == bytes.len() {
                // Step 2: the exact rule for the path as given comes first.
                if let Some(exact) = current.exact {
                    return Some(exact);
                }
                break;
            }
            if trailing && depth + 1 == bytes.len() {
                exact_trimmed = current.exact;
            }
            match current
                .children
                .binary_search_by_key(&bytes[depth], |(child_byte, _)| *child_byte)
            {
                Ok(found) => {
                    node = current.children[found].1 as usize;
                    depth += 1;
                }
                Err(_) => break,
            }
        }
        if let Some(exact) = exact_trimmed {
            return Some(exact);
        }
        let segment_root = &self.parts[0];
        if !(segment_root.literal.is_empty() && segment_root.plus.is_none()) {
            let mut on_stack: [&str; 32] = [""; 32];
            let on_heap: Vec<&str>;
            let parts: &[&str] = if full_parts <= on_stack.len() {
                for (slot, part) in on_stack.iter_mut().zip(path.split('/')) {
                    *slot = part;
                }
                &on_stack[..full_parts]
            } else {
                on_heap = path.split('/').collect();
                &on_heap
            };
            self.best_segment(parts, 0, 0, &mut best_full);
            if trailing {
                self.best_segment(&parts[..full_parts - 1], 0, 0, &mut best_trimmed);
            }
        }
        // Steps 4 and 5 in the flavor's order.
        exact_trimmed.or(match self.flavor {
            Flavor::OpenBao => best_full.or(best_trimmed),
            Flavor::Vault => best_trimmed.or(best_full),
        })
    }

    fn exact_at(&self, bytes: &[u8]) -> Option<u32> {
        let mut node = 0_usize;
        for byte in bytes {
            let current = &self.nodes[node];
            node = current.children
                [current.children.binary_search_by_key(byte, |(child_byte, _)| *child_byte).ok()?]
            .1 as usize;
        }
        self.nodes[node].exact
    }

    fn beats(&self, challenger: u32, incumbent: u32) -> bool {
        compare(&self.entries[challenger as usize], &self.entries[incumbent as usize]).0
            == Ordering::Greater
    }

    /// The attributed answer for `path`: the deciding rule, why it won, and every rule it
    /// shadowed.
    #[must_use]
    pub fn explain(&self, path: &str) -> Decision {
        if self.root {
            return Decision {
                path: path.to_string(),
                answer: Answer::Root,
                winner: None,
                reason: TieBreak::RootPolicy,
                shadowed: Vec::new(),
            };
        }
        let normalized = path.trim_start_matches('/');
        let trailing = normalized.ends_with('/');
        let trimmed = if trailing { &normalized[..normalized.len() - 1] } else { normalized };
        let mut steps: Vec<(LookupStep, Vec<u32>)> = Vec::new();
        steps.push((LookupStep::Exact, self.exact_candidates(normalized)));
        if trailing {
            steps.push((LookupStep::ExactWithoutTrailingSlash, self.exact_candidates(trimmed)));
        }
        let full = (LookupStep::NonExact, self.non_exact_candidates(normalized));
        if trailing {
            let without =
                (LookupStep::NonExactWithoutTrailingSlash, self.non_exact_candidates(trimmed));
            match self.flavor {
                Flavor::OpenBao => steps.extend([full, without]),
                Flavor::Vault => steps.extend([without, full]),
            }
        } else {
            steps.push(full);
        }
        let mut ordered: Vec<(LookupStep, u32)> = Vec::new();
        for (step, mut found) in steps {
            found.sort_by(|left, right| {
                compare(&self.entries[*right as usize], &self.entries[*left as usize]).0
            });
            for position in found {
                if !ordered.iter().any(|(_, seen)| *seen == position) {
                    ordered.push((step, position));
                }
            }
        }
        let candidate = |(step, position): (LookupStep, u32)| {
            let entry = &self.entries[position as usize];
            Candidate {
                pattern: entry.pattern.clone(),
                kind: entry.kind,
                capabilities: entry.capabilities,
                sources: entry.sources.clone(),
                step,
            }
        };
        let Some(&(winner_step, winner)) = ordered.first() else {
            return Decision {
                path: path.to_string(),
                answer: Answer::Capabilities(CapabilitySet::DENY),
                winner: None,
                reason: TieBreak::NothingMatched,
                shadowed: Vec::new(),
            };
        };
        let reason = match winner_step {
            LookupStep::Exact => TieBreak::ExactMatch,
            LookupStep::ExactWithoutTrailingSlash => TieBreak::ExactWithoutTrailingSlash,
            LookupStep::NonExact | LookupStep::NonExactWithoutTrailingSlash => match ordered.get(1)
            {
                Some(&(step, runner_up)) if step == winner_step => {
                    compare(&self.entries[winner as usize], &self.entries[runner_up as usize]).1
                }
                Some(_) => TieBreak::LookupOrder,
                None => TieBreak::OnlyCandidate,
            },
        };
        Decision {
            path: path.to_string(),
            answer: Answer::Capabilities(self.entries[winner as usize].capabilities.as_answer()),
            winner: Some(candidate((winner_step, winner))),
            reason,
            shadowed: ordered.into_iter().skip(1).map(candidate).collect(),
        }
    }

    fn exact_candidates(&self, path: &str) -> Vec<u32> {
        self.exact_at(path.as_bytes()).into_iter().collect()
    }

    /// Every glob prefix (not only the longest) and every matching segment rule.
    fn non_exact_candidates(&self, path: &str) -> Vec<u32> {
        let bytes = path.as_bytes();
        let parts = count_slashes(bytes) + 1;
        let mut found = Vec::new();
        let mut node = 0_usize;
        let mut depth = 0_usize;
        loop {
            let current = &self.nodes[node];
            found.extend(current.glob);
            found.extend(
                current.segments.iter().copied().filter(|segment| {
                    segment_matches(&self.entries[*segment as usize], path, parts)
                }),
            );
            let Some(byte) = bytes.get(depth) else { break };
            match current.children.binary_search_by_key(byte, |(child_byte, _)| *child_byte) {
                Ok(index) => {
                    node = current.children[index].1 as usize;
                    depth += 1;
                }
                Err(_) => break,
            }
        }
        found
    }
}

fn new_entry(
    pattern: String,
    kind: PatternKind,
    capabilities: CapabilitySet,
    constraints: Constraints,
    source: RuleSource,
) -> Entry {
    let is_glob = pattern.ends_with('*');
    let (first_wildcard, plus_segments, parts) = match kind {
        PatternKind::Segment => {
            let text = if is_glob { &pattern[..pattern.len() - 1] } else { pattern.as_str() };
            let parts: Vec<Box<str>> = text.split('/').map(Box::from).collect();
            let plus = parts.iter().filter(|part| &***part == "+").count();
            (pattern.find('+').unwrap_or(0), plus, parts)
        }
        PatternKind::Prefix => (pattern.len() - 1, 0, Vec::new()),
        PatternKind::Exact | PatternKind::Root => (pattern.len(), 0, Vec::new()),
    };
    let mut constraints = constraints;
    if capabilities.is_deny() {
        constraints.allowed_parameters.clear();
        constraints.denied_parameters.clear();
    }
    Entry {
        pattern,
        kind,
        capabilities,
        constraints,
        sources: vec![source],
        first_wildcard,
        is_glob,
        plus_segments,
        parts,
    }
}

/// Merges an incoming rule into an existing entry (spec §4).
fn merge_into(
    entry: &mut Entry,
    capabilities: CapabilitySet,
    constraints: &Constraints,
    source: RuleSource,
) {
    entry.sources.push(source);
    if entry.capabilities.is_deny() {
        return;
    }
    if capabilities.is_deny() {
        entry.capabilities = CapabilitySet::DENY;
        entry.constraints.allowed_parameters.clear();
        entry.constraints.denied_parameters.clear();
        return;
    }
    entry.capabilities = entry.capabilities.union(capabilities);
    let existing = &mut entry.constraints;
    existing.min_wrapping_ttl =
        smaller_non_zero(existing.min_wrapping_ttl, constraints.min_wrapping_ttl);
    existing.max_wrapping_ttl =
        smaller_non_zero(existing.max_wrapping_ttl, constraints.max_wrapping_ttl);
    if !constraints.allowed_parameters.is_empty() {
        merge_parameters(&mut existing.allowed_parameters, constraints.allowed_parameters.clone());
    }
    if !constraints.denied_parameters.is_empty() {
        merge_parameters(&mut existing.denied_parameters, constraints.denied_parameters.clone());
    }
    for name in &constraints.required_parameters {
        if !existing.required_parameters.contains(name) {
            existing.required_parameters.push(name.clone());
        }
    }
    for method in &constraints.mfa_methods {
        if !existing.mfa_methods.contains(method) {
            existing.mfa_methods.push(method.clone());
        }
    }
    existing.pagination_limit =
        smaller_non_zero(existing.pagination_limit, constraints.pagination_limit);
    if existing.list_scan_response_keys_filter_path.as_deref().is_none_or(str::is_empty) {
        existing
            .list_scan_response_keys_filter_path
            .clone_from(&constraints.list_scan_response_keys_filter_path);
    }
    if existing.control_group.is_none() {
        existing.control_group.clone_from(&constraints.control_group);
    }
    if !existing.subscribe_event_types.is_empty() {
        existing.subscribe_event_types.extend(constraints.subscribe_event_types.iter().cloned());
    }
}

fn count_slashes(bytes: &[u8]) -> usize {
    bytes.iter().fold(0, |count, byte| count + usize::from(*byte == b'/'))
}

fn smaller_non_zero(left: u64, right: u64) -> u64 {
    match (left, right) {
        (0, other) | (other, 0) => other,
        (left, right) => left.min(right),
    }
}

/// Whether a segment rule matches a path with `path_parts` parts (spec §5.2).
fn segment_matches(entry: &Entry, path: &str, path_parts: usize) -> bool {
    let count = entry.parts.len();
    if path_parts < count || (!entry.is_glob && path_parts != count) {
        return false;
    }
    for (index, (pattern_part, path_part)) in entry.parts.iter().zip(path.split('/')).enumerate() {
        let pattern_part: &str = pattern_part;
        if pattern_part == "+" || pattern_part == path_part {
            continue;
        }
        if entry.is_glob && index + 1 == count && path_part.starts_with(pattern_part) {
            continue;
        }
        return false;
    }
    true
}

/// Orders two non-exact candidates (spec §5.3): `Greater` when `left` wins, with the rule
/// that decided.
fn compare(left: &Entry, right: &Entry) -> (Ordering, TieBreak) {
    if left.first_wildcard != right.first_wildcard {
        return (left.first_wildcard.cmp(&right.first_wildcard), TieBreak::LaterWildcard);
    }
    if left.is_glob != right.is_glob {
        return (right.is_glob.cmp(&left.is_glob), TieBreak::NotGlob);
    }
    if left.plus_segments != right.plus_segments {
        return (right.plus_segments.cmp(&left.plus_segments), TieBreak::FewerPlusSegments);
    }
    let (left_text, right_text) = (left.text(), right.text());
    if left_text.len() != right_text.len() {
        return (left_text.len().cmp(&right_text.len()), TieBreak::LongerPattern);
    }
    (left_text.as_bytes().cmp(right_text.as_bytes()), TieBreak::LexicographicallyLarger)
}
