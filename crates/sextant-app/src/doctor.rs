//! `sextant doctor`: what is configured and what answers, with no secret in the report.

use std::time::Duration;

use serde::Serialize;
use sextant_adapters::{
    cluster::watch::{self, WatchOptions},
    nats::LatticeClient,
    secret::Secret,
    vault::{VaultClient, VaultConfig},
};
use sextant_domain::platform::ClusterState;

use crate::{LiveConfig, NatsConfig};

/// The whole report. Its JSON shape is documented in `sextant doctor --help`.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// Sextant's version.
    pub version: String,
    /// Kubernetes contexts.
    pub kubernetes: KubernetesReport,
    /// Vault or OpenBao.
    pub vault: EndpointReport,
    /// NATS.
    pub nats: EndpointReport,
    /// GitHub.
    pub github: GithubReport,
}

/// The kubeconfig and each context.
#[derive(Debug, Clone, Serialize)]
pub struct KubernetesReport {
    /// Whether a kubeconfig was found.
    pub configured: bool,
    /// Why the kubeconfig could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Each context.
    pub contexts: Vec<ContextReport>,
}

/// One context.
#[derive(Debug, Clone, Serialize)]
pub struct ContextReport {
    /// Its name.
    pub name: String,
    /// Whether it is the current context.
    pub current: bool,
    /// The API server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// How it authenticates (never the credential).
    pub auth: String,
    /// `ready`, `unreachable`, `forbidden`, `unauthenticated` or `invalid`.
    pub state: String,
    /// The server's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What went wrong, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The APIs the views read, installed or not (when the server answered).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub apis: Vec<ApiReport>,
    /// The kinds the user may not list and watch, everywhere or in some namespaces.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_permissions: Vec<PermissionReport>,
}

/// An API a view reads.
#[derive(Debug, Clone, Serialize)]
pub struct ApiReport {
    /// What users call it (`Flux`, `Gateway API`).
    pub name: String,
    /// Its API group.
    pub group: String,
    /// The version read, absent when the API is not installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A permission the user lacks.
#[derive(Debug, Clone, Serialize)]
pub struct PermissionReport {
    /// The kind.
    pub kind: String,
    /// Its API group, empty for the core group.
    pub group: String,
    /// The namespaces where it is denied; empty when it is denied everywhere.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// What to ask for, in words.
    pub message: String,
}

/// A server Sextant talks to.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointReport {
    /// Whether an address is configured.
    pub configured: bool,
    /// The address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Whether it answered.
    pub reachable: bool,
    /// Its version, when it said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What else is worth knowing (sealed, token present), in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// GitHub access.
#[derive(Debug, Clone, Serialize)]
pub struct GithubReport {
    /// The API base URL (`GITHUB_API_URL`, default `https://api.github.com`).
    pub api_url: String,
    /// Where a token was found (`GITHUB_TOKEN`, `gh hosts file`), never the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_source: Option<String>,
}

/// Runs every check on what `config` found, each bounded by a few seconds.
pub async fn run(config: &LiveConfig) -> DoctorReport {
    DoctorReport {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        kubernetes: kubernetes(config).await,
        vault: vault(&config.vault).await,
        nats: nats(config.nats.as_ref()).await,
        github: github(),
    }
}

async fn kubernetes(config: &LiveConfig) -> KubernetesReport {
    use sextant_adapters::cluster;
    let kubeconfig = match &config.kubeconfig {
        Ok(Some(kubeconfig)) => kubeconfig,
        Ok(None) => {
            return KubernetesReport { configured: false, error: None, contexts: Vec::new() };
        }
        Err(error) => {
            return KubernetesReport {
                configured: true,
                error: Some(error.clone()),
                contexts: Vec::new(),
            };
        }
    };
    let probes = cluster::contexts(kubeconfig).into_iter().map(|summary| async move {
        let options = WatchOptions { request_timeout: PROBE_TIMEOUT, ..WatchOptions::from_env() };
        let survey = match config.broken_contexts.get(&summary.name) {
            Some(why) => Ok(Err((ClusterState::Invalid, Some(why.clone())))),
            None => {
                tokio::time::timeout(
                    PROBE_TIMEOUT * 3,
                    watch::survey(kubeconfig, &summary.name, &options),
                )
                .await
            }
        };
        let (state, version, message, apis, missing_permissions) = match survey {
            Err(_) => (
                "unreachable",
                None,
                Some(format!("no answer within {} s", (PROBE_TIMEOUT * 3).as_secs())),
                Vec::new(),
                Vec::new(),
            ),
            Ok(Err((state, message))) => (state_name(state), None, message, Vec::new(), Vec::new()),
            Ok(Ok(survey)) => (
                "ready",
                Some(survey.version),
                None,
                survey
                    .apis
                    .into_iter()
                    .map(|api| ApiReport { name: api.name, group: api.group, version: api.version })
                    .collect(),
                survey
                    .denied
                    .into_iter()
                    .map(|kind| PermissionReport {
                        kind: kind.kind,
                        group: kind.group,
                        namespaces: kind.denied_namespaces,
                        message: kind.message.unwrap_or_default(),
                    })
                    .collect(),
            ),
        };
        ContextReport {
            name: summary.name,
            current: summary.current,
            server: summary.server,
            auth: summary.auth.to_owned(),
            state: state.to_owned(),
            version,
            message: message.map(|message| sextant_adapters::secret::redact(&message)),
            apis,
            missing_permissions,
        }
    });
    KubernetesReport {
        configured: true,
        error: (!config.unreadable_kubeconfigs.is_empty())
            .then(|| config.unreadable_kubeconfigs.join("; ")),
        contexts: futures::future::join_all(probes).await,
    }
}

/// How long each request of a context's probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

fn state_name(state: ClusterState) -> &'static str {
    match state {
        ClusterState::Connecting => "connecting",
        ClusterState::Ready => "ready",
        ClusterState::Forbidden => "forbidden",
        ClusterState::Unreachable => "unreachable",
        ClusterState::Unauthenticated => "unauthenticated",
        ClusterState::Invalid => "invalid",
    }
}

