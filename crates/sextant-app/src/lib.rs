//! Sextant's use cases: the single surface that the CLI, `sextant serve` and the desktop shell
//! all call, so no frontend holds logic of its own (GitButler's `but-api`).
//!
//! [`Cockpit`] is the root handle: cheap to clone, it owns the active source (the demo platform
//! or live data) and answers every [`sextant_protocol::Command`] through [`Handle`]. Domain
//! results become protocol DTOs only in [`to_protocol`], with free functions.
//!
//! **Architecture invariant:** the app depends on the domain, the adapters and the protocol, and
//! never on tauri, clap or leptos. Credentials stay in adapter types; nothing here serializes one.

pub mod analyze;
pub mod doctor;
pub mod drift_pipeline;
mod gateway_view;
mod handlers;
mod live;
pub mod serve;
pub mod telemetry;
pub mod to_protocol;
pub mod vault_access;

pub use sextant_adapters::secret::redact;

use std::sync::{Arc, RwLock};

use kube::config::Kubeconfig;
use sextant_adapters::{cluster, vault::VaultConfig};
use sextant_domain::platform::Platform;
use sextant_protocol::{Command, CommandError, Event, EventEnvelope, session::SourceChanged};
use tokio::sync::broadcast;

/// Answers one command. Every command type has an implementation on [`Cockpit`]; the serve
/// router and the desktop shell's handlers call it.
pub trait Handle<C: Command> {
    /// Answers `request`.
    fn handle(&self, request: C) -> impl Future<Output = Result<C::Response, CommandError>> + Send;
}

/// Which data the views show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The built-in demo platform.
    Demo,
    /// The user's configured clusters, Vault and NATS.
    Live,
}

impl Source {
    /// The protocol's id for it.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Source::Demo => "demo",
            Source::Live => "live",
        }
    }
}

/// The root handle. Clones share state.
#[derive(Clone)]
pub struct Cockpit {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<State>,
    events: broadcast::Sender<EventEnvelope>,
    live: LiveConfig,
    /// The Routes view's traffic graph per cluster selection (`None`: every cluster), with the
    /// fingerprint of the objects it was built from: kept across platform versions while they
    /// do not change.
    traffic: std::sync::Mutex<std::collections::HashMap<Option<String>, (u64, TrafficCell)>>,
}

struct State {
    source: Source,
    platform: Arc<Platform>,
    /// The live clusters' watched caches, while the live source is active.
    live: Option<live::LiveClusters>,
    /// Answers computed from `platform`, kept until it changes.
    derived: Arc<Derived>,
}

/// Answers that cost a pass over every object, computed once per platform version: the
/// overview and the search index are asked for again and again between changes.
#[derive(Default)]
pub(crate) struct Derived {
    pub(crate) overview: std::sync::OnceLock<sextant_protocol::overview::Overview>,
    pub(crate) search: std::sync::OnceLock<sextant_domain::search::SearchIndex>,
}

/// The traffic graph of one cluster selection, once built.
pub(crate) type TrafficCell = Arc<tokio::sync::OnceCell<Arc<gateway_view::TrafficIndex>>>;

/// What live sources are configured, read once from the environment and the usual files.
/// Loading live data uses exactly this, so the kubeconfig and the environment are read once.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The merged kubeconfig, none at all, or why it could not be read.
    pub kubeconfig: Result<Option<Kubeconfig>, String>,
    /// Contexts that cannot be used, with why (naming the file and the field).
    pub broken_contexts: std::collections::BTreeMap<String, String>,
    /// Kubeconfig files that could not be parsed; the others are used.
    pub unreadable_kubeconfigs: Vec<String>,
    /// Vault or OpenBao, from `VAULT_*`/`BAO_*` and `~/.vault-token`.
    pub vault: VaultConfig,
    /// The NATS lattice, when a server is set.
    pub nats: Option<NatsConfig>,
}

/// Where the wasmCloud lattice is.
#[derive(Debug, Clone)]
pub struct NatsConfig {
    /// `SEXTANT_NATS_URL` or `NATS_URL`.
    pub url: String,
    /// `SEXTANT_NATS_CREDS`: a `.creds` file.
    pub credentials: Option<std::path::PathBuf>,
    /// `SEXTANT_LATTICE`, `default` when unset.
    pub lattice: String,
}

impl Default for State {
    fn default() -> Self {
        State {
            source: Source::Demo,
            platform: Arc::new(Platform::default()),
            live: None,
            derived: Arc::default(),
        }
    }
}

impl LiveConfig {
    /// Reads what is configured, without contacting anything.
    #[must_use]
    pub fn detect() -> LiveConfig {
        let nats = std::env::var("SEXTANT_NATS_URL")
            .or_else(|_| std::env::var("NATS_URL"))
            .ok()
            .filter(|url| !url.is_empty())
            .map(|url| NatsConfig {
                url,
                credentials: std::env::var_os("SEXTANT_NATS_CREDS").map(std::path::PathBuf::from),
                lattice: std::env::var("SEXTANT_LATTICE").unwrap_or_else(|_| "default".to_owned()),
            });
        let (kubeconfig, broken_contexts, unreadable_kubeconfigs) = match cluster::read_kubeconfig()
        {
            Ok(Some(read)) => (Ok(Some(read.kubeconfig)), read.broken, read.unreadable),
            Ok(None) => (Ok(None), std::collections::BTreeMap::new(), Vec::new()),
            Err(error) => (Err(error.to_string()), std::collections::BTreeMap::new(), Vec::new()),
        };
        LiveConfig {
            kubeconfig,
            broken_contexts,
            unreadable_kubeconfigs,
            vault: VaultConfig::from_env(),
            nats,
        }
    }

