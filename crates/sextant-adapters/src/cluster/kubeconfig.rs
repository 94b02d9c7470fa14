//! The kubeconfig, read file by file so that one broken file or entry disables only its own
//! contexts, and is named by file and field.
//!
//! kubectl merges the `KUBECONFIG` list (the first file to define a name wins) and fails as a
//! whole on one unparseable file; kube-rs's `Kubeconfig::read` does the same. Sextant merges
//! the same way, but a file that cannot be parsed is reported and skipped, and each context is
//! checked before use: a missing cluster or user, a certificate file that is not there, data
//! that is not base64, an exec plugin that is not installed. The check never prints a value.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use base64::Engine as _;
use kube::config::{AuthInfo, Cluster, Kubeconfig};

/// The merged kubeconfig, with what is wrong in it.
#[derive(Debug, Clone)]
pub struct KubeconfigRead {
    /// Every readable file, merged as kubectl merges them.
    pub kubeconfig: Kubeconfig,
    /// Context name → why it cannot be used, naming the file and the field.
    pub broken: BTreeMap<String, String>,
    /// Files that could not be read or parsed; their contexts are missing.
    pub unreadable: Vec<String>,
}

/// Where each named entry was first defined: the file and the index in its list.
#[derive(Debug, Default)]
struct Origins {
    contexts: BTreeMap<String, (PathBuf, usize)>,
    clusters: BTreeMap<String, (PathBuf, usize)>,
    users: BTreeMap<String, (PathBuf, usize)>,
}

/// The files kubectl would read: the `KUBECONFIG` list, else `~/.kube/config`.
#[must_use]
pub fn paths() -> Vec<PathBuf> {
    match std::env::var_os("KUBECONFIG").filter(|value| !value.is_empty()) {
        Some(list) => {
            std::env::split_paths(&list).filter(|path| !path.as_os_str().is_empty()).collect()
        }
        None => dirs::home_dir().map(|home| home.join(".kube/config")).into_iter().collect(),
    }
}

/// Reads and merges `paths`. `None` when none of them exists. Files that exist but cannot be
/// parsed are named in [`KubeconfigRead::unreadable`]; `Err` only when every file failed.
///
/// # Errors
/// Every existing file failed to parse: the messages, joined.
pub fn read(paths: &[PathBuf]) -> Result<Option<KubeconfigRead>, String> {
    let mut merged: Option<Kubeconfig> = None;
    let mut origins = Origins::default();
    let mut unreadable = Vec::new();
    let mut files = Vec::new();
    for path in paths.iter().filter(|path| path.exists()) {
        match Kubeconfig::read_from(path) {
            Ok(file) => {
                record(&mut origins, path, &file);
                files.push((path.clone(), file.clone()));
                merged = Some(match merged {
                    None => file,
                    Some(so_far) => match so_far.clone().merge(file) {
                        Ok(next) => next,
                        Err(error) => {
                            unreadable.push(format!("{}: {error}; fix the file", path.display()));
                            so_far
                        }
                    },
                });
            }
            Err(error) => unreadable.push(format!(
                "{}: {}; its contexts are not available until the file is fixed",
                path.display(),
                crate::secret::redact(&error.to_string())
            )),
        }
    }
    let Some(kubeconfig) = merged else {
        return if unreadable.is_empty() { Ok(None) } else { Err(unreadable.join("; ")) };
    };
    let broken = kubeconfig
        .contexts
        .iter()
        .filter_map(|named| {
            check_context(&kubeconfig, &origins, &named.name)
                .err()
                .map(|why| (named.name.clone(), why))
        })
        .collect();
    Ok(Some(KubeconfigRead { kubeconfig, broken, unreadable }))
}

fn record(origins: &mut Origins, path: &Path, file: &Kubeconfig) {
    for (index, named) in file.contexts.iter().enumerate() {
        origins.contexts.entry(named.name.clone()).or_insert_with(|| (path.to_owned(), index));
    }
    for (index, named) in file.clusters.iter().enumerate() {
        origins.clusters.entry(named.name.clone()).or_insert_with(|| (path.to_owned(), index));
    }
    for (index, named) in file.auth_infos.iter().enumerate() {
        origins.users.entry(named.name.clone()).or_insert_with(|| (path.to_owned(), index));
    }
}

