//! `sextant vault capabilities`: what a token carrying some policies may do on some paths,
//! as `sys/capabilities` would answer, with the deciding rule and the rules it shadowed
//! (`shared/specs/cli-contract.md`, Vault section; `shared/specs/vault-acl.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sextant_domain::vault::escalation::{Severity, Subject, detect_escalations};
use sextant_domain::vault::parse::normalize_name;
use sextant_domain::vault::template::{TemplateAlias, TemplateEntity, TemplateGroup};
use sextant_domain::vault::{
    Acl, AclContext, Answer, Candidate, Decision, PolicyStore, TemplateIdentity, builtin,
};

pub use sextant_domain::vault::Flavor;

use super::AnalysisError;

/// What `sextant vault capabilities` was asked.
#[derive(Debug, Clone, Default)]
pub struct CapabilitiesRequest {
    /// `--policy NAME=FILE`, in the order given.
    pub policies: Vec<(String, PathBuf)>,
    /// `--policy-dir DIR`: every `*.hcl` and `*.json` file, named after its stem.
    pub policy_dir: Option<PathBuf>,
    /// `--identity FILE`: what templated policies render from.
    pub identity: Option<PathBuf>,
    /// `--server-policy NAME`: policies stored on the server of `VAULT_ADDR` (read with
    /// `VAULT_TOKEN` or `~/.vault-token`, or the `BAO_*` equivalents).
    pub server_policies: Vec<String>,
    /// `--flavor`; `None`: the server's when policies come from one, else OpenBao.
    pub flavor: Option<Flavor>,
    /// The paths to answer, in order.
    pub paths: Vec<String>,
}

/// The answers, one per path, in the order given, plus the escalation findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilitiesReport {
    /// One answer per path.
    pub paths: Vec<PathAnswer>,
    /// The escalation patterns (spec §16) the attached policies allow, worst first.
    pub escalations: Vec<EscalationRow>,
}

/// The answer for one path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathAnswer {
    /// The path, echoed as given.
    pub path: String,
    /// Sorted; `["deny"]` when nothing matches or deny applies, `["root"]` for root.
    pub capabilities: Vec<String>,
    /// The deciding rule; left out when nothing matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<DecidedBy>,
    /// Every other matching rule, most specific first.
    pub shadowed: Vec<ShadowedRule>,
}

/// The rule that decided a path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecidedBy {
    /// The stored pattern (a glob keeps its `*`); absent for root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `exact`, `prefix`, `segment` or `root`.
    pub kind: String,
    /// The tie-break that decided, as a stable code (`exact_match`, `later_wildcard`, ...);
    /// absent for root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The same tie-break in plain words; absent for root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The policies merged into the rule; for a deny, the ones that carry the deny.
    pub policies: Vec<String>,
}

/// A matching rule that lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShadowedRule {
    /// The stored pattern.
    pub pattern: String,
    /// `exact`, `prefix` or `segment`.
    pub kind: String,
    /// The policies merged into it.
    pub policies: Vec<String>,
    /// What it would have answered.
    pub capabilities: Vec<String>,
}

/// An escalation finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationRow {
    /// `VAULT-ESC-<row of spec §16>`.
    pub code: String,
    /// `critical`, `high`, `medium` or `low`.
    pub severity: String,
    /// The chain, in plain words.
    pub explanation: String,
    /// How to fix it.
    pub fix: String,
    /// The probe paths that grant the steps.
    pub paths: Vec<String>,
}

impl CapabilitiesReport {
    /// Whether any escalation was found (`--fail-on escalation`).
    #[must_use]
    pub fn has_escalation(&self) -> bool {
        !self.escalations.is_empty()
    }
}

