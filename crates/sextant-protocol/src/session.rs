//! Which data the cockpit shows: the built-in demo platform or live sources.

use serde::{Deserialize, Serialize};

use crate::{Command, Event};

/// Asks for the current session: the active source and the ones that can be chosen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetSession {}

impl Command for GetSession {
    const NAME: &'static str = "get_session";
    type Response = Session;
}

/// Switches the cockpit to another source. The answer is the new session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectSource {
    /// A [`SourceInfo::id`] from [`Session::sources`].
    pub source: String,
}

impl Command for SelectSource {
    const NAME: &'static str = "select_source";
    type Response = Session;
}

/// What the cockpit is connected to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Sextant's version.
    pub version: String,
    /// The [`SourceInfo::id`] of the source the views show.
    pub active: String,
    /// Every source that can be chosen: the demo platform first, then kubeconfig contexts.
    pub sources: Vec<SourceInfo>,
}

impl Session {
    /// The active source's description.
    #[must_use]
    pub fn active_source(&self) -> Option<&SourceInfo> {
        self.sources.iter().find(|source| source.id == self.active)
    }
}

/// One choosable source of data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// A stable identifier: `demo`, or `live`.
    pub id: String,
    /// What the switcher shows.
    pub label: String,
    /// Whether this is the demo or live data.
    pub kind: SourceKind,
    /// A line of detail: the kubeconfig file, the Vault address, the NATS server. Never a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The kind of a [`SourceInfo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The built-in demo platform, loaded from files through the same adapters as live data.
    Demo,
    /// The user's configured clusters, Vault and NATS.
    Live,
}

/// Pushed when the active source changed, so every open view reloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceChanged {
    /// The new session.
    pub session: Session,
}

impl Event for SourceChanged {
    const NAME: &'static str = "session/source-changed";
}
