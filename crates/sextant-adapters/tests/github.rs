//! `github` against a local server replaying GitHub REST API replies (`tests/github/*.json`,
//! shaped as GitHub's REST reference documents them), mounted under the Enterprise base path
//! `/api/v3`. Expected values are read off the JSON by hand.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    body::Body,
    extract::State,
    http::{Request, Response, StatusCode},
};
use sextant_adapters::github::{Config, Contents, Error, GitHub, RepoRef};
use sextant_adapters::secret::Secret;

const TOKEN: &str = "ghp_replayTestToken0123456789";

/// One canned reply.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/github").join(name),
    )
    .unwrap()
}

fn ok(name: &str) -> Reply {
    Reply { status: 200, headers: Vec::new(), body: fixture(name) }
}

/// Every request a server saw: its path and query, and its `Authorization` header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

async fn replay(
    State((replies, seen)): State<(Arc<HashMap<String, Reply>>, Seen)>,
    request: Request<Body>,
) -> Response<Body> {
    let uri = request.uri().path_and_query().map(ToString::to_string).unwrap_or_default();
    let authorization =
        request.headers().get("authorization").map(|value| value.to_str().unwrap().to_owned());
    seen.lock().unwrap().push((uri, authorization));
    let reply = replies.get(request.uri().path()).cloned().unwrap_or(Reply {
        status: 404,
        headers: Vec::new(),
        body: fixture("error_404.json"),
    });
    let mut response = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap())
        .header("content-type", "application/json; charset=utf-8");
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::from(reply.body)).unwrap()
}

/// A server answering `replies` (by path); returns its address and what it saw.
async fn serve(replies: HashMap<String, Reply>) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app =
        axum::Router::new().fallback(replay).with_state((Arc::new(replies), Arc::clone(&seen)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, seen)
}

fn fleet() -> RepoRef {
    RepoRef::from_git_url("https://ghe.northwind.example/northwind/fleet.git").unwrap()
}

fn client(address: &str, token: Option<&str>) -> GitHub {
    GitHub::new(&Config {
        api_base: format!("http://{address}/api/v3"),
        token: token.map(Secret::new),
        token_source: None,
    })
    .unwrap()
}

fn replies(pairs: Vec<(&str, Reply)>) -> HashMap<String, Reply> {
    pairs.into_iter().map(|(path, reply)| (format!("/api/v3{path}"), reply)).collect()
}

