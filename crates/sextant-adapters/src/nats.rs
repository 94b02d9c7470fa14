//! The wasmCloud v1 lattice over NATS: the control interface (`wasmbus.ctl.v1.<lattice>.*`).
//!
//! Requests follow `shared/specs/wasmcloud.md`: `host.ping` is a scatter/gather request whose
//! replies are collected until a quiet period passes; `host.get.<id>` and `link.get` are plain
//! requests. Every reply is an envelope `{success, message, response}`, parsed by
//! [`parse_ctl_reply`] for live traffic and recorded traffic alike.

use std::time::Duration;

use futures::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sextant_domain::wasmcloud::{HostInventory, LatticeSnapshot, Link};

/// How the lattice could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The NATS server could not be reached.
    #[error(
        "cannot connect to NATS at {url}: {source}; check that the server runs and the URL is right"
    )]
    ConnectFailed {
        /// The server URL.
        url: String,
        /// The cause.
        #[source]
        source: async_nats::ConnectError,
    },
    /// The credentials file could not be read.
    #[error("cannot read the NATS credentials file {path}: {source}")]
    CredentialsUnreadable {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A request got no answer in time.
    #[error(
        "no answer on {subject} within {timeout:?}; is a wasmCloud host running in lattice {lattice}?"
    )]
    RequestTimedOut {
        /// The subject.
        subject: String,
        /// The lattice.
        lattice: String,
        /// How long we waited.
        timeout: Duration,
    },
    /// A request failed at the NATS level (the connection dropped, no responders).
    #[error("request on {subject} failed: {message}")]
    RequestFailed {
        /// The subject.
        subject: String,
        /// NATS's description.
        message: String,
    },
    /// A reply was not the JSON the control interface sends.
    #[error("malformed control-interface reply: {0}")]
    MalformedReply(String),
    /// The host answered `success: false`.
    #[error("the host refused: {0}")]
    Refused(String),
}

/// The module's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Splits `wasmbus.ctl.v1.<lattice>.<operation>` into the lattice and the operation.
#[must_use]
pub fn split_ctl_subject(subject: &str) -> Option<(&str, &str)> {
    let rest = subject.strip_prefix("wasmbus.ctl.v1.")?;
    rest.split_once('.')
}

/// The `response` of a control-interface reply envelope, or why there is none.
pub fn parse_ctl_reply<T: DeserializeOwned>(reply: &Value) -> Result<T> {
    match reply.get("success").and_then(Value::as_bool) {
        Some(true) => {}
        Some(false) => {
            let message = reply.get("message").and_then(Value::as_str).unwrap_or("no message");
            return Err(Error::Refused(message.to_owned()));
        }
        None => return Err(Error::MalformedReply("no `success` field".to_owned())),
    }
    let response = reply.get("response").cloned().unwrap_or(Value::Null);
    serde_json::from_value(response).map_err(|error| Error::MalformedReply(error.to_string()))
}

/// A connection to one lattice.
#[derive(Debug, Clone)]
pub struct LatticeClient {
    client: async_nats::Client,
    lattice: String,
    timeout: Duration,
}

impl LatticeClient {
    /// Connects to `url` (with an optional `.creds` file) for `lattice`.
    pub async fn connect(
        url: &str,
        credentials: Option<&std::path::Path>,
        lattice: &str,
    ) -> Result<Self> {
        let mut options = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(3))
            .name("sextant");
        if let Some(path) = credentials {
            // The file is read here and never logged; async-nats keeps the seed in memory.
            let text = std::fs::read_to_string(path).map_err(|source| {
                Error::CredentialsUnreadable { path: path.display().to_string(), source }
            })?;
            for line in text.lines().filter(|line| !line.starts_with("---") && line.len() > 20) {
                crate::secret::register(line);
            }
            options = options.credentials(&text).map_err(|source| {
                Error::CredentialsUnreadable { path: path.display().to_string(), source }
            })?;
        }
        let client = options
            .connect(url)
            .await
            .map_err(|source| Error::ConnectFailed { url: url.to_owned(), source })?;
        Ok(LatticeClient { client, lattice: lattice.to_owned(), timeout: Duration::from_secs(2) })
    }

    fn subject(&self, operation: &str) -> String {
        format!("wasmbus.ctl.v1.{}.{operation}", self.lattice)
    }

    async fn request<T: DeserializeOwned>(&self, operation: &str) -> Result<T> {
        let subject = self.subject(operation);
        let reply = tokio::time::timeout(
            self.timeout,
            self.client.request(subject.clone(), Vec::new().into()),
        )
        .await
        .map_err(|_| Error::RequestTimedOut {
            subject: subject.clone(),
            lattice: self.lattice.clone(),
            timeout: self.timeout,
        })?
        .map_err(|error| Error::RequestFailed {
            subject: subject.clone(),
            message: error.to_string(),
        })?;
        let value: Value = serde_json::from_slice(&reply.payload)
            .map_err(|error| Error::MalformedReply(error.to_string()))?;
        parse_ctl_reply(&value)
    }

    /// The ids of every host that answers `host.ping` before replies stop for a quiet period.
    pub async fn ping_hosts(&self) -> Result<Vec<String>> {
        let subject = self.subject("host.ping");
        let inbox = self.client.new_inbox();
        let mut replies = self.client.subscribe(inbox.clone()).await.map_err(|error| {
            Error::RequestFailed { subject: subject.clone(), message: error.to_string() }
        })?;
        self.client.publish_with_reply(subject.clone(), inbox, Vec::new().into()).await.map_err(
            |error| Error::RequestFailed { subject: subject.clone(), message: error.to_string() },
        )?;
        let mut hosts = Vec::new();
        // Gather until no reply arrives for the quiet period (the first may take longer).
        let mut wait = self.timeout;
        while let Ok(Some(message)) = tokio::time::timeout(wait, replies.next()).await {
            wait = Duration::from_millis(300);
            let value: Value = serde_json::from_slice(&message.payload)
                .map_err(|error| Error::MalformedReply(error.to_string()))?;
            let response: Value = parse_ctl_reply(&value)?;
            if let Some(id) = response.get("id").and_then(Value::as_str) {
                hosts.push(id.to_owned());
            }
        }
        Ok(hosts)
    }

    /// Every host's inventory and every link.
    pub async fn snapshot(&self) -> Result<LatticeSnapshot> {
        let mut hosts = Vec::new();
        for id in self.ping_hosts().await? {
            hosts.push(self.request::<HostInventory>(&format!("host.get.{id}")).await?);
        }
        let links = self.request::<Vec<Link>>("link.get").await?;
        Ok(LatticeSnapshot { lattice: self.lattice.clone(), hosts, links })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reply_envelopes_are_unwrapped_or_refused() {
        let links: Vec<Link> =
            parse_ctl_reply(&json!({"success": true, "message": "", "response": []})).unwrap();
        assert!(links.is_empty());
        let refused =
            parse_ctl_reply::<Vec<Link>>(&json!({"success": false, "message": "link not found"}));
        assert!(matches!(refused, Err(Error::Refused(message)) if message == "link not found"));
        assert_eq!(
            split_ctl_subject("wasmbus.ctl.v1.default.host.get.N1"),
            Some(("default", "host.get.N1"))
        );
    }
}