/// Runs `sextant vault capabilities`.
///
/// # Errors
/// `no_policies`, `unreadable_policy`, `duplicate_policy`, `bad_policy` (with `policy`,
/// `file`, `line`, `column`), `unreadable_identity`, `bad_identity`, and
/// `template_forbidden_value` (with `policy`).
pub fn capabilities(request: &CapabilitiesRequest) -> Result<CapabilitiesReport, AnalysisError> {
    let attached = attached_policies(request, Vec::new())?;
    evaluate(request, &attached, request.flavor.unwrap_or_default())
}

/// Runs `sextant vault capabilities` with `--server-policy` names read from the live server
/// (and any files given too). The flavor is the server's unless `--flavor` says otherwise.
///
/// # Errors
/// Those of [`capabilities`], plus `vault_unavailable` (naming the address and what to do;
/// never the token) and `unknown_policy` for a name the server does not hold.
pub async fn capabilities_with_server(
    request: &CapabilitiesRequest,
) -> Result<CapabilitiesReport, AnalysisError> {
    use sextant_adapters::vault::{VaultClient, VaultConfig};
    let unavailable = |error: sextant_adapters::vault::Error| {
        AnalysisError::new("vault_unavailable", crate::redact(&error.to_string()))
    };
    let client = VaultClient::new(&VaultConfig::from_env()).map_err(unavailable)?;
    client.check_token().await.map_err(unavailable)?;
    let flavor = match request.flavor {
        Some(flavor) => flavor,
        None => client.detect_flavor().await,
    };
    let stored = client.policies().await.map_err(unavailable)?;
    let mut fetched = Vec::new();
    for name in &request.server_policies {
        let wanted = normalize_name(name);
        let Some(policy) = stored.iter().find(|policy| normalize_name(&policy.name) == wanted)
        else {
            return Err(AnalysisError::new(
                "unknown_policy",
                format!(
                    "the server at {} holds no ACL policy {wanted:?}; list them with `bao policy list`",
                    client.address()
                ),
            )
            .with("policy", wanted));
        };
        fetched.push((
            wanted.clone(),
            PathBuf::from(format!("{}/v1/sys/policies/acl/{wanted}", client.address())),
            policy.text.clone(),
        ));
    }
    let attached = attached_policies(request, fetched)?;
    evaluate(request, &attached, flavor)
}

fn evaluate(
    request: &CapabilitiesRequest,
    attached: &[(String, PathBuf, String)],
    flavor: Flavor,
) -> Result<CapabilitiesReport, AnalysisError> {
    let identity = match &request.identity {
        Some(file) => Some(read_identity(file)?),
        None => None,
    };
    let mut store = PolicyStore::new(flavor);
    let mut names = Vec::with_capacity(attached.len());
    for (name, file, text) in attached {
        names.push(name.clone());
        // The built-in root policy is root whatever the file says (contract).
        if name == builtin::ROOT {
            continue;
        }
        if let Err(error) = store.insert_text(name, text) {
            return Err(AnalysisError::new(
                "bad_policy",
                format!(
                    "{}:{}:{}: policy {:?}: {}; fix the policy text",
                    file.display(),
                    error.line,
                    error.column,
                    error.policy,
                    error.message
                ),
            )
            .with("policy", error.policy.clone())
            .with("file", file.display().to_string())
            .with("line", error.line)
            .with("column", error.column));
        }
    }
    let context = AclContext { identity: identity.as_ref(), now_unix: Some(now_unix()) };
    let acl = store.acl(&names, context).map_err(|error| {
        AnalysisError::new(
            "template_forbidden_value",
            format!(
                "policy {:?}: the template in {:?} renders to {:?}, which holds '/', '+' or '*'; the server refuses every request of such a token (spec §7.3)",
                error.policy, error.pattern, error.value
            ),
        )
        .with("policy", error.policy.clone())
        .with("pattern", error.pattern.clone())
    })?;
    let paths = request.paths.iter().map(|path| path_answer(&acl, path)).collect();
    let subject = Subject { policies: names, ..Subject::default() };
    let escalations = detect_escalations(&acl, &subject)
        .into_iter()
        .map(|finding| EscalationRow {
            code: finding.code.to_owned(),
            severity: severity_name(finding.severity).to_owned(),
            explanation: finding.explanation,
            fix: finding.fix.to_owned(),
            paths: finding.evidence.into_iter().map(|decision| decision.path).collect(),
        })
        .collect();
    Ok(CapabilitiesReport { paths, escalations })
}

