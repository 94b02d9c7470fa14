//! Starts the real servers the end-to-end tests talk to, on loopback only, and always stops them.
//!
//! Each server comes from the virtualenv `scripts/setup.sh` creates (`.tools/venv`): OpenBao in
//! dev mode, nats-server, the kmock Kubernetes emulator. A [`RunningServer`] owns its child
//! process and kills it (by its own PID) when dropped, so a failing test never leaks a server.
//! Readiness is polled with a deadline; a server that does not come up fails the test with its
//! own output.
//!
//! Faults that no real server produces on demand come from [`fake_apiserver`], beside them.
#![allow(clippy::disallowed_methods, reason = "test support starts processes and waits for them")]

pub mod fake_apiserver;

use std::{
    io::{Read, Write},
    net::{Ipv4Addr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The workspace root.
#[must_use]
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// A tool installed by `scripts/setup.sh` into `.tools/venv/bin` or `.tools/bin`.
#[must_use]
pub fn tool(name: &str) -> PathBuf {
    let root = workspace_root();
    for candidate in [root.join(".tools/venv/bin").join(name), root.join(".tools/bin").join(name)] {
        if candidate.exists() {
            return candidate;
        }
    }
    panic!("{name} is not installed: run `cargo xtask setup`");
}

/// A free TCP port on 127.0.0.1.
#[must_use]
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// A server process that is killed when dropped.
#[derive(Debug)]
pub struct RunningServer {
    /// What it is, for messages.
    pub name: &'static str,
    /// Its port on 127.0.0.1.
    pub port: u16,
    child: Child,
    log: PathBuf,
    _workdir: tempfile::TempDir,
}

impl RunningServer {
    /// Starts `command`; `workdir` (its files, its log) is removed when the server is dropped.
    fn spawn(
        name: &'static str,
        port: u16,
        workdir: tempfile::TempDir,
        command: &mut Command,
    ) -> RunningServer {
        let log = workdir.path().join("server.log");
        let log_file = std::fs::File::create(&log).expect("a log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("a log handle"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        RunningServer { name, port, child, log, _workdir: workdir }
    }

    /// What the server printed so far.
    #[must_use]
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_until(&mut self, deadline: Duration, ready: impl Fn(u16) -> bool) {
        let started = Instant::now();
        while started.elapsed() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited early ({status}):\n{}", self.name, self.output());
            }
            if ready(self.port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{} did not become ready within {deadline:?}:\n{}", self.name, self.output());
    }

    /// Stops the server now (it is also stopped on drop).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A minimal HTTP/1.1 GET on loopback: the status code, or `None` when nothing answers.
#[must_use]
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut head = [0_u8; 16];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// OpenBao in dev mode with `root_token`.
#[must_use]
pub fn start_openbao(root_token: &str) -> RunningServer {
    let port = free_port();
    let workdir = tempfile::tempdir().expect("a temporary directory");
    // A dev server writes its root token to $HOME/.vault-token; keep it out of the real home.
    let home = workdir.path().to_path_buf();
    let mut server = RunningServer::spawn(
        "OpenBao",
        port,
        workdir,
        Command::new(tool("bao")).env("HOME", home).args([
            "server",
            "-dev",
            &format!("-dev-root-token-id={root_token}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ]),
    );
    server.wait_until(Duration::from_secs(30), |port| {
        http_status(port, "/v1/sys/health") == Some(200)
    });
    server
}

/// nats-server with JetStream.
#[must_use]
pub fn start_nats() -> RunningServer {
    let port = free_port();
    let workdir = tempfile::tempdir().expect("a temporary directory");
    let store = workdir.path().join("jetstream");
    let mut server = RunningServer::spawn(
        "nats-server",
        port,
        workdir,
        Command::new(tool("nats-server"))
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(&store),
    );
    server.wait_until(Duration::from_secs(20), |port| {
        TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
    });
    server
}

/// Every custom resource of the upstream CRDs in `../shared/crds`, as kmock's launcher takes
/// them (`group/version/plural:Kind:ns|cluster`, one per served version), read from the CRD files
/// themselves. One copy of each CRD: the Gateway API's standard channel (its experimental
/// channel defines the same names), wg-policy's PolicyReports rather than Kyverno's copy of
/// them, and no examples (SOURCES.md there says which to load).
#[must_use]
pub fn shared_crds() -> Vec<String> {
    fn walk(directory: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(directory) else { return };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
                let in_kyverno = path
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|parent| parent == "kyverno");
                let skip = matches!(name, "examples" | "experimental" | "admission")
                    || (name == "wgpolicyk8s.io" && in_kyverno);
                if !skip {
                    walk(&path, found);
                }
            } else if path.extension().is_some_and(|extension| extension == "yaml") {
                found.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&workspace_root().join("../shared/crds"), &mut files);
    let mut declared = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a CRD file is readable");
        for document in serde_norway::Deserializer::from_str(&text) {
            let Ok(crd) = <serde_json::Value as serde::Deserialize>::deserialize(document) else {
                continue;
            };
            if crd["kind"] != "CustomResourceDefinition" {
                continue;
            }
            let spec = &crd["spec"];
            let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
            let scope = if spec["scope"] == "Cluster" { "cluster" } else { "ns" };
            for version in spec["versions"].as_array().into_iter().flatten() {
                if version["served"] == false {
                    continue;
                }
                declared.push(format!(
                    "{}/{}/{}:{}:{scope}",
                    text(&spec["group"]),
                    text(&version["name"]),
                    text(&spec["names"]["plural"]),
                    text(&spec["names"]["kind"]),
                ));
            }
        }
    }
    declared
}

/// The kmock Kubernetes API emulator, seeded with `seed` (a JSON array of objects), with the
/// custom resources `crds` (`group/version/plural:Kind:ns|cluster`). Its kubeconfig is at the
/// returned path, which lives as long as the server.
#[must_use]
pub fn start_kmock(seed: &serde_json::Value, crds: &[String]) -> (RunningServer, PathBuf) {
    start_kmock_at(free_port(), seed, crds)
}

/// [`start_kmock`] on `port`: a server that went away can come back where its clients expect it.
#[must_use]
pub fn start_kmock_at(
    port: u16,
    seed: &serde_json::Value,
    crds: &[String],
) -> (RunningServer, PathBuf) {
    let workdir = tempfile::tempdir().expect("a temporary directory");
    let files = workdir.path().to_path_buf();
    let seed_path = files.join("seed.json");
    std::fs::write(&seed_path, seed.to_string()).expect("the seed file is written");
    let kubeconfig = files.join("kubeconfig");
    let launcher = workspace_root().join("../shared/tools/kmock_server.py");
    let mut command = Command::new(tool("python"));
    command
        .arg(launcher)
        .args(["--port", &port.to_string(), "--kubeconfig"])
        .arg(&kubeconfig)
        .arg("--seed")
        .arg(&seed_path);
    for crd in crds {
        command.args(["--crd", crd]);
    }
    let mut server = RunningServer::spawn("kmock", port, workdir, &mut command);
    server.wait_until(Duration::from_secs(30), |port| http_status(port, "/version") == Some(200));
    (server, kubeconfig)
}
