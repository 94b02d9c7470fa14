//! Decoding a pasted JWT, locally, in the page: its claims, audience, expiry and risks.
//!
//! The token never leaves this module's caller: it is not sent over IPC, not logged and not
//! stored. The signature is not checked (that needs the issuer's keys); the decoder says so.

use serde_json::Value;

/// The audiences a Kubernetes API server puts in tokens by default.
const DEFAULT_KUBERNETES_AUDIENCES: &[&str] = &[
    "https://kubernetes.default.svc.cluster.local",
    "https://kubernetes.default.svc",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "api",
];

/// Tokens that live longer than this are flagged (24 hours).
const LONG_LIVED_SECONDS: i64 = 24 * 3600;

/// What a pasted token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// `alg` from the header.
    pub(crate) algorithm: String,
    /// Every claim, `name = value` (values as compact JSON unless strings).
    pub(crate) claims: Vec<(String, String)>,
    /// `aud`, as a list.
    pub(crate) audience: Vec<String>,
    /// `exp`, in Unix seconds.
    pub(crate) expires: Option<i64>,
    /// `iss`.
    pub(crate) issuer: Option<String>,
    /// `sub`.
    pub(crate) subject: Option<String>,
    /// The Kubernetes ServiceAccount it stands for, `namespace/name`.
    pub(crate) service_account: Option<String>,
    /// The risks, in words.
    pub(crate) risks: Vec<String>,
}

fn base64url(text: &str) -> Result<Vec<u8>, String> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => continue,
            _ => return Err("it holds a character that is not base64url".to_owned()),
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            #[allow(clippy::cast_possible_truncation)] // Masked to one byte.
            out.push(((bits >> count) & 0xff) as u8);
        }
    }
    Ok(out)
}

fn part(text: &str, which: &str) -> Result<Value, String> {
    let bytes =
        base64url(text).map_err(|error| format!("the {which} is not base64url: {error}"))?;
    serde_json::from_slice(&bytes).map_err(|_| format!("the {which} is not JSON"))
}

fn human_duration(seconds: i64) -> String {
    let seconds = seconds.abs();
    if seconds >= 2 * 86_400 {
        format!("{} days", seconds / 86_400)
    } else if seconds >= 2 * 3600 {
        format!("{} hours", seconds / 3600)
    } else {
        format!("{} minutes", seconds / 60)
    }
}