#[tokio::test]
async fn contents_compare_pull_requests_and_checks_are_read_from_the_replies() {
    let (address, seen) = serve(replies(vec![
        (
            "/repos/northwind/fleet/contents/apps/storefront/kustomization.yaml",
            ok("contents_file.json"),
        ),
        ("/repos/northwind/fleet/contents/apps/storefront", ok("contents_dir.json")),
        ("/repos/northwind/fleet/compare/v1.3.0...main", ok("compare.json")),
        ("/repos/northwind/fleet/pulls", ok("pulls.json")),
        ("/repos/northwind/fleet/pulls/44/files", ok("pull_44_files.json")),
        ("/repos/northwind/fleet/pulls/42/files", ok("pull_42_files.json")),
        ("/repos/northwind/fleet/pulls/41/files", ok("pull_41_files.json")),
        ("/repos/northwind/fleet/commits/main/status", ok("status.json")),
        ("/repos/northwind/fleet/commits/main/check-runs", ok("check_runs.json")),
    ]))
    .await;
    let github = client(&address, Some(TOKEN));
    let fleet = fleet();

    // A file: base64 wrapped at 60 columns, decoded.
    let file = github.contents(&fleet, "apps/storefront/kustomization.yaml", "main").await.unwrap();
    assert_eq!(
        file,
        Contents::File {
            path: "apps/storefront/kustomization.yaml".into(),
            sha: "3d21ec53a331a6f037a91c368710b99387d012c1".into(),
            content: b"resources:\n  - deployment.yaml\n  - service.yaml\n".to_vec(),
        }
    );
    // A folder: its entries.
    let Contents::Dir(entries) =
        github.contents(&fleet, "apps/storefront", "v1.4.0").await.unwrap()
    else {
        panic!("a folder")
    };
    let listed: Vec<(&str, &str, u64)> = entries
        .iter()
        .map(|entry| (entry.name.as_str(), entry.kind.as_str(), entry.size))
        .collect();
    assert_eq!(
        listed,
        [
            ("deployment.yaml", "file", 412),
            ("kustomization.yaml", "file", 48),
            ("overlays", "dir", 0)
        ]
    );

    let comparison = github.compare(&fleet, "v1.3.0", "main").await.unwrap();
    assert_eq!(
        (comparison.status.as_str(), comparison.ahead_by, comparison.behind_by),
        ("ahead", 2, 0)
    );
    let commits: Vec<(&str, &str, &str, &str)> = comparison
        .commits
        .iter()
        .map(|commit| {
            (
                commit.sha.as_str(),
                commit.author.as_str(),
                commit.date.as_str(),
                commit.summary.as_str(),
            )
        })
        .collect();
    assert_eq!(
        commits,
        [
            (
                "5b1e3f0c2a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f",
                "Ada Operator",
                "2026-11-24T09:15:00Z",
                "storefront: three replicas"
            ),
            (
                "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b",
                "Grace Ops",
                "2026-11-24T11:40:00Z",
                "storefront: add a service"
            ),
        ]
    );
    let files: Vec<(&str, &str, u64, u64, Option<&str>)> = comparison
        .files
        .iter()
        .map(|file| {
            (
                file.filename.as_str(),
                file.status.as_str(),
                file.additions,
                file.deletions,
                file.previous_filename.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("apps/storefront/deployment.yaml", "modified", 1, 1, None),
            ("apps/storefront/service.yaml", "added", 4, 0, None),
            (
                "apps/storefront/kustomization.yaml",
                "renamed",
                1,
                0,
                Some("apps/storefront/kustomize.yaml")
            ),
        ]
    );

    // Of the three open pull requests only #42 touches apps/storefront (its file under
    // apps/storefront-old does not count).
    let pulls = github.pull_requests_touching(&fleet, "apps/storefront", 10).await.unwrap();
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    let pull = &pulls[0];
    assert_eq!(
        (pull.number, pull.title.as_str(), pull.author.as_str()),
        (42, "storefront: canary with 10% traffic", "ada")
    );
    assert_eq!((pull.head_ref.as_str(), pull.draft), ("storefront-canary", true));
    assert_eq!(pull.head_sha, "e".repeat(40));
    assert_eq!(pull.url, "https://ghe.northwind.example/northwind/fleet/pull/42");
    assert_eq!(pull.files, ["apps/storefront/canary.yaml", "apps/storefront/deployment.yaml"]);
    // Bounded: with a limit of 1 only the newest pull request's files are read.
    let before = seen.lock().unwrap().len();
    assert!(github.pull_requests_touching(&fleet, "apps/storefront", 1).await.unwrap().is_empty());
    assert_eq!(seen.lock().unwrap().len() - before, 2, "the list and one pull request's files");

    let checks = github.checks(&fleet, "main").await.unwrap();
    assert_eq!(checks.combined_state, "failure");
    let statuses: Vec<(&str, &str, Option<&str>)> = checks
        .statuses
        .iter()
        .map(|status| {
            (status.context.as_str(), status.state.as_str(), status.description.as_deref())
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("ci/lint", "success", Some("lint passed")),
            ("ci/kubeconform", "failure", Some("2 manifests invalid"))
        ]
    );
    let runs: Vec<(&str, &str, Option<&str>)> = checks
        .check_runs
        .iter()
        .map(|run| (run.name.as_str(), run.status.as_str(), run.conclusion.as_deref()))
        .collect();
    assert_eq!(
        runs,
        [
            ("render / kustomize build", "completed", Some("success")),
            ("e2e / kind", "in_progress", None)
        ]
    );

    // Every request went to the Enterprise base path, with the token, and asked for the ref.
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter().all(|(uri, _)| uri.starts_with("/api/v3/repos/northwind/fleet/")),
        "{seen:?}"
    );
    let bearer = format!("Bearer {TOKEN}");
    assert!(seen.iter().all(|(_, auth)| auth.as_deref() == Some(bearer.as_str())), "{seen:?}");
    assert!(
        seen.iter()
            .any(|(uri, _)| uri
                == "/api/v3/repos/northwind/fleet/contents/apps/storefront?ref=v1.4.0")
    );
}

