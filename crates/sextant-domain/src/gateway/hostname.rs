//! Hostname semantics of the Gateway API (spec §2.5): wildcards, intersection, specificity.
//!
//! A wildcard is a whole leftmost `*.` label and stands for one or more labels, so
//! `*.example.com` matches `a.b.example.com` but never `example.com`.

/// Whether `name` is a wildcard hostname (`*.example.com`).
#[must_use]
pub fn is_wildcard(name: &str) -> bool {
    name.starts_with("*.")
}

/// Whether the concrete (or wildcard) `name` is covered by `pattern`.
///
/// A precise pattern must equal `name`; a wildcard pattern matches any name ending in its
/// suffix (`.example.com`) with at least one label before it. Comparison ignores ASCII case,
/// as DNS does.
#[must_use]
pub fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) if suffix.starts_with('.') => {
            // A wildcard name is compared by its suffix: `*.com` covers `*.example.com`.
            let candidate = name.strip_prefix('*').unwrap_or(name);
            candidate.len() > suffix.len()
                && candidate.is_char_boundary(candidate.len() - suffix.len())
                && candidate[candidate.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        }
        _ => !is_wildcard(name) && pattern.eq_ignore_ascii_case(name),
    }
}

/// The intersection of a listener hostname and a route hostname (either may be absent, meaning
/// "anything"). `None` when they do not intersect; `Some(None)` when the result is "anything".
#[must_use]
pub fn intersect(listener: Option<&str>, route: Option<&str>) -> Option<Option<String>> {
    match (listener, route) {
        (None, None) => Some(None),
        (None, Some(route)) => Some(Some(route.to_ascii_lowercase())),
        (Some(listener), None) => Some(Some(listener.to_ascii_lowercase())),
        (Some(listener), Some(route)) => {
            let result = match (is_wildcard(listener), is_wildcard(route)) {
                (false, false) => listener.eq_ignore_ascii_case(route).then_some(route),
                (true, false) => matches(listener, route).then_some(route),
                (false, true) => matches(route, listener).then_some(listener),
                (true, true) => {
                    if listener.eq_ignore_ascii_case(route) || matches(listener, route) {
                        Some(route)
                    } else if matches(route, listener) {
                        Some(listener)
                    } else {
                        None
                    }
                }
            };
            result.map(|name| Some(name.to_ascii_lowercase()))
        }
    }
}

/// A request host without its `:port` part, lower-cased.
#[must_use]
pub fn strip_port(host: &str) -> &str {
    // An IPv6 literal keeps its brackets; only a trailing `:digits` is a port.
    match host.rsplit_once(':') {
        Some((name, port))
            if !port.is_empty()
                && port.bytes().all(|byte| byte.is_ascii_digit())
                && !name.ends_with(':') =>
        {
            name
        }
        _ => host,
    }
}

/// How specifically a hostname pattern matches: precise names beat wildcards, longer beats
/// shorter, and "anything" ranks last. Larger is more specific.
#[must_use]
pub fn specificity(pattern: Option<&str>) -> (usize, usize) {
    match pattern {
        None => (0, 0),
        Some(pattern) if is_wildcard(pattern) => (0, pattern.len()),
        Some(pattern) => (pattern.len(), pattern.len()),
    }
}

/// Whether `name` is a syntactically valid Gateway API hostname (RFC 1123 labels, an optional
/// leading `*.` wildcard label, no IP address, no port).
#[must_use]
pub fn is_valid(name: &str) -> bool {
    let rest = name.strip_prefix("*.").unwrap_or(name);
    if rest.is_empty()
        || name.len() > 253
        || rest.split('.').all(|label| label.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    rest.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_or_more_labels() {
        assert!(matches("*.example.com", "a.example.com"), "one label");
        assert!(matches("*.example.com", "a.b.example.com"), "two labels");
        assert!(!matches("*.example.com", "example.com"), "zero labels never match");
        assert!(matches("*.com", "www.example.com"), "tld wildcard");
        assert!(!matches("foo.com", "bar.com"), "precise must be equal");
    }

    #[test]
    fn intersection_picks_the_more_specific_side() {
        assert_eq!(
            intersect(Some("very.specific.com"), Some("*.specific.com")),
            Some(Some("very.specific.com".into()))
        );
        assert_eq!(
            intersect(Some("*.com"), Some("*.example.com")),
            Some(Some("*.example.com".into()))
        );
        assert_eq!(
            intersect(Some("*.example.com"), Some("*.com")),
            Some(Some("*.example.com".into()))
        );
        assert_eq!(intersect(Some("*.example.com"), Some("*.example.net")), None);
        assert_eq!(intersect(None, None), Some(None));
    }

    #[test]
    fn ports_are_stripped_from_hosts() {
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("example.com"), "example.com");
        assert_eq!(strip_port("[::1]:80"), "[::1]");
    }
}
