//! `git::remote` against real repositories the test creates with the `git` CLI: a clone over
//! `file://` with its progress, a fetch that moves the head, trees exported at a tag and at an
//! older commit, the commits that touched a path, a local path opened in place, and clones over
//! HTTP from `git http-backend` behind a small server in this file, with and without credentials.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
};

use sextant_adapters::git::remote::{self, Error, Progress};

/// Runs `git` in `dir` with a fixed identity and dates, isolated from the user's configuration.
fn git(dir: &Path, args: &[&str], date: i64) -> String {
    let date = format!("{date} +0000");
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Operator")
        .env("GIT_AUTHOR_EMAIL", "ada@northwind.example")
        .env("GIT_COMMITTER_NAME", "Ada Operator")
        .env("GIT_COMMITTER_EMAIL", "ada@northwind.example")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

/// The fixture's history, commit by commit.
struct Fleet {
    work: PathBuf,
    /// Adds the storefront's deployment and kustomization and a README; tagged `v1` (annotated).
    c1: String,
    /// Changes the deployment, adds a service and a symbolic link; tagged `v2`.
    c2: String,
    /// Changes the README only.
    c3: String,
}

const DEPLOYMENT_V1: &str =
    "kind: Deployment\nmetadata:\n  name: storefront\nspec:\n  replicas: 2\n";
const DEPLOYMENT_V2: &str =
    "kind: Deployment\nmetadata:\n  name: storefront\nspec:\n  replicas: 3\n";
const DEPLOYMENT_V4: &str =
    "kind: Deployment\nmetadata:\n  name: storefront\nspec:\n  replicas: 4\n";
const KUSTOMIZATION: &str = "resources:\n  - deployment.yaml\n";
const SERVICE: &str = "kind: Service\nmetadata:\n  name: storefront\n";

fn fleet(root: &Path) -> Fleet {
    let work = root.join("fleet");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"], 0);
    write(&work, "README.md", "Northwind fleet\n");
    write(&work, "apps/storefront/deployment.yaml", DEPLOYMENT_V1);
    write(&work, "apps/storefront/kustomization.yaml", KUSTOMIZATION);
    git(&work, &["add", "-A"], 0);
    git(&work, &["commit", "-q", "-m", "storefront: first release"], 1_790_000_000);
    git(&work, &["tag", "-a", "v1", "-m", "release v1"], 1_790_000_000);
    let c1 = git(&work, &["rev-parse", "HEAD"], 0);
    write(&work, "apps/storefront/deployment.yaml", DEPLOYMENT_V2);
    write(&work, "apps/storefront/service.yaml", SERVICE);
    std::os::unix::fs::symlink("../../README.md", work.join("apps/storefront/readme-link"))
        .unwrap();
    git(&work, &["add", "-A"], 0);
    git(&work, &["commit", "-q", "-m", "storefront: three replicas and a service"], 1_790_000_100);
    git(&work, &["tag", "v2"], 0);
    let c2 = git(&work, &["rev-parse", "HEAD"], 0);
    write(&work, "README.md", "Northwind fleet, see apps/\n");
    git(&work, &["commit", "-q", "-am", "readme: point at apps"], 1_790_000_200);
    let c3 = git(&work, &["rev-parse", "HEAD"], 0);
    Fleet { work, c1, c2, c3 }
}

/// Every file under `dir` with its content, by relative path.
fn files_in(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn owned(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files.iter().map(|(path, text)| ((*path).to_owned(), (*text).to_owned())).collect()
}

#[test]
fn a_file_url_is_cloned_with_progress_fetched_exported_and_logged() {
    let scratch = tempfile::tempdir().unwrap();
    let fleet = fleet(scratch.path());
    let cache = scratch.path().join("cache");
    let url = format!("file://{}", fleet.work.display());
    // What the clone must receive: every object reachable from a branch or tag.
    let objects = git(&fleet.work, &["rev-list", "--objects", "--all"], 0).lines().count() as u64;
    assert_eq!(objects, 18, "3 commits, 1 tag object, 7 trees and 7 blobs (with the link)");

    let mut events: Vec<Progress> = Vec::new();
    let synced = remote::sync(&url, &cache, &mut |event| events.push(event)).unwrap();
    assert_eq!(synced.head, fleet.c3);
    assert!(synced.path.starts_with(&cache));
    assert!(!events.is_empty(), "progress was reported");
    // gix's own stages, each with where it ended.
    let indexing = events.iter().find(|event| event.stage.ends_with("› indexing")).unwrap();
    assert_eq!((indexing.done, indexing.total), (objects, Some(objects)), "events: {events:?}");
    assert!(events.iter().any(|event| event.stage.ends_with("› Resolving")), "events: {events:?}");
    let last = events.last().unwrap();
    assert_eq!(last.stage, "received objects");
    assert_eq!((last.done, last.total), (objects, Some(objects)), "events: {events:?}");

    // A new commit upstream: the next sync fetches it and the head moves.
    write(&fleet.work, "apps/storefront/deployment.yaml", DEPLOYMENT_V4);
    git(&fleet.work, &["commit", "-q", "-am", "storefront: four replicas"], 1_790_000_300);
    let c4 = git(&fleet.work, &["rev-parse", "HEAD"], 0);
    let mut fetch_events = Vec::new();
    let fetched = remote::sync(&url, &cache, &mut |event| fetch_events.push(event)).unwrap();
    assert_eq!(fetched.path, synced.path, "the same cache directory");
    assert_eq!(fetched.head, c4);
    // The new commit, its root tree, the apps and storefront trees, and the new deployment blob.
    // The server sends those 5; gix then completes the thin pack with the local bases its deltas
    // refer to, so the index may hold more.
    let indexing = |events: &[Progress]| {
        events.iter().find(|event| event.stage.ends_with("› indexing")).map(|event| event.total)
    };
    assert_eq!(indexing(&fetch_events), Some(Some(5)), "events: {fetch_events:?}");
    assert!(fetch_events.last().unwrap().done >= 5, "events: {fetch_events:?}");

    // The tree at the annotated tag v1, below the app's folder.
    let at_v1 = scratch.path().join("v1");
    let id = remote::export_tree(&fetched.path, "v1", "apps/storefront", &at_v1).unwrap();
    assert_eq!(id, fleet.c1, "the tag peels to its commit");
    assert_eq!(
        files_in(&at_v1),
        owned(&[("deployment.yaml", DEPLOYMENT_V1), ("kustomization.yaml", KUSTOMIZATION)])
    );
    // At an older commit named by its id: the symbolic link is skipped.
    let at_second = scratch.path().join("c2");
    assert_eq!(
        remote::export_tree(&fetched.path, &fleet.c2, "apps/storefront/", &at_second).unwrap(),
        fleet.c2
    );
    assert_eq!(
        files_in(&at_second),
        owned(&[
            ("deployment.yaml", DEPLOYMENT_V2),
            ("kustomization.yaml", KUSTOMIZATION),
            ("service.yaml", SERVICE),
        ])
    );
    // The whole tree of the branch.
    let at_main = scratch.path().join("main");
    assert_eq!(remote::export_tree(&fetched.path, "main", "", &at_main).unwrap(), c4);
    assert_eq!(
        files_in(&at_main),
        owned(&[
            ("README.md", "Northwind fleet, see apps/\n"),
            ("apps/storefront/deployment.yaml", DEPLOYMENT_V4),
            ("apps/storefront/kustomization.yaml", KUSTOMIZATION),
            ("apps/storefront/service.yaml", SERVICE),
        ])
    );
    // Errors name what was asked.
    let error =
        remote::export_tree(&fetched.path, "v9", "", &scratch.path().join("v9")).unwrap_err();
    assert!(matches!(error, Error::RevisionNotFound { .. }), "{error}");
    assert!(error.to_string().contains("`v9`"), "{error}");
    let error =
        remote::export_tree(&fetched.path, "v1", "apps/checkout", &scratch.path().join("x"))
            .unwrap_err();
    assert!(matches!(error, Error::PathNotFound { .. }), "{error}");
    assert!(error.to_string().contains("apps/checkout"), "{error}");
    let error = remote::export_tree(&fetched.path, "v1", "", &at_v1).unwrap_err();
    assert!(matches!(error, Error::DestinationNotEmpty { .. }), "{error}");

    // The commits that touched a folder, a file, and the limit.
    let ids = |commits: Vec<remote::CommitSummary>| -> Vec<String> {
        commits.into_iter().map(|commit| commit.id).collect()
    };
    assert_eq!(
        ids(remote::log_path(&fetched.path, "main", "apps/storefront", 10).unwrap()),
        [c4.clone(), fleet.c2.clone(), fleet.c1.clone()]
    );
    assert_eq!(
        ids(remote::log_path(&fetched.path, "main", "README.md", 10).unwrap()),
        [fleet.c3.clone(), fleet.c1.clone()]
    );
    assert_eq!(
        ids(remote::log_path(&fetched.path, "main", "apps/storefront/service.yaml", 10).unwrap()),
        std::slice::from_ref(&fleet.c2)
    );
    assert_eq!(
        ids(remote::log_path(&fetched.path, "v2", "apps/storefront", 1).unwrap()),
        std::slice::from_ref(&fleet.c2)
    );
    let newest = &remote::log_path(&fetched.path, "main", "apps", 1).unwrap()[0];
    assert_eq!(newest.author, "Ada Operator");
    assert_eq!(newest.email, "ada@northwind.example");
    assert_eq!(newest.time, 1_790_000_300);
    assert_eq!(newest.summary, "storefront: four replicas");
}

#[test]
fn a_plain_path_is_opened_in_place() {
    let scratch = tempfile::tempdir().unwrap();
    let fleet = fleet(scratch.path());
    let cache = scratch.path().join("cache");
    let synced = remote::sync(fleet.work.to_str().unwrap(), &cache, &mut |_| {
        panic!("no clone, no progress")
    })
    .unwrap();
    assert_eq!(synced.head, fleet.c3);
    assert_eq!(synced.path, fleet.work.join(".git"));
    assert!(!cache.exists(), "nothing was cloned");
}

#[test]
fn credentials_never_appear_in_errors() {
    let cache = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let error = remote::sync(
        "https://ada:tok-unreachable-4242@127.0.0.1:1/fleet.git",
        cache.path(),
        &mut |_| {},
    )
    .unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(!message.contains("tok-unreachable-4242"), "{message}");
    assert!(message.contains("https://127.0.0.1:1/fleet.git"), "{message}");

    let error = remote::sync("ext::sh -c evil", cache.path(), &mut |_| {}).unwrap_err();
    assert!(matches!(error, Error::InvalidUrl { .. }), "{error}");
}

// --- HTTP: `git http-backend` behind a tiny server ------------------------------------------

/// A smart-HTTP Git server: each connection's one request goes to `git http-backend` as CGI.
struct GitHttpServer {
    port: u16,
    /// Each request's `Authorization` header, if any.
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

impl GitHttpServer {
    /// Serves the bare repositories under `root`; with `basic`, only to that `user:password`.
    fn start(root: PathBuf, basic: Option<&str>) -> GitHttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let expected = basic.map(|credentials| format!("Basic {}", base64(credentials.as_bytes())));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let root = root.clone();
                let expected = expected.clone();
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &root, expected.as_deref(), &log));
            }
        });
        GitHttpServer { port, seen }
    }
}