async fn vault(config: &VaultConfig) -> EndpointReport {
    let mut report = EndpointReport {
        configured: config.address.is_some(),
        address: config.address.clone(),
        reachable: false,
        version: None,
        notes: Vec::new(),
    };
    if config.address.is_none() {
        return report;
    }
    let has_token = config.token.is_some();
    report.notes.push(if has_token {
        "a token is configured".to_owned()
    } else {
        "no token: set VAULT_TOKEN or log in".to_owned()
    });
    // `sys/health` needs no token; a placeholder lets the client be built without one.
    let probe_config = VaultConfig {
        token: config.token.clone().or_else(|| Some(Secret::new("sextant-doctor-no-token"))),
        ..config.clone()
    };
    match VaultClient::new(&probe_config) {
        Err(error) => report.notes.push(error.to_string()),
        Ok(client) => match client.health().await {
            Ok(health) => {
                report.reachable = true;
                report.version = health.version;
                if health.sealed {
                    report
                        .notes
                        .push("sealed: unseal it before Sextant can read policies".to_owned());
                } else if has_token && let Err(error) = client.check_token().await {
                    report.notes.push(error.to_string());
                }
            }
            Err(error) => report.notes.push(error.to_string()),
        },
    }
    report
}

async fn nats(config: Option<&NatsConfig>) -> EndpointReport {
    let mut report = EndpointReport {
        configured: config.is_some(),
        address: config.map(|config| config.url.clone()),
        reachable: false,
        version: None,
        notes: Vec::new(),
    };
    if let Some(config) = config {
        match LatticeClient::connect(&config.url, config.credentials.as_deref(), &config.lattice)
            .await
        {
            Ok(_) => report.reachable = true,
            Err(error) => report.notes.push(error.to_string()),
        }
    }
    report
}

fn github() -> GithubReport {
    let token_source = if std::env::var("GITHUB_TOKEN").is_ok_and(|token| !token.is_empty()) {
        Some("GITHUB_TOKEN".to_owned())
    } else {
        let hosts = dirs_config().map(|config| config.join("gh/hosts.yml"));
        hosts.filter(|path| path.exists()).map(|path| format!("gh hosts file {}", path.display()))
    };
    GithubReport {
        api_url: std::env::var("GITHUB_API_URL")
            .unwrap_or_else(|_| "https://api.github.com".to_owned()),
        token_source,
    }
}

fn dirs_config() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME").map(std::path::PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|home| std::path::PathBuf::from(home).join(".config"))
    })
}