/// Decodes `token` as of `now` (Unix seconds).
///
/// # Errors
/// A sentence saying what is wrong with the input and what was expected. It never quotes the
/// token.
pub(crate) fn decode(token: &str, now: i64) -> Result<Decoded, String> {
    let token = token.trim();
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "this is not a JWT: it has {} dot-separated part(s), a JWT has three (header.payload.signature)",
            parts.len()
        ));
    }
    let header = part(parts[0], "header")?;
    let payload = part(parts[1], "payload")?;
    let Some(claims_map) = payload.as_object() else {
        return Err("the payload is not a JSON object".to_owned());
    };
    let claims = claims_map
        .iter()
        .map(|(name, value)| {
            (name.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_owned))
        })
        .collect();
    let audience: Vec<String> = match payload.get("aud") {
        Some(Value::String(audience)) => vec![audience.clone()],
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    };
    let expires = payload.get("exp").and_then(Value::as_i64);
    let issued = payload.get("iat").and_then(Value::as_i64);
    let service_account = payload
        .pointer("/kubernetes.io/namespace")
        .and_then(Value::as_str)
        .zip(payload.pointer("/kubernetes.io/serviceaccount/name").and_then(Value::as_str))
        .map(|(namespace, name)| format!("{namespace}/{name}"))
        .or_else(|| {
            let subject = payload.get("sub")?.as_str()?;
            let rest = subject.strip_prefix("system:serviceaccount:")?;
            let (namespace, name) = rest.split_once(':')?;
            Some(format!("{namespace}/{name}"))
        });
    let mut risks = Vec::new();
    match expires {
        None => {
            risks.push("no expiry (exp): it is valid until its signing key is rotated".to_owned());
        }
        Some(expires) if expires <= now => {
            risks.push(format!("expired {} ago", human_duration(now - expires)));
        }
        Some(expires) => {
            let lifetime = issued.map_or(expires - now, |issued| expires - issued);
            if lifetime > LONG_LIVED_SECONDS {
                risks.push(format!(
                    "long-lived: valid for {} in total; a leaked copy stays useful that long",
                    human_duration(lifetime)
                ));
            }
        }
    }
    if audience.is_empty() {
        risks
            .push("no audience (aud): any service that trusts the issuer may accept it".to_owned());
    }
    if audience
        .iter()
        .any(|audience| DEFAULT_KUBERNETES_AUDIENCES.contains(&audience.trim_end_matches('/')))
    {
        risks.push("the Kubernetes API server's default audience: this is the token pods get without asking; a Vault role that accepts it lets any copy log in".to_owned());
    }
    if payload.pointer("/kubernetes.io/secret").is_some()
        || payload.get("kubernetes.io/serviceaccount/secret.name").is_some()
    {
        risks.push("a legacy ServiceAccount token Secret: it never expires".to_owned());
    }
    Ok(Decoded {
        algorithm: header.get("alg").and_then(Value::as_str).unwrap_or("?").to_owned(),
        claims,
        audience,
        expires,
        issuer: payload.get("iss").and_then(Value::as_str).map(str::to_owned),
        subject: payload.get("sub").and_then(Value::as_str).map(str::to_owned),
        service_account,
        risks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let mut buffer = [0_u8; 3];
            buffer[..chunk.len()].copy_from_slice(chunk);
            let bits =
                (u32::from(buffer[0]) << 16) | (u32::from(buffer[1]) << 8) | u32::from(buffer[2]);
            for index in 0..=chunk.len() {
                out.push(char::from(ALPHABET[((bits >> (18 - 6 * index)) & 63) as usize]));
            }
        }
        out
    }

    fn token(payload: &serde_json::Value) -> String {
        format!(
            "{}.{}.c2lnbmF0dXJl",
            encode(br#"{"alg":"RS256","kid":"k1"}"#),
            encode(payload.to_string().as_bytes())
        )
    }

    #[test]
    fn a_projected_service_account_token_with_the_default_audience() {
        let now = 1_800_000_000;
        let decoded = decode(
            &token(&serde_json::json!({
                "aud": ["https://kubernetes.default.svc.cluster.local"],
                "exp": now + 3000, "iat": now - 600, "iss": "https://kubernetes.default.svc.cluster.local",
                "kubernetes.io": {"namespace": "checkout", "serviceaccount": {"name": "checkout-api"}},
                "sub": "system:serviceaccount:checkout:checkout-api"
            })),
            now,
        )
        .unwrap();
        assert_eq!(decoded.algorithm, "RS256");
        assert_eq!(decoded.service_account.as_deref(), Some("checkout/checkout-api"));
        assert_eq!(decoded.expires, Some(now + 3000));
        assert_eq!(decoded.risks.len(), 1, "{:?}", decoded.risks);
        assert!(decoded.risks[0].contains("default audience"));
    }

    #[test]
    fn expired_unbounded_and_long_lived_tokens_are_named() {
        let now = 1_800_000_000;
        let expired =
            decode(&token(&serde_json::json!({"aud": "vault", "exp": now - 7200})), now).unwrap();
        assert_eq!(expired.risks, ["expired 2 hours ago"]);
        let forever =
            decode(&token(&serde_json::json!({"sub": "system:serviceaccount:ci:bot"})), now)
                .unwrap();
        assert_eq!(forever.service_account.as_deref(), Some("ci/bot"));
        assert_eq!(forever.risks.len(), 2, "no exp and no aud: {:?}", forever.risks);
        let long = decode(
            &token(&serde_json::json!({"aud": "vault", "iat": now, "exp": now + 90 * 86_400})),
            now,
        )
        .unwrap();
        assert_eq!(
            long.risks,
            ["long-lived: valid for 90 days in total; a leaked copy stays useful that long"]
        );
    }

    #[test]
    fn bad_input_is_named_without_quoting_it() {
        let error = decode("not-a-token", 0).unwrap_err();
        assert!(error.contains("1 dot-separated part"), "{error}");
        assert!(!error.contains("not-a-token"));
        let error = decode("a.b!.c", 0).unwrap_err();
        assert!(error.contains("header") || error.contains("payload"), "{error}");
    }
}