/// `(normalized name, file, text)` of every attached policy, `--policy` first.
fn attached_policies(
    request: &CapabilitiesRequest,
    fetched: Vec<(String, PathBuf, String)>,
) -> Result<Vec<(String, PathBuf, String)>, AnalysisError> {
    let mut files: Vec<(String, PathBuf)> = request.policies.clone();
    if let Some(dir) = &request.policy_dir {
        files.extend(policy_dir(dir)?);
    }
    if files.is_empty() && fetched.is_empty() {
        return Err(AnalysisError::new(
            "no_policies",
            "no policies given: pass --policy NAME=FILE, --policy-dir DIR or --server-policy NAME",
        ));
    }
    let mut attached: Vec<(String, PathBuf, String)> = Vec::with_capacity(files.len());
    let mut files: Vec<(String, PathBuf, Option<String>)> =
        files.into_iter().map(|(name, file)| (name, file, None)).collect();
    files.extend(fetched.into_iter().map(|(name, file, text)| (name, file, Some(text))));
    for (name, file, text) in files {
        let name = normalize_name(&name);
        if name.is_empty() {
            return Err(AnalysisError::new(
                "bad_policy_name",
                format!(
                    "the policy in {} has an empty name: write --policy NAME=FILE",
                    file.display()
                ),
            )
            .with("file", file.display().to_string()));
        }
        if let Some((_, earlier, _)) = attached.iter().find(|(seen, _, _)| *seen == name) {
            return Err(AnalysisError::new(
                "duplicate_policy",
                format!(
                    "policy {name:?} is given twice ({} and {}); policy names are case-insensitive, give each once",
                    earlier.display(),
                    file.display()
                ),
            )
            .with("policy", name.clone())
            .with("file", file.display().to_string()));
        }
        let text = match text {
            Some(text) => text,
            None => std::fs::read_to_string(&file).map_err(|error| {
                AnalysisError::new(
                    "unreadable_policy",
                    format!("cannot read policy {name:?} from {}: {error}", file.display()),
                )
                .with("policy", name.clone())
                .with("file", file.display().to_string())
            })?,
        };
        attached.push((name, file, text));
    }
    Ok(attached)
}

/// The `*.hcl` and `*.json` files of `dir`, sorted by name, each named after its stem.
fn policy_dir(dir: &Path) -> Result<Vec<(String, PathBuf)>, AnalysisError> {
    let unreadable = |error: std::io::Error| {
        AnalysisError::new(
            "unreadable_policy_dir",
            format!("cannot read the policy directory {}: {error}", dir.display()),
        )
        .with("file", dir.display().to_string())
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        let is_policy = path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| matches!(extension, "hcl" | "json"));
        if !is_policy || !path.is_file() {
            continue;
        }
        if let Some(stem) = path.file_stem().and_then(|stem| stem.to_str()) {
            files.push((stem.to_owned(), path.clone()));
        }
    }
    files.sort_by(|left, right| left.1.cmp(&right.1));
    if files.is_empty() {
        return Err(AnalysisError::new(
            "no_policies",
            format!("{} holds no *.hcl or *.json policy file", dir.display()),
        )
        .with("file", dir.display().to_string()));
    }
    Ok(files)
}

