//! Contexts that reach their API server the ways kubectl does besides a plain URL and token: a
//! `proxy-url` (an HTTP CONNECT proxy, and SOCKS5) and the `oidc` auth provider's id-token.
//! Each test asserts that the cluster becomes ready with its objects, and that the proxy (or
//! the server's token check) was really on the path. (The `oidc` provider's refresh of an
//! expired id-token through its issuer is kube's; no OIDC issuer runs here to test it.)
//!
//! The proxies are small ones of our own, written to RFC 7231 §4.3.6 (CONNECT) and RFC 1928
//! (SOCKS5, no authentication); the API server is `sextant_testkit::fake_apiserver`.
#![allow(clippy::unwrap_used, reason = "a failing step fails the test")]

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use sextant_adapters::cluster::watch::{ClusterWatch, WatchOptions};
use sextant_domain::platform::{ClusterSnapshot, ClusterState};
use sextant_testkit::fake_apiserver::FakeApiServer;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

fn objects() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a", "resourceVersion": "1"}}),
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "web", "namespace": "team-a", "resourceVersion": "2"},
               "spec": {"ports": [{"port": 80}]}}),
    ]
}

/// A kubeconfig with one context, `fake`, for `server`, with `cluster_extra` added to its
/// cluster and `user` as its user.
fn kubeconfig(server: &FakeApiServer, cluster_extra: &str, user: &str) -> kube::config::Kubeconfig {
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: 'http://127.0.0.1:{}'\n{cluster_extra}\
         contexts:\n- name: fake\n  context: {{cluster: fake, user: dev}}\nusers:\n- name: dev\n  user:\n{user}",
        server.port
    );
    kube::config::Kubeconfig::from_yaml(&text).unwrap()
}

/// Waits (up to 30 s) until the cluster is ready with its Service; panics with the last state.
async fn ready(watch: &ClusterWatch) -> ClusterSnapshot {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let snapshot = watch.snapshot();
        if snapshot.state == ClusterState::Ready
            && snapshot.objects.iter().any(|object| object.kind() == "Service")
        {
            return snapshot;
        }
        assert!(
            Instant::now() < deadline,
            "never ready; last: {:?} {:?}",
            snapshot.state,
            snapshot.message
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Copies both ways between the client and the target until either side closes.
async fn splice(mut client: TcpStream, target: &str) -> std::io::Result<()> {
    let mut upstream = TcpStream::connect(target).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

/// An HTTP proxy that serves CONNECT only, recording each target.
async fn connect_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let targets = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&targets);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                // The request head ends with an empty line.
                let mut head = Vec::new();
                let mut byte = [0_u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read_exact(&mut byte).await.is_err() {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let mut words = head.split_whitespace();
                let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
                    let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n").await;
                    return;
                };
                let target = target.to_owned();
                seen.lock().unwrap().push(target.clone());
                if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.is_ok() {
                    let _ = splice(client, &target).await;
                }
            });
        }
    });
    (port, targets)
}

/// A SOCKS5 proxy without authentication that serves CONNECT to IPv4 addresses and domain
/// names, recording each target.
async fn socks5_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let targets = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&targets);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let answer: std::io::Result<()> = async {
                    // Greeting: version 5, the methods offered; we choose 0 (no authentication).
                    let mut greeting = [0_u8; 2];
                    client.read_exact(&mut greeting).await?;
                    let mut methods = vec![0_u8; usize::from(greeting[1])];
                    client.read_exact(&mut methods).await?;
                    client.write_all(&[5, 0]).await?;
                    // Request: version, command (1 = CONNECT), reserved, address type.
                    let mut request = [0_u8; 4];
                    client.read_exact(&mut request).await?;
                    let host = match request[3] {
                        1 => {
                            let mut address = [0_u8; 4];
                            client.read_exact(&mut address).await?;
                            std::net::Ipv4Addr::from(address).to_string()
                        }
                        3 => {
                            let length = client.read_u8().await?;
                            let mut name = vec![0_u8; usize::from(length)];
                            client.read_exact(&mut name).await?;
                            String::from_utf8_lossy(&name).into_owned()
                        }
                        _ => {
                            client.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
                            return Ok(());
                        }
                    };
                    let port = client.read_u16().await?;
                    let target = format!("{host}:{port}");
                    seen.lock().unwrap().push(target.clone());
                    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
                    splice(client, &target).await
                }
                .await;
                drop(answer);
            });
        }
    });
    (port, targets)
}

#[tokio::test]
async fn a_context_behind_an_http_proxy_url_connects_through_it() {
    let server = FakeApiServer::start(objects()).await;
    let (proxy, targets) = connect_proxy().await;
    let config = kubeconfig(
        &server,
        &format!("    proxy-url: 'http://127.0.0.1:{proxy}'\n"),
        "    token: dev-token\n",
    );
    let watch = ClusterWatch::start(&config, "fake", WatchOptions::default());
    let snapshot = ready(&watch).await;
    assert!(snapshot.objects.iter().any(|object| object.name() == "web"));
    let targets = targets.lock().unwrap().clone();
    assert!(!targets.is_empty(), "the proxy carried the connections");
    assert!(
        targets.iter().all(|target| *target == format!("127.0.0.1:{}", server.port)),
        "every tunnel leads to the API server: {targets:?}"
    );
}

#[tokio::test]
async fn a_context_behind_a_socks5_proxy_url_connects_through_it() {
    let server = FakeApiServer::start(objects()).await;
    let (proxy, targets) = socks5_proxy().await;
    let config = kubeconfig(
        &server,
        &format!("    proxy-url: 'socks5://127.0.0.1:{proxy}'\n"),
        "    token: dev-token\n",
    );
    let watch = ClusterWatch::start(&config, "fake", WatchOptions::default());
    ready(&watch).await;
    let targets = targets.lock().unwrap().clone();
    assert!(!targets.is_empty(), "the proxy carried the connections");
    assert!(
        targets.iter().all(|target| *target == format!("127.0.0.1:{}", server.port)),
        "every tunnel leads to the API server: {targets:?}"
    );
}

/// An unsigned JWT (the client never checks the signature; the API server would), for
/// `{"iss": "https://issuer.example", "sub": "jane", "aud": "kubernetes", "exp": 4102444800}`
/// (2100-01-01), base64url-encoded by hand with Python's `base64.urlsafe_b64encode`.
const ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.\
    eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoiamFuZSIsImF1ZCI6Imt1YmVybmV0ZXMiLCJleHAiOjQxMDI0NDQ4MDB9.\
    c2lnbmF0dXJl";

#[tokio::test]
async fn an_oidc_auth_provider_sends_its_id_token() {
    let server = FakeApiServer::start(objects()).await;
    let token = ID_TOKEN.to_owned();
    // The server accepts only this bearer token: the cluster is ready only if it was sent.
    server.faults().accepted_token = Some(token.clone());
    let config = kubeconfig(
        &server,
        "",
        &format!(
            "    auth-provider:\n      name: oidc\n      config:\n        client-id: kubernetes\n        \
             idp-issuer-url: https://issuer.example\n        id-token: {token}\n        refresh-token: never-used\n"
        ),
    );
    let watch = ClusterWatch::start(&config, "fake", WatchOptions::default());
    let snapshot = ready(&watch).await;
    let shown = format!("{:?} {:?}", snapshot.message, snapshot.kinds);
    assert!(!shown.contains(&token[..20]), "the id-token is never shown");
}
