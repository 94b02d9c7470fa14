//! The one helper the tests use, so they stay independent of the API's shape.

use sextant_domain::vault::{Acl, AclContext, Flavor, Policy, parse_policy};

/// Parses `(name, text)` policies.
pub(crate) fn policies(sources: &[(&str, &str)], flavor: Flavor) -> Vec<Policy> {
    sources.iter().map(|(name, text)| parse_policy(name, text, flavor).unwrap()).collect()
}

/// The ACL of a token holding these policies, in order.
pub(crate) fn acl(sources: &[(&str, &str)], flavor: Flavor) -> Acl {
    let parsed = policies(sources, flavor);
    let references: Vec<&Policy> = parsed.iter().collect();
    Acl::build(&references, flavor, AclContext::default()).unwrap()
}

/// Asserts each `(path, "sorted caps")` answer on OpenBao.
pub(crate) fn check(sources: &[(&str, &str)], expected: &[(&str, &str)]) {
    check_flavor(sources, expected, Flavor::OpenBao);
}

/// Asserts each `(path, "sorted caps")` answer for a flavor, through both the fast path
/// and the explained path.
pub(crate) fn check_flavor(sources: &[(&str, &str)], expected: &[(&str, &str)], flavor: Flavor) {
    let acl = acl(sources, flavor);
    for (path, want) in expected {
        let got = acl.answer(path).names().join(" ");
        assert_eq!(&got, want, "path {path:?} (fast path)");
        let explained = acl.explain(path).answer.names().join(" ");
        assert_eq!(&explained, want, "path {path:?} (explain)");
    }
}
