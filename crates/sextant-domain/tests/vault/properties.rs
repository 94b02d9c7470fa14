//! Invariants of the evaluator, checked with proptest.

use proptest::prelude::*;
use sextant_domain::vault::{Acl, AclContext, Flavor, Policy, cases, parse_policy};

const CAPABILITIES: [&str; 8] =
    ["create", "read", "update", "delete", "list", "sudo", "patch", "scan"];

fn block(pattern: &str, capabilities: &[usize], deny: bool) -> String {
    let mut names: Vec<String> = capabilities
        .iter()
        .map(|index| format!("\"{}\"", CAPABILITIES[index % CAPABILITIES.len()]))
        .collect();
    if deny {
        names.push("\"deny\"".into());
    }
    format!("path \"{pattern}\" {{ capabilities = [{}] }}\n", names.join(", "))
}

fn answer(texts: &[String], path: &str) -> Vec<&'static str> {
    let policies: Vec<Policy> = texts
        .iter()
        .enumerate()
        .map(|(index, text)| parse_policy(&format!("p{index}"), text, Flavor::OpenBao).unwrap())
        .collect();
    let references: Vec<&Policy> = policies.iter().collect();
    Acl::build(&references, Flavor::OpenBao, AclContext::default()).unwrap().answer(path).names()
}

proptest! {
    /// Deny on the matched pattern wins, wherever it sits among the merged blocks.
    #[test]
    fn deny_wins_within_a_matched_rule(
        grants in proptest::collection::vec(proptest::collection::vec(0_usize..8, 0..4), 0..5),
        deny_at in 0_usize..6,
        pattern in prop::sample::select(vec!["a/b", "a/*", "a/+", "+/b", "a/+/*"]),
    ) {
        let mut texts: Vec<String> = grants.iter().map(|capabilities| block(pattern, capabilities, false)).collect();
        texts.insert(deny_at.min(texts.len()), block(pattern, &[1], true));
        prop_assert_eq!(answer(&texts, "a/b"), vec!["deny"]);
    }

    /// Grants on one pattern are a union, whatever the order of the blocks.
    #[test]
    fn union_is_order_independent(
        grants in proptest::collection::vec(proptest::collection::vec(0_usize..8, 1..4), 1..5),
        rotate in 0_usize..5,
    ) {
        let texts: Vec<String> = grants.iter().map(|capabilities| block("k/*", capabilities, false)).collect();
        let mut rotated = texts.clone();
        rotated.rotate_left(rotate % texts.len());
        let mut expected: Vec<&str> = grants.iter().flatten().map(|index| CAPABILITIES[*index]).collect();
        expected.sort_unstable();
        expected.dedup();
        prop_assert_eq!(answer(&texts, "k/x"), expected.clone());
        prop_assert_eq!(answer(&rotated, "k/x"), expected);
    }

    /// The answer does not depend on the order the token lists its policies in.
    #[test]
    fn answer_is_independent_of_policy_order(seed in any::<u64>(), rotate in 0_usize..3) {
        for case in cases::generate(seed, 4) {
            let texts: Vec<String> = case.policies.iter().map(|(_, text)| text.clone()).collect();
            let mut rotated = texts.clone();
            rotated.rotate_left(rotate % texts.len());
            rotated.reverse();
            for path in &case.paths {
                prop_assert_eq!(answer(&texts, path), answer(&rotated, path), "{} {}", case.id, path);
            }
        }
    }

    /// The fast path and the explained path always agree, in both flavors.
    #[test]
    fn fast_and_explained_paths_agree(seed in any::<u64>()) {
        for case in cases::generate(seed, 4) {
            for flavor in [Flavor::OpenBao, Flavor::Vault] {
                let policies: Vec<Policy> = case.policies.iter().map(|(name, text)| parse_policy(name, text, Flavor::OpenBao).unwrap()).collect();
                let references: Vec<&Policy> = policies.iter().collect();
                let acl = Acl::build(&references, flavor, AclContext::default()).unwrap();
                for path in &case.paths {
                    prop_assert_eq!(acl.answer(path), acl.explain(path).answer, "{} {}", case.id, path);
                }
            }
        }
    }
}
