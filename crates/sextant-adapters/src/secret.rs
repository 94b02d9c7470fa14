//! Credentials that never print, and the redactor that masks them in every log line.
//!
//! Two defences work together. [`Secret`] has no `Debug`/`Display` that shows its value, so our
//! own code cannot format one by mistake. And every `Secret` registers its value with a
//! process-wide list that [`redact`] replaces in any text, which the log writer applies to each
//! line: libraries that log request headers at trace level (hyper, kube, reqwest) are masked too.
//! [`redact`] also masks well-known credential shapes (bearer tokens, Vault and OpenBao tokens,
//! JWTs, PEM private keys) that were never registered.

use std::sync::{OnceLock, RwLock};

/// A credential. Formatting it prints `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value` and registers it with the redactor.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        register(&value);
        Secret(value)
    }

    /// The credential itself, for the one place that must send it (an HTTP header).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("[redacted]")
    }
}

fn registry() -> &'static RwLock<Vec<String>> {
    static REGISTRY: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    REGISTRY.get_or_init(|| RwLock::new(Vec::new()))
}

/// Adds `value` to the strings [`redact`] masks. Values shorter than 6 characters are not
/// registered: masking them would garble ordinary words.
pub fn register(value: &str) {
    let value = value.trim();
    if value.len() < 6 {
        return;
    }
    let mut values = registry().write().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !values.iter().any(|known| known == value) {
        values.push(value.to_owned());
        // Longest first, so a token that contains another is masked whole.
        values.sort_by_key(|known| std::cmp::Reverse(known.len()));
    }
}

/// `text` with every registered credential and every well-known credential shape masked.
#[must_use]
pub fn redact(text: &str) -> String {
    let mut output = text.to_owned();
    {
        let values = registry().read().unwrap_or_else(std::sync::PoisonError::into_inner);
        for value in values.iter() {
            if output.contains(value.as_str()) {
                output = output.replace(value.as_str(), "[redacted]");
            }
        }
    }
    mask_shapes(&output)
}

/// Masks credential shapes that need no registration.
fn mask_shapes(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, keep, end)) = next_shape(rest) {
        output.push_str(&rest[..start + keep]);
        output.push_str("[redacted]");
        rest = &rest[end..];
    }
    output.push_str(rest);
    if output.contains("PRIVATE KEY-----") {
        return mask_pem(&output);
    }
    output
}

/// The next credential-shaped run: its start, how many bytes of prefix to keep, and its end.
fn next_shape(text: &str) -> Option<(usize, usize, usize)> {
    const PREFIXES: [(&str, bool); 8] = [
        // (prefix, keep the prefix itself)
        ("Bearer ", true),
        ("bearer ", true),
        ("hvs.", false),
        ("hvb.", false),
        ("hvr.", false),
        ("s.", false),
        ("eyJ", false),
        ("SUAE", false), // NATS nkey seeds
    ];
    let token_char = |c: char| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c);
    let mut best: Option<(usize, usize, usize)> = None;
    for (prefix, keep_prefix) in PREFIXES {
        let mut from = 0;
        while let Some(found) = text[from..].find(prefix) {
            let start = from + found;
            from = start + prefix.len();
            // A shape must start at a token boundary (not inside a word).
            if start > 0
                && text[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
            {
                continue;
            }
            let body = &text[start + prefix.len()..];
            let body_len = body.find(|c: char| !token_char(c)).unwrap_or(body.len());
            let minimum = if prefix == "s." { 20 } else { 12 };
            if body_len < minimum {
                continue;
            }
            let keep = if keep_prefix { prefix.len() } else { 0 };
            let candidate = (start, keep, start + prefix.len() + body_len);
            if best.is_none_or(|(best_start, ..)| start < best_start) {
                best = Some(candidate);
            }
            break;
        }
    }
    best
}

fn mask_pem(text: &str) -> String {
    let mut output = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.contains("-----BEGIN") && line.contains("PRIVATE KEY-----") {
            inside = true;
            output.push_str("[redacted private key]\n");
        } else if inside && line.contains("-----END") {
            inside = false;
        } else if !inside {
            output.push_str(line);
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_formats_its_value() {
        let secret = Secret::new("correct-horse-battery-staple");
        assert_eq!(format!("{secret} {secret:?}"), "[redacted] [redacted]");
        assert_eq!(secret.expose(), "correct-horse-battery-staple");
    }

    #[test]
    fn registered_values_and_known_shapes_are_masked() {
        let _secret = Secret::new("plain-looking-credential-42");
        let line = "GET / authorization: Bearer abcdefghijklmnop123 token=plain-looking-credential-42 \
                    vault=hvs.CAESIJ1234567890abcdef jwt=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig";
        let masked = redact(line);
        for leaked in
            ["abcdefghijklmnop123", "plain-looking-credential-42", "hvs.CAESIJ", "eyJhbGci"]
        {
            assert!(!masked.contains(leaked), "{leaked} leaked in {masked}");
        }
        assert!(masked.contains("Bearer [redacted]"), "the scheme stays readable: {masked}");
    }

    #[test]
    fn ordinary_text_is_untouched() {
        let line = "listing 3 HTTPRoutes in shop (status.observedGeneration 2); this is fine";
        assert_eq!(redact(line), line);
    }

    #[test]
    fn private_keys_are_removed_whole() {
        let pem = "key:\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBx\n-----END EC PRIVATE KEY-----\nafter\n";
        assert_eq!(redact(pem), "key:\n[redacted private key]\nafter\n");
    }
}
