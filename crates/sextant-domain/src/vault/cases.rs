//! Generated cases for the differential test against a real server (spec §14).
//!
//! [`generate`] is deterministic for a seed: the same cases come out on every machine, so
//! the end-to-end test can write them to a live OpenBao, ask `sys/capabilities`, and compare
//! with [`super::Acl::answer`]. The cases stress the tricky rules: globs that are raw
//! prefixes, `+` segments (including empty parts), exact versus prefix keys, deny and
//! zero-capability rules, the same pattern in several policies, priority ties, trailing
//! slashes (the LIST view) and legacy `policy` values, in HCL and JSON.

/// One case: policies to attach to one token, and paths to ask about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// A stable id, `G<seed>-<index>`.
    pub id: String,
    /// `(name, text)` pairs; names are unique within the case.
    pub policies: Vec<(String, String)>,
    /// Paths to ask `sys/capabilities` about.
    pub paths: Vec<String>,
}

/// A small deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    #[must_use]
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// A number below `bound` (which must be above zero).
    pub fn below(&mut self, bound: usize) -> usize {
        #[allow(clippy::cast_possible_truncation)] // The result is below `bound`.
        let value = (self.next_u64() % bound.max(1) as u64) as usize;
        value
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: [&str; 6] = ["a", "b", "ab", "abc", "x", "ba"];
const CAPABILITIES: [&str; 8] =
    ["create", "read", "update", "delete", "list", "sudo", "patch", "scan"];

/// Generates `count` cases from `seed`.
#[must_use]
pub fn generate(seed: u64, count: usize) -> Vec<Case> {
    let mut random = SplitMix64::new(seed);
    (0..count).map(|index| generate_case(&mut random, seed, index)).collect()
}

fn generate_case(random: &mut SplitMix64, seed: u64, index: usize) -> Case {
    let policy_count = 1 + random.below(3);
    let mut patterns: Vec<String> = Vec::new();
    let mut policies = Vec::new();
    for policy_index in 0..policy_count {
        let rule_count = 1 + random.below(5);
        let mut rules = Vec::new();
        for _ in 0..rule_count {
            // Reuse an earlier pattern often, so merging and ties get exercised.
            let pattern = if !patterns.is_empty() && random.chance(30) {
                random.pick(&patterns).clone()
            } else {
                pattern(random)
            };
            patterns.push(pattern.clone());
            rules.push((pattern, rule_body(random)));
        }
        let text = if random.chance(25) { json_policy(&rules) } else { hcl_policy(&rules) };
        policies.push((format!("c{index}-p{policy_index}"), text));
    }
    let mut paths: Vec<String> = Vec::new();
    for _ in 0..8 {
        let path = if random.chance(70) {
            let base = random.pick(&patterns).clone();
            instantiate(random, &base)
        } else {
            random_path(random)
        };
        let path = match random.below(6) {
            0 => format!("{path}/"),
            1 if !path.ends_with('/') => format!("{path}x"),
            2 => format!("/{path}"),
            _ => path,
        };
        if !path.trim_start_matches('/').is_empty() && !paths.contains(&path) {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        paths.push("a".to_string());
    }
    Case { id: format!("G{seed}-{index}"), policies, paths }
}

fn pattern(random: &mut SplitMix64) -> String {
    let segments = 1 + random.below(4);
    let mut parts: Vec<String> = Vec::new();
    for _ in 0..segments {
        let part = match random.below(10) {
            0..=2 => "+".to_string(),
            3 if parts.len() > 1 => String::new(),
            _ => (*random.pick(&WORDS)).to_string(),
        };
        parts.push(part);
    }
    let mut pattern = parts.join("/");
    match random.below(10) {
        0..=3 => {
            // A glob: either a whole-segment `/*` or a raw prefix such as `ab*`.
            if pattern.ends_with('+') || random.chance(50) {
                pattern.push_str("/*");
            } else {
                pattern.push('*');
            }
        }
        4 => pattern.push('/'),
        _ => {}
    }
    if random.chance(5) {
        pattern.insert(0, '/');
    }
    pattern
}

fn rule_body(random: &mut SplitMix64) -> String {
    match random.below(20) {
        0..=1 => "capabilities = [\"deny\"]".to_string(),
        2 => "capabilities = []".to_string(),
        3 => format!("policy = \"{}\"", random.pick(&["read", "write", "sudo", "deny"])),
        4 => format!("policy = \"read\"\n  capabilities = [\"{}\"]", random.pick(&CAPABILITIES)),
        _ => {
            let count = 1 + random.below(3);
            let chosen: Vec<String> =
                (0..count).map(|_| format!("\"{}\"", random.pick(&CAPABILITIES))).collect();
            format!("capabilities = [{}]", chosen.join(", "))
        }
    }
}

fn hcl_policy(rules: &[(String, String)]) -> String {
    let mut text = String::new();
    for (pattern, body) in rules {
        text.push_str("path \"");
        text.push_str(pattern);
        text.push_str("\" {\n  ");
        text.push_str(body);
        text.push_str("\n}\n");
    }
    text
}

fn json_policy(rules: &[(String, String)]) -> String {
    let entries: Vec<String> = rules
        .iter()
        .map(|(pattern, body)| {
            let fields: Vec<String> = body
                .lines()
                .map(|line| {
                    let (key, value) =
                        line.trim().split_once(" = ").unwrap_or(("capabilities", "[]"));
                    format!("\"{key}\": {value}")
                })
                .collect();
            format!("{{\"{pattern}\": {{{}}}}}", fields.join(", "))
        })
        .collect();
    // The array form allows a pattern to repeat (spec §2.1).
    format!("{{\"path\": [{}]}}", entries.join(", "))
}

/// A path the pattern is likely to match, or to just miss.
fn instantiate(random: &mut SplitMix64, pattern: &str) -> String {
    let trimmed = pattern.trim_start_matches('/');
    let (body, glob) = match trimmed.strip_suffix('*') {
        Some(body) => (body, true),
        None => (trimmed, false),
    };
    let mut parts: Vec<String> = body
        .split('/')
        .map(|part| {
            if part == "+" {
                (*random.pick(&["a", "b", "zz", ""])).to_string()
            } else {
                part.to_string()
            }
        })
        .collect();
    if glob {
        match random.below(4) {
            0 => {}
            1 => {
                if let Some(last) = parts.last_mut() {
                    last.push('q');
                }
            }
            2 => parts.push((*random.pick(&WORDS)).to_string()),
            _ => {
                parts.push((*random.pick(&WORDS)).to_string());
                parts.push(String::new());
            }
        }
    } else if random.chance(15) {
        parts.pop();
    }
    parts.join("/")
}

fn random_path(random: &mut SplitMix64) -> String {
    let count = 1 + random.below(4);
    (0..count).map(|_| *random.pick(&WORDS)).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{Flavor, parse_policy};

    #[test]
    fn deterministic_and_parseable() {
        let first = generate(7, 300);
        assert_eq!(first, generate(7, 300));
        for case in &first {
            for (name, text) in &case.policies {
                assert!(
                    parse_policy(name, text, Flavor::OpenBao).is_ok(),
                    "{} {name}: {text}",
                    case.id
                );
            }
            assert!(!case.paths.is_empty());
        }
    }
}
