//! The live side of an application's drift diff, read on demand (spec §4.7): each object GET at
//! the group/version its manifest names, and the server-side-apply dry-run that predicts what
//! the controller's next apply would store (spec §4.4). Nothing here ever writes: the only
//! PATCH sent carries `dryRun=All`.
//!
//! [`LiveObjects`] is the seam: [`KubeLive`] asks an API server, [`MemoryLive`] answers from a
//! list of objects (the demo platform), so the same pipeline runs on both.

use std::future::Future;

use kube::{
    Client,
    api::{Api, DynamicObject, Patch, PatchParams},
    config::Kubeconfig,
    discovery::{ApiCapabilities, ApiResource, Discovery, Scope},
};
use serde_json::Value;
use sextant_domain::{
    drift::diff::ObjectId,
    object::{Document, KubeObject},
};

use crate::cluster::access::{self, Access};

/// What a GET found.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    /// The object, and a note when it was read at another version than the manifest names.
    Found {
        /// The live object, as the server returned it.
        object: Document,
        /// E.g. "manifest uses a removed API version".
        note: Option<String>,
    },
    /// No such object.
    Missing,
    /// The user may not read it: the message says what is missing.
    Forbidden(String),
    /// The cluster serves no such kind.
    UnknownKind(String),
}

/// What a server-side-apply dry-run answered.
#[derive(Debug, Clone, PartialEq)]
pub enum DryRun {
    /// The object as the server would store it.
    Predicted(Document),
    /// The server rejected the apply (validation, admission): its message.
    WouldFail(String),
    /// The server rejected a change to an immutable field: its message.
    RequiresRecreate(String),
    /// No dry-run: not allowed, not possible here, or the server failed. Compare locally.
    Unavailable(String),
}

/// Reads live objects for the diff.
pub trait LiveObjects: Send + Sync {
    /// The live object with `id`'s group, kind, namespace and name, read at `id.version`.
    fn get(&self, id: &ObjectId) -> impl Future<Output = Result<Fetched, String>> + Send;

    /// The CustomResourceDefinition that serves `kind` in `group`, for its schema's defaults and
    /// list keys; `None` when there is none or it may not be read.
    fn crd(&self, group: &str, kind: &str) -> impl Future<Output = Option<Document>> + Send;

    /// A server-side-apply dry-run of `object` (identified by `id`) under `manager`, forced as
    /// the controllers force it.
    fn dry_run_apply(
        &self,
        id: &ObjectId,
        object: &Document,
        manager: &str,
    ) -> impl Future<Output = DryRun> + Send;
}

/// An API server, through discovery and dynamic objects.
pub struct KubeLive {
    client: Client,
    discovery: Discovery,
}

impl KubeLive {
    /// Connects to `context` and runs discovery once.
    ///
    /// # Errors
    /// The context cannot be used, or discovery failed (with the server's message).
    pub async fn connect(kubeconfig: &Kubeconfig, context: &str) -> Result<KubeLive, String> {
        let client = crate::cluster::client_for(kubeconfig, context)
            .await
            .map_err(|error| error.to_string())?;
        let discovery = Discovery::new(client.clone())
            .run()
            .await
            .map_err(|error| format!("discovery on {context} failed: {error}"))?;
        Ok(KubeLive { client, discovery })
    }

    /// The resource for `id`: at its own version when served, else at the group's preferred
    /// version with a note.
    fn resource(
        &self,
        id: &ObjectId,
    ) -> Result<(ApiResource, ApiCapabilities, Option<String>), String> {
        let unknown = || {
            let api_version = api_version(&id.group, &id.version);
            format!("the cluster serves no {} in {api_version}", id.kind)
        };
        let group = self.discovery.get(&id.group).ok_or_else(unknown)?;
        if let Some(found) = group
            .versioned_resources(&id.version)
            .into_iter()
            .find(|(resource, _)| resource.kind == id.kind)
        {
            return Ok((found.0, found.1, None));
        }
        let (resource, capabilities) = group.recommended_kind(&id.kind).ok_or_else(unknown)?;
        let note = format!(
            "manifest uses a removed API version: {} is not served; read at {}",
            api_version(&id.group, &id.version),
            resource.api_version
        );
        Ok((resource, capabilities, Some(note)))
    }

    fn api(
        &self,
        resource: &ApiResource,
        capabilities: &ApiCapabilities,
        namespace: Option<&str>,
    ) -> Api<DynamicObject> {
        match (capabilities.scope == Scope::Namespaced, namespace) {
            (true, Some(namespace)) => {
                Api::namespaced_with(self.client.clone(), namespace, resource)
            }
            _ => Api::all_with(self.client.clone(), resource),
        }
    }
}

fn api_version(group: &str, version: &str) -> String {
    if group.is_empty() { version.to_owned() } else { format!("{group}/{version}") }
}

fn status_of(error: &kube::Error) -> Option<(u16, String)> {
    match error {
        kube::Error::Api(status) => Some((status.code, status.message.clone())),
        _ => None,
    }
}