fn serve(
    mut stream: TcpStream,
    root: &Path,
    expected: Option<&str>,
    log: &Mutex<Vec<Option<String>>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap() == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap().to_owned();
    let target = parts.next().unwrap().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let header =
        |name: &str| headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|value| value.contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = header("content-length") {
        body.resize(length.parse().unwrap(), 0);
        reader.read_exact(&mut body).unwrap();
    }
    let authorization = header("authorization");
    log.lock().unwrap().push(authorization.clone());
    if let Some(expected) = expected
        && authorization.as_deref() != Some(expected)
    {
        stream
            .write_all(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        return;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut backend = Command::new("git");
    backend
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, variable) in [
        ("content-type", "CONTENT_TYPE"),
        ("git-protocol", "GIT_PROTOCOL"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
    ] {
        if let Some(value) = header(name) {
            backend.env(variable, value);
        }
    }
    let mut child = backend.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = child.wait_with_output().unwrap();
    let split = output.stdout.windows(4).position(|window| window == b"\r\n\r\n").map(|at| (at, 4));
    let split = split.or_else(|| {
        output.stdout.windows(2).position(|window| window == b"\n\n").map(|at| (at, 2))
    });
    let (at, gap) = split.unwrap();
    let cgi_headers = String::from_utf8_lossy(&output.stdout[..at]).into_owned();
    let mut status = "200 OK".to_owned();
    let mut response = Vec::new();
    for header in cgi_headers.lines() {
        match header.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => {
                value.trim().clone_into(&mut status);
            }
            _ => {
                response.extend_from_slice(header.as_bytes());
                response.extend_from_slice(b"\r\n");
            }
        }
    }
    let content = &output.stdout[at + gap..];
    let mut head = format!("HTTP/1.1 {status}\r\n").into_bytes();
    head.extend_from_slice(&response);
    head.extend_from_slice(
        format!("Content-Length: {}\r\nConnection: close\r\n\r\n", content.len()).as_bytes(),
    );
    stream.write_all(&head).unwrap();
    stream.write_all(content).unwrap();
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The fixture as a bare repository under `root/fleet.git`, for the HTTP server.
fn bare_fleet(scratch: &Path) -> (Fleet, PathBuf) {
    let fleet = fleet(scratch);
    let root = scratch.join("served");
    std::fs::create_dir_all(&root).unwrap();
    git(&root, &["clone", "-q", "--bare", fleet.work.to_str().unwrap(), "fleet.git"], 0);
    (fleet, root)
}

#[test]
fn an_http_url_is_cloned_and_fetched_from_git_http_backend() {
    let scratch = tempfile::tempdir().unwrap();
    let (fleet, root) = bare_fleet(scratch.path());
    let server = GitHttpServer::start(root.clone(), None);
    let url = format!("http://127.0.0.1:{}/fleet.git", server.port);
    let cache = scratch.path().join("cache");
    let mut events = Vec::new();
    let synced = remote::sync(&url, &cache, &mut |event| events.push(event)).unwrap();
    assert_eq!(synced.head, fleet.c3);
    assert_eq!(events.last().unwrap().done, 18, "events: {events:?}");
    assert!(server.seen.lock().unwrap().iter().all(Option::is_none), "no credentials were sent");
    // A second sync fetches; nothing new arrives.
    let again = remote::sync(&url, &cache, &mut |_| {}).unwrap();
    assert_eq!((&again.path, &again.head), (&synced.path, &fleet.c3));
    let log = remote::log_path(&synced.path, "main", "README.md", 5).unwrap();
    assert_eq!(log.len(), 2);
}

/// gix sends credentials only over https (plain http refuses, a compile-time choice of
/// gix-transport we keep), and this server speaks http: so these are the refusals, which must
/// name the URL and never the credentials.
#[test]
fn http_credentials_are_required_refused_in_clear_text_and_never_leak() {
    let scratch = tempfile::tempdir().unwrap();
    let (_fleet, root) = bare_fleet(scratch.path());
    let token = "s3cr3t-token-0421";
    let server = GitHttpServer::start(root, Some(&format!("ada:{token}")));
    let plain = format!("http://127.0.0.1:{}/fleet.git", server.port);
    let cache = scratch.path().join("cache");

    // Without credentials and without a helper: a clear error naming the URL and what to do.
    let error = remote::sync(&plain, &cache, &mut |_| {}).unwrap_err();
    assert!(matches!(error, Error::AuthenticationRequired { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains(&plain) && message.contains("credential helper"), "{message}");
    assert!(
        !cache.exists() || std::fs::read_dir(&cache).unwrap().next().is_none(),
        "no half clone"
    );

    // A token in an http URL: never sent, never in the error, never on disk.
    let with_token = format!("http://ada:{token}@127.0.0.1:{}/fleet.git", server.port);
    let error = remote::sync(&with_token, &cache, &mut |_| {}).unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(!message.contains(token), "{message}");
    assert!(message.contains(&plain) && message.contains("https"), "{message}");
    assert!(server.seen.lock().unwrap().iter().all(Option::is_none), "nothing sent in clear");

    // A helper from the git configuration that answers and fails: its password is not in the
    // error either. The helper is configured where gix reads it for a fetch: the cache clone.
    let helper_cache = scratch.path().join("helper-cache");
    let open_server = GitHttpServer::start(scratch.path().join("served"), None);
    let open_url = format!("http://127.0.0.1:{}/fleet.git", open_server.port);
    let synced = remote::sync(&open_url, &helper_cache, &mut |_| {}).unwrap();
    let helper = "!f() { echo username=ada; echo password=helper-secret-9999; exit 1; }; f";
    git(&synced.path, &["config", "credential.helper", helper], 0);
    // The same cache now answers for the server that wants credentials.
    std::fs::rename(&synced.path, remote::cache_dir(&plain, &helper_cache).unwrap()).unwrap();
    let error = remote::sync(&plain, &helper_cache, &mut |_| {});
    let message = format!("{error:?}");
    assert!(error.is_err(), "{message}");
    assert!(!message.contains("helper-secret-9999"), "{message}");
    assert!(message.contains(&plain), "{message}");
}

#[test]
fn cache_directories_are_named_without_credentials() {
    let scratch = tempfile::tempdir().unwrap();
    let fleet = fleet(scratch.path());
    let cache = scratch.path().join("cache");
    let url = format!("file://{}", fleet.work.display());
    let synced = remote::sync(&url, &cache, &mut |_| {}).unwrap();
    let name = synced.path.file_name().unwrap().to_string_lossy().into_owned();
    // The same repository with or without credentials is one cache entry, named without them.
    let with_token =
        remote::cache_dir("https://ada:tok-in-url-55@git.example/platform/fleet.git", &cache)
            .unwrap();
    assert_eq!(
        with_token,
        remote::cache_dir("https://git.example/platform/fleet.git", &cache).unwrap()
    );
    assert!(!with_token.to_string_lossy().contains("tok-in-url-55"));
    assert!(!with_token.to_string_lossy().contains("ada"));
    assert!(name.starts_with("fleet-"), "{name}");
    assert_eq!(synced.path.extension().unwrap(), "git");
    let entries: BTreeSet<String> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, BTreeSet::from([name]), "no half-built clone is left behind");
}