/// The `--identity` file's shape (contract): every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IdentityFile {
    entity: Option<EntityFile>,
    groups: Vec<GroupFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EntityFile {
    id: String,
    name: String,
    metadata: BTreeMap<String, String>,
    aliases: Vec<AliasFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AliasFile {
    id: String,
    mount_accessor: String,
    name: String,
    metadata: BTreeMap<String, String>,
    custom_metadata: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GroupFile {
    id: String,
    name: String,
    metadata: BTreeMap<String, String>,
}

fn read_identity(file: &Path) -> Result<TemplateIdentity, AnalysisError> {
    let text = std::fs::read_to_string(file).map_err(|error| {
        AnalysisError::new(
            "unreadable_identity",
            format!("cannot read the identity file {}: {error}", file.display()),
        )
        .with("file", file.display().to_string())
    })?;
    let parsed: IdentityFile = serde_json::from_str(&text).map_err(|error| {
        AnalysisError::new(
            "bad_identity",
            format!(
                "{}:{}:{}: {error}; the identity file is {{\"entity\": {{\"id\", \"name\", \"metadata\", \"aliases\"}}, \"groups\": [...]}}",
                file.display(),
                error.line(),
                error.column()
            ),
        )
        .with("file", file.display().to_string())
        .with("line", error.line())
        .with("column", error.column())
    })?;
    Ok(TemplateIdentity {
        entity: parsed.entity.map(|entity| TemplateEntity {
            id: entity.id,
            name: entity.name,
            metadata: entity.metadata,
            aliases: entity
                .aliases
                .into_iter()
                .map(|alias| TemplateAlias {
                    mount_accessor: alias.mount_accessor,
                    id: alias.id,
                    name: alias.name,
                    metadata: alias.metadata,
                    custom_metadata: alias.custom_metadata,
                })
                .collect(),
        }),
        groups: parsed
            .groups
            .into_iter()
            .map(|group| TemplateGroup { id: group.id, name: group.name, metadata: group.metadata })
            .collect(),
    })
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}

/// The answer for one path, attributed.
#[must_use]
pub fn path_answer(acl: &Acl, path: &str) -> PathAnswer {
    let decision = acl.explain(path);
    PathAnswer {
        path: path.to_owned(),
        capabilities: decision.answer.names().into_iter().map(str::to_owned).collect(),
        decided_by: decided_by(&decision, acl),
        shadowed: decision
            .shadowed
            .iter()
            .map(|candidate| ShadowedRule {
                pattern: candidate.pattern.clone(),
                kind: candidate.kind.as_str().to_owned(),
                policies: candidate_policies(candidate),
                capabilities: answer_names(candidate),
            })
            .collect(),
    }
}

fn decided_by(decision: &Decision, acl: &Acl) -> Option<DecidedBy> {
    if decision.answer == Answer::Root {
        return Some(DecidedBy {
            pattern: None,
            kind: "root".to_owned(),
            rule: None,
            why: None,
            policies: vec![builtin::ROOT.to_owned()],
        });
    }
    let winner = decision.winner.as_ref()?;
    Some(DecidedBy {
        pattern: Some(winner.pattern.clone()),
        kind: winner.kind.as_str().to_owned(),
        rule: Some(decision.reason.code().to_owned()),
        why: Some(decision.reason.describe(acl.flavor()).to_owned()),
        policies: candidate_policies(winner),
    })
}

/// The distinct policies merged into a rule, in merge order. A deny keeps its grants'
/// attribution on the server (spec §4); the cockpit names the deny's own source instead.
fn candidate_policies(candidate: &Candidate) -> Vec<String> {
    let deny = candidate.capabilities.is_deny();
    let mut policies: Vec<String> = Vec::new();
    for source in &candidate.sources {
        if deny && !source.capabilities.is_deny() {
            continue;
        }
        if !policies.contains(&source.policy) {
            policies.push(source.policy.clone());
        }
    }
    policies
}

fn answer_names(candidate: &Candidate) -> Vec<String> {
    candidate.capabilities.as_answer().names().into_iter().map(str::to_owned).collect()
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
    }
}