/// Why `context` cannot be used, or `Ok` when nothing is visibly wrong with its entries.
fn check_context(kubeconfig: &Kubeconfig, origins: &Origins, name: &str) -> Result<(), String> {
    let (file, index) = origins.contexts.get(name).cloned().unwrap_or_default();
    let at = |field: &str| format!("{}: contexts[{index}] ({name}) field {field}", file.display());
    let context = kubeconfig
        .contexts
        .iter()
        .find(|named| named.name == name)
        .and_then(|named| named.context.as_ref())
        .ok_or_else(|| {
            format!("{} is missing; add the context's cluster and user", at("context"))
        })?;
    let cluster = kubeconfig
        .clusters
        .iter()
        .find(|named| named.name == context.cluster)
        .and_then(|named| named.cluster.as_ref())
        .ok_or_else(|| {
            format!(
                "{} names cluster \"{}\", which no kubeconfig file defines; add it under clusters",
                at("context.cluster"),
                context.cluster
            )
        })?;
    let (cluster_file, cluster_index) =
        origins.clusters.get(&context.cluster).cloned().unwrap_or_default();
    check_cluster(cluster).map_err(|(field, why)| {
        format!(
            "{}: clusters[{cluster_index}] ({}) field cluster.{field} {why}",
            cluster_file.display(),
            context.cluster
        )
    })?;
    if let Some(user_name) = &context.user {
        let user = kubeconfig
            .auth_infos
            .iter()
            .find(|named| &named.name == user_name)
            .and_then(|named| named.auth_info.as_ref())
            .ok_or_else(|| {
                format!(
                    "{} names user \"{user_name}\", which no kubeconfig file defines; add it under users",
                    at("context.user")
                )
            })?;
        let (user_file, user_index) = origins.users.get(user_name).cloned().unwrap_or_default();
        check_user(user).map_err(|(field, why)| {
            format!(
                "{}: users[{user_index}] ({user_name}) field user.{field} {why}",
                user_file.display()
            )
        })?;
    }
    Ok(())
}

type Problem = (&'static str, String);

fn check_cluster(cluster: &Cluster) -> Result<(), Problem> {
    let server = cluster.server.as_deref().ok_or(("server", "is missing".to_owned()))?;
    // A URL may carry a user name and password: they never reach a message or a log line.
    let shown = crate::git::remote::display_url;
    match reqwest::Url::parse(server) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host_str().is_some() => {}
        _ => return Err(("server", format!("\"{}\" is not an https:// URL", shown(server)))),
    }
    if let Some(proxy) = &cluster.proxy_url {
        match reqwest::Url::parse(proxy) {
            Ok(url) if matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") => {
                if let Some(password) = url.password() {
                    crate::secret::register(password);
                }
            }
            _ => {
                return Err((
                    "proxy-url",
                    format!("\"{}\" is not an http(s):// or socks5:// URL", shown(proxy)),
                ));
            }
        }
    }
    file_exists("certificate-authority", cluster.certificate_authority.as_deref())?;
    is_base64("certificate-authority-data", cluster.certificate_authority_data.as_deref())
}

fn check_user(user: &AuthInfo) -> Result<(), Problem> {
    file_exists("tokenFile", user.token_file.as_deref())?;
    file_exists("client-certificate", user.client_certificate.as_deref())?;
    file_exists("client-key", user.client_key.as_deref())?;
    is_base64("client-certificate-data", user.client_certificate_data.as_deref())?;
    is_base64(
        "client-key-data",
        user.client_key_data.as_ref().map(secrecy::ExposeSecret::expose_secret),
    )?;
    if let Some(exec) = &user.exec
        && let Some(command) = &exec.command
        && !command_exists(command)
    {
        return Err((
            "exec.command",
            format!(
                "\"{command}\" is not installed (not found on PATH); install the credential plugin"
            ),
        ));
    }
    Ok(())
}

fn file_exists(field: &'static str, path: Option<&str>) -> Result<(), Problem> {
    match path {
        Some(path) if !Path::new(path).is_file() => {
            Err((field, format!("names {path}, which does not exist")))
        }
        _ => Ok(()),
    }
}

/// Never prints the value: only that it is not base64.
fn is_base64(field: &'static str, data: Option<&str>) -> Result<(), Problem> {
    let Some(data) = data else { return Ok(()) };
    let compact: String = data.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map(drop)
        .map_err(|_| (field, "is not valid base64".to_owned()))
}