fn to_object(object: DynamicObject, resource: &ApiResource) -> Result<Document, String> {
    let mut value = serde_json::to_value(object).map_err(|error| error.to_string())?;
    if let Some(map) = value.as_object_mut() {
        map.entry("apiVersion").or_insert_with(|| Value::String(resource.api_version.clone()));
        map.entry("kind").or_insert_with(|| Value::String(resource.kind.clone()));
    }
    Ok(Document::new(value))
}

impl LiveObjects for KubeLive {
    async fn get(&self, id: &ObjectId) -> Result<Fetched, String> {
        let (resource, capabilities, note) = match self.resource(id) {
            Ok(found) => found,
            Err(message) => return Ok(Fetched::UnknownKind(message)),
        };
        let api = self.api(&resource, &capabilities, id.namespace.as_deref());
        match api.get_opt(&id.name).await {
            Ok(Some(object)) => Ok(Fetched::Found { object: to_object(object, &resource)?, note }),
            Ok(None) => Ok(Fetched::Missing),
            Err(error) => match status_of(&error) {
                Some((403, _)) => Ok(Fetched::Forbidden(format!(
                    "unknown: you may not get {} in {}",
                    resource.plural,
                    id.namespace.as_deref().unwrap_or("the cluster scope")
                ))),
                _ => Err(format!("cannot get {id}: {error}")),
            },
        }
    }

    async fn crd(&self, group: &str, kind: &str) -> Option<Document> {
        let (resource, _) = self.discovery.get(group)?.recommended_kind(kind)?;
        let (definitions, _) = self
            .discovery
            .get("apiextensions.k8s.io")?
            .recommended_kind("CustomResourceDefinition")?;
        let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &definitions);
        let found = api.get_opt(&format!("{}.{group}", resource.plural)).await.ok()??;
        to_object(found, &definitions).ok()
    }

    async fn dry_run_apply(&self, id: &ObjectId, object: &Document, manager: &str) -> DryRun {
        let Ok((resource, capabilities, _)) = self.resource(id) else {
            return DryRun::Unavailable(format!("the cluster serves no {}", id.kind));
        };
        let namespace = id.namespace.as_deref().filter(|_| capabilities.scope == Scope::Namespaced);
        if let Access::Denied(message) =
            access::may(&self.client, &resource, namespace, "patch").await
        {
            return DryRun::Unavailable(message);
        }
        let mut body = object.value().clone();
        if let Some(metadata) = body.get_mut("metadata").and_then(Value::as_object_mut) {
            match namespace {
                Some(namespace) => {
                    metadata.insert("namespace".to_owned(), Value::String(namespace.to_owned()));
                }
                None => {
                    metadata.remove("namespace");
                }
            }
        }
        let api = self.api(&resource, &capabilities, namespace);
        let params = PatchParams::apply(manager).force().dry_run();
        match api.patch(&id.name, &params, &Patch::Apply(&body)).await {
            Ok(predicted) => match to_object(predicted, &resource) {
                Ok(predicted) => DryRun::Predicted(predicted),
                Err(message) => DryRun::Unavailable(message),
            },
            Err(error) => match status_of(&error) {
                Some((400 | 422, message)) if message.contains("immutable") => {
                    DryRun::RequiresRecreate(message)
                }
                Some((400 | 422, message)) => DryRun::WouldFail(message),
                Some((403, message)) => {
                    DryRun::Unavailable(format!("dry-run not allowed: {message}"))
                }
                _ => DryRun::Unavailable(format!("dry-run failed: {error}")),
            },
        }
    }
}

/// Live objects from a list (the demo platform): no server, so no dry-run.
pub struct MemoryLive {
    objects: Vec<KubeObject>,
}

impl MemoryLive {
    /// Answers from `objects`.
    #[must_use]
    pub fn new(objects: Vec<KubeObject>) -> MemoryLive {
        MemoryLive { objects }
    }
}

impl LiveObjects for MemoryLive {
    async fn get(&self, id: &ObjectId) -> Result<Fetched, String> {
        let found = self.objects.iter().find(|object| {
            object.group() == id.group
                && object.kind() == id.kind
                && object.name() == id.name
                && (id.namespace.is_none() || object.namespace() == id.namespace.as_deref())
        });
        Ok(found.map_or(Fetched::Missing, |object| Fetched::Found {
            object: object.to_document(),
            note: None,
        }))
    }

    async fn crd(&self, group: &str, kind: &str) -> Option<Document> {
        self.objects
            .iter()
            .find(|object| {
                object.is("apiextensions.k8s.io", "CustomResourceDefinition")
                    && object.str_at("/spec/group") == Some(group)
                    && object.str_at("/spec/names/kind") == Some(kind)
            })
            .map(KubeObject::to_document)
    }

    async fn dry_run_apply(&self, _id: &ObjectId, _object: &Document, _manager: &str) -> DryRun {
        DryRun::Unavailable("the demo platform has no API server to dry-run against".to_owned())
    }
}