#[tokio::test]
async fn the_token_goes_only_to_the_configured_host() {
    // A redirect (as GitHub sends for a renamed repository) to another host: followed, without
    // the token.
    let (elsewhere, elsewhere_seen) = serve(replies(vec![(
        "/repos/northwind/fleet/contents/apps/storefront/kustomization.yaml",
        ok("contents_file.json"),
    )]))
    .await;
    let (address, seen) = serve(replies(vec![(
        "/repos/northwind/old-fleet/contents/apps/storefront/kustomization.yaml",
        Reply {
            status: 301,
            headers: vec![(
                "location",
                format!("http://{elsewhere}/api/v3/repos/northwind/fleet/contents/apps/storefront/kustomization.yaml?ref=main"),
            )],
            body: "{\"message\":\"Moved Permanently\"}".into(),
        },
    )]))
    .await;
    let github = client(&address, Some(TOKEN));
    let old = RepoRef {
        host: "ghe.northwind.example".into(),
        owner: "northwind".into(),
        name: "old-fleet".into(),
    };
    let file = github.contents(&old, "apps/storefront/kustomization.yaml", "main").await.unwrap();
    assert!(matches!(file, Contents::File { .. }));
    assert_eq!(seen.lock().unwrap()[0].1.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    let elsewhere_seen = elsewhere_seen.lock().unwrap();
    assert_eq!(elsewhere_seen.len(), 1);
    assert_eq!(elsewhere_seen[0].1, None, "no Authorization sent to another host");
}

#[tokio::test]
async fn refusals_missing_things_rate_limits_and_unreachable_hosts_are_named_without_the_token() {
    let (address, _) = serve(replies(vec![
        (
            "/repos/northwind/private/contents/README.md",
            Reply { status: 401, headers: Vec::new(), body: fixture("error_401.json") },
        ),
        (
            "/repos/northwind/fleet/commits/main/status",
            Reply {
                status: 403,
                headers: vec![
                    ("x-ratelimit-limit", "60".into()),
                    ("x-ratelimit-remaining", "0".into()),
                    ("x-ratelimit-reset", "1795630800".into()),
                ],
                body: fixture("error_rate_limit.json"),
            },
        ),
    ]))
    .await;
    let github = client(&address, Some(TOKEN));
    let private = RepoRef {
        host: "ghe.northwind.example".into(),
        owner: "northwind".into(),
        name: "private".into(),
    };

    let error = github.contents(&private, "README.md", "main").await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { status: 401, .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("127.0.0.1") && message.contains("set GITHUB_TOKEN or run gh auth login"),
        "{message}"
    );

    let error = github.contents(&fleet(), "apps/missing", "main").await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert!(error.to_string().contains("northwind/fleet:apps/missing at main"), "{error}");

    let error = github.checks(&fleet(), "main").await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { resets_at: Some(1_795_630_800), .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("until 2026-11-25T18:20:00Z"), "{error}");

    // Nothing listens on port 1.
    let github = client("127.0.0.1:1", Some(TOKEN));
    let error = github.contents(&fleet(), "README.md", "main").await.unwrap_err();
    assert!(matches!(error, Error::Unreachable { .. }), "{error:?}");

    for error in [
        github.contents(&private, "README.md", "main").await.unwrap_err(),
        client(&address, Some(TOKEN)).contents(&private, "README.md", "main").await.unwrap_err(),
    ] {
        let message = format!("{error} {error:?}");
        assert!(!message.contains(TOKEN), "{message}");
    }
}
