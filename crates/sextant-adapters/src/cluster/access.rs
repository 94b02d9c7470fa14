//! RBAC awareness: may the user list and watch a kind, cluster-wide or in one namespace?
//! Asked with `SelfSubjectAccessReview`, so the answer is the API server's own. One explainer,
//! reused by every view through [`sextant_domain::platform::KindStatus`].

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::{
    Client,
    api::{Api, PostParams},
    discovery::ApiResource,
};

/// The server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Both verbs are allowed.
    Allowed,
    /// A verb is denied; the reason names it.
    Denied(String),
    /// The server could not say (no authorization API, or the review failed): find out by trying.
    Unknown,
}

/// Whether the user may `list` and `watch` `resource` in `namespace` (cluster-wide for `None`).
pub async fn can_list_and_watch(
    client: &Client,
    resource: &ApiResource,
    namespace: Option<&str>,
) -> Access {
    let mut missing = Vec::new();
    for verb in ["list", "watch"] {
        match review(client, resource, namespace, verb).await {
            Some((true, _)) => {}
            Some((false, reason)) => missing.push((verb, reason)),
            None => return Access::Unknown,
        }
    }
    if missing.is_empty() {
        return Access::Allowed;
    }
    let verbs: Vec<&str> = missing.iter().map(|(verb, _)| *verb).collect();
    let scope =
        namespace.map_or_else(|| "cluster-wide".to_owned(), |namespace| format!("in {namespace}"));
    let group = super::watch::display_group(&resource.group);
    let mut message = format!(
        "you may not {} {} ({group}) {scope}: missing permission `{}` on {}",
        verbs.join(" or "),
        resource.plural,
        verbs.join("`, `"),
        resource.plural,
    );
    if let Some(reason) = missing.iter().find_map(|(_, reason)| reason.as_deref()) {
        message.push_str(" (");
        message.push_str(reason);
        message.push(')');
    }
    Access::Denied(message)
}

/// Whether the user may `verb` `resource` in `namespace` (cluster-wide for `None`), e.g. `patch`
/// before a server-side-apply dry-run.
pub async fn may(
    client: &Client,
    resource: &ApiResource,
    namespace: Option<&str>,
    verb: &str,
) -> Access {
    match review(client, resource, namespace, verb).await {
        Some((true, _)) => Access::Allowed,
        Some((false, reason)) => {
            let scope = namespace
                .map_or_else(|| "cluster-wide".to_owned(), |namespace| format!("in {namespace}"));
            let mut message = format!("you may not {verb} {} {scope}", resource.plural);
            if let Some(reason) = reason {
                message.push_str(" (");
                message.push_str(&reason);
                message.push(')');
            }
            Access::Denied(message)
        }
        None => Access::Unknown,
    }
}

async fn review(
    client: &Client,
    resource: &ApiResource,
    namespace: Option<&str>,
    verb: &str,
) -> Option<(bool, Option<String>)> {
    let request = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                group: Some(resource.group.clone()),
                resource: Some(resource.plural.clone()),
                namespace: namespace.map(str::to_owned),
                verb: Some(verb.to_owned()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let answer = api.create(&PostParams::default(), &request).await.ok()?;
    // A server that echoes the request without a status (an emulator) has not answered.
    let status = answer.status?;
    Some((status.allowed, status.reason.filter(|reason| !reason.is_empty())))
}
