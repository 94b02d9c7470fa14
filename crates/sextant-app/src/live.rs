//! The live source: every kubeconfig context watched at once, Vault and the lattice read once.
//!
//! The first answer waits briefly for the initial lists (so a small cluster paints complete);
//! a large one paints what it has, with each kind's progress, and fills in as the lists finish.
//! Changes to the caches are coalesced and refresh the platform at most twice a second.

use std::{sync::Arc, time::Duration};

use sextant_adapters::{
    cluster::watch::{ClusterWatch, WatchOptions},
    nats::LatticeClient,
    vault::VaultClient,
};
use sextant_domain::platform::{ClusterSnapshot, Platform};
use tokio::task::JoinHandle;

use crate::{Cockpit, LiveConfig};

/// How long the first answer waits for the initial lists.
const FIRST_PAINT_WAIT: Duration = Duration::from_secs(3);
/// Cache changes within this window become one refresh.
const COALESCE: Duration = Duration::from_millis(500);

/// The watched clusters of the live source. Dropping it stops every watch.
pub(crate) struct LiveClusters {
    watches: Arc<Vec<ClusterWatch>>,
    follower: Option<JoinHandle<()>>,
}

impl Drop for LiveClusters {
    fn drop(&mut self) {
        if let Some(follower) = self.follower.take() {
            follower.abort();
        }
    }
}

impl LiveClusters {
    /// The watches, to snapshot without holding the cockpit's state lock.
    pub(crate) fn watches(&self) -> Arc<Vec<ClusterWatch>> {
        Arc::clone(&self.watches)
    }

    /// Refreshes `cockpit` whenever a cache changes, until dropped.
    pub(crate) fn follow(&mut self, cockpit: Cockpit) {
        let mut receivers: Vec<_> = self.watches.iter().map(ClusterWatch::changes).collect();
        if receivers.is_empty() {
            return;
        }
        self.follower = Some(tokio::spawn(async move {
            loop {
                let changed = receivers.iter_mut().map(|receiver| Box::pin(receiver.changed()));
                let (result, _, _) = futures::future::select_all(changed).await;
                if result.is_err() {
                    return;
                }
                tokio::time::sleep(COALESCE).await;
                for receiver in &mut receivers {
                    receiver.borrow_and_update();
                }
                cockpit.refresh_clusters();
                cockpit.announce();
            }
        }));
    }
}

/// Every cluster's current snapshot.
pub(crate) fn snapshots(watches: &[ClusterWatch]) -> Vec<ClusterSnapshot> {
    watches.iter().map(ClusterWatch::snapshot).collect()
}

/// Starts watching every context and reads Vault and the lattice; each failure is a problem on
/// the platform or a cluster's state, never a crash.
pub(crate) async fn load(config: &LiveConfig) -> (Platform, Option<LiveClusters>) {
    let mut platform = Platform { name: "Live".to_owned(), ..Platform::default() };
    let mut live = None;
    match &config.kubeconfig {
        Ok(Some(kubeconfig)) => {
            let options = WatchOptions::from_env();
            let watches: Vec<ClusterWatch> = kubeconfig
                .contexts
                .iter()
                .map(|named| match config.broken_contexts.get(&named.name) {
                    Some(why) => ClusterWatch::broken(&named.name, why),
                    None => ClusterWatch::start(kubeconfig, &named.name, options.clone()),
                })
                .collect();
            let (_, others) = tokio::join!(
                futures::future::join_all(
                    watches.iter().map(|watch| watch.wait_settled(FIRST_PAINT_WAIT))
                ),
                read_others(config),
            );
            (platform.vault, platform.lattice, platform.problems) = others;
            platform.problems.extend(config.unreadable_kubeconfigs.iter().cloned());
            platform.clusters = snapshots(&watches);
            let clusters = LiveClusters { watches: Arc::new(watches), follower: None };
            live = Some(clusters);
        }
        Ok(None) => {
            (platform.vault, platform.lattice, platform.problems) = read_others(config).await;
        }
        Err(error) => {
            (platform.vault, platform.lattice, platform.problems) = read_others(config).await;
            platform.problems.push(format!("{error}; fix the file or unset KUBECONFIG"));
        }
    }
    (platform, live)
}

type Others = (
    Option<sextant_domain::vault::VaultSnapshot>,
    Option<sextant_domain::wasmcloud::LatticeSnapshot>,
    Vec<String>,
);

async fn read_others(config: &LiveConfig) -> Others {
    let mut problems = Vec::new();
    let mut vault = None;
    let mut lattice = None;
    if config.vault.address.is_some() {
        match VaultClient::new(&config.vault) {
            Ok(client) => match client.snapshot().await {
                Ok(snapshot) => vault = Some(snapshot),
                Err(error) => problems.push(error.to_string()),
            },
            Err(error) => problems.push(error.to_string()),
        }
    }
    if let Some(nats) = &config.nats {
        match LatticeClient::connect(&nats.url, nats.credentials.as_deref(), &nats.lattice).await {
            Ok(client) => match client.snapshot().await {
                Ok(snapshot) => lattice = Some(snapshot),
                Err(error) => problems.push(error.to_string()),
            },
            Err(error) => problems.push(error.to_string()),
        }
    }
    (vault, lattice, problems)
}