fn command_exists(command: &str) -> bool {
    if command.contains('/') {
        return Path::new(command).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(command).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_broken_file_or_entry_disables_only_its_own_contexts_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let good = write(
            dir.path(),
            "good.yaml",
            "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster: {server: 'https://10.0.0.1:6443'}\n\
             - name: lab\n  cluster: {server: 'https://10.0.0.2:6443', certificate-authority-data: 'not base64!'}\n\
             contexts:\n- name: prod\n  context: {cluster: prod, user: admin}\n- name: lab\n  context: {cluster: lab, user: admin}\n\
             - name: ghost\n  context: {cluster: nowhere, user: admin}\n- name: keyless\n  context: {cluster: prod, user: broken}\n\
             - name: plugin\n  context: {cluster: prod, user: plugin}\n\
             users:\n- name: admin\n  user: {token: abcdefghijklmnopqrstuvwxyz012345}\n\
             - name: broken\n  user: {client-certificate-data: 'TUlJQg==', client-key-data: 'c2VjcmV0LWtleS1t!YXRlcmlhbA'}\n\
             - name: plugin\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: sextant-no-such-plugin}\n",
        );
        let second = write(
            dir.path(),
            "team.yaml",
            "apiVersion: v1\nkind: Config\nclusters:\n- name: team\n  cluster: {server: 'https://10.0.0.3:6443', certificate-authority: /nonexistent/ca.crt}\n\
             contexts:\n- name: team\n  context: {cluster: team, user: admin}\n- name: prod\n  context: {cluster: team, user: admin}\nusers: []\n",
        );
        let unparseable = write(dir.path(), "broken.yaml", "apiVersion: v1\nclusters: [\n");
        let read =
            read(&[good.clone(), unparseable.clone(), second.clone(), dir.path().join("absent")])
                .unwrap()
                .unwrap();

        let names: Vec<&str> =
            read.kubeconfig.contexts.iter().map(|named| named.name.as_str()).collect();
        assert_eq!(names, ["prod", "lab", "ghost", "keyless", "plugin", "team"]);
        assert_eq!(read.unreadable.len(), 1);
        assert!(
            read.unreadable[0].starts_with(&unparseable.display().to_string()),
            "{:?}",
            read.unreadable
        );

        let good = good.display();
        let expected: BTreeMap<String, String> = [
            ("lab", format!("{good}: clusters[1] (lab) field cluster.certificate-authority-data is not valid base64")),
            ("ghost", format!("{good}: contexts[2] (ghost) field context.cluster names cluster \"nowhere\", which no kubeconfig file defines; add it under clusters")),
            ("keyless", format!("{good}: users[1] (broken) field user.client-key-data is not valid base64")),
            ("plugin", format!("{good}: users[2] (plugin) field user.exec.command \"sextant-no-such-plugin\" is not installed (not found on PATH); install the credential plugin")),
            ("team", format!("{}: clusters[0] (team) field cluster.certificate-authority names /nonexistent/ca.crt, which does not exist", second.display())),
        ]
        .into_iter()
        .map(|(name, why)| (name.to_owned(), why))
        .collect();
        assert_eq!(read.broken, expected);
        // "prod" is defined first in good.yaml and is fine: the second file's "prod" loses.
        assert!(!read.broken.contains_key("prod"));
        let everything = format!("{:?} {:?}", read.broken, read.unreadable);
        assert!(!everything.contains("c2VjcmV0"), "no key material in a message");
    }

    #[test]
    fn a_proxy_password_reaches_no_message_and_is_masked_in_logs() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            dir.path(),
            "proxied.yaml",
            "apiVersion: v1\nkind: Config\nclusters:\n\
             - name: good\n  cluster: {server: 'https://10.0.0.1:6443', proxy-url: 'http://ops:pr0xy-pa55word@10.0.0.9:3128'}\n\
             - name: bad\n  cluster: {server: 'https://10.0.0.2:6443', proxy-url: 'ftp://ops:pr0xy-pa55word@10.0.0.9:21'}\n\
             contexts:\n- name: good\n  context: {cluster: good, user: admin}\n- name: bad\n  context: {cluster: bad, user: admin}\n\
             users:\n- name: admin\n  user: {token: abcdefghijklmnopqrstuvwxyz012345}\n",
        );
        let read = read(&[file]).unwrap().unwrap();
        assert!(!read.broken.contains_key("good"), "an http proxy is fine: {:?}", read.broken);
        let why = &read.broken["bad"];
        assert!(why.contains("field cluster.proxy-url") && why.contains("10.0.0.9:21"), "{why}");
        assert!(!why.contains("pr0xy-pa55word"), "the password is not in the message: {why}");
        // The good proxy's password is registered: any error or log line that quotes it is masked.
        assert!(
            !crate::secret::redact("connecting through http://ops:pr0xy-pa55word@10.0.0.9:3128")
                .contains("pr0xy-pa55word")
        );
    }

    #[test]
    fn no_file_is_nothing_configured_and_only_broken_files_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&[dir.path().join("absent")]).unwrap().is_none());
        let broken = write(dir.path(), "broken.yaml", "clusters: {");
        let error = read(std::slice::from_ref(&broken)).unwrap_err();
        assert!(error.starts_with(&broken.display().to_string()), "{error}");
    }
}