    /// The kubeconfig's context names (none when there is no kubeconfig or it is broken).
    #[must_use]
    pub fn context_names(&self) -> Vec<String> {
        match &self.kubeconfig {
            Ok(Some(kubeconfig)) => {
                kubeconfig.contexts.iter().map(|named| named.name.clone()).collect()
            }
            Ok(None) | Err(_) => Vec::new(),
        }
    }

    /// Whether anything live is configured. "Nothing configured" means no kubeconfig context,
    /// no Vault address and no NATS server: the cockpit then opens on the demo. A broken
    /// kubeconfig counts as configured, so its error is shown rather than hidden by the demo.
    #[must_use]
    pub fn is_configured(&self) -> bool {
        self.kubeconfig.is_err()
            || !self.context_names().is_empty()
            || self.vault.address.is_some()
            || self.nats.is_some()
    }
}

impl Cockpit {
    /// A cockpit on `source` (the demo when `None` and nothing live is configured).
    pub async fn start(source: Option<Source>) -> Cockpit {
        Cockpit::start_with(LiveConfig::detect(), source).await
    }

    /// A cockpit on `source` with `live` as the live configuration (tests, embedders).
    pub async fn start_with(live: LiveConfig, source: Option<Source>) -> Cockpit {
        let source =
            source.unwrap_or(if live.is_configured() { Source::Live } else { Source::Demo });
        // Room for a burst of progress events before a slow listener lags.
        let (events, _) = broadcast::channel(64);
        let cockpit = Cockpit {
            inner: Arc::new(Inner {
                state: RwLock::new(State::default()),
                events,
                live,
                traffic: std::sync::Mutex::default(),
            }),
        };
        cockpit.switch(source).await;
        cockpit
    }

    /// The platform the views show now.
    #[must_use]
    pub fn platform(&self) -> Arc<Platform> {
        Arc::clone(&self.read_state().platform)
    }

    /// The platform and the answers already derived from it.
    pub(crate) fn platform_and_derived(&self) -> (Arc<Platform>, Arc<Derived>) {
        let state = self.read_state();
        (Arc::clone(&state.platform), Arc::clone(&state.derived))
    }

    /// The active source.
    #[must_use]
    pub fn source(&self) -> Source {
        self.read_state().source
    }

    /// What live sources are configured.
    #[must_use]
    pub fn live_config(&self) -> &LiveConfig {
        &self.inner.live
    }

    /// Loads `source` and makes it active, then tells every listener. Live clusters are
    /// watched from then on: each change to their caches refreshes the platform and tells the
    /// listeners again.
    pub async fn switch(&self, source: Source) {
        // Stop the previous source's watches first, so they cannot overwrite the new one.
        self.write_state().live = None;
        // The other source's traffic graphs would only be rebuilt, never used again.
        self.inner.traffic.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
        let (platform, live) = match source {
            Source::Demo => (sextant_adapters::demo::load(), None),
            Source::Live => {
                let (platform, clusters) = live::load(&self.inner.live).await;
                (platform, clusters)
            }
        };
        {
            let mut state = self.write_state();
            *state = State { source, platform: Arc::new(platform), live, derived: Arc::default() };
        }
        if let Some(live) = &mut self.write_state().live {
            live.follow(self.clone());
        }
        self.announce();
    }

    /// Replaces the live platform's clusters with their caches' current snapshots.
    fn refresh_clusters(&self) {
        let Some(watches) = self.read_state().live.as_ref().map(live::LiveClusters::watches) else {
            return;
        };
        // Copied out of the caches without holding the state lock: readers are never blocked.
        let clusters = live::snapshots(&watches);
        let mut state = self.write_state();
        // The source may have been switched meanwhile: never write another session's clusters.
        if !state.live.as_ref().is_some_and(|live| Arc::ptr_eq(&live.watches(), &watches)) {
            return;
        }
        // Everything but the clusters is kept; the old clusters are not copied.
        let old = &state.platform;
        let platform = Platform {
            name: old.name.clone(),
            description: old.description.clone(),
            clusters,
            vault: old.vault.clone(),
            lattice: old.lattice.clone(),
            repositories: old.repositories.clone(),
            problems: old.problems.clone(),
            as_of: old.as_of,
        };
        state.platform = Arc::new(platform);
        state.derived = Arc::default();
    }

    /// Tells every listener that the data changed.
    fn announce(&self) {
        self.emit(&SourceChanged { session: handlers::session(self) });
    }

    /// Pushes `event` to every listener.
    pub(crate) fn emit<E: Event>(&self, event: &E) {
        let payload = serde_json::to_value(event).unwrap_or_default();
        // Nobody listening is fine: there may be no open window yet.
        let _ = self.inner.events.send(EventEnvelope { name: E::NAME.to_owned(), payload });
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.inner.state.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Events for the UI, in order.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<EventEnvelope> {
        self.inner.events.subscribe()
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.inner.state.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
